"""Customer health: accounts whose recent tickets say they may be at risk, with the evidence
and what Customer Success should do about it.

Over the last `weekly.health_window_days` up to the end of the period, an account is
flagged by any of three signals:
- `ticket_volume`: at least `health_min_tickets` tickets;
- `escalations`: at least `health_min_escalated` tickets went to a person (escalated, or
  resolved by a specialist) and they are at least `health_escalated_share` of its tickets;
- `negative_sentiment`: at least `MIN_SENTIMENTS` tickets with a sentiment, getting worse
  (least-squares slope at most `SENTIMENT_SLOPE` per ticket) and ending negative (the last
  at most `NEGATIVE_END`).

The recommended action is rule-based wording: who reaches out and how soon depends on the
tier and the revenue at stake; what they talk about depends on the signals.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ..config import Settings
from ..tickets.model import Ticket, TicketStatus, Tier
from .groups import account_of, account_revenue, highest_tier
from .stats import slope
from .weeks import as_utc

MIN_SENTIMENTS = 3
SENTIMENT_SLOPE = -0.1
NEGATIVE_END = -0.2
ESCALATED = frozenset({TicketStatus.ESCALATED, TicketStatus.RESOLVED_BY_SPECIALIST})
"""Statuses that mean a person had to take the ticket over."""
SIGNALS = ("escalations", "negative_sentiment", "ticket_volume")
EVIDENCE_IDS = 5


@dataclass(frozen=True)
class AccountHealth:
    account_id: str
    tier: str
    monthly_revenue: float | None
    signals: tuple[str, ...]
    ticket_ids: tuple[str, ...]
    """Oldest first."""
    escalated_ids: tuple[str, ...]
    reopened: int
    sentiments: tuple[float, ...]
    """Of its tickets with a sentiment, oldest first."""
    sentiment_slope: float | None
    categories: dict[str, int]
    priority: str
    """high, medium or low: how soon Customer Success should act."""
    action: str

    @property
    def tickets(self) -> int:
        return len(self.ticket_ids)

    @property
    def escalated_share(self) -> float:
        return len(self.escalated_ids) / self.tickets if self.tickets else 0.0

    @property
    def evidence(self) -> tuple[str, ...]:
        """One line per fact, with ticket ids as references."""
        lines = [f"{self.tickets} tickets in the window: {', '.join(self.ticket_ids[:EVIDENCE_IDS])}"
                 + (" …" if self.tickets > EVIDENCE_IDS else "")]
        if self.escalated_ids:
            lines.append(f"{len(self.escalated_ids)} escalated ({self.escalated_share:.0%}): "
                         f"{', '.join(self.escalated_ids[:EVIDENCE_IDS])}")
        if self.reopened:
            lines.append(f"{self.reopened} reopened")
        if self.sentiments:
            trend = f" (slope {self.sentiment_slope:+.2f} per ticket)" if self.sentiment_slope is not None else ""
            lines.append("sentiment " + " → ".join(f"{s:+.1f}" for s in self.sentiments) + trend)
        return tuple(lines)

    def to_json(self) -> dict[str, Any]:
        return {
            "account_id": self.account_id, "tier": self.tier, "monthly_revenue": self.monthly_revenue,
            "signals": list(self.signals), "priority": self.priority, "tickets": self.tickets,
            "ticket_ids": list(self.ticket_ids), "escalated_ticket_ids": list(self.escalated_ids),
            "escalated_share": round(self.escalated_share, 3), "reopened": self.reopened,
            "sentiments": list(self.sentiments),
            "sentiment_slope": round(self.sentiment_slope, 3) if self.sentiment_slope is not None else None,
            "categories": self.categories, "evidence": list(self.evidence), "action": self.action,
        }


def account_health(tickets: Sequence[Ticket], end: datetime, settings: Settings) -> list[AccountHealth]:
    """Accounts at risk in the window ending at `end`, most urgent first."""
    weekly = settings.weekly
    start = as_utc(end) - timedelta(days=weekly.health_window_days)
    by_account: dict[str, list[Ticket]] = defaultdict(list)
    for ticket in tickets:
        if ticket.created_at is not None and start <= as_utc(ticket.created_at) < as_utc(end):
            by_account[ticket.customer.id].append(ticket)
    found = []
    for own in by_account.values():
        own.sort(key=lambda t: (as_utc(t.created_at) if t.created_at else start, t.id))
        health = _assess(own, settings)
        if health is not None:
            found.append(health)
    rank = {"high": 0, "medium": 1, "low": 2}
    return sorted(found, key=lambda h: (rank[h.priority], -len(h.signals), -(h.monthly_revenue or 0.0),
                                        -h.tickets, h.account_id))


def _assess(own: list[Ticket], settings: Settings) -> AccountHealth | None:
    weekly = settings.weekly
    escalated = [t.id for t in own if t.status in ESCALATED]
    sentiments = tuple(round(t.sentiment, 3) for t in own if t.sentiment is not None)
    trend = slope(sentiments) if len(sentiments) >= MIN_SENTIMENTS else None
    signals = []
    if len(escalated) >= weekly.health_min_escalated and len(escalated) / len(own) >= weekly.health_escalated_share:
        signals.append("escalations")
    if trend is not None and trend <= SENTIMENT_SLOPE and sentiments[-1] <= NEGATIVE_END:
        signals.append("negative_sentiment")
    if len(own) >= weekly.health_min_tickets:
        signals.append("ticket_volume")
    if not signals:
        return None
    tier, revenue = highest_tier(own), account_revenue(own)
    categories = dict(sorted(Counter(t.category for t in own if t.category).items(), key=lambda i: (-i[1], i[0])))
    priority = _priority(signals, tier, revenue, settings)
    return AccountHealth(
        account_id=account_of(own[0]), tier=tier, monthly_revenue=revenue, signals=tuple(signals),
        ticket_ids=tuple(t.id for t in own), escalated_ids=tuple(escalated),
        reopened=sum(t.status is TicketStatus.REOPENED for t in own), sentiments=sentiments, sentiment_slope=trend,
        categories=categories, priority=priority,
        action=outreach(signals, tier, revenue, priority, next(iter(categories), ""), len(escalated)),
    )


def _high_revenue(revenue: float | None, settings: Settings) -> bool:
    """At least the top revenue step of triage (`triage.revenue_points`): revenue that
    raises a ticket's severity most raises an account's priority too."""
    steps = [float(k) for k in settings.triage.revenue_points]
    return revenue is not None and bool(steps) and revenue >= max(steps)


def _priority(signals: Sequence[str], tier: str, revenue: float | None, settings: Settings) -> str:
    """Risk (how many signals) against value (tier or revenue): three signals, or two on a
    valuable account, are high; two signals, or one serious signal (escalations, sentiment)
    on a valuable account, medium; one signal alone is low (it happens by chance to some
    accounts every week)."""
    valuable = tier in (Tier.ENTERPRISE, Tier.BUSINESS) or _high_revenue(revenue, settings)
    serious = "escalations" in signals or "negative_sentiment" in signals
    if len(signals) >= 3 or (len(signals) == 2 and valuable):
        return "high"
    if len(signals) == 2 or (valuable and serious):
        return "medium"
    return "low"


def outreach(signals: Sequence[str], tier: str, revenue: float | None, priority: str, category: str,
             escalated: int) -> str:
    """What Customer Success should do, in one sentence a CSM can act on."""
    at_stake = f" ({revenue:,.0f}/month at stake)" if revenue else ""
    who = {
        "high": f"Account manager calls within 1 business day{at_stake}, with the support lead",
        "medium": f"Customer Success reaches out within 3 business days{at_stake}",
        "low": "Support sends a proactive check-in email this week",
    }[priority]
    topic = f" about {category}" if category else ""
    what = []
    if "escalations" in signals:
        what.append(f"walk through the {escalated} escalated tickets and agree on what closes them")
    if "negative_sentiment" in signals:
        what.append("acknowledge the growing frustration in their recent tickets and name one owner for their issues")
    if "ticket_volume" in signals:
        what.append(f"offer a short session{topic} on what keeps bringing them to support"
                    if tier in (Tier.ENTERPRISE, Tier.BUSINESS) else f"send the articles that answer their questions{topic}")
    return f"{who}: {'; '.join(what)}."
