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
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from ..tickets.model import Ticket, TicketStatus

SCOPE_HOURS = 24.0
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


@dataclass
class Neighbourhood:
    """Tickets seen so far, added in time order, each with its unit-length vector."""

    threshold: float
    window_hours: float
    _ids: list[str] = field(default_factory=list)
    _groups: list[str] = field(default_factory=list)
    _matrix: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.float32))
    """Rows 0..len(_ids) hold the vectors; capacity doubles as tickets arrive (as for the
    two arrays below), so linking n tickets costs n vector products, not n copies."""
    _times: np.ndarray = field(default_factory=lambda: np.zeros(0))
    _open_until: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def link(self, ticket_id: str, at: datetime, vector: np.ndarray, open_till: float = math.inf) -> Links:
        """Links of a ticket created `at`, then remember it (it is open until `open_till`)."""
        now = at.timestamp()
        similar_24h, duplicates, group = 0, [], ticket_id
        count = len(self._ids)
        times = self._times[:count]
        lo = int(np.searchsorted(times, now - 3600 * max(SCOPE_HOURS, self.window_hours), side="left"))
        hi = int(np.searchsorted(times, now, side="right"))
        if hi > lo:
            scores = self._matrix[lo:hi] @ vector
            same = np.flatnonzero(scores >= self.threshold)
            similar_24h = int(np.count_nonzero(times[lo:hi][same] >= now - 3600 * SCOPE_HOURS))
            found = same[(times[lo:hi][same] >= now - 3600 * self.window_hours)
                         & (self._open_until[lo:hi][same] > now)]
            found = found[np.argsort(-scores[found], kind="stable")]
            duplicates = [self._ids[lo + int(i)] for i in found]
            if len(found):
                group = self._groups[lo + int(found[0])]
        self._add(ticket_id, now, open_till, group, vector)
        return Links(similar_24h, tuple(duplicates), group)

    def _add(self, ticket_id: str, when: float, open_till: float, group: str, vector: np.ndarray) -> None:
        count = len(self._ids)
        if count and when < self._times[count - 1]:
            raise ValueError("tickets must be added in time order")
        if count == len(self._matrix):
            capacity = max(64, 2 * count)
            self._matrix = _grown(self._matrix, count, (capacity, len(vector)))
            self._times = _grown(self._times, count, (capacity,))
            self._open_until = _grown(self._open_until, count, (capacity,))
        self._matrix[count] = vector
        self._times[count] = when
        self._open_until[count] = open_till
        self._ids.append(ticket_id)
        self._groups.append(group)


def _grown(array: np.ndarray, used: int, shape: tuple[int, ...]) -> np.ndarray:
    bigger = np.zeros(shape, dtype=np.float32 if len(shape) == 2 else np.float64)
    if used:
        bigger[:used] = array[:used]
    return bigger
