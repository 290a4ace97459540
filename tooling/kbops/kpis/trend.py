"""The KPIs of each period of the trend: the chosen period and the `[kpis] periods - 1`
before it, computed exactly as the chosen period's, so a line in the chart is the same
number as the table's, period by period.

Periods before the history's first ticket (and without reviews) are left out rather than
shown as zeros: "no data" and "nothing deflected" must not look alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..tickets.model import Ticket
from ..tickets.reviews import Review
from .compute import Csat, Rate, TicketKpis, ticket_kpis
from .period import KpiPeriod
from .review_rates import ReviewKpis, review_kpis

TREND_RATES = ("deflection_rate", "escalation_rate", "reopen_rate", "flag_review_accuracy", "qa_pass_rate")
"""The rates a trend row carries, in the order reports show them."""


@dataclass(frozen=True)
class TrendPoint:
    period: KpiPeriod
    tickets: TicketKpis
    reviews: ReviewKpis

    def rates(self) -> dict[str, Rate]:
        return {
            "deflection_rate": self.tickets.deflection,
            "escalation_rate": self.tickets.escalation,
            "reopen_rate": self.tickets.reopen_agent,
            "flag_review_accuracy": self.reviews.flag_accuracy,
            "qa_pass_rate": self.reviews.qa_pass,
        }

    def csat(self) -> dict[str, Csat]:
        return {"agent": self.tickets.csat_agent, "specialist": self.tickets.csat_specialist}

    def as_dict(self) -> dict[str, Any]:
        return {"period": self.period.label, "tickets": self.tickets.created, "decided": self.tickets.decided,
                **{name: rate.as_dict() for name, rate in self.rates().items()},
                "csat": {group: value.as_dict() for group, value in self.csat().items()}}


def kpi_point(period: KpiPeriod, tickets: Sequence[Ticket], latest_reviews: Sequence[Review]) -> TrendPoint:
    """The period's KPIs from `tickets` (any periods; those created in it are kept)."""
    mine = [t for t in tickets if period.holds(t.created_at)]
    return TrendPoint(period, ticket_kpis(mine), review_kpis(latest_reviews, period))


def kpi_trend(periods: Sequence[KpiPeriod], tickets: Sequence[Ticket],
              latest_reviews: Sequence[Review]) -> tuple[TrendPoint, ...]:
    """One point per period, oldest first, leading periods without any data dropped (the
    last period is always kept)."""
    points = [kpi_point(p, tickets, latest_reviews) for p in periods]
    while len(points) > 1 and points[0].tickets.created == 0 and points[0].reviews.reviewed == 0:
        points.pop(0)
    return tuple(points)
