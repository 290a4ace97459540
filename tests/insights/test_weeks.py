"""ISO weeks and periods: the report's calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from kbops.insights.weeks import InsightsError, IsoWeek, Period, bucket_index, period_of


def test_a_week_parses_prints_and_spans_monday_to_monday() -> None:
    week = IsoWeek.parse("2026-W47")
    assert str(week) == "2026-W47" and IsoWeek.parse("2026w47") == week
    assert week.monday == date(2026, 11, 16)
    assert week.start == datetime(2026, 11, 16, tzinfo=UTC) and week.end == datetime(2026, 11, 23, tzinfo=UTC)


def test_weeks_cross_years_the_iso_way() -> None:
    assert IsoWeek.containing(date(2027, 1, 1)) == IsoWeek(2026, 53)  # a Friday in 2026's last ISO week
    assert IsoWeek(2026, 53).shift(1) == IsoWeek(2027, 1)
    assert IsoWeek(2027, 1).shift(-2) == IsoWeek(2026, 52)


@pytest.mark.parametrize("text", ["2026-47", "W47", "2026-W54", "2025-W53", "next week"])
def test_a_bad_week_is_a_usage_error_that_shows_the_form(text: str) -> None:
    with pytest.raises(InsightsError, match="2026-W47|has no ISO week") as raised:
        IsoWeek.parse(text)
    assert raised.value.exit_code == 2


def test_a_month_is_the_four_weeks_ending_with_the_week() -> None:
    month = period_of(IsoWeek(2026, 47), "month")
    assert month.first == IsoWeek(2026, 44) and month.days == 28 and month.label == "2026-W44..2026-W47"
    assert month.before() == Period(IsoWeek(2026, 43), 4)
    assert [p.label for p in period_of(IsoWeek(2026, 47)).previous(2)] == ["2026-W45", "2026-W46"]
    with pytest.raises(InsightsError, match="week, month"):
        period_of(IsoWeek(2026, 47), "quarter")


def test_tickets_fall_into_consecutive_periods() -> None:
    periods = [*period_of(IsoWeek(2026, 47)).previous(2), period_of(IsoWeek(2026, 47))]
    moments = [datetime(2026, 11, 2, tzinfo=UTC), datetime(2026, 11, 15, 23, 59, tzinfo=UTC),
               datetime(2026, 11, 16, tzinfo=UTC), datetime(2026, 11, 23, tzinfo=UTC), datetime(2026, 11, 16)]
    assert bucket_index(moments, periods) == [0, 1, 2, -1, 2]  # a naive time is UTC
