"""Reports of an eval run: Markdown for a PR comment, versioned JSON for machines, and a
self-contained HTML page with charts for people who would rather look.

All three render the same derived views (`views.py`), so they cannot disagree;
`render.py` picks one. This module stays light: the CLI imports `ReportFormat` to parse
`--format` before any report is rendered.
"""

from __future__ import annotations

from enum import StrEnum


class ReportFormat(StrEnum):
    md = "md"
    json = "json"
    html = "html"
