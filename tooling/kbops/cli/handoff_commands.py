"""`kbops handoff`: a note that hands one ticket to Engineering, Customer Success or Sales."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..files import shown, write_atomic
from ..tickets.model import Ticket, TicketError
from .app import app, err_console, workspace
from .options import JsonOption, KbOption
from .output import echo

if TYPE_CHECKING:
    from ..handoff.build import Receiver
    from ..workspace import Workspace


def _receiver(value: str) -> Receiver:
    from ..handoff.build import Receiver  # lazy: keeps `kbops --help` fast

    try:
        return Receiver(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r}: choose engineering, success or sales", param_hint="--to") from None


@app.command("handoff")
def handoff_command(
    ctx: typer.Context,
    ticket_id: Annotated[str, typer.Argument(
        metavar="TICKET", help="The ticket's id, as the ticket history (or the --tickets file) stores it.")],
    to: Annotated[str, typer.Option(
        "--to", metavar="engineering|success|sales",
        help="Who receives the note: `engineering` (reproduction, environment, errors, affected accounts), "
        "`success` (account context and health) or `sales` (plan, seats, opportunity).")],
    tickets: Annotated[Path | None, typer.Option(
        "--tickets", help="Find the ticket in this ticket file (JSONL, CSV or a Zendesk export) instead of the "
        "ticket history; the account's context still comes from the history.")] = None,
    as_json: JsonOption = False,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Write the note (or its JSON with --json) to this file instead of stdout.")] = None,
    kb: KbOption = None,
) -> None:
    """Hand a ticket to Engineering, Customer Success or Sales, with the context to act on it.

    The note starts from the agent's escalation package (problem, why it stopped, relevant
    articles; a ticket the agent would answer is handed off anyway, its draft marked not
    sent) and adds what the receiver needs: the steps the customer already tried, error
    messages and codes, HTTP statuses, versions, environment and hosts; the accounts with
    tickets about the same problem in the last 14 days (`weekly.health_window_days`); the
    customer's tier, revenue, recent tickets, escalations, sentiment trend, CSAT and health;
    for Sales the seats and the opportunity in the wording; and a next step for the
    receiver. Personal data and IP addresses are masked; ticket text is escaped.

    The Markdown comes from an editable Jinja template per function: put
    `engineering.md.j2`, `success.md.j2` or `sales.md.j2` in the `[handoff] templates`
    folder (default `handoffs/`) to replace the shipped one (docs/handoffs.md). Exit codes:
    0 ok, 2 an unknown ticket id or a broken template (named with file:line).

    Example: `kbops handoff T-100002 --to engineering`
    """
    from ..handoff.build import prepare_handoff  # lazy: keeps `kbops --help` fast
    from ..handoff.render import render_note

    receiver = _receiver(to)
    with workspace(ctx, kb=kb) as ws:
        ticket = _find_ticket(ws, ticket_id, tickets)
        note = prepare_handoff(ticket, receiver, agent=ws.agent, embedder=ws.embedder, history=ws.history,
                               settings=ws.settings)
        markdown = render_note(note, ws.settings.root / ws.settings.handoff.templates)
    text = json.dumps(note.as_dict(markdown), indent=2, ensure_ascii=False) + "\n" if as_json else markdown
    if output is None:
        echo(text, nl=False)
        return
    write_atomic(output, text)
    err_console.print(f"wrote {output}: hand-off of {ticket_id} to {receiver}", highlight=False, markup=False,
                      soft_wrap=True)


def _find_ticket(ws: Workspace, ticket_id: str, tickets: Path | None) -> Ticket:
    """The ticket by id in the file, or in the history; TicketError (exit 2) naming where it looked."""
    if tickets is not None:
        path = ws.ticket_path(tickets)
        found = next((t for t in ws.tickets(path).tickets if t.id == ticket_id), None)
        where = shown(path)
    else:
        found = ws.history.ticket(ticket_id)
        where = f"the ticket history {shown(ws.settings.history_path)} ({ws.history.count()} tickets)"
    if found is None:
        raise TicketError(f"no ticket {ticket_id!r} in {where}; check the id, or pass --tickets FILE")
    return found
