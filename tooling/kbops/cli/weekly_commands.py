"""`kbops report weekly`: the weekly intelligence report, read from the ticket history."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from ..files import write_atomic
from ..report import ReportFormat
from .app import err_console, workspace
from .eval_commands import report_app
from .options import JsonOption, OutputOption, ReportFormatOption
from .output import echo


class PeriodChoice(StrEnum):
    week = "week"
    month = "month"


@report_app.command("weekly")
def weekly_command(
    ctx: typer.Context,
    week: Annotated[
        str | None, typer.Option(help="ISO week to report on, e.g. `2026-W47`; default: the week of the newest ticket.")
    ] = None,
    period: Annotated[
        PeriodChoice, typer.Option(help="`week`, or `month`: the four weeks ending with --week, with the "
                                   "categories each release moved.")
    ] = PeriodChoice.week,
    format: ReportFormatOption = ReportFormat.md,
    as_json: JsonOption = False,
    output: OutputOption = None,
) -> None:
    """Weekly intelligence report: volume trends, emerging issues, documentation gaps, customer health.

    Read from the ticket history (`kbops tickets import FILE` fills it). This week is
    compared with the rolling average of the weeks before (`[weekly]` in kbops.toml):
    rising categories are flagged, new clusters of tickets are reported with the customers
    they affect, the release they follow and a recommended severity, questions the agent
    answered unsure come with an article outline, and accounts at risk with an outreach
    action. Every claim names its tickets.

    Example: `kbops report weekly --format html --output reports/weekly.html`
    """
    from ..report.weekly_render import render_weekly  # lazy: keeps `kbops --help` fast

    with workspace(ctx) as ws:
        report = ws.weekly_report(week, str(period))
    text = render_weekly(report, ReportFormat.json if as_json else format)
    if output is None:
        echo(text, nl=False)
        return
    write_atomic(output, text)
    err_console.print(
        f"wrote {output}: {report.period.label}, {report.period_tickets} tickets, {len(report.volume.flagged)} rising "
        f"categories, {len(report.emerging)} emerging issues, {len(report.doc_gaps)} documentation gaps, "
        f"{len(report.health)} accounts at risk", highlight=False, markup=False, soft_wrap=True,
    )
