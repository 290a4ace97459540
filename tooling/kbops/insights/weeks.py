"""ISO weeks and report periods: which tickets belong to "this week" and to the weeks it is
compared with.

Weeks are ISO 8601 weeks (Monday 00:00 to Monday 00:00, UTC), named `2026-W47` the way a
calendar and `date.isocalendar()` name them. A period is one week, or (`--period month`)
the four weeks ending with it: periods are always whole weeks, so a month compares with
the months before it without weekday effects, and every count is per period.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Literal

from ..errors import EXIT_BAD_INPUT, KbopsError

PeriodKind = Literal["week", "month"]
WEEKS_IN: dict[str, int] = {"week": 1, "month": 4}
"""Weeks in one period of each kind."""

_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)


class InsightsError(KbopsError):
    """The weekly report cannot be made: no history, or a week or period that is not one."""

    exit_code = EXIT_BAD_INPUT


def as_utc(moment: datetime) -> datetime:
    """A timestamp in UTC; a naive one is taken to be UTC already (as the history stores it)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@dataclass(frozen=True, order=True)
class IsoWeek:
    year: int
    week: int

    @classmethod
    def parse(cls, text: str) -> IsoWeek:
        """`2026-W47` (or `2026W47`); InsightsError says what was expected."""
        found = _WEEK.match(text.strip())
        if found is None:
            raise InsightsError(f"week '{text}' is not an ISO week: write it like 2026-W47")
        year, week = int(found.group(1)), int(found.group(2))
        try:
            date.fromisocalendar(year, week, 1)
        except ValueError:
            raise InsightsError(f"week '{text}' does not exist: {year} has no ISO week {week}") from None
        return cls(year, week)

    @classmethod
    def containing(cls, moment: datetime | date) -> IsoWeek:
        day = as_utc(moment).date() if isinstance(moment, datetime) else moment
        year, week, _ = day.isocalendar()
        return cls(year, week)

    @property
    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.week, 1)

    @property
    def start(self) -> datetime:
        return datetime.combine(self.monday, datetime.min.time(), tzinfo=UTC)

    @property
    def end(self) -> datetime:
        """Exclusive: the next Monday 00:00 UTC."""
        return self.start + timedelta(days=7)

    def shift(self, weeks: int) -> IsoWeek:
        return IsoWeek.containing(self.monday + timedelta(weeks=weeks))

    def __str__(self) -> str:
        return f"{self.year}-W{self.week:02d}"


@dataclass(frozen=True)
class Period:
    """`weeks` consecutive ISO weeks ending with `last`."""

    last: IsoWeek
    weeks: int = 1

    @property
    def kind(self) -> PeriodKind:
        return "week" if self.weeks == 1 else "month"

    @property
    def first(self) -> IsoWeek:
        return self.last.shift(1 - self.weeks)

    @property
    def start(self) -> datetime:
        return self.first.start

    @property
    def end(self) -> datetime:
        return self.last.end

    @property
    def days(self) -> int:
        return 7 * self.weeks

    def before(self, count: int = 1) -> Period:
        """The period `count` periods earlier (same length)."""
        return Period(self.last.shift(-count * self.weeks), self.weeks)

    def previous(self, count: int) -> list[Period]:
        """The `count` periods before this one, oldest first."""
        return [self.before(n) for n in range(count, 0, -1)]

    def holds(self, moment: datetime) -> bool:
        return self.start <= as_utc(moment) < self.end

    @property
    def label(self) -> str:
        return str(self.last) if self.weeks == 1 else f"{self.first}..{self.last}"

    def dates(self) -> str:
        """`Nov 16 – Nov 22, 2026`: the days a reader knows the period by."""
        last_day = self.end.date() - timedelta(days=1)
        return f"{self.start:%b %d} – {last_day:%b %d, %Y}"


def period_of(week: IsoWeek, kind: str = "week") -> Period:
    if kind not in WEEKS_IN:
        raise InsightsError(f"period '{kind}' is not one of: {', '.join(WEEKS_IN)}")
    return Period(week, WEEKS_IN[kind])


def bucket_index(moments: Sequence[datetime], periods: Sequence[Period]) -> list[int]:
    """For each moment, the index of the period (consecutive, oldest first) holding it, or -1."""
    if not periods:
        return [-1] * len(moments)
    start, span = periods[0].start, timedelta(days=periods[0].days)
    found = []
    for moment in moments:
        index = int((as_utc(moment) - start) // span)
        found.append(index if 0 <= index < len(periods) else -1)
    return found
