"""Which of a period's tickets specialists review (`kbops review sample`).

Customers flag few bad answers, so the sample is not left to chance alone: every answer
the agent gave unsure (confidence near the answer threshold), every answer a customer
rated badly and every reopened ticket must be reviewed. A seeded random share of the other
answers, stratified by category, catches what no signal points at, and a share of the
escalations checks the agent's flags ("should it have answered?"). Both shares are kept
even when must-review tickets would fill the sample, so a bad week cannot crowd out the
baseline; must-review tickets that did not fit are counted (`overflow`), never hidden.

The same seed, period and history give the same sample: the random picks come from a
generator seeded with the seed and the period label, over tickets sorted by id.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from ..config import Settings
from ..tickets.model import Ticket, TicketStatus
from ..tickets.reviews import Review, ReviewError, ReviewVerdict

SAMPLE_VERSION = 1
ANSWERED = (TicketStatus.RESOLVED_BY_AGENT, TicketStatus.REOPENED)
"""Statuses of a ticket the agent answered."""
ESCALATED = (TicketStatus.ESCALATED, TicketStatus.RESOLVED_BY_SPECIALIST)
"""Statuses of a ticket the agent handed to a specialist."""
NEGATIVE_CSAT = 2.0
"""A CSAT at or below this is negative feedback."""
UNCATEGORISED = "(no category)"


@dataclass(frozen=True)
class SampleItem:
    """One ticket to review, with why it was picked and what the agent did."""

    ticket: Ticket
    reason: str
    """near_threshold | negative_feedback | reopened | random | escalated"""
    detail: str
    """The pick explained in one line: "confidence 0.53, threshold 0.50", "csat 1", "stratum billing"."""
    action: str
    """"answer" (resolved_by_agent, reopened) or "escalate" (escalated, resolved_by_specialist)."""
    reply: str
    """What the agent sent: the resolution of an agent-resolved ticket, else ""."""
    confidence: float | None
    cited_article_ids: tuple[str, ...]
    escalation_reasons: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        ticket = self.ticket
        return {
            "ticket_id": ticket.id, "reason": self.reason, "detail": self.detail, "action": self.action,
            "category": ticket.category, "status": ticket.status.value if ticket.status else None,
            "confidence": self.confidence, "csat": ticket.csat, "subject": ticket.subject,
            "reply": self.reply, "cited_article_ids": list(self.cited_article_ids),
            "escalation_reasons": list(self.escalation_reasons),
            "created_at": ticket.created_at.isoformat() if ticket.created_at else None,
        }


@dataclass(frozen=True)
class Sample:
    """A period's review sample: must-review tickets first (most urgent first), then the
    random picks, then the escalations."""

    period_label: str
    seed: int
    size: int
    items: tuple[SampleItem, ...]
    overflow: int = 0
    """Must-review tickets that did not fit in `size` (raise --size to see them all)."""
    candidates: int = 0
    """Answered and escalated tickets of the period not reviewed yet."""

    def as_dict(self) -> dict[str, Any]:
        """The `kbops review sample --json` shape."""
        return {"version": SAMPLE_VERSION, "period": self.period_label, "seed": self.seed, "size": self.size,
                "candidates": self.candidates, "overflow": self.overflow,
                "items": [item.as_dict() for item in self.items]}


def draw_sample(tickets: Sequence[Ticket], settings: Settings, *, size: int | None = None, seed: int | None = None,
                period_label: str = "", reviewed: Collection[str] = ()) -> Sample:
    """The review sample of a period's history tickets ([review] policy; `size` and `seed`
    override it). Tickets in `reviewed` (ids already in the review log) are skipped."""
    policy = settings.review
    size = policy.size if size is None else size
    seed = policy.seed if seed is None else seed
    if size < 1:
        raise ValueError("a sample holds at least one ticket")
    threshold = settings.policy.confidence_threshold
    skip = set(reviewed)
    pool = sorted((t for t in tickets if t.id not in skip), key=lambda t: t.id)
    answered = [t for t in pool if t.status in ANSWERED]
    escalated = [t for t in pool if t.status in ESCALATED]
    urgent = sorted(((t, _urgency(t, threshold, policy.near_threshold)) for t in answered),
                    key=lambda pair: pair[1][0])
    must = [(t, why) for t, (_, why) in urgent if why]
    must_ids = {t.id for t, _ in must}
    rest = [t for t in answered if t.id not in must_ids]

    escalated_slots = min(len(escalated), round(size * policy.escalated_share))
    random_slots = min(len(rest), round(size * policy.random_share), size - escalated_slots)
    must_taken = min(len(must), size - escalated_slots - random_slots)
    spare = size - escalated_slots - random_slots - must_taken
    extra_random = min(spare, len(rest) - random_slots)
    random_slots += extra_random
    escalated_slots += min(spare - extra_random, len(escalated) - escalated_slots)

    label = period_label or "all"
    items = [_must_item(t, why, threshold) for t, why in must[:must_taken]]
    items += [_item(t, "random", f"stratum {_stratum(t)}")
              for t in stratified(rest, random_slots, random.Random(f"{seed}:{label}:random"))]
    items += [_item(t, "escalated", f"stratum {_stratum(t)}"
                    + (f"; {', '.join(t.escalation_reasons)}" if t.escalation_reasons else ""))
              for t in stratified(escalated, escalated_slots, random.Random(f"{seed}:{label}:escalated"))]
    return Sample(period_label, seed, size, tuple(items), overflow=len(must) - must_taken,
                  candidates=len(answered) + len(escalated))


def stratified(tickets: Sequence[Ticket], count: int, rng: random.Random) -> list[Ticket]:
    """`count` tickets drawn at random within categories, each category getting its
    proportional share (largest remainder), and at least one when `count` allows; returned
    by (category, id) so a reviewer meets one category at a time."""
    strata: dict[str, list[Ticket]] = defaultdict(list)
    for ticket in tickets:
        strata[_stratum(ticket)].append(ticket)
    quotas = allocate({name: len(members) for name, members in strata.items()}, count)
    picked: list[Ticket] = []
    for name in sorted(strata):
        picked += rng.sample(strata[name], quotas[name])
    return sorted(picked, key=lambda t: (_stratum(t), t.id))


def allocate(sizes: dict[str, int], count: int) -> dict[str, int]:
    """Split `count` over strata in proportion to their sizes (largest remainder, ties to the
    bigger stratum then the name); every non-empty stratum gets one first when `count` is at
    least the number of strata. Never more than a stratum holds."""
    live = {name: n for name, n in sizes.items() if n > 0}
    count = min(count, sum(live.values()))
    base = dict.fromkeys(sizes, 0)
    if count <= 0:
        return base
    if count >= len(live):
        base |= dict.fromkeys(live, 1)
        count -= len(live)
        live = {name: n - 1 for name, n in live.items()}
    capacity = sum(live.values())
    if count <= 0 or capacity == 0:
        return base
    shares = {name: count * n / capacity for name, n in live.items()}
    floors = {name: int(share) for name, share in shares.items()}
    left = count - sum(floors.values())
    order = sorted(live, key=lambda name: (-(shares[name] - floors[name]), -live[name], name))
    for name in order[:left]:
        floors[name] += 1
    return {name: base[name] + floors.get(name, 0) for name in base}


def to_review(item: SampleItem, verdict: ReviewVerdict, note: str, reviewer: str,
              correct_article_ids: Sequence[str] = (), at: datetime | None = None) -> Review:
    """The review-log record of a verdict on a sampled ticket (validated: a verdict must fit
    what the agent did, see ReviewVerdict)."""
    try:
        return Review(
            ticket_id=item.ticket.id, verdict=verdict, note=note, reviewer=reviewer,
            reviewed_at=at or datetime.now(UTC), sample_reason=item.reason,
            agent_action="escalate" if item.action == "escalate" else "answer", agent_reply=item.reply,
            agent_confidence=item.confidence, escalation_reasons=item.escalation_reasons,
            cited_article_ids=item.cited_article_ids, correct_article_ids=tuple(correct_article_ids),
            ticket=item.ticket)
    except ValidationError as exc:
        raise ReviewError(f"ticket {item.ticket.id}: {exc.errors()[0]['msg']}") from None


def _urgency(ticket: Ticket, threshold: float, near: float) -> tuple[tuple[int, float, str], list[str]]:
    """(sort key, must-review reasons): reopened and negative feedback before a mere
    near-threshold answer, then the closer to the threshold, then by id."""
    why: list[str] = []
    if ticket.status is TicketStatus.REOPENED:
        why.append("reopened")
    if ticket.csat is not None and ticket.csat <= NEGATIVE_CSAT:
        why.append("negative_feedback")
    distance = abs(ticket.agent_confidence - threshold) if ticket.agent_confidence is not None else 2.0
    if distance <= near + 1e-9:
        why.append("near_threshold")
    signals = sum(reason != "near_threshold" for reason in why)
    return (-signals, distance, ticket.id), why


def _must_item(ticket: Ticket, why: list[str], threshold: float) -> SampleItem:
    parts = []
    if "reopened" in why:
        parts.append("reopened")
    if "negative_feedback" in why:
        parts.append(f"csat {ticket.csat:g}")
    if "near_threshold" in why and ticket.agent_confidence is not None:
        parts.append(f"confidence {ticket.agent_confidence:.2f}, threshold {threshold:.2f}")
    return _item(ticket, why[0], "; ".join(parts))


def _item(ticket: Ticket, reason: str, detail: str) -> SampleItem:
    answered = ticket.status in ANSWERED
    return SampleItem(
        ticket=ticket, reason=reason, detail=detail, action="answer" if answered else "escalate",
        reply=ticket.resolution if answered else "", confidence=ticket.agent_confidence,
        cited_article_ids=ticket.cited_article_ids, escalation_reasons=ticket.escalation_reasons)


def _stratum(ticket: Ticket) -> str:
    return ticket.category or UNCATEGORISED
