"""The systemic view (`--period month`): which categories each release moved.

For every release in (or shortly before) the period, each category's tickets in the
`weekly.release_window_days` after the release (cut at the end of the period, so a release
late in the period is judged on the days there are) are compared with the average of
`weekly.rolling_weeks` windows of the same length before it, as a week is compared with
its rolling weeks. A category moved with the release when it rose more than
`weekly.rising_ratio` on that average with at least `weekly.min_rising_tickets` tickets
after, and the rise passes the same rate test as the weekly volume flags
(`volume.RISE_SIGNIFICANCE`). Windows before the history's first ticket are left out.
Correlation, not cause: a release and a seasonal rise can coincide, which is why the
counts are shown.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from ..config import WeeklySettings
from ..tickets.model import Ticket
from .releases import Release
from .stats import rate_rise_p
from .volume import RISE_SIGNIFICANCE, UNCATEGORISED
from .weeks import Period, as_utc


@dataclass(frozen=True)
class CategoryShift:
    category: str
    before: float
    """Average tickets per window before the release."""
    after: int
    p_value: float
    moved: bool

    @property
    def change(self) -> float | None:
        return (self.after - self.before) / self.before if self.before else None


@dataclass(frozen=True)
class ReleaseImpact:
    release: Release
    window_days: float
    """Days after the release counted (fewer than the window when the period ends first)."""
    windows_before: int
    shifts: tuple[CategoryShift, ...]
    """Biggest rise first."""

    @property
    def moved(self) -> list[str]:
        return [s.category for s in self.shifts if s.moved]

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.release.version, "date": self.release.date.isoformat(), "notes": self.release.notes,
            "window_days": round(self.window_days, 2), "windows_before": self.windows_before, "moved": self.moved,
            "categories": [{"category": s.category, "before": round(s.before, 2), "after": s.after,
                            "change": round(s.change, 4) if s.change is not None else None,
                            "p_value": float(f"{s.p_value:.3g}"), "moved": s.moved} for s in self.shifts],
        }


def releases_near(releases: Sequence[Release], period: Period, window_days: int) -> list[Release]:
    """Releases whose window after them overlaps the period."""
    first = (period.start - timedelta(days=window_days)).date()
    return [r for r in releases if first <= r.date < period.end.date()]


def release_impacts(tickets: Sequence[Ticket], releases: Sequence[Release], period: Period,
                    settings: WeeklySettings, history_start: datetime | None = None) -> list[ReleaseImpact]:
    """For each release near the period, the categories before and after it (see the module docstring)."""
    impacts = []
    first = as_utc(history_start) if history_start is not None else None
    for release in releases_near(releases, period, settings.release_window_days):
        day = datetime.combine(release.date, datetime.min.time(), tzinfo=UTC)
        window = min(timedelta(days=settings.release_window_days), period.end - day)
        windows = sum(1 for n in range(1, settings.rolling_weeks + 1) if first is None or day - n * window >= first
                      - timedelta(days=1))
        if window <= timedelta(0) or windows == 0:
            continue
        before: Counter[str] = Counter()
        after: Counter[str] = Counter()
        for ticket in tickets:
            if ticket.created_at is None:
                continue
            moment = as_utc(ticket.created_at)
            side = after if day <= moment < day + window else before if day - windows * window <= moment < day else None
            if side is not None:
                side[ticket.category or UNCATEGORISED] += 1
        shifts = [_shift(name, before[name], windows, after[name], settings) for name in set(before) | set(after)]
        shifts.sort(key=lambda s: (not s.moved, -(s.after - s.before), s.category))
        impacts.append(ReleaseImpact(release, window.total_seconds() / 86_400, windows, tuple(shifts)))
    return impacts


def _shift(category: str, before: int, windows: int, after: int, settings: WeeklySettings) -> CategoryShift:
    p_value = rate_rise_p(after, before, windows)
    average = before / windows
    moved = (after > average * (1 + settings.rising_ratio) and after >= settings.min_rising_tickets
             and p_value < RISE_SIGNIFICANCE)
    return CategoryShift(category, average, after, p_value, moved)
