"""Scope and duplicate linking on hand-made vectors: window, open tickets, greedy groups."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from kbops.tickets.model import Ticket, TicketStatus
from kbops.triage import duplicates
from kbops.triage.duplicates import Links, Seen, link_in_time_order, open_until

T0 = datetime(2026, 11, 20, 12, tzinfo=UTC)
A = [1.0, 0.0]
A2 = [0.96, 0.28]  # cosine 0.96 with A
B = [0.0, 1.0]


def hours(n: float) -> float:
    return (T0 + timedelta(hours=n)).timestamp()


def link(rows: list[tuple[str, float, list[float]] | tuple[str, float, list[float], float]],
         window_hours: float = 72) -> list[Links]:
    seen = [Seen(row[0], row[1], row[3] if len(row) == 4 else math.inf) for row in rows]  # type: ignore[misc]
    vectors = np.array([row[2] for row in rows], dtype=np.float32)
    return link_in_time_order(seen, vectors, threshold=0.75, window_hours=window_hours)


def test_similar_open_tickets_in_the_window_are_duplicates_most_similar_first() -> None:
    *_, second, new = link([("first", hours(0), A2), ("other", hours(1), B), ("second", hours(2), A),
                            ("new", hours(3), A)])
    assert second.group == "first"
    assert new.duplicates == ("second", "first")
    assert new.group == "first"  # "second" joined the group of "first" when it arrived
    assert new.similar_24h == 2


def test_a_ticket_with_no_duplicate_starts_its_own_group() -> None:
    _, outage = link([("billing", hours(0), B), ("outage", hours(1), A)])
    assert outage == Links(0, (), "outage")


def test_closed_and_old_tickets_are_not_duplicates_but_still_count_for_scope() -> None:
    *_, new = link([("too-old", hours(0), A), ("resolved", hours(20), A, hours(21)), ("open", hours(22), A),
                    ("new", hours(23), A)], window_hours=12)
    assert new.duplicates == ("open",)
    assert new.similar_24h == 3  # scope counts any status in the 24 h before


def test_scope_counts_only_the_24_hours_before() -> None:
    _, new, newer = link([("day-before", hours(0), A), ("new", hours(25), A), ("newer", hours(26), A)])
    assert new.similar_24h == 0
    assert newer.duplicates == ("day-before", "new")  # equally similar: oldest first


def test_blocks_give_the_same_links_as_one_block(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(3)
    vectors = rng.normal(size=(40, 4)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    seen = [Seen(f"t{n}", hours(n / 4), hours(n / 4 + 3) if n % 3 else math.inf) for n in range(40)]
    whole = link_in_time_order(seen, vectors, threshold=0.5, window_hours=4)
    monkeypatch.setattr(duplicates, "BLOCK_ROWS", 7)
    assert link_in_time_order(seen, vectors, threshold=0.5, window_hours=4) == whole
    assert any(links.duplicates for links in whole)


def test_tickets_out_of_time_order_are_refused() -> None:
    with pytest.raises(ValueError, match="time order"):
        link([("late", hours(2), A), ("early", hours(1), A)])


def test_a_ticket_is_open_until_it_was_resolved() -> None:
    base = Ticket(id="t", body="x", created_at=T0)
    assert open_until(base) == math.inf
    assert open_until(base.model_copy(update={"resolved_at": T0 + timedelta(hours=5)})) == hours(5)
    resolved = base.model_copy(update={"status": TicketStatus.RESOLVED_BY_AGENT})
    assert open_until(resolved) == T0.timestamp()
    assert open_until(base.model_copy(update={"status": TicketStatus.ESCALATED})) == math.inf
