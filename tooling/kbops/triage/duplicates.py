"""Scope and duplicates: which earlier tickets are about the same problem.

Two tickets are about the same problem when the cosine of their embeddings reaches
`triage.similar_threshold` (calibrated on SemEval-2016 question duplicates by
benchmarks/triage_duplicates.py). Scope counts such tickets in the 24 hours before a
ticket, whatever their status. Duplicate linking is greedy: a ticket lists every
still-open similar ticket of the last `duplicate_window_hours`, and joins the group of the
most similar one; with none it starts a group named after itself.

The history is replayed in time order first (`LinkedHistory.replay`), so history tickets
have the groups people already see. A batch is then linked by `link_batch`, in whatever
order it and the history come: for each ticket the history part is a window query
(tickets created strictly before it), the batch part its earlier batch tickets. So
re-triaging last month's tickets against a newer history sees what was there then.
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


@dataclass(frozen=True)
class LinkedHistory:
    """History tickets in time order, their unit vectors, and the groups `link_in_time_order`
    gave them among themselves: what a new ticket is linked to."""

    tickets: Sequence[Seen]
    vectors: np.ndarray
    groups: Sequence[str]

    @classmethod
    def replay(cls, tickets: Sequence[Seen], vectors: np.ndarray, *, threshold: float,
               window_hours: float) -> LinkedHistory:
        links = link_in_time_order(tickets, vectors, threshold=threshold, window_hours=window_hours)
        return cls(tickets, vectors, [found.group for found in links])


def link_batch(history: LinkedHistory, batch: Sequence[Seen], vectors: np.ndarray, *, threshold: float,
               window_hours: float) -> list[Links]:
    """Links of each batch ticket (in any order; results in its order) to the history tickets
    created strictly before it and to the batch tickets before it (ties by batch order).

    The history is a time-window query per ticket, not a replay: whatever its newest ticket,
    a ticket never sees itself or a later one. A history ticket whose id is in the batch is
    left out (the batch's copy stands in), so nothing is its own duplicate or counted twice.
    """
    if not batch:
        return []
    order = sorted(range(len(batch)), key=lambda n: (batch[n].at, n))
    tickets = [batch[n] for n in order]
    ordered_vectors = vectors[order]
    times = np.array([t.at for t in tickets], dtype=np.float64)
    open_till_batch = np.array([t.open_until for t in tickets], dtype=np.float64)
    code_of: dict[str, int] = {}
    codes = np.array([code_of.setdefault(t.id, len(code_of)) for t in tickets], dtype=np.int64)
    batch_ids = {t.id for t in batch}
    past = _Candidates.of(history.tickets, history.groups, exclude=batch_ids)
    if len(past.times) > 1 and bool(np.any(np.diff(past.times) < 0)):
        raise ValueError("history tickets must be in time order")
    reach = 3600 * max(SCOPE_HOURS, window_hours)
    groups: list[str] = []
    found: list[Links] = []
    for start in range(0, len(tickets), BLOCK_ROWS):
        stop = min(len(tickets), start + BLOCK_ROWS)
        h_first = int(np.searchsorted(past.times, times[start] - reach, side="left"))
        h_stop = int(np.searchsorted(past.times, times[stop - 1], side="left"))
        h_block = ordered_vectors[start:stop] @ history.vectors[past.rows[h_first:h_stop]].T
        b_first = int(np.searchsorted(times, times[start] - reach, side="left"))
        b_block = ordered_vectors[start:stop] @ ordered_vectors[b_first:stop].T
        for row in range(start, stop):
            now = times[row]
            h_lo = int(np.searchsorted(past.times, now - reach, side="left"))
            h_hi = int(np.searchsorted(past.times, now, side="left"))
            h_scores = h_block[row - start, h_lo - h_first:h_hi - h_first]
            h_same = h_lo + np.flatnonzero(h_scores >= threshold)
            b_rows = np.arange(int(np.searchsorted(times, now - reach, side="left")), row)
            b_rows = b_rows[codes[b_rows] != codes[row]]
            b_scores = b_block[row - start, b_rows - b_first]
            b_same = b_rows[b_scores >= threshold]
            scores = np.concatenate([h_scores[h_same - h_lo], b_block[row - start, b_same - b_first]])
            when = np.concatenate([past.times[h_same], times[b_same]])
            open_till = np.concatenate([past.open_till[h_same], open_till_batch[b_same]])
            ids = [past.ids[n] for n in h_same] + [tickets[n].id for n in b_same]
            group_of = [past.groups[n] for n in h_same] + [groups[n] for n in b_same]
            similar_24h = int(np.count_nonzero(when >= now - 3600 * SCOPE_HOURS))
            chosen = np.flatnonzero((when >= now - 3600 * window_hours) & (open_till > now))
            # most similar first; equal scores (to float noise between products) oldest first
            chosen = chosen[np.lexsort((chosen, when[chosen], -np.round(scores[chosen], 5)))]
            group = group_of[int(chosen[0])] if len(chosen) else tickets[row].id
            groups.append(group)
            found.append(Links(similar_24h, tuple(ids[int(n)] for n in chosen), group))
    in_batch_order: list[Links | None] = [None] * len(batch)
    for position, n in enumerate(order):
        in_batch_order[n] = found[position]
    return [links for links in in_batch_order if links is not None]


@dataclass(frozen=True)
class _Candidates:
    """The history rows a batch may be linked to, as arrays for window queries."""

    rows: np.ndarray
    ids: list[str]
    groups: list[str]
    times: np.ndarray
    open_till: np.ndarray

    @classmethod
    def of(cls, tickets: Sequence[Seen], groups: Sequence[str], *, exclude: set[str]) -> _Candidates:
        rows = [n for n, ticket in enumerate(tickets) if ticket.id not in exclude]
        return cls(np.array(rows, dtype=np.int64), [tickets[n].id for n in rows], [groups[n] for n in rows],
                   np.array([tickets[n].at for n in rows], dtype=np.float64),
                   np.array([tickets[n].open_until for n in rows], dtype=np.float64))
