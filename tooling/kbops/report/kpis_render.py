"""Render a KPI report in one of the report formats (`--format md|json|html`). JSON is
`KpiReport.as_dict()` as is (versioned, documented in docs/kpis.md)."""

from __future__ import annotations

import json

from ..kpis.report import KpiReport
from . import ReportFormat
from .kpis_html import render_kpis_html
from .kpis_markdown import render_kpis_markdown


def render_kpis(report: KpiReport, format: ReportFormat) -> str:
    if format is ReportFormat.json:
        return json.dumps(report.as_dict(), indent=2, ensure_ascii=False) + "\n"
    if format is ReportFormat.html:
        return render_kpis_html(report)
    return render_kpis_markdown(report)
