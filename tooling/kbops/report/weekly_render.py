"""Render a weekly report in one of the report formats (`--format md|json|html`).

JSON is `WeeklyReport.to_json()` as is (versioned, documented in docs/weekly-report.md);
Markdown and HTML say the same things through `weekly_views.py`."""

from __future__ import annotations

import json

from ..insights.weekly import WeeklyReport
from . import ReportFormat
from .weekly_html import render_weekly_html
from .weekly_markdown import render_weekly_markdown


def render_weekly_json(report: WeeklyReport) -> str:
    return json.dumps(report.to_json(), indent=2, ensure_ascii=False) + "\n"


def render_weekly(report: WeeklyReport, format: ReportFormat) -> str:
    if format is ReportFormat.json:
        return render_weekly_json(report)
    if format is ReportFormat.html:
        return render_weekly_html(report)
    return render_weekly_markdown(report)
