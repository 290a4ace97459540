"""A hand-off note as Markdown, through one editable Jinja template per receiving function.

The templates shipped in `handoff/templates/` are the defaults; a file of the same name in
the `[handoff] templates` folder (default `handoffs/`) replaces one. Templates run in
Jinja's sandbox with StrictUndefined: a team's template can neither reach Python
internals nor silently print nothing for a misspelt variable. Every value a template
receives is already escaped for Markdown (`template_variables`): ticket text is untrusted,
and a template author should not have to remember which values are.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from ..errors import EXIT_BAD_INPUT, KbopsError, one_line
from ..files import shown
from ..kb.markdown import md_block, md_code, md_text
from .build import HandoffNote, Receiver

SHIPPED_TEMPLATES = Path(__file__).with_name("templates")


class HandoffTemplateError(KbopsError):
    """A hand-off template cannot be read or rendered (syntax, an unknown variable)."""

    exit_code = EXIT_BAD_INPUT


def template_name(to: Receiver) -> str:
    return f"{to}.md.j2"


def environment(override_dir: Path | None) -> SandboxedEnvironment:
    """The team's folder first, then the shipped templates."""
    folders = [str(override_dir)] if override_dir is not None and override_dir.is_dir() else []
    return SandboxedEnvironment(
        loader=jinja2.FileSystemLoader([*folders, str(SHIPPED_TEMPLATES)]), undefined=jinja2.StrictUndefined,
        autoescape=False, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
    )


def render_note(note: HandoffNote, override_dir: Path | None = None) -> str:
    """The note's Markdown; HandoffTemplateError naming the template file and line when the
    template is broken."""
    env = environment(override_dir)
    name = template_name(note.to)
    try:
        template = env.get_template(name)
    except jinja2.TemplateSyntaxError as exc:
        raise HandoffTemplateError(f"{_where(exc.filename or name, exc.lineno)}: template syntax error: "
                                   f"{one_line(exc.message)}") from None
    except jinja2.TemplateNotFound:
        raise HandoffTemplateError(f"hand-off template {name} not found in {override_dir} or the shipped "
                                   "templates") from None
    path = template.filename or name
    try:
        text = template.render(template_variables(note))
    except (jinja2.TemplateError, TypeError, ValueError, ArithmeticError, AttributeError, LookupError) as exc:
        line = _template_line(exc.__traceback__, path)
        raise HandoffTemplateError(f"{_where(path, line)}: cannot render the hand-off template: "
                                   f"{one_line(exc)}") from None
    return text.rstrip("\n") + "\n"


def _where(path: str, line: int | None) -> str:
    return f"{shown(Path(path))}:{line}" if line else shown(Path(path))


def _template_line(trace: TracebackType | None, path: str) -> int | None:
    """The template line an error happened on: Jinja rewrites the traceback so that frames of
    template code carry the template's file name and line; the innermost one counts."""
    line = None
    while trace is not None:
        if trace.tb_frame.f_code.co_filename == path:
            line = trace.tb_lineno
        trace = trace.tb_next
    return line


# ---------------------------------------------------------------------- what a template receives


def _codes(values: Sequence[str]) -> list[str]:
    return [md_code(value) for value in values]


def _texts(values: Sequence[str]) -> list[str]:
    return [md_text(value) for value in values]


def _reason_line(line: str) -> str:
    """`code: detail` (the package's form) as the code in code style and the detail as prose."""
    code, _, detail = line.partition(": ")
    return f"{md_code(code)}: {md_text(detail)}" if detail else md_text(line)


def _money(amount: float | None) -> str:
    return f"{amount:,.0f}" if amount is not None else ""


def template_variables(note: HandoffNote) -> dict[str, Any]:
    """The template's variables (docs/handoffs.md lists them), every string escaped: inline
    values with `md_text` (prose) or `md_code` (ids, codes, versions, hosts), the customer's
    message and the agent's draft as fenced blocks (`md_block`)."""
    found, customer = note.diagnostics, note.customer
    return {
        "to": str(note.to),
        "ticket": {
            "id": md_code(note.ticket_id), "created_at": md_text(note.created_at), "channel": md_text(note.channel),
            "category": md_text(note.category), "severity": md_code(note.severity), "status": md_code(note.status),
            "message": md_block(note.ticket_text),
        },
        "problem": md_text(note.problem),
        "steps_tried": _texts(note.steps_tried),
        "diagnostics": {
            "error_messages": _codes(found.error_messages), "error_codes": _codes(found.error_codes),
            "http_statuses": _codes(found.http_statuses), "versions": _codes(found.versions),
            "environment": _texts(found.environment), "hosts": _codes(found.hosts), "counts": _texts(found.counts),
            "empty": found.empty,
        },
        "affected_accounts": [
            {"account_id": md_code(a.account_id), "tier": md_code(a.tier), "tickets": a.tickets,
             "ticket_ids": _codes(a.ticket_ids), "this_account": a.this_account}
            for a in note.affected_accounts
        ],
        "affected_tickets": note.affected_tickets,
        "customer": {
            "account_id": md_code(customer.account_id), "tier": md_code(customer.tier),
            "monthly_revenue": _money(customer.monthly_revenue), "window_days": customer.window_days,
            "tickets": customer.tickets, "escalated": customer.escalated,
            "escalated_share": f"{customer.escalated_share:.0%}",
            "sentiments": " → ".join(f"{s:+.1f}" for s in customer.sentiments),
            "sentiment_trend": customer.sentiment_trend,
            "sentiment_slope": f"{customer.sentiment_slope:+.2f}" if customer.sentiment_slope is not None else "",
            "csat": ", ".join(f"{c:g}" for c in customer.csat),
            "health_signals": _codes(customer.health_signals), "health_priority": customer.health_priority,
            "outreach": md_text(customer.outreach),
        },
        "seats": note.seats,
        "opportunity": _codes(note.opportunity),
        "agent": {
            "action": note.agent_action, "found": md_text(note.agent_found),
            "reasons": _codes(note.escalation_reasons), "why": [_reason_line(line) for line in note.why],
            "draft": md_block(note.draft_reply) if note.draft_reply.strip() else "",
            "next_step": md_text(note.support_next_step),
        },
        "articles": [
            {"id": md_code(a.article_id), "title": md_text(a.title), "section": md_text(a.section),
             "score": f"{a.score:.2f}"}
            for a in note.articles
        ],
        "next_step": md_text(note.next_step),
    }
