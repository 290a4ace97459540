"""Periods: months and ISO weeks, their bounds, the trend before them and the default."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from kbops.kpis.period import KpiError, KpiPeriod, default_period


def test_months_and_weeks_parse_with_exclusive_ends() -> None:
    month = KpiPeriod.parse("2026-11")
    assert (month.kind, month.label, month.start, month.end) == (
        "month", "2026-11", datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC))
    week = KpiPeriod.parse("2026-w47")
    assert (week.kind, week.label, week.first_day, week.end.date()) == ("week", "2026-W47", date(2026, 11, 16),
                                                                        date(2026, 11, 23))
    assert month.holds(datetime(2026, 11, 30, 23, 59)) and not month.holds(datetime(2026, 12, 1, tzinfo=UTC))


def test_the_trend_crosses_year_ends_oldest_first() -> None:
    assert [p.label for p in KpiPeriod.parse("2026-02").trend(4)] == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert [p.label for p in KpiPeriod.parse("2026-W01").trend(2)] == ["2025-W52", "2026-W01"]


@pytest.mark.parametrize(("text", "says"), [
    ("2026-13", "not between 1 and 12"), ("2026-W54", "has no ISO week 54"), ("last month", "2026-11 or 2026-W47"),
])
def test_a_bad_period_says_what_to_write(text: str, says: str) -> None:
    with pytest.raises(KpiError, match=says) as caught:
        KpiPeriod.parse(text)
    assert caught.value.exit_code == 2


def test_the_default_is_the_last_period_the_history_covers_whole() -> None:
    first = datetime(2026, 9, 14, tzinfo=UTC)
    assert default_period(first, datetime(2026, 11, 22, 18, tzinfo=UTC)).label == "2026-10"
    assert default_period(first, datetime(2026, 11, 30, 18, tzinfo=UTC)).label == "2026-11"
    assert default_period(first, datetime(2026, 11, 22, 18, tzinfo=UTC), "week").label == "2026-W47"
    assert default_period(first, datetime(2026, 11, 20, tzinfo=UTC), "week").label == "2026-W46"
    short = datetime(2026, 11, 2, tzinfo=UTC)  # less than a month of history: its own month
    assert default_period(short, datetime(2026, 11, 9, tzinfo=UTC)).label == "2026-11"
