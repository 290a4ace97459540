"""Volume trends: a planted rise is flagged, a stable or noisy history is not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from kbops.config import WeeklySettings
from kbops.insights.volume import covered_periods, volume_trends
from kbops.insights.weeks import IsoWeek, period_of
from kbops.tickets.model import Ticket

WEEK = IsoWeek(2026, 47)
PERIOD = period_of(WEEK)
PRIOR = PERIOD.previous(4)


def tickets(week: IsoWeek, category: str, count: int, severity: str = "P3", prefix: str = "") -> list[Ticket]:
    return [Ticket(id=f"{prefix or category[:3]}-{week.week}-{n}", body="text", category=category, severity=severity,
                   created_at=week.start + timedelta(hours=3 * n % 160)) for n in range(count)]  # type: ignore[arg-type]


def history(counts: dict[str, list[int]]) -> list[Ticket]:
    """Category -> counts of W43..W47."""
    found: list[Ticket] = []
    for category, per_week in counts.items():
        for offset, count in enumerate(per_week):
            found += tickets(WEEK.shift(offset - 4), category, count)
    return found


def test_a_planted_rise_is_flagged_with_ticket_ids() -> None:
    volume = volume_trends(history({"billing": [30, 32, 29, 31, 48], "technical": [40, 38, 41, 39, 42]}),
                           PERIOD, PRIOR, WeeklySettings())
    assert volume.flagged == ["billing"]
    billing = next(r for r in volume.by_category if r.name == "billing")
    assert (billing.this_period, billing.previous, billing.rolling_average) == (48, 31, 30.5)
    assert billing.change_wow is not None and round(billing.change_wow, 3) == round(17 / 31, 3)
    assert billing.p_value < 0.01 and len(billing.ticket_ids) == 10
    assert all(i.startswith("bil-47-") for i in billing.ticket_ids)
    assert volume.total.this_period == 90 and volume.period_labels[-1] == "2026-W47"


def test_a_stable_history_flags_nothing() -> None:
    volume = volume_trends(history({"billing": [30, 32, 29, 31, 33], "technical": [40, 38, 41, 39, 42]}),
                           PERIOD, PRIOR, WeeklySettings())
    assert volume.flagged == [] and not any(r.flagged for r in volume.by_severity)


def test_a_rise_after_one_quiet_week_is_noise() -> None:
    """Up 40% on the week before, but only back to the usual level: not flagged."""
    volume = volume_trends(history({"billing": [30, 32, 29, 20, 28]}), PERIOD, PRIOR, WeeklySettings())
    row = volume.by_category[0]
    assert row.change_wow is not None and row.change_wow > 0.2
    assert not row.flagged and volume.flagged == []


def test_small_categories_and_small_rises_are_not_flagged() -> None:
    settings = WeeklySettings()
    few = volume_trends(history({"billing": [2, 3, 2, 3, 9]}), PERIOD, PRIOR, settings)
    assert few.flagged == []  # 9 < min_rising_tickets
    slight = volume_trends(history({"billing": [100, 100, 100, 100, 118]}), PERIOD, PRIOR, settings)
    assert slight.flagged == []  # +18% is under the 20% the brief asks for


def test_severity_rows_come_in_order_and_unrated_last() -> None:
    found = [*tickets(WEEK, "billing", 3, "P4"), *tickets(WEEK, "technical", 2, "P1"),
             *tickets(WEEK, "technical", 1, "", prefix="x")]
    volume = volume_trends(found, PERIOD, PRIOR, WeeklySettings())
    assert [r.name for r in volume.by_severity] == ["P1", "P4", "unrated"]
    assert volume.to_json()["by_severity"][0]["severity"] == "P1"


def test_weeks_before_the_history_are_unknown_not_zero() -> None:
    first = WEEK.shift(-1).start + timedelta(hours=9)  # history starts on Monday of W46
    covered = covered_periods(PRIOR, first)
    assert [p.label for p in covered] == ["2026-W46"]
    volume = volume_trends(history({"billing": [0, 0, 0, 30, 31]}), PERIOD, covered, WeeklySettings())
    assert volume.by_category[0].rolling_average == 30 and volume.flagged == []
    assert covered_periods(PRIOR, None) == []
    assert covered_periods(PRIOR, datetime(2026, 1, 1, tzinfo=UTC)) == PRIOR
