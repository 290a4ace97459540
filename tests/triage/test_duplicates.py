"""Scope and duplicate linking on hand-made vectors: window, open tickets, greedy groups."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from kbops.tickets.model import Ticket, TicketStatus
from kbops.triage import duplicates
from kbops.triage.duplicates import (
    LinkedHistory,
    Links,
    Seen,
    link_batch,
    link_in_time_order,
    open_until,
)

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


def history_of(rows: list[tuple[str, float, list[float]] | tuple[str, float, list[float], float]],
               window_hours: float = 72) -> LinkedHistory:
    seen = [Seen(row[0], row[1], row[3] if len(row) == 4 else math.inf) for row in rows]  # type: ignore[misc]
    vectors = np.array([row[2] for row in rows], dtype=np.float32).reshape(len(rows), 2)
    return LinkedHistory.replay(seen, vectors, threshold=0.75, window_hours=window_hours)


def batch_links(history: LinkedHistory, rows: list[tuple[str, float, list[float]]]) -> dict[str, Links]:
    seen = [Seen(name, at) for name, at, _ in rows]
    vectors = np.array([vector for _, _, vector in rows], dtype=np.float32)
    found = link_batch(history, seen, vectors, threshold=0.75, window_hours=72)
    return {name: links for (name, _, _), links in zip(rows, found, strict=True)}


def test_a_batch_older_than_the_newest_history_ticket_sees_only_what_came_before_it() -> None:
    history = history_of([("before", hours(-2), A), ("same-second", hours(0), A), ("own", hours(0.5), A),
                          ("later", hours(1), A), ("much-later", hours(300), A)])
    found = batch_links(history, [("second", hours(2), A), ("own", hours(0.5), A), ("first", hours(0), A)])
    assert found["first"] == Links(1, ("before",), "before")  # not the history ticket of the same second
    assert found["own"] == Links(3, ("before", "same-second", "first"), "before")  # never its own history copy
    assert found["second"].duplicates == ("before", "same-second", "first", "own", "later")  # "own" once
    assert found["second"].similar_24h == 5


def test_a_batch_in_any_order_gets_the_same_links() -> None:
    rng = np.random.default_rng(5)
    vectors = rng.normal(size=(60, 3)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    history = LinkedHistory.replay([Seen(f"h{n}", hours(n / 2)) for n in range(30)], vectors[:30],
                                   threshold=0.5, window_hours=6)
    rows = [(f"b{n}", hours(n / 3 - 2), list(vectors[30 + n])) for n in range(30)]
    in_time_order = link_batch(history, [Seen(n, at) for n, at, _ in rows], vectors[30:], threshold=0.5,
                               window_hours=6)
    shuffled = [rows[int(n)] for n in rng.permutation(30)]
    again = link_batch(history, [Seen(n, at) for n, at, _ in shuffled], np.array([v for *_, v in shuffled]),
                       threshold=0.5, window_hours=6)
    assert dict(zip([n for n, *_ in shuffled], again, strict=True)) == dict(
        zip([n for n, *_ in rows], in_time_order, strict=True))
    assert any(links.duplicates for links in in_time_order)


def test_batch_blocks_give_the_same_links_as_one_block(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(7)
    vectors = rng.normal(size=(80, 4)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    history = LinkedHistory.replay([Seen(f"h{n}", hours(n / 4), hours(n / 4 + 3) if n % 3 else math.inf)
                                    for n in range(40)], vectors[:40], threshold=0.5, window_hours=4)
    batch = [Seen(f"b{n}", hours(10 - n / 4)) for n in range(40)]
    whole = link_batch(history, batch, vectors[40:], threshold=0.5, window_hours=4)
    monkeypatch.setattr(duplicates, "BLOCK_ROWS", 7)
    assert link_batch(history, batch, vectors[40:], threshold=0.5, window_hours=4) == whole
    assert any(links.duplicates for links in whole)


def test_a_batch_ticket_takes_the_group_of_its_most_similar_history_ticket() -> None:
    history = history_of([("origin", hours(0), A2), ("joined", hours(1), A), ("other", hours(2), B)])
    assert history.groups == ["origin", "origin", "other"]
    found = batch_links(history, [("new", hours(3), A), ("newer", hours(4), A)])
    assert found["new"] == Links(2, ("joined", "origin"), "origin")
    assert found["newer"].duplicates == ("joined", "new", "origin")  # equal scores: oldest first
