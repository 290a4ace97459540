"""`kbops tickets import`, end to end in a copy of the demo project: JSONL and CSV exports
into the DuckDB history, upserts that change nothing the second time, bad records listed
as file:line and skipped, and exit codes a script can rely on."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from tests.conftest import REPO, run_kbops
from tests.factories import project_copy

HELPDESK_CSV = REPO / "tests" / "fixtures" / "import" / "helpdesk_export.csv"
CSV_MAP = ("--map", "id=Ticket ID", "--map", "created_at=Opened", "--map", "customer.id=Account",
           "--map", "customer_tier=Plan", "--map", "body=Customer message", "--map", "resolution=Agent answer")
DEMO_TICKETS = 67


@pytest.fixture
def project(tmp_path: Path) -> Path:
    project = project_copy(tmp_path)
    (project / "exports").mkdir()
    (project / "exports" / "helpdesk.csv").write_bytes(HELPDESK_CSV.read_bytes())
    return project


def history_rows(project: Path, sql: str, path: str = ".kbops/history.duckdb") -> list[tuple[object, ...]]:
    with duckdb.connect(str(project / path), read_only=True) as connection:
        return connection.execute(sql).fetchall()


def test_import_jsonl_and_csv_then_again_changes_nothing(project: Path) -> None:
    first = run_kbops("tickets", "import", "evals/tickets.jsonl", "exports/helpdesk.csv", *CSV_MAP, cwd=project)
    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines() == [
        f"evals/tickets.jsonl (read as jsonl): {DEMO_TICKETS} added, 0 updated, 0 unchanged, 0 skipped",
        "exports/helpdesk.csv (read as csv): 4 added, 0 updated, 0 unchanged, 4 skipped",
        f".kbops/history.duckdb: {DEMO_TICKETS + 4} tickets in the history",
    ]
    assert "exports/helpdesk.csv:11 (ticket HD-507): column 'Plan': Input should be" in first.stderr
    assert "Traceback" not in first.stderr
    assert history_rows(project, "SELECT source, count(*) FROM tickets GROUP BY 1 ORDER BY 1") == [
        ("evals/tickets.jsonl", DEMO_TICKETS), ("exports/helpdesk.csv", 4)]

    again = run_kbops("tickets", "import", "evals/tickets.jsonl", "exports/helpdesk.csv", *CSV_MAP, "--json",
                      cwd=project)
    assert again.returncode == 0, again.stderr
    report = json.loads(again.stdout)
    assert set(report) == {"version", "files", "total", "history", "tickets_in_history"}
    assert report["total"] == {"added": 0, "updated": 0, "unchanged": DEMO_TICKETS + 4, "problems": 4}
    assert (report["history"], report["tickets_in_history"]) == (".kbops/history.duckdb", DEMO_TICKETS + 4)
    jsonl, csv = report["files"]
    assert (jsonl["path"], jsonl["format"], jsonl["unchanged"], jsonl["problems"]) == (
        "evals/tickets.jsonl", "jsonl", DEMO_TICKETS, [])
    assert [(p["source"], p["line"], p["ticket_id"]) for p in csv["problems"]] == [
        ("exports/helpdesk.csv", 7, "HD-503"), ("exports/helpdesk.csv", 8, "HD-501"),
        ("exports/helpdesk.csv", 10, "HD-506"), ("exports/helpdesk.csv", 11, "HD-507")]


def test_a_changed_status_updates_and_bad_records_are_skipped_with_their_line(project: Path) -> None:
    tickets = project / "week.jsonl"
    records = [{"id": "W-1", "created_at": "2026-11-16T09:00:00Z", "body": "Export is broken", "status": "escalated"},
               {"id": "W-2", "created_at": "2026-11-16T10:00:00Z", "body": "Invoice question"}]
    tickets.write_text("".join(json.dumps(record) + "\n" for record in records))
    assert run_kbops("tickets", "import", "week.jsonl", cwd=project).returncode == 0

    records[0]["status"] = "resolved_by_specialist"
    lines = [json.dumps(record) for record in records]
    lines += ['{"id": "W-3", "body": "no time"}', "not json", json.dumps({"id": "W-4", "created_at": "2026-11-17T08:00:00Z",
                                                                        "body": "Mail jane.doe@example.com"})]
    tickets.write_text("\n".join(lines) + "\n")
    result = run_kbops("tickets", "import", "week.jsonl", "--json", cwd=project)
    assert result.returncode == 0, result.stderr
    (file,) = json.loads(result.stdout)["files"]
    assert (file["added"], file["updated"], file["unchanged"]) == (1, 1, 1)
    assert result.stderr.splitlines() == [
        "week.jsonl:3 (ticket W-3): history needs created_at: add the ISO 8601 time the ticket was opened",
        "week.jsonl:4: not valid JSON: Expecting value (column 1)",
    ]
    assert history_rows(project, "SELECT id, status, body FROM tickets ORDER BY id") == [
        ("W-1", "resolved_by_specialist", "Export is broken"), ("W-2", None, "Invoice question"),
        ("W-4", None, "Mail [EMAIL]")]


def test_a_file_without_a_usable_record_exits_2_and_imports_nothing(project: Path) -> None:
    undated = project / "undated.jsonl"
    undated.write_text(json.dumps({"id": "U-1", "body": "no created_at"}) + "\n")
    result = run_kbops("tickets", "import", "evals/tickets.jsonl", "undated.jsonl", cwd=project)
    assert result.returncode == 2
    assert result.stdout == ""
    assert ("error: undated.jsonl: no usable tickets for the history: undated.jsonl:1 (ticket U-1): history needs "
            "created_at") in " ".join(result.stderr.split())
    assert history_rows(project, "SELECT count(*) FROM tickets") == [(0,)]  # the good file was not imported either
    missing = run_kbops("tickets", "import", "nowhere.jsonl", cwd=project)
    assert missing.returncode == 2
    assert "error: nowhere.jsonl: ticket file not found" in missing.stderr


def test_configured_path_and_a_history_in_use_is_one_clean_line(project: Path) -> None:
    config = project / "kbops.toml"
    text = config.read_text()
    assert 'path = ".kbops/history.duckdb"' in text  # the demo's [history] section
    config.write_text(text.replace('path = ".kbops/history.duckdb"', 'path = "data/tickets.duckdb"'))
    assert run_kbops("tickets", "import", "evals/tickets.jsonl", cwd=project).returncode == 0
    assert history_rows(project, "SELECT count(*) FROM tickets", "data/tickets.duckdb") == [(DEMO_TICKETS,)]
    assert not (project / ".kbops" / "history.duckdb").exists()
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys; c = duckdb.connect(sys.argv[1]); print('ready', flush=True); "
         "sys.stdin.read()", str(project / "data" / "tickets.duckdb")],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        result = run_kbops("tickets", "import", "evals/tickets.jsonl", cwd=project)
    finally:
        holder.kill()
        holder.wait()
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    message = " ".join(result.stderr.split())
    assert message.startswith("error: data/tickets.duckdb: the ticket history is in use by another process (PID ")
    assert message.endswith("wait for it to finish and run the command again")
