"""The ticket history on real DuckDB files: upserts by content hash, windows in UTC, text
stored redacted with sentiment filled in, and one transaction per import."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import duckdb
import pytest

from kbops.agent.policy.decide import assess_ticket
from kbops.config import PolicySettings
from kbops.errors import StateError
from kbops.history import store as store_module
from kbops.history.store import HistoryStore, UpsertCounts
from kbops.tickets.model import Ticket, TicketStatus


def ticket(ticket_id: str, created: str | None = "2026-09-02T09:00:00Z", **fields: Any) -> Ticket:
    return Ticket.model_validate({"id": ticket_id, "created_at": created, "body": f"Question {ticket_id}",
                                  "customer": {"id": "C-1", "tier": "pro"}, **fields})


def stored_rows(path: Path, sql: str) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(path), read_only=True) as connection:
        return connection.execute(sql).fetchall()


@pytest.fixture
def history(tmp_path: Path) -> Iterator[HistoryStore]:
    with HistoryStore.open(tmp_path / ".kbops" / "history.duckdb") as store:
        yield store


def test_importing_the_same_tickets_twice_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "history.duckdb"
    tickets = [ticket("T-1"), ticket("T-2", status="escalated", category="billing")]
    with HistoryStore.open(path) as store:
        assert store.upsert(tickets, "a.jsonl") == UpsertCounts(added=2)
        fingerprint = store.fingerprint()
    with HistoryStore.open(path) as store:  # a second command, a second connection
        assert store.upsert(tickets, "a.jsonl") == UpsertCounts(unchanged=2)
        assert store.fingerprint() == fingerprint
        assert store.count() == 2
        assert [t.id for t in store.labelled()] == ["T-2"]


def test_a_changed_ticket_replaces_the_stored_one_and_keeps_its_first_import_time(history: HistoryStore) -> None:
    history.upsert([ticket("T-1", status="escalated"), ticket("T-2")], "monday.jsonl")
    before = history.fingerprint()
    first_import = stored_rows_of(history, "SELECT epoch_us(imported_at) FROM tickets WHERE id = 'T-1'")
    resolved = ticket("T-1", status="resolved_by_specialist", resolved_at="2026-09-03T10:00:00Z", resolution="Done.")
    assert history.upsert([resolved, ticket("T-2")], "tuesday.jsonl") == UpsertCounts(updated=1, unchanged=1)
    (stored,) = [t for t in history.tickets() if t.id == "T-1"]
    assert (stored.status, stored.resolved_at, stored.resolution) == (
        TicketStatus.RESOLVED_BY_SPECIALIST, datetime(2026, 9, 3, 10, tzinfo=UTC), "Done.")
    assert history.fingerprint() != before
    assert stored_rows_of(history, "SELECT epoch_us(imported_at) FROM tickets WHERE id = 'T-1'") == first_import
    assert stored_rows_of(history, "SELECT id, source FROM tickets ORDER BY id") == [
        ("T-1", "tuesday.jsonl"), ("T-2", "monday.jsonl")]


def stored_rows_of(store: HistoryStore, sql: str) -> list[tuple[Any, ...]]:
    return store.connection.execute(sql).fetchall()


def test_a_ticket_in_two_sources_of_one_import_ends_as_the_later_one_has_it(history: HistoryStore) -> None:
    counts = history.upsert_batches([("old.jsonl", [ticket("T-1", category="billing")]),
                                     ("new.jsonl", [ticket("T-1", category="technical")])])
    assert counts == [UpsertCounts(added=1), UpsertCounts(updated=1)]
    assert [(t.id, t.category) for t in history.tickets()] == [("T-1", "technical")]


def test_window_is_half_open_in_utc_and_ordered_by_time_then_id(history: HistoryStore) -> None:
    history.upsert([
        ticket("T-3", "2026-09-02T09:00:00Z"),
        ticket("T-1", "2026-09-02T11:00:00+02:00"),  # the same instant as T-3
        ticket("T-2", "2026-09-01T23:30:00-01:00"),  # 2026-09-02T00:30Z
        ticket("T-4", "2026-09-09T00:00:00"),  # no offset: read as UTC
        ticket("T-0", "2026-08-31T23:59:59.999999Z"),
    ], "mixed.jsonl")
    everything = history.tickets()
    assert [t.id for t in everything] == ["T-0", "T-2", "T-1", "T-3", "T-4"]
    assert all(t.created_at is not None and t.created_at.tzinfo is not None and t.created_at.utcoffset() == timedelta(0)
               for t in everything)
    assert everything[1].created_at == datetime(2026, 9, 2, 0, 30, tzinfo=UTC)
    week = history.tickets(datetime(2026, 9, 1, tzinfo=UTC), datetime(2026, 9, 9, tzinfo=UTC))
    assert [t.id for t in week] == ["T-2", "T-1", "T-3"]  # T-0 before it, T-4 exactly at its (open) end
    plus_two = timezone(timedelta(hours=2))
    assert [t.id for t in history.tickets(datetime(2026, 9, 2, 11, tzinfo=plus_two))] == ["T-1", "T-3", "T-4"]
    assert [t.id for t in history.tickets(until=datetime(2026, 9, 1))] == ["T-0"]  # naive: UTC
    assert history.span() == (datetime(2026, 8, 31, 23, 59, 59, 999999, tzinfo=UTC), datetime(2026, 9, 9, tzinfo=UTC))


def test_an_empty_history(history: HistoryStore) -> None:
    assert (history.count(), history.span(), history.tickets(), history.labelled()) == (0, None, [], [])
    with HistoryStore.open(history.path.with_name("other.duckdb")) as other:
        assert history.fingerprint() == other.fingerprint()


def test_every_field_comes_back_as_imported(history: HistoryStore) -> None:
    full = ticket("T-1", channel="chat", customer={"id": "C-9", "tier": "enterprise", "monthly_revenue": 4200.5},
                  subject="Export", resolution="Use Export.", resolved_by_article_ids=["export-csv"], tags=["exports"],
                  resolved_at="2026-09-02T10:00:00Z", status="resolved_by_agent", category="technical", severity="P3",
                  agent_confidence=0.81, cited_article_ids=["export-csv", "export-pdf"], csat=4, sentiment=0.25)
    history.upsert([full], "full.jsonl")
    assert history.tickets() == [full]


def test_text_is_stored_redacted_and_ids_holding_personal_data_pseudonymised(history: HistoryStore) -> None:
    history.upsert([ticket("T-1", subject="Call me at +44 20 7946 0958", body="I am jane.doe@example.com, help",
                           resolution="Wrote to jane.doe@example.com", customer={"id": "jane.doe@example.com"})],
                   "pii.jsonl")
    (stored,) = history.tickets()
    assert (stored.subject, stored.body, stored.resolution) == (
        "Call me at [PHONE]", "I am [EMAIL], help", "Wrote to [EMAIL]")
    assert stored.customer.id.startswith("customer-") and "@" not in stored.customer.id
    leaked = stored_rows_of(history, "SELECT count(*) FROM tickets WHERE concat_ws(' ', subject, body, resolution, "
                                     "account_id) LIKE '%jane.doe%' OR subject LIKE '%7946%'")
    assert leaked == [(0,)]


def test_redaction_off_stores_the_text_as_written(tmp_path: Path) -> None:
    with HistoryStore.open(tmp_path / "h.duckdb", redact=False) as store:
        store.upsert([ticket("T-1", body="I am jane.doe@example.com")], "a.jsonl")
        assert store.tickets()[0].body == "I am jane.doe@example.com"


def test_sentiment_is_filled_from_the_policy_anger_score_unless_given(history: HistoryStore) -> None:
    angry = "This is UNACCEPTABLE!!! Third time the export is broken, I'm cancelling my subscription."
    history.upsert([ticket("T-1", body=angry), ticket("T-2", body="Thanks, how do I export to CSV?"),
                    ticket("T-3", body=angry, sentiment=0.5)], "a.jsonl")
    stored = {t.id: t.sentiment for t in history.tickets()}
    anger = assess_ticket(angry, "pro", PolicySettings()).sentiment
    assert anger > 0.5
    assert stored == {"T-1": -round(anger, 4), "T-2": 0.0, "T-3": 0.5}
    assert stored_rows_of(history, "SELECT id, sentiment_computed FROM tickets ORDER BY id") == [
        ("T-1", True), ("T-2", True), ("T-3", False)]


def test_a_failure_part_way_leaves_the_history_as_it_was(history: HistoryStore, monkeypatch: pytest.MonkeyPatch) -> None:
    history.upsert([ticket("T-1", category="billing")], "first.jsonl")
    before = history.fingerprint()
    real_row_json = store_module._row_json

    def failing(ticket: Ticket, *args: Any) -> str:
        if ticket.id == "T-9":
            raise OSError("disk full")
        return real_row_json(ticket, *args)

    monkeypatch.setattr(store_module, "_row_json", failing)
    with pytest.raises(StateError, match=r"history.duckdb: cannot write the ticket history, nothing was changed: "
                                         r"disk full"):
        history.upsert_batches([("a.jsonl", [ticket("T-1", category="technical"), ticket("T-2")]),
                                ("b.jsonl", [ticket("T-9")])])  # the first file was written before this fails
    assert history.fingerprint() == before
    assert [(t.id, t.category) for t in history.tickets()] == [("T-1", "billing")]
    assert list(history.path.parent.glob(".kbops-history-import-*")) == []  # no staging file left behind
    monkeypatch.undo()
    assert history.upsert([ticket("T-2")], "a.jsonl") == UpsertCounts(added=1)  # still writable


def test_quotes_newlines_and_any_script_in_text_and_names_are_stored(tmp_path: Path) -> None:
    odd = tmp_path / "it's [odd]" / "history.duckdb"  # a quote, and a glob pattern to DuckDB
    body = "Won't 'export'\n\"quoted\" \\ back\tslash, 日本語, émoji 🙂, RTL \u202e"
    with HistoryStore.open(odd) as store:
        store.upsert([ticket("T-1", body=body)], "it's a file.jsonl")
        assert store.tickets()[0].body == body


def test_large_imports_are_prepared_in_worker_processes_with_the_same_result(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tickets = [ticket(f"T-{n}", body=f"Ticket {n}: mail me at user{n}@example.com, this is RIDICULOUS!!!")
               for n in range(40)]
    with HistoryStore.open(tmp_path / "serial.duckdb") as serial:
        serial.upsert(tickets, "a.jsonl")
        expected = serial.tickets()
    pools: list[int | None] = []

    class CountedPool(ProcessPoolExecutor):
        def __init__(self, max_workers: int | None = None, **options: Any) -> None:
            pools.append(max_workers)
            super().__init__(max_workers, **options)

    monkeypatch.setattr("kbops.history.prepare.PARALLEL_FROM", 10)
    monkeypatch.setattr("kbops.history.prepare.CHUNK", 7)
    monkeypatch.setattr("kbops.history.prepare.os.cpu_count", lambda: 2)
    monkeypatch.setattr("kbops.history.prepare.ProcessPoolExecutor", CountedPool)
    with HistoryStore.open(tmp_path / "parallel.duckdb") as parallel:
        parallel.upsert(tickets, "a.jsonl")
        assert parallel.tickets() == expected
    assert pools == [2]
    assert {t.id: t.body for t in expected}["T-3"] == "Ticket 3: mail me at [EMAIL], this is RIDICULOUS!!!"
    assert all(t.sentiment is not None and t.sentiment < 0 for t in expected)
