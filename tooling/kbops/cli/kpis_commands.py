"""`kbops kpis`: the team's numbers for a month or a week, from the ticket history, the
review log and the git history of the KB folder."""

from __future__ import annotations

from typing import Annotated

import typer

from ..errors import EXIT_BAD_INPUT
from ..files import write_atomic
from ..report import ReportFormat
from .app import app, err_console, workspace
from .options import JsonOption, KbOption, OutputOption, ReportFormatOption
from .output import echo


@app.command("kpis")
def kpis_command(
    ctx: typer.Context,
    period: Annotated[
        str | None, typer.Option(help="Calendar month `2026-11` (or ISO week `2026-W47`); default: the last "
                                 "month the history covers completely.")
    ] = None,
    week: Annotated[
        str | None, typer.Option(help="ISO week to report on instead of a month, e.g. `2026-W47`; the trend is "
                                 "then week by week.")
    ] = None,
    format: ReportFormatOption = ReportFormat.md,
    as_json: JsonOption = False,
    output: OutputOption = None,
    kb: KbOption = None,
) -> None:
    """KPIs: deflection and escalation rates, escalation reasons, KB contribution, flag-review accuracy, QA pass rate.

    Read from the ticket history (`kbops tickets import FILE`), the review log
    (`evals/reviews.jsonl`, `kbops review serve`) and the git history of the KB folder.
    Every rate comes with its counts; reopen rate and CSAT compare agent-answered with
    specialist-handled tickets; the trend covers `[kpis] periods` periods. Definitions:
    docs/kpis.md.

    Example: `kbops kpis --period 2026-11 --format html --output reports/kpis.html`
    """
    from ..kpis.report import kpi_report  # lazy: keeps `kbops --help` fast
    from ..report.kpis_render import render_kpis

    if period and week:
        err_console.print("error: give --period or --week, not both", highlight=False, markup=False)
        raise typer.Exit(EXIT_BAD_INPUT)
    with workspace(ctx, kb=kb) as ws:
        articles = ws.kb if ws.settings.kb_dir.is_dir() else None
        report = kpi_report(ws.history, ws.settings, articles, period=week or period, kind="week" if week else "month")
    text = render_kpis(report, ReportFormat.json if as_json else format)
    if output is None:
        echo(text, nl=False)
        return
    write_atomic(output, text)
    err_console.print(
        f"wrote {output}: {report.period.label}, {report.tickets.decided} decided tickets, deflection "
        f"{report.deflection_rate.count}/{report.deflection_rate.total}, {report.reviews.reviewed} reviews",
        highlight=False, markup=False, soft_wrap=True,
    )
