"""Render a saved run in one of the report formats."""

from __future__ import annotations

from ..evals.history import RunStore
from ..evals.runs import EvalRun
from ..gaps.analysis import load_saved
from . import ReportFormat
from .html import TREND_RUNS, render_html
from .json import render_json
from .markdown import render_markdown


def render_report(run: EvalRun, format: ReportFormat, store: RunStore) -> str:
    """A saved run in one format; the gap analysis `kbops gaps` kept for it groups its gaps,
    and the HTML trend chart draws the runs before it."""
    if format is ReportFormat.json:
        return render_json(run)
    gaps = load_saved(store.folder, run.run_id, store.notify)
    if format is ReportFormat.html:
        return render_html(run, store.history(limit=TREND_RUNS), gaps)
    return render_markdown(run, gaps)
