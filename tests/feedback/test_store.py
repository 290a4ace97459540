"""The SQLite vote store: what a row holds (and does not), the rate limit, the schema
version, and a damaged file set aside."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from kbops.errors import StateError
from kbops.feedback.stats import feedback_stats, stats_json, stats_window, unhelpful_articles
from kbops.feedback.store import FeedbackStore, Vote

NOON = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)


def vote(store: FeedbackStore, article: str = "refunds", value: int = 1, at: datetime = NOON,
         client: str = "203.0.113.9") -> Vote:
    return Vote(f"/{article}/", article, value, at, store.client_key(client, "Firefox"))


def test_votes_are_kept_with_a_keyed_client_hash_and_no_address(tmp_path: Path) -> None:
    path = tmp_path / "state" / "feedback.sqlite"
    with FeedbackStore.open(path) as store:
        store.add(vote(store))
        key = store.client_key("203.0.113.9", "Firefox")
        assert key == vote(store).client_key and key != store.client_key("203.0.113.10", "Firefox")
        assert store.votes() == [Vote("/refunds/", "refunds", 1, NOON, key)]
    written = b"".join(p.read_bytes() for p in path.parent.iterdir())  # the WAL too, if still there
    assert b"203.0.113.9" not in written and b"Firefox" not in written
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == "1"
    with FeedbackStore.open(path) as again:  # the secret is kept: the same client, the same key
        assert again.client_key("203.0.113.9", "Firefox") == key


def test_two_stores_know_the_same_client_by_different_keys(tmp_path: Path) -> None:
    with FeedbackStore.open(tmp_path / "a.sqlite") as one, FeedbackStore.open(tmp_path / "b.sqlite") as two:
        assert one.client_key("203.0.113.9", "Firefox") != two.client_key("203.0.113.9", "Firefox")


def test_the_rate_limit_counts_a_clients_votes_in_the_window(tmp_path: Path) -> None:
    with FeedbackStore.open(tmp_path / "f.sqlite") as store:
        accepted = [store.accept(vote(store, at=NOON + timedelta(minutes=m)), limit=2, window_seconds=3600)
                    for m in (0, 1, 2)]
        assert accepted == [True, True, False]
        assert store.accept(vote(store, client="198.51.100.1", at=NOON), limit=2, window_seconds=3600)
        assert store.accept(vote(store, at=NOON + timedelta(minutes=61)), limit=2, window_seconds=3600)
        assert store.count() == 4


def test_votes_are_read_by_period_and_counted_per_article(tmp_path: Path) -> None:
    with FeedbackStore.open(tmp_path / "f.sqlite") as store:
        for article, value, days in [("refunds", 0, 0), ("refunds", 0, 1), ("refunds", 1, 2), ("export", 1, 0),
                                     ("refunds", 0, 9)]:
            store.add(vote(store, article, value, NOON + timedelta(days=days)))
        since, until = stats_window(week="2026-W47")
        stats = feedback_stats(store, since, until)
    assert [(s.article_id, s.helpful, s.unhelpful) for s in stats] == [("refunds", 1, 2), ("export", 1, 0)]
    assert stats[0].ratio == pytest.approx(1 / 3) and stats[0].votes == 3
    assert unhelpful_articles(stats, min_votes=3, share=0.5) == [stats[0]]
    assert unhelpful_articles(stats, min_votes=4, share=0.5) == []
    data = stats_json(stats, since, until)
    assert data["totals"] == {"votes": 4, "helpful": 2, "unhelpful": 2, "ratio": 0.5, "articles": 2}
    assert data["articles"][0] == {"article_id": "refunds", "page": "/refunds/", "votes": 3, "helpful": 1,
                                   "unhelpful": 2, "ratio": 0.3333}


def test_periods() -> None:
    assert stats_window(month="2026-12") == (datetime(2026, 12, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))
    assert stats_window(week="2026-W47")[0] == datetime(2026, 11, 16, tzinfo=UTC)
    since, until = stats_window(since=NOON.date(), until=NOON.date())
    assert (since, until) == (datetime(2026, 11, 18, tzinfo=UTC), datetime(2026, 11, 19, tzinfo=UTC))
    assert stats_window() == (None, None)


@pytest.mark.parametrize("args", [{"month": "2026-13"}, {"week": "2026-W54"}, {"month": "2026-11", "week": "2026-W47"}])
def test_a_bad_period_says_how_to_write_it(args: dict[str, str]) -> None:
    from kbops.feedback.stats import FeedbackError

    with pytest.raises(FeedbackError) as caught:
        stats_window(**args)  # type: ignore[arg-type]
    assert caught.value.exit_code == 2


@pytest.mark.parametrize("content", [b"this is not sqlite at all" * 100, b""])
def test_a_damaged_file_is_set_aside_and_a_new_store_started(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "feedback.sqlite"
    path.write_bytes(content)
    messages: list[str] = []
    with FeedbackStore.open(path, messages.append) as store:
        store.add(vote(store))
        assert store.count() == 1
    if content:
        assert len(messages) == 1 and "is not a feedback store" in messages[0] and "starting an empty one" in messages[0]
        assert [p.name for p in tmp_path.iterdir() if p.name.startswith("feedback.sqlite.")]


def test_another_sqlite_database_is_set_aside_too(tmp_path: Path) -> None:
    path = tmp_path / "feedback.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE tickets (id TEXT)")
    messages: list[str] = []
    FeedbackStore.open(path, messages.append).close()
    assert "not a vote store" in messages[0]


def test_a_store_from_a_newer_kbops_is_refused_not_clobbered(tmp_path: Path) -> None:
    path = tmp_path / "feedback.sqlite"
    FeedbackStore.open(path).close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE meta SET value = '9' WHERE key = 'schema_version'")
    with pytest.raises(StateError, match="schema 9, newer"):
        FeedbackStore.open(path)
