"""`kbops handoff` end to end: the demo KB indexed, a ticket history imported into a real
DuckDB file, a note for each receiving function, its JSON, a team's template, and the
exit codes of an unknown ticket or a broken template."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import run_kbops
from tests.factories import demo_kb

T0 = datetime(2026, 11, 20, 9, tzinfo=UTC)
EMAIL, IP = "jane.doe@example.com", "198.51.100.23"
BUG = (f"Saving a task fails with HTTP 502 and the message 'Could not save task' on Chrome 131 from {IP}. "
       f"I already cleared the cache and restarted. We are 40 seats and want to upgrade to Business. Mail {EMAIL}.")
JSON_KEYS = {"version", "ticket_id", "to", "problem", "steps_tried", "diagnostics", "affected_accounts", "customer",
             "next_step", "articles", "markdown"}


def line(ticket_id: str, body: str, hours_before: float, account: str, **fields: object) -> str:
    return json.dumps({"id": ticket_id, "created_at": (T0 - timedelta(hours=hours_before)).isoformat(), "body": body,
                       "customer": {"id": account, "tier": "business", "monthly_revenue": 900}, "category": "bug report",
                       "status": "escalated", **fields})


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = demo_kb(tmp_path_factory.mktemp("handoff"))
    history = [
        line("T-9", BUG, 0, "acme", subject="Cannot save tasks", sentiment=-0.6),
        line("T-8", "Saving a task fails with HTTP 502, the message says 'Could not save task'.", 20, "globex"),
        line("T-7", "Saving a task fails with HTTP 502 and the message 'Could not save task' on Chrome.", 30, "acme",
             csat=2),
        line("T-6", "Where can I download my October invoice?", 40, "initech", status="resolved_by_agent"),
    ]
    (root / "history.jsonl").write_text("\n".join(history) + "\n")
    imported = run_kbops("tickets", "import", "history.jsonl", cwd=root)
    assert imported.returncode == 0, imported.stderr
    return root


@pytest.mark.parametrize(("to", "heading", "says"), [
    ("engineering", "## Hand-off to Engineering: `T-9`", "- HTTP status: `502`"),
    ("success", "## Hand-off to Customer Success: `T-9`", "- Tickets in the last 14 days: 2, 2 went to a person"),
    ("sales", "## Hand-off to Sales: `T-9`", "- Seats: 40"),
])
def test_a_note_for_each_function(project: Path, to: str, heading: str, says: str) -> None:
    done = run_kbops("handoff", "T-9", "--to", to, "--json", cwd=project)
    assert done.returncode == 0, done.stderr
    note = json.loads(done.stdout)
    assert JSON_KEYS <= set(note) and (note["ticket_id"], note["to"]) == ("T-9", to)
    assert note["markdown"].startswith(heading) and says in note["markdown"]
    assert "**Recommended next step:**" in note["markdown"]
    assert EMAIL not in done.stdout and IP not in done.stdout
    assert note["steps_tried"] == ["I already cleared the cache and restarted."]
    assert [(a["account_id"], a["tickets"]) for a in note["affected_accounts"]] == [("acme", 2), ("globex", 1)]
    assert note["customer"]["csat"] == [2.0] and note["customer"]["seats"] == 40
    if to == "engineering":
        assert note["diagnostics"]["http_statuses"] == ["502"]
        assert note["next_step"].startswith("Reproduce on Chrome 131")


def test_a_ticket_from_a_file_and_unknown_ids(project: Path) -> None:
    incoming = project / "incoming.jsonl"
    incoming.write_text(line("N-1", "The Slack integration stopped posting. We want more seats soon.", -1, "acme") + "\n")
    done = run_kbops("handoff", "N-1", "--to", "sales", "--tickets", "incoming.jsonl", "-o", "note.md", cwd=project)
    assert done.returncode == 0, done.stderr
    assert "wrote note.md" in done.stderr
    assert "Signals in the wording: `more seats`" in (project / "note.md").read_text()
    missing = run_kbops("handoff", "T-404", "--to", "sales", cwd=project)
    assert missing.returncode == 2
    assert "no ticket 'T-404' in the ticket history .kbops/history.duckdb (4 tickets)" in missing.stderr
    missing = run_kbops("handoff", "T-9", "--to", "sales", "--tickets", "incoming.jsonl", cwd=project)
    assert missing.returncode == 2 and "no ticket 'T-9' in incoming.jsonl" in missing.stderr
    wrong = run_kbops("handoff", "T-9", "--to", "legal", cwd=project)
    assert wrong.returncode == 2 and "choose engineering, success or sales" in wrong.stderr


def test_a_team_template_and_a_broken_one(project: Path) -> None:
    folder = project / "handoffs"
    folder.mkdir()
    try:
        (folder / "success.md.j2").write_text("CS note {{ ticket.id }}: {{ customer.sentiment_trend }}\n")
        done = run_kbops("handoff", "T-9", "--to", "success", cwd=project)
        assert (done.returncode, done.stdout) == (0, "CS note `T-9`: unknown\n"), done.stderr
        (folder / "success.md.j2").write_text("CS note\n{{ ticket.id }\n")
        broken = run_kbops("handoff", "T-9", "--to", "success", cwd=project)
        assert broken.returncode == 2
        assert "handoffs/success.md.j2:2: template syntax error" in broken.stderr
    finally:
        for template in folder.iterdir():
            template.unlink()
        folder.rmdir()
