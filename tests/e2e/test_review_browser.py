"""`kbops review serve` in real headless Chromium: a tmp project with a small ticket history
imported into DuckDB, the server started as a subprocess on a free port, two tickets graded
by keyboard only (verdict key, `e`, a note, Enter), and the review log checked: exactly the
two verdicts, with their notes, and no request leaving 127.0.0.1."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.browser import chromium_page, keep_screenshot, require_chromium
from tests.conftest import KBOPS, run_kbops
from tests.factories import article_text, kb_project

pytestmark = [pytest.mark.browser, pytest.mark.server]

WEEK = "2026-W46"
MONDAY = datetime(2026, 11, 9, 9, tzinfo=UTC)
NOTES = {"answer": "Needs 2 steps, not 1: see the export article (press n? no)",
         "escalate": "A refund needs a person; quick 5 minute check"}
VERDICT_KEY = {"answer": ("2", "incorrect"), "escalate": ("5", "correctly_escalated")}


def history_line(ticket_id: str, day: int, body: str, **fields: object) -> str:
    at = MONDAY + timedelta(days=day)
    return json.dumps({"id": ticket_id, "created_at": at.isoformat(), "resolved_at": (at + timedelta(hours=1)).isoformat(),
                       "subject": body[:40], "body": body, "customer": {"id": f"acct-{ticket_id}", "tier": "pro"},
                       **fields})


@pytest.fixture
def project(tmp_path: Path) -> Path:
    require_chromium()
    root = kb_project(tmp_path / "project",
                      article_text("export-csv", "Exports.\n\n## Export to CSV\n\nOpen Settings, then Export.\n",
                                   title="Export tasks to CSV"),
                      article_text("refunds", title="Refunds", category="billing"))
    lines = [
        history_line("R-1", 0, "How do I export my tasks to a CSV file?", category="technical",
                     status="resolved_by_agent", agent_confidence=0.52, cited_article_ids=["export-csv"],
                     resolution="Open Settings, then Export, and pick CSV."),
        history_line("R-2", 1, "<b>Refund</b> the seats we did not use <script>alert(1)</script>", category="billing",
                     status="escalated", agent_confidence=0.3, cited_article_ids=["refunds"],
                     escalation_reasons=["risk_topic:refund"]),
        history_line("R-3", 2, "Where do I change the CSV delimiter?", category="technical",
                     status="resolved_by_agent", agent_confidence=0.58, cited_article_ids=["export-csv", "gone"],
                     resolution="Use the delimiter menu in Export."),
    ]
    (root / "history.jsonl").write_text("\n".join(lines) + "\n")
    done = run_kbops("tickets", "import", "history.jsonl", cwd=root)
    assert done.returncode == 0, done.stderr
    return root


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def review_server(project: Path) -> Iterator[str]:
    """`kbops review serve` as a subprocess; stopped by its process id at the end."""
    port = free_port()
    log = project / "serve.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [str(KBOPS), "review", "serve", "--week", WEEK, "--size", "3", "--port", str(port),
             "--reviewer", "Sam Tester"], cwd=project, stdout=output, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while f"127.0.0.1:{port}" not in log.read_text():
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        while True:  # printed once bound; wait until it accepts
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert process.poll() is None and time.monotonic() < deadline, log.read_text()
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/"
    finally:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def grade_by_keyboard(page, action: str) -> None:  # noqa: ANN001 (Playwright page)
    key, _ = VERDICT_KEY[action]
    page.keyboard.press(key)
    assert page.locator(f'input[name="verdict"][data-key="{key}"]').is_checked()
    page.keyboard.press("e")
    assert page.evaluate("document.activeElement.id") == "note"
    page.keyboard.type(NOTES[action])  # digits, n and p in the note must not act as shortcuts
    assert page.locator(f'input[name="verdict"][data-key="{key}"]').is_checked()
    assert page.locator("#note").input_value() == NOTES[action]
    page.keyboard.press("Enter")


def grade(page, graded: dict[str, str]) -> None:  # noqa: ANN001 (Playwright page)
    form = page.locator("#verdict-form")
    ticket_id, action = form.get_attribute("data-ticket"), form.get_attribute("data-action")
    assert ticket_id and action
    grade_by_keyboard(page, action)
    graded[ticket_id] = action


def test_grading_two_tickets_by_keyboard_lands_in_the_review_log(project: Path, tmp_path: Path) -> None:
    shot = tmp_path / "review.png"
    with review_server(project) as base, chromium_page(tmp_path / "profile", width=1280, height=900) as page:
        requests: list[str] = []
        errors: list[str] = []
        page.on("request", lambda request: requests.append(request.url))
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))

        page.goto(base)
        assert page.locator("#progress").inner_text() == "0 of 3 graded"
        assert page.locator("table.queue tbody tr").count() == 3
        page.keyboard.press("n")  # the queue's "next": the first ungraded ticket
        page.wait_for_url(f"{base}items/1")

        page.keyboard.press("?")
        assert page.locator("#keys").is_visible()
        page.keyboard.press("?")
        assert not page.locator("#keys").is_visible()

        graded: dict[str, str] = {}
        assert page.locator("#verdict-form").get_attribute("data-action") == "answer"
        grade(page, graded)
        page.wait_for_url(f"{base}items/2")  # the next ungraded ticket
        page.keyboard.press("n")
        page.wait_for_url(f"{base}items/3")
        assert page.locator("#verdict-form").get_attribute("data-action") == "escalate"
        assert "<script>alert(1)</script>" in page.locator("#ticket-body").inner_text()  # shown as text
        page.screenshot(path=str(shot), full_page=False)
        grade(page, graded)
        page.wait_for_url(f"{base}items/2")  # wraps around to the one left
        assert page.locator("#progress").inner_text() == "2 of 3 graded"
        page.keyboard.press("q")
        page.wait_for_url(base)
        assert page.locator("tr.graded").count() == 2

        assert not errors, errors
        assert all(urlsplit(url).netloc == urlsplit(base).netloc for url in requests), requests

    reviews = [json.loads(line) for line in (project / "evals" / "reviews.jsonl").read_text().splitlines()]
    assert [r["ticket_id"] for r in reviews] == list(graded)
    for review in reviews:
        action = graded[review["ticket_id"]]
        assert review["verdict"] == VERDICT_KEY[action][1]
        assert review["note"] == NOTES[action]
        assert review["reviewer"] == "Sam Tester" and review["agent_action"] == action
    keep_screenshot(shot, "review-ui.png")
