"""`kbops triage`, end to end: a history imported into a real DuckDB file, a category model
fitted on it and cached, duplicates and revenue from the history, a webhook receiver on
127.0.0.1, Claude through the real SDK against the local Messages API stub, and the exit
codes of bad input."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import run_kbops
from tests.messages_stub import MessagesStub, tool_use
from tests.triage.webhook import webhook_receiver

T0 = datetime(2026, 11, 20, 9, tzinfo=UTC)
LABELLED = {
    "billing": ["I was charged twice this month", "Where can I download my invoice?", "My card payment failed",
                "Can I switch to yearly billing?", "The invoice shows the wrong VAT number", "Refund for the unused seats"],
    "technical": ["How do I connect the Slack integration?", "The CSV export gives an empty file",
                  "How do I import tasks from Trello?", "Where do I set the default project view?",
                  "Calendar sync with Google stopped updating", "How do I set up SAML single sign-on?"],
    "bug report": ["The app crashes when I open a project", "Dashboard is down: nobody on our team can log in",
                   "Tasks disappeared from the board after the update", "Error 500 when saving a comment",
                   "Attachments fail to upload since yesterday", "Notifications arrive twice for every change"],
    "Sales lead": ["We are 400 people, can we get a quote?"],
}
OUTAGE = "Our dashboard is down, nobody on the team can log in"


def ticket_line(ticket_id: str, body: str, at: datetime, **fields: object) -> str:
    return json.dumps({"id": ticket_id, "created_at": at.isoformat(), "body": body, **fields})


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "kb").mkdir()
    (tmp_path / "kbops.toml").write_text(
        '[kb]\npath = "kb"\n\n[[triage.routes]]\nseverity = "P1"\ntier = "enterprise"\n'
        'queue = "enterprise-oncall"\nsla_hours = 0.5\n')
    lines = [ticket_line(f"H-{label[:3]}-{n}", body, T0 - timedelta(days=3, hours=n), category=label,
                         status="resolved_by_specialist", resolved_at=(T0 - timedelta(days=2)).isoformat())
             for label, bodies in LABELLED.items() for n, body in enumerate(bodies)]
    lines.append(ticket_line("H-open", "The dashboard is down and nobody can log in", T0 - timedelta(hours=2),
                             customer={"id": "acme", "tier": "enterprise", "monthly_revenue": 6000}, status="open"))
    (tmp_path / "history.jsonl").write_text("\n".join(lines) + "\n")
    imported = run_kbops("tickets", "import", "history.jsonl", cwd=tmp_path)
    assert imported.returncode == 0, imported.stderr
    return tmp_path


def test_a_ticket_file_is_triaged_against_the_history_and_p1_reaches_the_webhook(project: Path) -> None:
    incoming = [
        ticket_line("N-1", OUTAGE, T0, customer={"id": "acme", "tier": "enterprise"}),
        ticket_line("N-2", "Can I get a copy of my October invoice?", T0 + timedelta(minutes=1)),
        ticket_line("N-3", OUTAGE + " since nine", T0 + timedelta(minutes=5), customer={"id": "beta", "tier": "pro"}),
        json.dumps({"id": "N-4", "created_at": T0.isoformat()}),
    ]
    (project / "incoming.jsonl").write_text("\n".join(incoming) + "\n")
    with webhook_receiver() as receiver:
        with (project / "kbops.toml").open("a") as config:
            config.write(f'\n[triage]\nnotify_webhook = "{receiver.url}"\n')
        done = run_kbops("triage", "incoming.jsonl", "--json", cwd=project)
    assert done.returncode == 2, done.stderr  # one record could not be read; the rest were triaged
    assert "incoming.jsonl:4 (ticket N-4)" in done.stderr
    assert "'Sales lead' (1)" in done.stderr  # a history label outside the taxonomy is ignored, with a note
    outage, invoice, same_outage = json.loads(done.stdout)
    for result in (outage, invoice, same_outage):
        assert {"category", "severity", "severity_reasons", "queue", "sla_due", "duplicates"} <= set(result)
        assert result["category_source"] == "fitted"
    assert (outage["category"], invoice["category"]) == ("bug report", "billing")
    assert (outage["severity"], outage["queue"], outage["sla_due"]) == ("P1", "enterprise-oncall", "2026-11-20T09:30:00+00:00")
    assert "monthly revenue 6,000 >= 5,000 (+2)" in outage["severity_reasons"]  # the account's revenue, from the history
    assert outage["duplicates"] == ["H-open"]
    assert set(same_outage["duplicates"]) == {"H-open", "N-1"}
    assert same_outage["duplicate_group"] == outage["duplicate_group"] == "H-open"
    assert (invoice["severity"], invoice["queue"], invoice["duplicates"]) == ("P4", "billing", [])
    assert [posted["id"] for posted in receiver.received] == ["N-1"]
    assert outage["notified"] is True
    assert len(list((project / ".kbops" / "triage").glob("classifier-*.json"))) == 1


def test_tickets_older_than_the_newest_history_ticket_are_triaged_against_their_past(project: Path) -> None:
    """Re-triaging old tickets (one already in the history) once newer ones were imported."""
    bug_report_at = T0 - timedelta(days=3, hours=1)  # "H-bug-1": "Dashboard is down: nobody ... can log in"
    incoming = [ticket_line("LATER", OUTAGE, bug_report_at + timedelta(hours=2)),
                ticket_line("H-open", "The dashboard is down and nobody can log in", T0 - timedelta(hours=2)),
                ticket_line("SAME-SECOND", OUTAGE, bug_report_at)]
    (project / "old.jsonl").write_text("\n".join(incoming) + "\n")
    done = run_kbops("triage", "old.jsonl", "--json", "--no-notify", cwd=project)
    assert done.returncode == 0, done.stderr
    later, reopened, same_second = json.loads(done.stdout)
    assert same_second["duplicates"] == []  # H-bug-1 was created at that second, not before it
    assert set(later["duplicates"]) == {"H-bug-1", "SAME-SECOND"}  # not H-open: it came 3 days later
    assert reopened["duplicates"] == ["SAME-SECOND", "LATER"]  # never itself; H-bug-1 was resolved by then
    assert reopened["duplicate_group"] == same_second["duplicate_group"] == "SAME-SECOND"


def test_the_text_form_reads_the_account_from_the_history_and_no_notify_sends_nothing(project: Path) -> None:
    with webhook_receiver() as receiver:
        with (project / "kbops.toml").open("a") as config:
            config.write(f'\n[triage]\nnotify_webhook = "{receiver.url}"\n')
        done = run_kbops("triage", OUTAGE, "--account", "acme", "--at", "2026-11-20T09:00:00Z", "--no-notify",
                         "--json", cwd=project)
        table = run_kbops("triage", "Please add a dark mode", "--at", "2026-11-20T10:00:00+01:00", cwd=project)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert (result["tier"], result["monthly_revenue"], result["severity"]) == ("enterprise", 6000, "P1")
    assert result["duplicates"] == ["H-open"]
    assert result["notified"] is False
    assert receiver.received == []
    assert table.returncode == 0, table.stderr
    assert "P4" in table.stdout and "11-20 09:00" not in table.stdout  # due 72 h after 09:00 UTC
    assert "11-23 09:00" in table.stdout


def test_claude_chooses_the_category_and_a_reply_outside_the_taxonomy_falls_back(project: Path,
                                                                                stub: MessagesStub) -> None:
    with (project / "kbops.toml").open("a") as config:
        config.write(f'\n[triage]\nbackend = "claude"\n\n[claude]\nbase_url = "{stub.base_url}"\nmax_retries = 0\n')
    stub.queue(tool_use({"category": "billing", "confidence": 0.7}, name="choose_category"),
               tool_use({"category": "enterprise-oncall", "confidence": 1.0}, name="choose_category"))
    incoming = [ticket_line("C-1", "Refund me now, mail jo@example.com", T0),
                ticket_line("C-2", OUTAGE, T0 + timedelta(minutes=1))]
    (project / "incoming.jsonl").write_text("\n".join(incoming) + "\n")
    done = run_kbops("triage", "incoming.jsonl", "--json", cwd=project, env={"ANTHROPIC_API_KEY": "sk-ant-test"})
    assert done.returncode == 0, done.stderr
    first, second = json.loads(done.stdout)
    assert (first["category"], first["category_source"], first["category_confidence"]) == ("billing", "claude", 0.7)
    assert (second["category"], second["category_source"]) == ("bug report", "fitted")
    assert "not in triage.taxonomy" in done.stderr
    assert "jo@example.com" not in json.dumps(stub.requests[0].json)


@pytest.mark.parametrize(("args", "message"), [
    (("", "--json"), "the ticket text is empty"),
    (("help", "--at", "yesterday"), "not an ISO 8601 time"),
    (("missing.jsonl",), "no such ticket file"),
])
def test_bad_input_exits_2_and_says_why(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    (tmp_path / "kbops.toml").write_text('[kb]\npath = "kb"\n')
    done = run_kbops("triage", *args, cwd=tmp_path)
    assert done.returncode == 2
    assert message in done.stderr
    assert done.stdout == ""
