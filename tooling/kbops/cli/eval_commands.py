"""`kbops eval`: replay escalated tickets against the KB, compare to a baseline, gate CI;
`kbops report`: render a saved run again."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..errors import EXIT_GATE_FAILED
from ..evals.gate import GateRules
from ..files import write_atomic
from ..report import ReportFormat
from .app import app, err_console, workspace
from .options import (
    JsonOption,
    KbOption,
    MapOption,
    OutputOption,
    ReportFormatOption,
    RunOption,
    TicketFormatOption,
    column_map,
    progress_bar,
)
from .output import echo

if TYPE_CHECKING:
    from ..evals.runs import EvalRun
    from ..workspace import Workspace


@app.command("eval")
def eval_command(
    ctx: typer.Context,
    tickets: Annotated[
        Path | None, typer.Option(help="Tickets to replay (JSONL, CSV or Zendesk JSON); default `eval.tickets`.")
    ] = None,
    baseline: Annotated[
        str | None, typer.Option(help="Git ref to compare with, e.g. `origin/main` or `HEAD~1`.")
    ] = None,
    format: ReportFormatOption = ReportFormat.md,
    as_json: JsonOption = False,
    output: OutputOption = None,
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
    ticket_format: TicketFormatOption = None,
    column: MapOption = None,
    kb: KbOption = None,
    backend: Annotated[
        str | None, typer.Option(help="Override `agent.backend`: `offline` or `claude`.")
    ] = None,
    batch: Annotated[bool, typer.Option(help="With Claude: send the drafting requests as one Message Batch (half "
                                        "price; polls until it ends; a killed run resumes the same batch).")] = False,
) -> None:
    """Replay escalated tickets: would the agent have resolved them, correctly?

    Each ticket gets a verdict: `deflected` (answered correctly), `false_deflection`
    (answered wrongly), `gated` (escalated by policy: refunds, account changes, ...) or
    `gap` (the KB did not cover it). With `--baseline REF` the same tickets are replayed
    against the KB at that git ref and the report shows what changed.

    Exit codes: 0 ok, 1 the tool failed, 2 bad input, 3 a gate failed (the KB got worse).

    CI example: `kbops eval --baseline origin/main --max-regressions 0 --format md`

    Thousands of tickets with Claude: `kbops eval --backend claude --batch` (docs/claude.md).
    """
    gate = GateRules(fail_under, max_regressions, max_false_deflections)
    with workspace(ctx, backend, kb=kb) as ws, progress_bar("replaying tickets") as bar:
        announce_tuning(ws)
        outcome = ws.evaluate(tickets, baseline, gate, repeat=repeat, pass_rate=pass_rate, resume=resume,
                              strict=strict, ticket_format=ticket_format, columns=column_map(column),
                              progress=bar, on_repeat=lambda _: bar.reset(), batch=batch)
    for problem in outcome.run.problems:
        err_console.print(f"[yellow]skipped[/] {problem}", highlight=False)
    emit_report(ws, outcome.run, ReportFormat.json if as_json else format, output)
    if outcome.gate_failed:
        err_console.print(f"[bold red]gate failed[/] ({outcome.passed}/{len(outcome.runs)} runs passed): "
                          f"{'; '.join(outcome.failures)}", highlight=False)
        raise typer.Exit(EXIT_GATE_FAILED)


def announce_tuning(ws: Workspace) -> None:
    """Say when kbops.tuned.toml shapes the agent (and which of its keys kbops.toml overrides)."""
    from ..evals.evaluate import tuned_note  # lazy: keeps `kbops --help` fast

    note = tuned_note(ws.settings)
    if note:
        err_console.print(f"using tuned settings from {note}", highlight=False, markup=False, soft_wrap=True)


def emit_report(ws: Workspace, run: EvalRun, format: ReportFormat, output: Path | None) -> None:
    """Render a run; to a file (atomically) with a one-line summary on stderr, or to stdout."""
    from ..report.render import render_report  # lazy: keeps `kbops --help` fast

    report = render_report(run, format, ws.runs)
    if output is None:
        echo(report)
        return
    write_atomic(output, report)
    s = run.summary
    err_console.print(
        f"wrote {output}: {s.deflected}/{s.tickets} deflected ({s.deflection_rate:.0%}), "
        f"{s.false_deflection} false deflections, {s.gated} gated, {s.gap} gaps", highlight=False
    )


report_app = typer.Typer(invoke_without_command=True, rich_markup_mode="markdown")
app.add_typer(report_app, name="report")


@report_app.callback()
def report_command(
    ctx: typer.Context,
    run_id: RunOption = "latest",
    format: ReportFormatOption = ReportFormat.md,
    output: OutputOption = None,
) -> None:
    """Render a saved eval run again (e.g. the HTML report after `kbops eval`), without replaying.

    `kbops report weekly` writes the weekly intelligence report from the ticket history instead.
    """
    if ctx.invoked_subcommand is not None:
        return
    ws = workspace(ctx)
    emit_report(ws, ws.runs.find(run_id), format, output)
