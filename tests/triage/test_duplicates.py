"""Scope and duplicate linking on hand-made vectors: window, open tickets, greedy groups."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import numpy as np

from kbops.tickets.model import Ticket, TicketStatus
from kbops.triage.duplicates import Neighbourhood, open_until

T0 = datetime(2026, 11, 20, 12, tzinfo=UTC)
A = np.array([1.0, 0.0], dtype=np.float32)
A2 = np.array([0.96, 0.28], dtype=np.float32)  # cosine 0.96 with A
B = np.array([0.0, 1.0], dtype=np.float32)


def hours(n: float) -> datetime:
    return T0 + timedelta(hours=n)


def test_similar_open_tickets_in_the_window_are_duplicates_most_similar_first() -> None:
    seen = Neighbourhood(threshold=0.75, window_hours=72)
    seen.link("first", hours(0), A2)
    seen.link("other", hours(1), B)
    seen.link("second", hours(2), A)
    links = seen.link("new", hours(3), A)
    assert links.duplicates == ("second", "first")
    assert links.group == "first"  # "second" joined the group of "first" when it arrived
    assert links.similar_24h == 2


def test_a_ticket_with_no_duplicate_starts_its_own_group() -> None:
    seen = Neighbourhood(threshold=0.75, window_hours=72)
    seen.link("billing", hours(0), B)
    links = seen.link("outage", hours(1), A)
    assert (links.duplicates, links.group, links.similar_24h) == ((), "outage", 0)


def test_closed_and_old_tickets_are_not_duplicates_but_still_count_for_scope() -> None:
    seen = Neighbourhood(threshold=0.75, window_hours=12)
    seen.link("too-old", hours(0), A)
    seen.link("resolved", hours(20), A, open_till=hours(21).timestamp())
    seen.link("open", hours(22), A)
    links = seen.link("new", hours(23), A)
    assert links.duplicates == ("open",)
    assert links.similar_24h == 3  # scope counts any status in the 24 h before


def test_scope_counts_only_the_24_hours_before() -> None:
    seen = Neighbourhood(threshold=0.75, window_hours=72)
    seen.link("day-before", hours(0), A)
    assert seen.link("new", hours(25), A).similar_24h == 0
    assert seen.link("newer", hours(26), A).duplicates == ("day-before", "new")  # equally similar: oldest first


def test_a_ticket_is_open_until_it_was_resolved() -> None:
    base = Ticket(id="t", body="x", created_at=T0)
    assert open_until(base) == math.inf
    assert open_until(base.model_copy(update={"resolved_at": hours(5)})) == hours(5).timestamp()
    resolved = base.model_copy(update={"status": TicketStatus.RESOLVED_BY_AGENT})
    assert open_until(resolved) == T0.timestamp()
    assert open_until(base.model_copy(update={"status": TicketStatus.ESCALATED})) == math.inf
