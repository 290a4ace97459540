"""`kbops triage`: category, severity, queue, SLA and duplicates of incoming tickets."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from ..errors import EXIT_BAD_INPUT
from ..tickets.model import Customer, Ticket, Tier
from .app import app, err_console, out_console, workspace
from .options import JsonOption, KbOption, MapOption, TicketFormatOption, column_map
from .output import echo

if TYPE_CHECKING:
    from ..triage.triager import TriageResult

TICKET_FILE_SUFFIXES = (".jsonl", ".json", ".csv", ".ndjson")


@app.command()
def triage(
    ctx: typer.Context,
    source: Annotated[str, typer.Argument(
        help="The ticket's text (quote it), or a ticket file (JSONL, CSV or a Zendesk export): a path that exists "
        "is read as a file.")],
    tier: Annotated[Tier | None, typer.Option(
        help="The customer's plan tier (default: the account's tier in the history, else free; with a file, "
        "overrides every ticket's).")] = None,
    account: Annotated[str, typer.Option(
        help="The customer's account id: its tier and monthly revenue are looked up in the ticket history "
        "(with a file, overrides every ticket's).")] = "",
    revenue: Annotated[float | None, typer.Option(
        min=0, help="The account's monthly revenue, for revenue at risk (default: from the history).")] = None,
    at: Annotated[str | None, typer.Option(
        help="When the ticket arrived, ISO 8601 (default now); with a file, the time of tickets without "
        "`created_at`. Scope, duplicates and the SLA due time count from it.")] = None,
    no_notify: Annotated[bool, typer.Option(
        "--no-notify", help="Do not run `triage.notify_command` or call `triage.notify_webhook`, even for P1.")] = False,
    format: TicketFormatOption = None,
    column: MapOption = None,
    as_json: JsonOption = False,
    kb: KbOption = None,
) -> None:
    """Triage incoming tickets: category, severity P1-P4 with its reasons, queue, SLA due time
    and duplicates.

    The category comes from a classifier fitted on the labelled ticket history (`kbops
    tickets import`), zero-shot from the `triage.taxonomy` descriptions when there is not
    enough history, or Claude with `triage.backend = "claude"` (or `auto` and
    ANTHROPIC_API_KEY). Severity adds up business impact: tier, monthly revenue, similar
    tickets in the last 24 h, and outage, data-loss, security, blocked and anger signals
    read from the text a person sees (hidden text and lines that try to set a priority
    count for nothing). The first matching `[[triage.routes]]` rule names the queue and SLA.
    Duplicates are open tickets about the same problem within `triage.duplicate_window_hours`,
    from the history and earlier tickets of the file. Severities in
    `triage.notify_severities` are sent to `triage.notify_webhook` / `notify_command`
    (a failure is a warning).

    `--json` prints one object for a text, a list for a file, each with `category`,
    `severity`, `severity_reasons`, `queue`, `sla_due` and `duplicates`. Exit codes: 0 ok, 2
    bad input (an unreadable time, an empty text, records of the file it cannot read:
    listed as `path:line`; the readable ones are still triaged).

    Example: `kbops triage "Our dashboard is down for everyone" --account acme --json`
    """
    when = _parse_time(at)
    path = Path(source)
    text_form = not path.is_file()
    if text_form and not source.strip():
        raise typer.BadParameter("the ticket text is empty", param_hint="SOURCE")
    if text_form and not any(ch.isspace() for ch in source) and path.suffix.lower() in TICKET_FILE_SUFFIXES:
        raise typer.BadParameter(f"no such ticket file: {source}", param_hint="SOURCE")
    ws = workspace(ctx, kb=kb)
    triager = ws.triager()
    problems: list[str] = []
    if text_form:
        tickets = [triager.text_ticket(source, at=when, account=account, tier=str(tier) if tier else None,
                                       revenue=revenue)]
    else:
        ticket_set = ws.tickets(path, format=format, columns=column_map(column))
        problems = [p.render() for p in ticket_set.problems]
        tickets = [_with_customer(t, account, tier, revenue) for t in ticket_set.tickets]
    results = triager.triage(tickets, at=when, send=not no_notify)
    for problem in problems:
        err_console.print(problem, highlight=False, markup=False, soft_wrap=True)
    if as_json:
        found = [r.to_json() for r in results]
        echo(json.dumps(found[0] if text_form else found, indent=2, ensure_ascii=False))
    else:
        _print_table(results, reasons=text_form)
    if problems:
        err_console.print(f"[bold red]error:[/] {len(problems)} record{'s' if len(problems) != 1 else ''} of "
                          f"{escape(str(path))} could not be read (listed above)", highlight=False, soft_wrap=True)
        raise typer.Exit(EXIT_BAD_INPUT)


def _parse_time(text: str | None) -> datetime:
    if text is None:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not an ISO 8601 time (e.g. 2026-11-20T09:30:00Z)",
                                 param_hint="--at") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _with_customer(ticket: Ticket, account: str, tier: Tier | None, revenue: float | None) -> Ticket:
    """The ticket with the customer fields given on the command line."""
    if not (account or tier or revenue is not None):
        return ticket
    customer = ticket.customer
    changed = Customer(id=account or customer.id, tier=tier or customer.tier,
                       monthly_revenue=revenue if revenue is not None else customer.monthly_revenue)
    return ticket.model_copy(update={"customer": changed})


def _print_table(results: list[TriageResult], *, reasons: bool) -> None:
    table = Table(box=None, pad_edge=False, header_style="bold")
    for name in ("ticket", "category", "sev", "queue", "due (UTC)", "duplicates", "notified"):
        table.add_column(name, overflow="fold")
    for result in results:
        duplicates = ", ".join(result.links.duplicates[:3]) + (" …" if len(result.links.duplicates) > 3 else "")
        table.add_row(
            escape(result.ticket.id), f"{escape(result.category.label)} [dim]{result.category.confidence:.2f}[/]",
            f"[bold]{result.severity.level}[/]", escape(result.route.queue),
            f"{result.sla_due.astimezone(UTC):%m-%d %H:%M}", escape(duplicates) or "-", "yes" if result.notified else "-",
        )
    out_console.print(table, highlight=False)
    if reasons:
        for result in results:
            category = result.category
            out_console.print(f"  [dim]category:[/] {escape(category.label)} ({category.source}, "
                              f"{category.confidence:.2f})", highlight=False)
            out_console.print(f"  [dim]severity {result.severity.level}:[/] "
                              f"{escape('; '.join(result.severity.reasons))}", highlight=False)
            if result.links.duplicates:
                out_console.print(f"  [dim]duplicate group:[/] {escape(result.links.group)}", highlight=False)
