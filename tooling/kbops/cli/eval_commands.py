"""`kbops eval`: replay escalated tickets against the KB, compare to a baseline, gate CI."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from ..errors import EXIT_GATE_FAILED
from ..importers import parse_column_map
from ..ticket_files import TicketFormat
from .app import app, err_console, state


class ReportFormat(StrEnum):
    md = "md"
    json = "json"
    html = "html"


@app.command("eval")
def eval_command(
    ctx: typer.Context,
    tickets: Annotated[
        Path | None, typer.Option(help="Tickets to replay (JSONL, CSV or Zendesk JSON); default `eval.tickets`.")
    ] = None,
    baseline: Annotated[
        str | None, typer.Option(help="Git ref to compare with, e.g. `origin/main` or `HEAD~1`.")
    ] = None,
    format: Annotated[ReportFormat, typer.Option("--format", "-f", help="Report format: md, json or html.")] = ReportFormat.md,
    as_json: Annotated[bool, typer.Option("--json", help="Same as `--format json`.")] = False,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the report here instead of stdout.")] = None,
    fail_under: Annotated[
        float | None, typer.Option(help="Gate: minimum deflection rate (0-1, or a percent).")
    ] = None,
    max_regressions: Annotated[
        int | None, typer.Option(help="Gate: most tickets allowed to stop being deflected vs --baseline.")
    ] = None,
    max_false_deflections: Annotated[
        int | None, typer.Option(help="Gate: most (new, with --baseline) false deflections allowed.")
    ] = None,
    repeat: Annotated[int, typer.Option(min=1, help="Run N times (LLM backends vary) and gate on the pass rate.")] = 1,
    pass_rate: Annotated[
        float, typer.Option(min=0, max=1, help="With --repeat: share of runs that must pass the gate.")
    ] = 1.0,
    resume: Annotated[bool, typer.Option(help="Continue an interrupted run from its checkpoint.")] = False,
    strict: Annotated[bool, typer.Option(help="Stop at the first unreadable ticket instead of listing them.")] = False,
    ticket_format: Annotated[
        TicketFormat | None,
        typer.Option(help="Read --tickets as: auto (by extension, then content), jsonl, csv or zendesk; "
                     "default `eval.ticket_format`."),
    ] = None,
    column_map: Annotated[
        list[str] | None,
        typer.Option("--map", metavar="FIELD=COLUMN",
                     help="CSV column of a ticket field, e.g. `--map 'id=Ticket ID'`; repeatable, adds to "
                     "`eval.csv_columns` (see `kbops tickets check`)."),
    ] = None,
) -> None:
    """Replay escalated tickets: would the agent have resolved them, correctly?

    Each ticket gets a verdict: `deflected` (answered correctly), `false_deflection`
    (answered wrongly), `gated` (escalated by policy: refunds, account changes, ...) or
    `gap` (the KB did not cover it). With `--baseline REF` the same tickets are replayed
    against the KB at that git ref and the report shows what changed.

    Exit codes: 0 ok, 1 the tool failed, 2 bad input, 3 a gate failed (the KB got worse).

    CI example: `kbops eval --baseline origin/main --max-regressions 0 --format md`
    """
    from ..evaluation import GateRules, evaluate, make_context
    from ..index.indexer import embedder_for
    from ..ragas_metrics import make_metrics_hook

    settings = state(ctx).settings()
    embedder = embedder_for(settings)  # one model and cache for retrieval, grading and metrics
    gate = GateRules(fail_under, max_regressions, max_false_deflections)
    chosen = ReportFormat.json if as_json else format
    columns = (TextColumn("replaying tickets"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    runs = []
    with Progress(*columns, console=err_console, transient=True) as bar:
        task = bar.add_task("replay", total=None)
        context = make_context(
            settings, notify=err_console.print,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
            metrics=make_metrics_hook(settings, embedder=embedder), embedder=embedder,
        )
        for attempt in range(repeat):
            bar.reset(task)
            runs.append(evaluate(context, tickets, baseline, resume=resume and attempt == 0, strict=strict, gate=gate,
                                 ticket_format=ticket_format, columns=parse_column_map(column_map or ())))
    run = runs[-1]
    for problem in run.problems:
        err_console.print(f"[yellow]skipped[/] {problem}", highlight=False)
    emit_report(run, chosen, output, settings.runs_dir)
    if gate.active():
        passed = sum(1 for r in runs if r.gate is not None and r.gate.passed)
        if passed / len(runs) < pass_rate:
            failures = "; ".join(f for r in runs if r.gate for f in r.gate.failures)
            err_console.print(f"[bold red]gate failed[/] ({passed}/{len(runs)} runs passed): {failures}", highlight=False)
            raise typer.Exit(EXIT_GATE_FAILED)


def emit_report(run, chosen: ReportFormat, output: Path | None, runs_dir: Path) -> None:  # type: ignore[no-untyped-def]
    """Render a run; to a file (atomically) with a one-line summary on stderr, or to stdout."""
    from ..evaluation import load_history, write_atomic
    from ..gaps import load_saved
    from ..report import render_html, render_json, render_markdown

    if chosen is ReportFormat.html:
        report = render_html(run, load_history(runs_dir), load_saved(runs_dir, run.run_id))
    elif chosen is ReportFormat.json:
        report = render_json(run)
    else:
        report = render_markdown(run, load_saved(runs_dir, run.run_id))
    if output is None:
        typer.echo(report)
        return
    write_atomic(output, report)
    s = run.summary
    err_console.print(
        f"wrote {output}: {s.deflected}/{s.tickets} deflected ({s.deflection_rate:.0%}), "
        f"{s.false_deflection} false deflections, {s.gated} gated, {s.gap} gaps", highlight=False
    )


@app.command("report")
def report_command(
    ctx: typer.Context,
    run_id: Annotated[str, typer.Option("--run", help="Run id from .kbops/runs/, or `latest`.")] = "latest",
    format: Annotated[ReportFormat, typer.Option("--format", "-f", help="md, json or html.")] = ReportFormat.md,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the report here instead of stdout.")] = None,
) -> None:
    """Render a saved eval run again (e.g. the HTML report after `kbops eval`), without replaying."""
    from ..errors import KBError
    from ..evaluation import load_history

    settings = state(ctx).settings()
    history = load_history(settings.runs_dir, limit=10_000)
    if not history:
        raise KBError(f"no eval runs in {settings.runs_dir}: run `kbops eval` first")
    run = history[-1] if run_id == "latest" else next((r for r in history if r.run_id == run_id), None)
    if run is None:
        raise KBError(f"no run '{run_id}' in {settings.runs_dir} (see the file names there)")
    emit_report(run, format, output, settings.runs_dir)
