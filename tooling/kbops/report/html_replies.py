"""The eval report's "Replies by tone" section: every answered ticket's reply, one column per
tone profile, so a reviewer can see whether the frustrated customer got the calm reply and the
power user the short one. Replies are untrusted text (they quote tickets and the KB): each is
escaped and shown as plain text, never rendered as HTML or Markdown."""

from __future__ import annotations

from ..evals.runs import EvalRun, TicketResult
from . import views
from .charts import escape

STYLE = """
.tones{display:grid;grid-template-columns:repeat(auto-fit,minmax(230px,1fr));gap:1rem;align-items:start}
.tone{border:1px solid #ddd;border-radius:8px;padding:.6rem}
.reply{border-top:1px solid #eee;padding:.4rem 0}.reply p{margin:.2rem 0;font-size:.85rem}
.reply pre{white-space:pre-wrap;overflow-wrap:anywhere;font:inherit;font-size:.85rem;margin:.3rem 0;background:#fafafa;padding:.4rem}
"""
"""Added to the page's inline style (the CSP allows inline styles, nothing else)."""


def replies_by_tone(run: EvalRun) -> str:
    """The section; "" for a run without tone profiles or without an answered ticket."""
    groups = views.replies_by_tone(run)
    if not groups:
        return ""
    columns = "".join(
        f'<section class="tone" data-profile="{escape(profile)}"><h3>{escape(profile)} ({len(replies)})</h3>'
        + "".join(_reply(r) for r in replies) + "</section>"
        for profile, replies in groups
    )
    return ("<h2>Replies by tone</h2><p class=\"meta\">The answered tickets' replies, grouped by the tone "
            f"profile the agent chose.</p><div class=\"tones\">{columns}</div>")


def _reply(result: TicketResult) -> str:
    language = f" · {escape(result.language)}" if result.language else ""
    return (f'<div class="reply"><p><b>{escape(result.ticket_id)}</b> · {escape(views.VERDICT_LABELS[result.verdict])}'
            f"{language}</p><p>{escape(result.subject)}</p><pre>{escape(result.reply)}</pre></div>")
