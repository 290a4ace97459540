"""`kbops tune`: fit the agent to the team's own resolved tickets, cross-validated."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..config import TUNED_FILE, without_tuned
from ..files import write_atomic
from .app import app, err_console, workspace
from .options import JsonOption, KbOption, TicketFormatOption, progress_bar
from .output import echo


@app.command("tune")
def tune_command(
    ctx: typer.Context,
    tickets: Annotated[
        Path | None, typer.Option(help="Resolved tickets to learn from (JSONL, CSV or Zendesk JSON); default `eval.tickets`.")
    ] = None,
    folds: Annotated[int, typer.Option(min=2, max=20, help="Cross-validation folds.")] = 5,
    target: Annotated[
        float | None, typer.Option(min=0, max=1, help="False-deflection rate to keep to (wrong / answered); "
                                   "default `agent.target_false_deflection_rate`.")
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help=f"Print the numbers; do not write {TUNED_FILE}.")] = False,
    as_json: JsonOption = False,
    ticket_format: TicketFormatOption = None,
    kb: KbOption = None,
) -> None:
    """Fit fusion weights, confidence and thresholds on the team's own resolved tickets.

    Uses every ticket with a gold article (`resolved_by_article_ids`) or a resolution the KB
    could not give (`[]`). Settings are fitted on k-1 folds and scored on the held-out fold,
    so the "tuned" column is what to expect on new tickets; the file written is fitted on
    all of them. Review `kbops.tuned.toml` and commit it: every command then uses it, and
    `kbops eval` says so. A key set in kbops.toml still wins.

    With fewer than 30 labelled tickets the shipped settings stay (nothing is written).
    """
    from ..evals.crossval import cross_validate  # lazy: keeps `kbops --help` fast
    from ..evals.tune_result import tune_json, tune_table, tuned_file_text
    from ..evals.tuning import History
    from ..workspace import Workspace

    configured = workspace(ctx, kb=kb)
    settings = without_tuned(configured.settings)
    ws = Workspace(settings, notify=configured.notify)
    path = ws.ticket_path(tickets)
    found = ws.tickets(path, format=ticket_format)
    labelled = [t for t in found.tickets if t.resolved_by_article_ids or t.resolution.strip()]
    for problem in found.problems:
        err_console.print(f"[yellow]skipped[/] {problem}", highlight=False)
    goal = settings.agent.target_false_deflection_rate if target is None else target
    with progress_bar("reading history") as bar:
        history = History(ws.agent, ws.embedder, labelled, progress=bar)
    with progress_bar("cross-validating") as bar:
        result = cross_validate(history, settings, k=folds, target=goal, progress=bar)
    overridden = list(configured.settings.tuned.overridden) if configured.settings.tuned else []
    written = None
    if not dry_run and not result.fallback:
        out = settings.root / TUNED_FILE
        write_atomic(out, tuned_file_text(result, ws.display_path(path), ws.revision.commit))
        written = str(out)
    if as_json:
        echo(tune_json(result, written, overridden))
    else:
        echo(tune_table(result))
    if written:
        err_console.print(f"wrote {written}: review it and commit it", highlight=False)
    for key in overridden:
        err_console.print(f"[yellow]note[/] kbops.toml sets {key}, which wins over the tuned value; "
                          "remove it there to use the tuning", highlight=False)
