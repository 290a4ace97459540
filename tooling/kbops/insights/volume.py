"""Volume trends: this period against the one before and the rolling average of the
`weekly.rolling_weeks` periods before it, by category and by severity.

A row is flagged as rising when all three hold:
1. it rose more than `weekly.rising_ratio` over the previous period (the product brief's
   "up more than 20% week over week");
2. it has at least `weekly.min_rising_tickets` tickets this period (a rise from 3 to 5 is
   no trend);
3. the rise is more than noise: the conditional Poisson rate test (`stats.rate_rise_p`) of
   this period's count against all rolling periods together gives p < `RISE_SIGNIFICANCE`.

Why 0.01: weekly counts vary by about their square root, so a category of 100 tickets a
week is up 20% on the week before in one week of ten from chance alone (X > 1.2 Y for two
Poisson(100) counts): ratio and minimum alone would raise a false alarm in about every
other report of five categories. p < 0.01 cuts chance flags to about one report in twenty
(five categories at 0.01), which leaves room for counts noisier than Poisson, while real
rises still clear it: +20% on 200 tickets a week (p = 0.008), +30% on 100 (p = 0.006).
Real counts are noisier than Poisson (a queue's level wanders, busy days cluster), and then
chance flags come more often: about one report in six on the seeded Tasklane histories,
whose weekly counts vary about 1.9 times as much as Poisson ones. A quasi-Poisson test, the
counts divided by that over-dispersion as estimated from the rolling weeks, halved those but
missed 10 of 25 planted +40-50% rises (this test 2): four weeks are too few to estimate it
well (benchmarks/results/weekly_signals.md).
Testing against all rolling periods rather than the previous one alone also keeps one
unusually quiet week from making an ordinary one look like a rise.

Periods before the history starts are left out of the average (they are unknown, not
zero), so a young history is not flagged for growing from nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ..config import SEVERITIES, WeeklySettings
from ..tickets.model import Ticket
from .stats import rate_rise_p
from .weeks import Period, as_utc, bucket_index

RISE_SIGNIFICANCE = 0.01
SAMPLE_IDS = 10
"""Ticket ids kept per row as references (this period's, oldest first)."""
UNCATEGORISED = "uncategorised"
UNRATED = "unrated"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class VolumeRow:
    name: str
    this_period: int
    history: tuple[int, ...]
    """Counts of the rolling periods the history covers, oldest first (the last is the previous period)."""
    p_value: float
    flagged: bool
    ticket_ids: tuple[str, ...]
    """Up to SAMPLE_IDS of this period's tickets, as references."""

    @property
    def previous(self) -> int | None:
        return self.history[-1] if self.history else None

    @property
    def rolling_average(self) -> float | None:
        return sum(self.history) / len(self.history) if self.history else None

    @property
    def change_wow(self) -> float | None:
        """(this - previous) / previous; None without a previous period or from zero."""
        return _change(self.this_period, self.previous)

    @property
    def change_vs_rolling(self) -> float | None:
        return _change(self.this_period, self.rolling_average)

    def to_json(self, key: str) -> dict[str, Any]:
        average = self.rolling_average
        return {
            key: self.name, "this_week": self.this_period, "previous_week": self.previous,
            "rolling_average": round(average, 2) if average is not None else None,
            "history": list(self.history),
            "change_wow": _rounded(self.change_wow), "change_vs_rolling": _rounded(self.change_vs_rolling),
            "p_value": float(f"{self.p_value:.3g}"), "flagged": self.flagged, "ticket_ids": list(self.ticket_ids),
        }


@dataclass(frozen=True)
class Volume:
    by_category: tuple[VolumeRow, ...]
    by_severity: tuple[VolumeRow, ...]
    total: VolumeRow
    period_labels: tuple[str, ...]
    """Labels of the rolling periods the history covers, then this period's."""

    @property
    def flagged(self) -> list[str]:
        """Rising categories, the steepest rise first."""
        rising = [r for r in self.by_category if r.flagged]
        return [r.name for r in sorted(rising, key=lambda r: (-(r.change_wow or 0.0), r.name))]

    @property
    def flagged_severities(self) -> list[str]:
        return [r.name for r in self.by_severity if r.flagged]

    def to_json(self) -> dict[str, Any]:
        return {
            "periods": list(self.period_labels),
            "by_category": [r.to_json("category") for r in self.by_category],
            "by_severity": [r.to_json("severity") for r in self.by_severity],
            "total": self.total.to_json("name"),
            "flagged": self.flagged,
            "flagged_severities": self.flagged_severities,
        }


def covered_periods(periods: Sequence[Period], history_start: datetime | None) -> list[Period]:
    """The periods the history covers (a period that began at most a day before the first
    ticket counts: histories start on the first ticket, not at midnight on Monday)."""
    if history_start is None:
        return []
    first = as_utc(history_start)
    return [p for p in periods if (first - p.start).total_seconds() < 86_400]


def volume_trends(tickets: Sequence[Ticket], period: Period, prior: Sequence[Period],
                  settings: WeeklySettings) -> Volume:
    """`prior`: the consecutive rolling periods before `period` that the history covers,
    oldest first (see `covered_periods`); `tickets`: at least those of all these periods."""
    periods = [*prior, period]
    index = bucket_index([t.created_at for t in tickets if t.created_at is not None], periods)
    dated = [t for t in tickets if t.created_at is not None]
    in_window = [(i, t) for i, t in zip(index, dated, strict=True) if i >= 0]
    now = len(periods) - 1

    def rows(key: Callable[[Ticket], str], order: Sequence[str]) -> list[VolumeRow]:
        counts: dict[str, list[int]] = defaultdict(lambda: [0] * len(periods))
        samples: dict[str, list[Ticket]] = defaultdict(list)
        for i, ticket in in_window:
            name = key(ticket)
            counts[name][i] += 1
            if i == now:
                samples[name].append(ticket)
        names = [n for n in order if n in counts] + sorted(set(counts) - set(order))
        return [_row(name, counts[name], samples[name], settings) for name in names]

    by_category = sorted(rows(lambda t: t.category or UNCATEGORISED, ()),
                         key=lambda r: (-r.this_period, -(r.rolling_average or 0.0), r.name))
    by_severity = rows(lambda t: t.severity or UNRATED, (*SEVERITIES, UNRATED))
    total_counts = [0] * len(periods)
    for i, _ in in_window:
        total_counts[i] += 1
    total = _row("all tickets", total_counts, [t for i, t in in_window if i == now], settings)
    return Volume(tuple(by_category), tuple(by_severity), total, tuple(p.label for p in periods))


def _row(name: str, counts: Sequence[int], current: Sequence[Ticket], settings: WeeklySettings) -> VolumeRow:
    this, history = counts[-1], tuple(counts[:-1])
    p_value = rate_rise_p(this, sum(history), len(history))
    previous = history[-1] if history else None
    rose = previous is not None and previous > 0 and this > previous * (1 + settings.rising_ratio)
    flagged = rose and this >= settings.min_rising_tickets and p_value < RISE_SIGNIFICANCE
    ordered = sorted(current, key=lambda t: (as_utc(t.created_at or EPOCH), t.id))
    return VolumeRow(name, this, history, p_value, flagged, tuple(t.id for t in ordered[:SAMPLE_IDS]))


def _change(now: float, before: float | None) -> float | None:
    if before is None or before <= 0:
        return None
    return (now - before) / before


def _rounded(value: float | None) -> float | None:
    return round(value, 4) if value is not None else None
