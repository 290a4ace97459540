"""Opening the history file: a versioned schema (migrated when older, refused when newer),
a damaged file set aside, a file another process is writing named in one clean line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from kbops.errors import StateError
from kbops.history import store as store_module
from kbops.history.schema import SCHEMA_VERSION, TICKET_COLUMNS
from kbops.history.store import HistoryStore
from kbops.tickets.model import Ticket
from tests.conftest import REPO

ONE = Ticket.model_validate({"id": "T-1", "created_at": "2026-09-02T09:00:00Z", "body": "Hello"})


def meta(path: Path) -> list[tuple[str, str]]:
    with duckdb.connect(str(path), read_only=True) as connection:
        return connection.execute("SELECT key, value FROM meta").fetchall()


def test_a_new_history_records_its_schema_version_and_every_documented_column(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "folder" / "history.duckdb"
    HistoryStore.open(path).close()
    assert meta(path) == [("schema_version", str(SCHEMA_VERSION))]
    with duckdb.connect(str(path), read_only=True) as connection:
        columns = [row[0] for row in connection.execute("DESCRIBE tickets").fetchall()]
    assert columns == [column.name for column in TICKET_COLUMNS]
    documented = (REPO / "docs" / "history.md").read_text()
    for column in TICKET_COLUMNS:
        assert f"| `{column.name}` | `{column.type}` |" in documented, f"docs/history.md lacks column {column.name}"
    assert f"schema version {SCHEMA_VERSION}" in documented.lower()


def test_an_older_history_is_migrated_in_place_keeping_its_tickets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "history.duckdb"
    with HistoryStore.open(path) as store:
        store.upsert([ONE], "a.jsonl")
    monkeypatch.setattr(store_module, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    monkeypatch.setattr(store_module, "MIGRATIONS", {SCHEMA_VERSION: ("ALTER TABLE tickets ADD COLUMN queue VARCHAR",)})
    with HistoryStore.open(path, read_only=True) as store:  # read-only opens migrate too, then read
        assert [t.id for t in store.tickets()] == ["T-1"]
    assert meta(path) == [("schema_version", str(SCHEMA_VERSION + 1))]
    with duckdb.connect(str(path), read_only=True) as connection:
        assert "queue" in [row[0] for row in connection.execute("DESCRIBE tickets").fetchall()]


def test_a_failed_migration_leaves_the_file_at_its_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "history.duckdb"
    HistoryStore.open(path).close()
    now, up, past = SCHEMA_VERSION, SCHEMA_VERSION + 1, SCHEMA_VERSION + 2
    monkeypatch.setattr(store_module, "SCHEMA_VERSION", past)
    monkeypatch.setattr(store_module, "MIGRATIONS", {now: ("ALTER TABLE tickets ADD COLUMN queue VARCHAR",)})
    with pytest.raises(StateError, match=rf"history.duckdb: no migration from ticket history schema version {up}"):
        HistoryStore.open(path)
    monkeypatch.setattr(store_module, "MIGRATIONS", {now: ("ALTER TABLE tickets ADD COLUMN queue VARCHAR",),
                                                     up: ("ALTER TABLE no_such_table ADD COLUMN x INT",)})
    with pytest.raises(StateError, match=rf"history.duckdb: cannot migrate the ticket history from schema version {now} "
                                         rf"to {past}, left it at {now}: Catalog Error: .*no_such_table"):
        HistoryStore.open(path)
    assert meta(path) == [("schema_version", str(now))]
    with duckdb.connect(str(path), read_only=True) as connection:
        assert "queue" not in [row[0] for row in connection.execute("DESCRIBE tickets").fetchall()]


def test_a_history_from_a_newer_kbops_is_refused_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "history.duckdb"
    HistoryStore.open(path).close()
    with duckdb.connect(str(path)) as connection:
        connection.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(StateError, match=r"history.duckdb: ticket history schema version 99 is newer than this "
                                         rf"kbops reads \({SCHEMA_VERSION}\); upgrade kbops"):
        HistoryStore.open(path)


def test_another_duckdb_database_is_not_taken_for_a_history(tmp_path: Path) -> None:
    path = tmp_path / "analytics.duckdb"
    with duckdb.connect(str(path)) as connection:
        connection.execute("CREATE TABLE revenue (month DATE, amount DOUBLE)")
    with pytest.raises(StateError, match=r"analytics.duckdb: a DuckDB database, but not a kbops ticket history"):
        HistoryStore.open(path)
    with duckdb.connect(str(path), read_only=True) as connection:  # left as it was
        assert connection.execute("SELECT count(*) FROM duckdb_tables()").fetchone() == (1,)


def test_a_damaged_file_is_set_aside_and_the_history_starts_empty(tmp_path: Path) -> None:
    path = tmp_path / "history.duckdb"
    path.write_bytes(b"\x00garbage, not a database" * 200)
    path.with_name("history.duckdb.wal").write_bytes(b"stale log")
    messages: list[str] = []
    with HistoryStore.open(path, notify=messages.append) as store:
        assert store.count() == 0
        store.upsert([ONE], "a.jsonl")
        assert store.count() == 1
    assert (tmp_path / "history.duckdb.corrupt").read_bytes().startswith(b"\x00garbage")
    assert (tmp_path / "history.duckdb.wal.corrupt").read_bytes() == b"stale log"
    assert "history.duckdb: is not a DuckDB database; moved it to history.duckdb.corrupt, starting an empty " \
           "history (import the ticket exports again)" in messages[0]


def test_a_history_another_process_is_writing_gives_one_clear_line(tmp_path: Path) -> None:
    path = tmp_path / "history.duckdb"
    HistoryStore.open(path).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import duckdb, sys; c = duckdb.connect({str(path)!r}); print('ready', flush=True); "
         "sys.stdin.read()"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        for read_only in (False, True):
            with pytest.raises(StateError, match=r"history.duckdb: the ticket history is in use by another process "
                                                 r"\(PID \d+, python[\d.]*\); wait for it to finish") as caught:
                HistoryStore.open(path, read_only=read_only)
            assert "\n" not in str(caught.value)
    finally:
        holder.kill()
        holder.wait()
    with HistoryStore.open(path) as store:  # free again
        assert store.count() == 0


def test_read_only_opening_creates_a_missing_history(tmp_path: Path) -> None:
    path = tmp_path / "history.duckdb"
    with HistoryStore.open(path, read_only=True) as store:
        assert store.count() == 0
        with pytest.raises(StateError, match=r"cannot write the ticket history, nothing was changed: .*read-only"):
            store.upsert([ONE], "a.jsonl")
    assert meta(path) == [("schema_version", str(SCHEMA_VERSION))]


def test_a_closed_history_says_so(tmp_path: Path) -> None:
    store = HistoryStore.open(tmp_path / "history.duckdb")
    store.close()
    store.close()  # twice is fine
    with pytest.raises(StateError, match="the ticket history is closed"):
        store.count()


def test_a_version_1_history_gains_escalation_reasons_and_keeps_its_tickets(tmp_path: Path) -> None:
    path = tmp_path / "history.duckdb"
    with HistoryStore.open(path) as store:
        store.upsert([ONE], "a.jsonl")
    with duckdb.connect(str(path)) as connection:  # what kbops 0.1 with schema version 1 wrote
        connection.execute("ALTER TABLE tickets DROP COLUMN escalation_reasons")
        connection.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    escalated = Ticket.model_validate({"id": "T-2", "created_at": "2026-09-03T09:00:00Z", "body": "Refund me",
                                       "status": "escalated", "escalation_reasons": ["risk_topic:refund"]})
    with HistoryStore.open(path) as store:
        store.upsert([escalated], "b.jsonl")
        found = {t.id: t.escalation_reasons for t in store.tickets()}
    assert found == {"T-1": (), "T-2": ("risk_topic:refund",)}
    assert meta(path) == [("schema_version", str(SCHEMA_VERSION))]
