"""`kbops review`: the quality-sampling loop. Specialists grade a sample of what the agent
did; their verdicts go to the review log and come back as eval cases."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from .app import app, err_console, out_console, workspace
from .options import JsonOption
from .output import echo

if TYPE_CHECKING:
    from ..insights.weeks import IsoWeek
    from ..review.sample import Sample
    from ..workspace import Workspace

review_app = typer.Typer(
    no_args_is_help=True,
    rich_markup_mode="markdown",
    help=(
        "Quality review: specialists grade a sample of the agent's answers and escalations.\n\n"
        "The loop: `kbops review sample` picks the week's tickets to review (answers near the confidence "
        "threshold, with negative feedback or reopened, plus a seeded random share stratified by category and "
        "a share of escalations); `kbops review serve` opens them in a local web page where you record a "
        "verdict per ticket (correct, incorrect, tone, should_have_escalated; correctly_escalated or "
        "should_have_answered for escalations); verdicts are appended to `evals/reviews.jsonl` (commit it: it "
        "travels through pull requests like articles do); the next `kbops eval` replays the corrected cases "
        "(a wrong answer becomes a regression case, a wrong escalation a policy case). See docs/reviews.md."
    ),
)
app.add_typer(review_app, name="review")

WeekOption = Annotated[str | None, typer.Option(
    "--week", help="ISO week to sample, e.g. `2026-W47`; default: the last complete week of the ticket history.")]
SizeOption = Annotated[int | None, typer.Option(
    "--size", min=1, max=10_000, help="Tickets in the sample (default `review.size`).")]
SeedOption = Annotated[int | None, typer.Option(
    "--seed", help="Seed of the random picks (default `review.seed`): the same seed, week and history give the "
    "same sample.")]


def default_week(newest: datetime, now: datetime) -> IsoWeek:
    """The last complete ISO week: the newest ticket's, unless that week is still running."""
    from ..insights.weeks import IsoWeek  # lazy: keeps `kbops --help` fast

    week = IsoWeek.containing(newest)
    return week.shift(-1) if week.end > now else week


def sample_of(ws: Workspace, week: str | None, size: int | None, seed: int | None) -> Sample:
    """The review sample of a week of the ticket history, without the tickets the review log
    already holds (shared by `kbops review sample` and `kbops review serve`)."""
    from ..insights.weekly import NO_HISTORY  # lazy: keeps `kbops --help` fast
    from ..insights.weeks import InsightsError, IsoWeek
    from ..review.sample import draw_sample
    from ..tickets.reviews import read_reviews

    span = ws.history.span()
    if span is None:
        raise InsightsError(NO_HISTORY)
    chosen = IsoWeek.parse(week) if week else default_week(span[1], datetime.now(UTC))
    tickets = ws.history.tickets(since=chosen.start, until=chosen.end)
    log = read_reviews(ws.settings.root / ws.settings.review.path)
    for problem in log.problems:
        err_console.print(f"warning: {problem.render()}", highlight=False, markup=False, soft_wrap=True)
    return draw_sample(tickets, ws.settings, size=size, seed=seed, period_label=str(chosen),
                       reviewed=log.latest().keys())


@review_app.command("sample")
def sample_command(
    ctx: typer.Context,
    week: WeekOption = None,
    size: SizeOption = None,
    seed: SeedOption = None,
    as_json: JsonOption = False,
) -> None:
    """Pick the week's tickets for review, each with the reason it was picked.

    Always picked (most urgent first): answers whose confidence is within
    `review.near_threshold` of `policy.confidence_threshold` (`near_threshold`), answers
    rated CSAT 2 or less (`negative_feedback`) and reopened tickets (`reopened`). A share
    of the sample (`review.random_share`) goes to random answers and one
    (`review.escalated_share`) to escalations, both stratified by category. Tickets already
    in the review log are skipped. When the must-review tickets do not fit, the output says
    how many were left out (`overflow`): raise `--size`.

    Exit codes: 0 ok, 2 empty history or a bad week.

    Example: `kbops review sample --week 2026-W47 --size 30 --json`
    """
    with workspace(ctx) as ws:
        sample = sample_of(ws, week, size, seed)
    if as_json:
        echo(json.dumps(sample.as_dict(), indent=2, ensure_ascii=False))
        return
    table = Table(box=None, pad_edge=False, header_style="bold")
    for column in ("reason", "ticket", "category", "confidence", "detail"):
        table.add_column(column, no_wrap=column in ("reason", "ticket"))
    for item in sample.items:
        confidence = "" if item.confidence is None else f"{item.confidence:.2f}"
        table.add_row(item.reason, escape(item.ticket.id), escape(item.ticket.category), confidence,
                      escape(item.detail))
    out_console.print(table, highlight=False)
    summary = (f"{sample.period_label}: {len(sample.items)} of {sample.candidates} unreviewed tickets sampled "
               f"(seed {sample.seed})")
    if sample.overflow:
        summary += f"; {sample.overflow} must-review tickets did not fit: raise --size"
    err_console.print(summary, highlight=False, markup=False, soft_wrap=True)
