"""The period a KPI report covers: a calendar month (`2026-11`) or an ISO week (`2026-W47`).

Months are what a team is measured on; weeks follow the weekly report and the review
sample. Boundaries are UTC midnights, the end exclusive. The default is the last calendar
month the history covers completely, so a report never compares half a month with whole
ones unless asked to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Literal

from ..errors import EXIT_BAD_INPUT, KbopsError

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)


class KpiError(KbopsError):
    """The KPIs cannot be computed: no history, or a period that is not one."""

    exit_code = EXIT_BAD_INPUT


def as_utc(moment: datetime) -> datetime:
    """A naive timestamp is UTC already (as the history stores it)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=UTC)


@dataclass(frozen=True, order=True)
class KpiPeriod:
    """One month or one ISO week; `first_day` is the 1st of the month or the Monday."""

    kind: Literal["month", "week"]
    first_day: date

    @classmethod
    def parse(cls, text: str) -> KpiPeriod:
        """`2026-11` or `2026-W47`; KpiError says what was expected."""
        value = text.strip()
        if found := _MONTH.match(value):
            year, month = int(found.group(1)), int(found.group(2))
            if not 1 <= month <= 12:
                raise KpiError(f"period '{text}' is not a month: {month} is not between 1 and 12")
            return cls("month", date(year, month, 1))
        if found := _WEEK.match(value):
            year, week = int(found.group(1)), int(found.group(2))
            try:
                return cls("week", date.fromisocalendar(year, week, 1))
            except ValueError:
                raise KpiError(f"period '{text}' does not exist: {year} has no ISO week {week}") from None
        raise KpiError(f"period '{text}' is neither a month nor an ISO week: write it like 2026-11 or 2026-W47")

    @classmethod
    def month_of(cls, day: date) -> KpiPeriod:
        return cls("month", day.replace(day=1))

    @classmethod
    def week_of(cls, day: date) -> KpiPeriod:
        return cls("week", day - timedelta(days=day.weekday()))

    @property
    def start(self) -> datetime:
        return _midnight(self.first_day)

    @property
    def end(self) -> datetime:
        """Exclusive: the next period's start."""
        return self.shift(1).start

    def shift(self, count: int) -> KpiPeriod:
        """The period `count` periods later (earlier when negative), of the same kind."""
        if self.kind == "week":
            return KpiPeriod("week", self.first_day + timedelta(weeks=count))
        months = self.first_day.year * 12 + self.first_day.month - 1 + count
        return KpiPeriod("month", date(months // 12, months % 12 + 1, 1))

    def trend(self, periods: int) -> list[KpiPeriod]:
        """`periods` periods ending with this one, oldest first."""
        return [self.shift(-n) for n in range(periods - 1, -1, -1)]

    def holds(self, moment: datetime | None) -> bool:
        return moment is not None and self.start <= as_utc(moment) < self.end

    @property
    def label(self) -> str:
        if self.kind == "month":
            return f"{self.first_day:%Y-%m}"
        year, week, _ = self.first_day.isocalendar()
        return f"{year}-W{week:02d}"

    def dates(self) -> str:
        """`Nov 01 – Nov 30, 2026`: the days a reader knows the period by."""
        last = self.end.date() - timedelta(days=1)
        return f"{self.first_day:%b %d} – {last:%b %d, %Y}"

    def __str__(self) -> str:
        return self.label


def default_period(first: datetime, last: datetime, kind: Literal["month", "week"] = "month") -> KpiPeriod:
    """The last period of `kind` that ends on or before the day after the newest ticket
    (the history covers it whole); the newest ticket's own period when none does."""
    newest = as_utc(last).date()
    current = KpiPeriod.month_of(newest) if kind == "month" else KpiPeriod.week_of(newest)
    if current.end.date() <= newest + timedelta(days=1):
        return current
    previous = current.shift(-1)
    return previous if previous.end > as_utc(first) else current
