"""The ticket KPIs of one period, from the ticket history: deflection, escalation and its
reasons, reopens and CSAT. Pure functions over Ticket objects; every rate keeps its counts.

Definitions (docs/kpis.md says the same for readers):

- A ticket belongs to the period it was **created** in (a later status change updates the
  ticket, not the period it counts for).
- The agent **decided** a ticket whose status is `resolved_by_agent` or `reopened` (it
  answered) or `escalated` or `resolved_by_specialist` (it handed over). `open` tickets and
  tickets without a status are left out: nothing is decided yet.
- **deflection_rate** = resolved_by_agent / decided. A `reopened` ticket was answered but
  did not stay solved: decided, not deflected.
- **escalation_rate** = (escalated + resolved_by_specialist) / decided. With reopened
  tickets the two add up to 1.
- **escalation_reasons**: per reason code, the escalated tickets carrying it and their share
  of all escalated tickets (a ticket can carry several, so shares add up to more than 1);
  an escalated ticket without a recorded reason counts as `unrecorded`.
- **reopen_rate** (agent) = reopened / (resolved_by_agent + reopened): answers that did not
  hold. The history's statuses cannot tell a reopened specialist answer apart, so the
  specialist side is reported as unknown rather than guessed.
- **csat**: mean and count of rated tickets the agent answered (resolved_by_agent,
  reopened) and of those a specialist handled (escalated, resolved_by_specialist).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..tickets.model import Ticket, TicketStatus

ANSWERED = (TicketStatus.RESOLVED_BY_AGENT, TicketStatus.REOPENED)
ESCALATED = (TicketStatus.ESCALATED, TicketStatus.RESOLVED_BY_SPECIALIST)
UNRECORDED = "unrecorded"
"""The reason code of an escalated ticket the history gives no reason for."""


@dataclass(frozen=True)
class Rate:
    """`count` of `total`; no value when nothing was counted (a rate of nothing is not 0)."""

    count: int
    total: int

    @property
    def value(self) -> float | None:
        return self.count / self.total if self.total else None

    def as_dict(self) -> dict[str, Any]:
        value = self.value
        return {"rate": None if value is None else round(value, 4), "count": self.count, "of": self.total}


@dataclass(frozen=True)
class Csat:
    """Mean satisfaction (1-5) of the `rated` tickets of a group."""

    mean: float | None
    rated: int

    def as_dict(self) -> dict[str, Any]:
        return {"mean": None if self.mean is None else round(self.mean, 2), "n": self.rated}


@dataclass(frozen=True)
class ReasonCount:
    code: str
    tickets: int
    share: float
    """Of all escalated tickets of the period."""

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "count": self.tickets, "share": round(self.share, 4)}


@dataclass(frozen=True)
class TicketKpis:
    """What the ticket history says about one period."""

    created: int
    open: int
    deflection: Rate
    escalation: Rate
    reopened: int
    reasons: tuple[ReasonCount, ...]
    reopen_agent: Rate
    csat_agent: Csat
    csat_specialist: Csat

    @property
    def decided(self) -> int:
        return self.deflection.total


def ticket_kpis(tickets: Sequence[Ticket]) -> TicketKpis:
    """The KPIs of `tickets`, all of them taken to belong to the period."""
    status = Counter(t.status for t in tickets)
    answered = sum(status[s] for s in ANSWERED)
    escalated_count = sum(status[s] for s in ESCALATED)
    decided = answered + escalated_count
    escalated = [t for t in tickets if t.status in ESCALATED]
    return TicketKpis(
        created=len(tickets),
        open=len(tickets) - decided,
        deflection=Rate(status[TicketStatus.RESOLVED_BY_AGENT], decided),
        escalation=Rate(escalated_count, decided),
        reopened=status[TicketStatus.REOPENED],
        reasons=escalation_reasons(escalated),
        reopen_agent=Rate(status[TicketStatus.REOPENED], answered),
        csat_agent=csat([t for t in tickets if t.status in ANSWERED]),
        csat_specialist=csat(escalated),
    )


def escalation_reasons(escalated: Sequence[Ticket]) -> tuple[ReasonCount, ...]:
    """Reason codes by the number of escalated tickets carrying them, most common first
    (ties by code, so the order is stable)."""
    counts: Counter[str] = Counter()
    for ticket in escalated:
        counts.update(dict.fromkeys(ticket.escalation_reasons or (UNRECORDED,), 1))
    total = len(escalated)
    return tuple(ReasonCount(code, n, n / total) for code, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def csat(tickets: Sequence[Ticket]) -> Csat:
    scores = [t.csat for t in tickets if t.csat is not None]
    return Csat(sum(scores) / len(scores) if scores else None, len(scores))
