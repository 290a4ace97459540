"""The risk-coverage curve: what a stricter or looser agent would have done with the same tickets.

A run answers at one confidence threshold (`policy.confidence_threshold`). Raising it makes
the agent stricter: fewer answers, fewer wrong ones, less deflection. Lowering it makes it
looser: more answers, at the price of more false deflections. A team choosing the threshold
needs that trade-off in numbers, not one operating point, so every report replays it here
from the run's own results, without calling the agent again:

- a ticket with a policy gate among its reasons (risk topic, VIP, a request for a human, ...)
  is never answered: gates do not move with the threshold;
- a ticket the run answered is answered at every threshold up to its confidence;
- a ticket escalated only for `low_confidence`/`no_coverage` below the operating threshold,
  with a cited draft, is answered at every threshold up to its confidence, and judged by
  `draft_correct`, the grade its draft got as if it had been sent (`replay.py`).

So the operating point reproduces the run's deflection and false-deflection rates exactly.
Runs saved before `draft_correct` existed cannot judge escalated drafts: those are counted
as `unknown` at each threshold where they would be sent, never guessed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from .runs import DEFAULT_CONFIDENCE_THRESHOLD, THRESHOLD_REASONS, TicketResult, Verdict

STEP = 0.05
"""Thresholds 0.00, 0.05, ... 1.00, plus the operating threshold."""


@dataclass(frozen=True)
class RiskPoint:
    threshold: float
    answered: int
    """Tickets the agent would send a reply to at this threshold."""
    deflected: int
    """Of those, answered correctly."""
    false_deflection: int
    """Of those, answered wrongly."""
    unknown: int
    """Of those, drafts no grade exists for (a run saved before `draft_correct`)."""
    deflection_rate: float
    """deflected / all tickets."""
    false_deflection_rate: float
    """false deflections / graded answers (0 when none)."""


@dataclass(frozen=True)
class RiskCoverage:
    operating_threshold: float
    assumed: bool
    """The run did not record its threshold: the default (or one its results imply) is used."""
    points: tuple[RiskPoint, ...]
    """Ascending by threshold; one of them is the operating point."""

    @property
    def operating(self) -> RiskPoint:
        return next(p for p in self.points if p.threshold == self.operating_threshold)


def _grade(result: TicketResult, operating: float) -> tuple[bool, bool | None]:
    """(movable, correct): can a threshold send this ticket's reply, and was the reply right."""
    if result.verdict in (Verdict.DEFLECTED, Verdict.FALSE_DEFLECTION):
        return True, result.verdict is Verdict.DEFLECTED
    movable = (bool(result.reasons) and set(result.reasons) <= THRESHOLD_REASONS
               and bool(result.reply.strip()) and bool(result.cited_article_ids)
               and result.confidence < operating)  # else something besides the threshold held it back
    return movable, result.draft_correct


def coverage_point(results: Sequence[TicketResult], threshold: float, operating: float) -> RiskPoint:
    """What the agent would have done at `threshold`, the run having answered at `operating`."""
    deflected = wrong = unknown = 0
    for result in results:
        movable, correct = _grade(result, operating)
        if not movable or not result.confidence >= threshold:  # NaN is never sent
            continue
        if correct is None:
            unknown += 1
        elif correct:
            deflected += 1
        else:
            wrong += 1
    graded = deflected + wrong
    return RiskPoint(
        threshold=threshold, answered=graded + unknown, deflected=deflected, false_deflection=wrong,
        unknown=unknown, deflection_rate=round(deflected / len(results), 4) if results else 0.0,
        false_deflection_rate=round(wrong / graded, 4) if graded else 0.0,
    )


def operating_threshold(results: Sequence[TicketResult], recorded: float | None) -> tuple[float, bool]:
    """(threshold, assumed): the recorded one, else the default, unless the results show another
    (a team's own threshold in an older run): then the lowest confidence the run answered at."""
    if recorded is not None:
        return recorded, False
    answered = [r.confidence for r in results if r.verdict in (Verdict.DEFLECTED, Verdict.FALSE_DEFLECTION)]
    too_low = [r.confidence for r in results if "low_confidence" in r.reasons and not math.isnan(r.confidence)]
    highest_low, lowest_answer = max(too_low, default=-1.0), min(answered, default=2.0)
    if highest_low >= lowest_answer or highest_low < DEFAULT_CONFIDENCE_THRESHOLD <= lowest_answer:
        return DEFAULT_CONFIDENCE_THRESHOLD, True  # no threshold explains these results: keep the default
    if answered:
        return lowest_answer, True
    return min(1.0, round(highest_low + 0.01, 2)), True


def risk_coverage(results: Sequence[TicketResult], operating: float, assumed: bool = False) -> RiskCoverage:
    """The curve over thresholds 0..1 in steps of `STEP`, with the operating point among them."""
    steps = round(1 / STEP)
    thresholds = sorted({round(i * STEP, 2) for i in range(steps + 1)} | {operating})
    return RiskCoverage(operating, assumed, tuple(coverage_point(results, t, operating) for t in thresholds))
