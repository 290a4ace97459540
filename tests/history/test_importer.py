"""Importing ticket files: every format through the readers `kbops eval` uses, one
transaction for all files, and the report `kbops tickets import --json` prints."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kbops.config import EvalSettings
from kbops.history.importer import import_ticket_files
from kbops.history.store import HistoryStore, UpsertCounts
from kbops.tickets.model import TicketError, TicketStatus
from tests.conftest import REPO

ZENDESK = REPO / "tests" / "fixtures" / "import" / "zendesk_export.json"


def test_mixed_formats_in_one_import_with_a_csv_mapping(tmp_path: Path) -> None:
    jsonl = tmp_path / "a.jsonl"
    jsonl.write_text(json.dumps({"id": "T-1", "created_at": "2026-09-01T08:00:00Z", "body": "Hello"}) + "\n")
    csv = tmp_path / "b.csv"
    csv.write_text("Ticket,Opened,Message,Plan,MRR\nC-1,2026-09-02 10:00:00,Invoice?,Enterprise,5000\n"
                   "C-2,,No date,free,\n")
    with HistoryStore.open(tmp_path / "h.duckdb") as store:
        report = import_ticket_files(store, [jsonl, csv, ZENDESK], EvalSettings(), columns={
            "id": "Ticket", "created_at": "Opened", "body": "Message", "customer_tier": "Plan",
            "customer_monthly_revenue": "MRR"}, display=lambda path: path.name)
        by_id = {t.id: t for t in store.tickets()}
    assert [(f.path, f.format, f.counts) for f in report.files] == [
        (str(jsonl), "jsonl", UpsertCounts(added=1)), (str(csv), "csv", UpsertCounts(added=1)),
        (str(ZENDESK), "zendesk", UpsertCounts(added=6))]
    assert [p.render() for p in report.problems][:1] == [
        f"{csv}:3 (ticket C-2): history needs created_at: column 'Opened' is empty"]
    assert by_id["C-1"].customer.monthly_revenue == 5000
    assert by_id["C-1"].created_at == datetime(2026, 9, 2, 10, tzinfo=UTC)
    assert by_id["ZD-35438"].status is TicketStatus.RESOLVED_BY_SPECIALIST and by_id["ZD-35438"].severity == "P2"
    assert report.to_json()["total"] == {"added": 8, "updated": 0, "unchanged": 0, "problems": 3}
    assert (report.history, report.tickets_in_history) == ("h.duckdb", 8)


def test_nothing_is_written_when_one_file_has_no_usable_record(tmp_path: Path) -> None:
    good, bad = tmp_path / "good.jsonl", tmp_path / "bad.jsonl"
    good.write_text(json.dumps({"id": "T-1", "created_at": "2026-09-01T08:00:00Z", "body": "Hello"}) + "\n")
    bad.write_text(json.dumps({"id": "T-2", "body": "Undated"}) + "\n")
    with HistoryStore.open(tmp_path / "h.duckdb") as store:
        with pytest.raises(TicketError, match=r"bad.jsonl: no usable tickets for the history: .*bad.jsonl:1 \(ticket "
                                              r"T-2\): history needs created_at") as caught:
            import_ticket_files(store, [good, bad], EvalSettings())
        assert caught.value.exit_code == 2
        assert store.count() == 0
        empty = tmp_path / "empty.jsonl"
        empty.write_text("")
        with pytest.raises(TicketError, match=r"empty.jsonl: no usable tickets for the history \(the file is empty\)"):
            import_ticket_files(store, [empty], EvalSettings())
