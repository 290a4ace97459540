"""The account around a hand-off: who else has the same problem, and how this customer is doing.

- Affected accounts: tickets of the window whose visible text is about the same problem by
  triage's own definition (the embedder triage uses, on `triage.visible.visible_text`, with
  cosine at least `triage.similar_threshold`, the threshold calibrated for duplicates), grouped by account.
- Customer context: the account's tier and revenue, its tickets in the window, the share
  that went to a person, its sentiment and trend, its CSAT, and the health signals and
  outreach of the weekly report (`insights.health.account_health`) when it is flagged.

The window is `weekly.health_window_days` (14) ending with the hand-off's ticket: what was
known when it came in, as the weekly report and triage see it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from ..config import Settings
from ..index.embed import Embedder, unit_rows
from ..insights.groups import account_of, account_revenue, highest_tier
from ..insights.health import ESCALATED, MIN_SENTIMENTS, account_health
from ..insights.stats import slope
from ..insights.weeks import as_utc
from ..tickets.model import Ticket
from ..triage.visible import visible_text

SHOWN_IDS = 5
CSAT_SHOWN = 10
TREND_STEP = 0.05
"""Sentiment slope per ticket beyond which the trend is called worsening or improving."""


@dataclass(frozen=True)
class AffectedAccount:
    account_id: str
    """As reports show it: a pseudonym when the id holds personal data."""
    tier: str
    tickets: int
    """Its tickets about the same problem in the window (the hand-off's own ticket included)."""
    ticket_ids: tuple[str, ...]
    """Up to `SHOWN_IDS`, newest first."""
    this_account: bool


@dataclass(frozen=True)
class CustomerContext:
    account_id: str
    tier: str
    monthly_revenue: float | None
    window_days: int
    tickets: int
    """The account's tickets in the window (this one included)."""
    escalated: int
    escalated_share: float
    sentiments: tuple[float, ...]
    """Oldest first, -1 angry to 1 happy."""
    sentiment_trend: str
    """worsening, improving, steady, or unknown (fewer than 3 tickets with a sentiment)."""
    sentiment_slope: float | None
    csat: tuple[float, ...]
    """The account's ratings 1-5, oldest first (the last `CSAT_SHOWN`), from the whole history before the ticket."""
    health_signals: tuple[str, ...]
    """What flags the account in the weekly report's customer health (empty: not at risk)."""
    health_priority: str
    outreach: str
    """The weekly report's recommended outreach, when the account is flagged."""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def window_of(ticket: Ticket, settings: Settings, newest: datetime | None) -> tuple[datetime, datetime]:
    """[start, end) of the hand-off's window: the days before the ticket, the ticket included.
    A ticket without a time is placed at the newest history ticket."""
    anchor = as_utc(ticket.created_at) if ticket.created_at else (newest or datetime.now().astimezone())
    end = as_utc(anchor) + timedelta(microseconds=1)
    return end - timedelta(days=settings.weekly.health_window_days), end


def with_ticket(ticket: Ticket, window: Sequence[Ticket]) -> list[Ticket]:
    """The window's tickets with the hand-off's ticket in it once (a ticket from a file may
    not be in the history, or be there under the same id)."""
    return [t for t in window if t.id != ticket.id] + [ticket]


def affected_accounts(ticket: Ticket, window: Sequence[Ticket], embedder: Embedder,
                      threshold: float) -> tuple[AffectedAccount, ...]:
    """This account first, then the accounts with the most tickets about the same problem."""
    others = [t for t in window if t.id != ticket.id]
    vectors = unit_rows(np.asarray(embedder.embed([visible_text(t.text) for t in [ticket, *others]]),
                                   dtype=np.float32))
    similarity = vectors[1:] @ vectors[0] if others else np.zeros(0, dtype=np.float32)
    same = [t for t, score in zip(others, similarity, strict=True) if float(score) >= threshold]
    by_account: dict[str, list[Ticket]] = defaultdict(list)
    by_account[ticket.customer.id].append(ticket)
    for found in same:
        by_account[found.customer.id].append(found)
    accounts = []
    for account, own in by_account.items():
        newest_first = sorted(own, key=lambda t: (as_utc(t.created_at).timestamp() if t.created_at else 0.0, t.id),
                              reverse=True)
        accounts.append(AffectedAccount(account_of(own[0]), highest_tier(own), len(own),
                                        tuple(t.id for t in newest_first[:SHOWN_IDS]),
                                        account == ticket.customer.id))
    return tuple(sorted(accounts, key=lambda a: (not a.this_account, -a.tickets, a.account_id)))


def customer_context(ticket: Ticket, window: Sequence[Ticket], earlier: Sequence[Ticket],
                     settings: Settings, end: datetime) -> CustomerContext:
    """The account's context from its tickets in `window` (time order, the ticket included)
    and its ratings in `earlier` (the history before the ticket)."""
    own = [t for t in window if t.customer.id == ticket.customer.id]
    escalated = sum(t.status in ESCALATED for t in own)
    sentiments = tuple(round(t.sentiment, 3) for t in own if t.sentiment is not None)
    trend = slope(sentiments) if len(sentiments) >= MIN_SENTIMENTS else None
    ratings = [t.csat for t in [*earlier, *own] if t.customer.id == ticket.customer.id and t.csat is not None]
    flagged = account_health(own, end, settings)
    health = flagged[0] if flagged else None
    revenue = ticket.customer.monthly_revenue
    return CustomerContext(
        account_id=account_of(ticket), tier=highest_tier([ticket]),
        monthly_revenue=revenue if revenue is not None else account_revenue(own),
        window_days=settings.weekly.health_window_days, tickets=len(own), escalated=escalated,
        escalated_share=round(escalated / len(own), 3) if own else 0.0, sentiments=sentiments,
        sentiment_trend=_trend(trend), sentiment_slope=round(trend, 3) if trend is not None else None,
        csat=tuple(ratings[-CSAT_SHOWN:]),
        health_signals=health.signals if health else (), health_priority=health.priority if health else "",
        outreach=health.action if health else "",
    )


def _trend(value: float | None) -> str:
    if value is None:
        return "unknown"
    if value <= -TREND_STEP:
        return "worsening"
    return "improving" if value >= TREND_STEP else "steady"
