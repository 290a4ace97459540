"""Reports of an eval run: Markdown for a PR comment, versioned JSON for machines, and a
self-contained HTML page with charts for people who would rather look.

All three render the same derived views (`views.py`), so they cannot disagree.
"""

from __future__ import annotations

from .html import render_html
from .json import render_json, run_schema
from .markdown import render_markdown

__all__ = ["render_html", "render_json", "render_markdown", "run_schema"]
