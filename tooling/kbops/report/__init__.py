"""Reports of an eval run: Markdown for a PR comment, versioned JSON for machines, and a
self-contained HTML page with charts for people who would rather look.

All three render the same derived views (`views.py`), so they cannot disagree.
"""

from __future__ import annotations

from enum import StrEnum

from ..evals.history import RunStore
from ..evals.runs import EvalRun
from ..gaps.analysis import load_saved
from .html import TREND_RUNS, render_html
from .json import render_json, run_schema
from .markdown import render_markdown

__all__ = ["ReportFormat", "render_html", "render_json", "render_markdown", "render_report", "run_schema"]


class ReportFormat(StrEnum):
    md = "md"
    json = "json"
    html = "html"


def render_report(run: EvalRun, format: ReportFormat, store: RunStore) -> str:
    """A saved run in one format; the gap analysis `kbops gaps` kept for it groups its gaps,
    and the HTML trend chart draws the runs before it."""
    if format is ReportFormat.json:
        return render_json(run)
    gaps = load_saved(store.folder, run.run_id)
    if format is ReportFormat.html:
        return render_html(run, store.history(limit=TREND_RUNS), gaps)
    return render_markdown(run, gaps)
