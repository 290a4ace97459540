"""`kbops tickets check`: is a ticket file (JSONL, CSV or a Zendesk export) fit to replay?"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from ..errors import EXIT_BAD_INPUT
from ..tickets.files import TicketFormat, check_ticket_file
from .app import app, err_console, workspace
from .options import JsonOption, MapOption, column_map
from .output import echo

tickets_app = typer.Typer(help="Check escalated-ticket files before `kbops eval` replays them.", no_args_is_help=True)
app.add_typer(tickets_app, name="tickets")


@tickets_app.command("check")
def check(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Ticket file: JSONL (our schema), a CSV export or a Zendesk export.")],
    format: Annotated[
        TicketFormat | None,
        typer.Option("--format", "-f", help="Read it as: auto (by extension, then content), jsonl, csv or zendesk; "
                     "default `eval.ticket_format`."),
    ] = None,
    column: MapOption = None,
    strict: Annotated[bool, typer.Option(help="Exit 2 when any record has a problem (CI).")] = False,
    as_json: JsonOption = False,
) -> None:
    """Read a ticket file the way `kbops eval` would and list every record it cannot use.

    Each problem is printed as `path:line (ticket ID): message`, where the line is where
    the record starts (a CSV row, a Zendesk ticket object, a JSONL line); a count goes to
    stderr. CSV columns default to the ticket field names (`id`, `body`, `customer_tier`,
    ...); name others with `--map` or `eval.csv_columns` (docs/tickets.md).

    Exit codes: 0 the file is usable (problems are listed; `kbops eval` skips those
    records), 2 with `--strict` when any record has a problem, or when nothing in the file
    is usable (no header column for `id`/`body`, not JSON, no readable ticket).

    Example: `kbops tickets check export.csv --map 'id=Ticket ID' --map 'body=Message'`
    """
    checked = check_ticket_file(file, workspace(ctx).settings.eval, format, column_map(column))
    ticket_set, chosen = checked.tickets, checked.format
    problems = ticket_set.problems
    if as_json:
        echo(checked.to_json())
    else:
        for problem in problems:
            echo(problem.render())
        err_console.print(f"{escape(str(file))} (read as {chosen}): {len(ticket_set.tickets)} usable tickets, "
                          f"{len(problems)} problem{'' if len(problems) == 1 else 's'}", highlight=False)
    failure = None
    if not ticket_set.tickets:
        failure = "no usable tickets"
    elif strict and problems:
        failure = f"{len(problems)} problem{'' if len(problems) == 1 else 's'} (--strict); the first: {problems[0].render()}"
    if failure:
        err_console.print(f"[bold red]error:[/] {escape(failure)}", highlight=False, soft_wrap=True)
        raise typer.Exit(EXIT_BAD_INPUT)
