"""Groups of tickets about one thing, named the way `kbops gaps` names its topics.

Clustering (average linkage over cosine distance, cut at `gaps.distance_threshold`) and
key phrases (c-TF-IDF) are the gap finder's own (`gaps.find`, `gaps.labels`); a group
becomes a `gaps.model.Gap` so the drafts machinery (titles, article outlines) works on it
unchanged.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..gaps.find import cluster, gap_id
from ..gaps.labels import key_phrases
from ..gaps.model import Gap, GapKind
from ..redact import pseudonym, redacted
from ..tickets.model import Ticket, Tier
from .neighbours import centre, ticket_text

BACKGROUND_TICKETS = 2000
"""Other tickets of the period the key phrases are contrasted with (an even sample: the
phrases every ticket uses fade, and a big week costs no more to label than a small one)."""
EXAMPLES = 3
TIER_ORDER = tuple(Tier)


@dataclass(frozen=True)
class TicketGroup:
    """Rows of the period's tickets, most central first."""

    rows: tuple[int, ...]
    centre: np.ndarray
    similarities: tuple[float, ...]
    """Of each row to the centre, same order."""


def group_rows(vectors: np.ndarray, rows: Sequence[int], distance_threshold: float) -> list[list[int]]:
    """The given rows of `vectors` clustered; each cluster as a list of those row numbers."""
    labels = cluster(vectors[list(rows)], distance_threshold)
    found: dict[int, list[int]] = {}
    for row, label in zip(rows, labels, strict=True):
        found.setdefault(label, []).append(row)
    return list(found.values())


def central_first(vectors: np.ndarray, rows: Sequence[int], tickets: Sequence[Ticket]) -> TicketGroup:
    middle = centre(vectors[list(rows)])
    scored = sorted(((float(vectors[r] @ middle), r) for r in rows), key=lambda item: (-item[0], tickets[item[1]].id))
    return TicketGroup(tuple(r for _, r in scored), middle, tuple(s for s, _ in scored))


def name_groups(groups: Sequence[Sequence[Ticket]], others: Sequence[Ticket]) -> list[list[str]]:
    """Key phrases of each group, against an even sample of the other tickets (redacted
    first: labels are written into reports)."""
    step = max(1, len(others) // BACKGROUND_TICKETS)
    background = [redacted(ticket_text(t)) for t in others[::step]]
    docs = [[redacted(ticket_text(t)) for t in group] for group in groups]
    return key_phrases(docs, background)


def as_gap(tickets: Sequence[Ticket], phrases: Sequence[str]) -> Gap:
    """A group as the gap finder's type (most central ticket first), so `drafts` can title
    and outline it; kind `missing` (no KB article was judged)."""
    ids = [t.id for t in tickets]
    subject = redacted(tickets[0].subject or tickets[0].body[:80]) if tickets else ""
    return Gap(
        id=gap_id(ids), rank=0, label=", ".join(phrases) or subject, key_phrases=tuple(phrases),
        ticket_ids=tuple(ids), false_deflections=0, share=0.0,
        customers=tuple(sorted({account_of(t) for t in tickets})),
        tiers=dict(sorted(Counter(str(t.customer.tier) for t in tickets).items())),
        categories=dict(sorted(Counter(t.category for t in tickets if t.category).items())),
        examples=tuple((t.id, redacted(t.subject)) for t in tickets[:EXAMPLES]),
        nearest=(), kind=GapKind.MISSING, failure=None, covering_article=None, impact=float(len(ids)),
    )


def account_of(ticket: Ticket) -> str:
    """The account id as reports may show it (a pseudonym when the id holds personal data)."""
    return pseudonym(ticket.customer.id, "account")


def highest_tier(tickets: Sequence[Ticket]) -> str:
    return str(max((t.customer.tier for t in tickets), key=TIER_ORDER.index, default=Tier.FREE))


def account_revenue(tickets: Sequence[Ticket]) -> float | None:
    """Monthly revenue of the distinct accounts together (each account's latest known value);
    None when no ticket says."""
    revenue: dict[str, float] = {}
    for ticket in tickets:
        if ticket.customer.monthly_revenue is not None:
            revenue[ticket.customer.id] = ticket.customer.monthly_revenue
    return round(sum(revenue.values()), 2) if revenue else None


def question_of(ticket: Ticket, limit: int = 160) -> str:
    """A ticket's question in a line: its subject, or the start of its message (redacted)."""
    text = " ".join((ticket.subject or ticket.body).split())
    text = redacted(text)
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"
