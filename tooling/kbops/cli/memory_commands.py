"""`kbops learn`: teach the retriever from resolved tickets (ticket memory)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from ..tickets.model import Ticket, TicketProblem
from .app import app, err_console, out_console, workspace
from .options import JsonOption, KbOption, MapOption, TicketFormatOption, column_map, progress_bar
from .output import echo


@app.command()
def learn(
    ctx: typer.Context,
    files: Annotated[
        list[Path] | None,
        typer.Argument(help="Ticket files (JSONL, CSV or Zendesk JSON); default `memory.tickets`, else `eval.tickets`."),
    ] = None,
    prune: Annotated[bool, typer.Option("--prune", help="Also forget tickets that are not in these files.")] = False,
    strict: Annotated[bool, typer.Option(help="Stop at the first unreadable ticket instead of listing them.")] = False,
    ticket_format: TicketFormatOption = None,
    column: MapOption = None,
    as_json: JsonOption = False,
    kb: KbOption = None,
) -> None:
    """Learn resolved tickets into ticket memory, so customers' own wording finds the articles.

    Each ticket whose resolution names the article(s) that answered it
    (`resolved_by_article_ids`) becomes a route from its wording to them; one resolved
    with no article is a known gap. Only redacted text is stored, under `memory.path`
    (default `.kbops/memory/`). Learning is incremental: new and edited tickets are
    embedded, unchanged ones are not; tickets learned before stay unless `--prune`.
    Memory only routes search to articles that are public and published now; it is never
    shown to a customer. See docs/memory.md.

    Exit codes: 0 ok, 1 the tool failed, 2 bad input (no usable ticket, or with `--strict`
    any unreadable record).
    """
    with progress_bar("embedding tickets") as bar:
        ws = workspace(ctx, kb=kb)
        configured = [ws.settings.root / name for name in ws.settings.memory.tickets]
        paths = files or configured or [ws.ticket_path()]
        tickets: list[Ticket] = []
        problems: list[TicketProblem] = []
        for path in paths:
            found = ws.tickets(path, strict=strict, format=ticket_format, columns=column_map(column))
            tickets += found.tickets
            problems += found.problems
        report = ws.learn(tickets, prune, progress=bar)
    for problem in problems:
        err_console.print(f"[yellow]skipped[/] {escape(problem.render())}", highlight=False)
    if as_json:
        echo(report.to_json())
        return
    out_console.print(
        f"learned {len(tickets)} tickets: {report.added} added, {report.updated} updated, {report.unchanged} unchanged, "
        f"{report.removed} removed, {report.skipped_unresolved} skipped (not resolved); memory holds "
        f"{report.entries} tickets ({report.known_gaps} known gaps) in {report.seconds:.1f}s",
        highlight=False,
    )
