"""Urgent tickets notify a webhook (a real HTTP server on 127.0.0.1) and a command (a small
python script writing its stdin to a file); failures are warnings that block nothing."""

from __future__ import annotations

import json
import shlex
import sys
from datetime import UTC, datetime
from pathlib import Path

from kbops.config import Settings, TriageSettings
from kbops.index.embed import Embedder
from kbops.tickets.model import Customer, Ticket
from kbops.triage.notify import Notifier
from kbops.triage.triager import ListHistory, Triager
from tests.triage.webhook import closed_port_url, webhook_receiver

AT = datetime(2026, 11, 20, 9, tzinfo=UTC)
URGENT = Ticket(id="T-urgent", created_at=AT, customer=Customer(id="acme", tier="enterprise"),
                body="Our whole workspace is down, nobody can log in. Call me on +44 20 7946 0958 or jo@example.com")
ROUTINE = Ticket(id="T-routine", created_at=AT, body="How do I change the colour of a board?")


def copy_stdin_command(target: Path) -> str:
    script = f"import sys, pathlib; pathlib.Path({str(target)!r}).write_bytes(sys.stdin.buffer.read())"
    return shlex.join([sys.executable, "-c", script])


def triager(embedder: Embedder, warnings: list[str], **triage: object) -> Triager:
    settings = Settings(triage=TriageSettings(**triage))  # type: ignore[arg-type]
    triager = Triager(settings, embedder, ListHistory(), notify=warnings.append)
    triager.notifier = Notifier(settings.triage, warnings.append, sleep=lambda _: None)
    return triager


def test_a_p1_ticket_is_posted_and_piped_with_its_text_redacted(embedder: Embedder, tmp_path: Path) -> None:
    out = tmp_path / "paged.json"
    warnings: list[str] = []
    with webhook_receiver() as receiver:
        results = triager(embedder, warnings, notify_webhook=receiver.url,
                          notify_command=copy_stdin_command(out)).triage([URGENT, ROUTINE])
    assert [r.severity.level for r in results] == ["P1", "P4"]
    assert [r.notified for r in results] == [True, False]
    assert warnings == []
    assert len(receiver.received) == 1
    posted = receiver.received[0]
    piped = json.loads(out.read_text())
    assert posted == piped
    assert (posted["id"], posted["severity"], posted["queue"]) == ("T-urgent", "P1", "bug report")
    assert "whole workspace is down" in posted["text"]
    assert "jo@example.com" not in posted["text"] and "7946" not in posted["text"]


def test_a_failing_receiver_is_retried_once_then_a_warning(embedder: Embedder) -> None:
    warnings: list[str] = []
    with webhook_receiver() as receiver:
        receiver.statuses.extend([503, 503])
        first, second = triager(embedder, warnings, notify_webhook=receiver.url).triage(
            [URGENT, URGENT.model_copy(update={"id": "T-urgent-2"})])
    assert len(receiver.received) == 3  # two attempts for the first ticket, one for the second
    assert (first.notified, second.notified) == (False, True)
    assert warnings == ["triage: could not notify about ticket T-urgent by webhook: HTTP 503"]


def test_an_unreachable_webhook_and_a_broken_command_block_no_ticket(embedder: Embedder, tmp_path: Path) -> None:
    warnings: list[str] = []
    failing = shlex.join([sys.executable, "-c", "import sys; sys.exit('pager is down')"])
    results = triager(embedder, warnings, notify_webhook=closed_port_url(), notify_command=failing).triage(
        [URGENT, ROUTINE, URGENT.model_copy(update={"id": "T-urgent-2"})])
    assert [r.ticket.id for r in results] == ["T-urgent", "T-routine", "T-urgent-2"]
    assert [r.notified for r in results] == [False, False, False]
    assert len(warnings) == 4
    assert "by webhook: ConnectionRefusedError" in warnings[0]
    assert warnings[1] == "triage: could not notify about ticket T-urgent by command: exited 1: pager is down"


def test_only_configured_severities_notify_and_no_notify_sends_nothing(embedder: Embedder, tmp_path: Path) -> None:
    out = tmp_path / "paged.json"
    warnings: list[str] = []
    quiet = triager(embedder, warnings, notify_command=copy_stdin_command(out), notify_severities=("P4",))
    assert [r.notified for r in quiet.triage([URGENT, ROUTINE])] == [False, True]
    assert json.loads(out.read_text())["id"] == "T-routine"
    out.unlink()
    assert [r.notified for r in quiet.triage([ROUTINE], send=False)] == [False]
    assert not out.exists()


def test_a_command_is_run_without_a_shell(tmp_path: Path) -> None:
    marker = tmp_path / "injected"
    notifier = Notifier(TriageSettings(notify_command=f"{shlex.quote(sys.executable)} -c pass ; touch {marker}"))
    delivery = notifier.send({"id": "T-1"})
    assert not marker.exists()
    assert delivery.channels == ("command",)  # `;` and `touch` were arguments of python, never a shell's
