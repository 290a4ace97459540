"""Scope and duplicates: which earlier tickets are about the same problem.

Two tickets are about the same problem when the cosine of their embeddings reaches
`triage.similar_threshold` (calibrated on SemEval-2016 question duplicates by
benchmarks/triage_duplicates.py). Scope counts such tickets in the 24 hours before a
ticket, whatever their status. Duplicate linking is greedy and in time order: a ticket
lists every still-open similar ticket of the last `duplicate_window_hours`, and joins the
group of the most similar one; with none it starts a group named after itself. Replaying
the recent history the same way first gives history tickets their groups, so a new ticket
joins the group people already see.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..tickets.model import Ticket, TicketStatus

SCOPE_HOURS = 24.0
BLOCK_ROWS = 256
"""Tickets whose similarities are computed in one matrix product: one large product keeps
BLAS efficient where thousands of small ones, next to the embedder's threads, crawl."""
_CLOSED = frozenset({TicketStatus.RESOLVED_BY_AGENT, TicketStatus.RESOLVED_BY_SPECIALIST})


@dataclass(frozen=True)
class Links:
    similar_24h: int
    """Tickets in the 24 h before this one about the same problem (any status)."""
    duplicates: tuple[str, ...]
    """Open tickets of the duplicate window about the same problem, most similar first."""
    group: str
    """The duplicate group this ticket belongs to (the id of the group's first ticket)."""


def open_until(ticket: Ticket) -> float:
    """Timestamp until which a ticket is open: its resolution time; for a ticket marked
    resolved without one, its creation (never open for linking); else forever."""
    if ticket.resolved_at is not None:
        return ticket.resolved_at.timestamp()
    if ticket.status in _CLOSED and ticket.created_at is not None:
        return ticket.created_at.timestamp()
    return math.inf


@dataclass(frozen=True)
class Seen:
    """One ticket as linking sees it."""

    id: str
    at: float
    """Creation time (POSIX seconds)."""
    open_until: float = math.inf
    """When it stopped being open (`open_until(ticket)`)."""


def link_in_time_order(tickets: Sequence[Seen], vectors: np.ndarray, *, threshold: float,
                       window_hours: float) -> list[Links]:
    """Links of every ticket to the ones before it; `tickets` in time order (ties keep
    their order: an earlier row counts as earlier), `vectors` unit rows in the same order."""
    times = np.array([t.at for t in tickets], dtype=np.float64)
    if len(times) > 1 and bool(np.any(np.diff(times) < 0)):
        raise ValueError("tickets must be in time order")
    open_till = np.array([t.open_until for t in tickets], dtype=np.float64)
    reach = 3600 * max(SCOPE_HOURS, window_hours)
    groups: list[str] = []
    found: list[Links] = []
    for start in range(0, len(tickets), BLOCK_ROWS):
        stop = min(len(tickets), start + BLOCK_ROWS)
        first = int(np.searchsorted(times, times[start] - reach, side="left"))
        block = vectors[start:stop] @ vectors[first:stop].T
        for row in range(start, stop):
            now = times[row]
            lo = int(np.searchsorted(times, now - reach, side="left"))
            scores = block[row - start, lo - first : row - first]
            same = np.flatnonzero(scores >= threshold)
            earlier = times[lo:row][same]
            similar_24h = int(np.count_nonzero(earlier >= now - 3600 * SCOPE_HOURS))
            candidates = same[(earlier >= now - 3600 * window_hours) & (open_till[lo:row][same] > now)]
            candidates = candidates[np.argsort(-scores[candidates], kind="stable")]
            group = groups[lo + int(candidates[0])] if len(candidates) else tickets[row].id
            groups.append(group)
            found.append(Links(similar_24h, tuple(tickets[lo + int(i)].id for i in candidates), group))
    return found
