"""`kbops tickets check`: is a ticket file (JSONL, CSV or a Zendesk export) fit to replay?
`kbops tickets import`: ticket exports into the ticket history."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from ..errors import EXIT_BAD_INPUT
from ..tickets.files import TicketFormat, check_ticket_file
from .app import app, err_console, workspace
from .options import JsonOption, MapOption, column_map
from .output import echo

tickets_app = typer.Typer(help="Check escalated-ticket files before `kbops eval` replays them; import ticket "
                          "exports into the ticket history.", no_args_is_help=True)
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


@tickets_app.command("import")
def import_(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(
        help="Ticket files to import: JSONL (our schema), CSV exports or Zendesk exports; each needs `created_at`.")],
    format: Annotated[
        TicketFormat | None,
        typer.Option("--format", "-f", help="Read every file as: auto (each by extension, then content), jsonl, csv "
                     "or zendesk; default `eval.ticket_format`."),
    ] = None,
    column: MapOption = None,
    as_json: JsonOption = False,
) -> None:
    """Add ticket exports to the ticket history (`[history] path`, default `.kbops/history.duckdb`).

    Tickets are upserted by id: a ticket already stored as it is now is left alone, so
    importing the same export twice changes nothing; a changed ticket (a new status, a
    resolution) replaces the stored one. Subject, body and resolution are stored redacted
    (`redaction.enabled`); sentiment, when the export has none, is computed from the text.
    Triage and `kbops report weekly` read the history; its schema is in docs/history.md.

    A record that cannot be used, including a ticket without `created_at`, is listed on
    stderr as `path:line (ticket ID): message` and skipped. All files land in one
    transaction: nothing is written when a file has no usable record.

    Exit codes: 0 imported (problems are listed), 2 a file is missing or has no usable
    record, 1 the history cannot be opened (another process is writing it).

    Example: `kbops tickets import exports/september.csv --map 'id=Ticket ID' --map 'created_at=Opened'`
    """
    from ..history.importer import import_ticket_files  # lazy: keeps DuckDB out of `kbops --help`

    with workspace(ctx) as ws:
        report = import_ticket_files(ws.history, files, ws.settings.eval, format=format, columns=column_map(column),
                                     display=ws.display_path)
    for problem in report.problems:
        err_console.print(problem.render(), highlight=False, markup=False, soft_wrap=True)
    if as_json:
        echo(json.dumps(report.to_json(), indent=2))
        return
    for file in report.files:
        counts = file.counts
        echo(f"{file.path} (read as {file.format}): {counts.added} added, {counts.updated} updated, "
             f"{counts.unchanged} unchanged, {len(file.problems)} skipped")
    echo(f"{report.history}: {report.tickets_in_history} tickets in the history")
