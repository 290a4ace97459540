"""Claude picks the category through the real SDK against the local Messages API stub; a
reply outside the taxonomy, a malformed one or a failure falls back to the offline classifier."""

from __future__ import annotations

from datetime import UTC, datetime

from kbops.config import ClaudeSettings, Settings
from kbops.index.embed import Embedder
from kbops.tickets.model import Ticket
from kbops.triage.claude import TOOL_NAME, ClaudeCategorizer, parse_choice
from kbops.triage.triager import ListHistory, Triager
from tests.messages_stub import MessagesStub, error, text, tool_use

TAXONOMY = Settings().triage.taxonomy
AT = datetime(2026, 11, 20, 9, tzinfo=UTC)


def categorizer(stub: MessagesStub) -> ClaudeCategorizer:
    settings = ClaudeSettings(model="claude-test", base_url=stub.base_url, timeout_seconds=5.0, max_retries=1)
    return ClaudeCategorizer(settings, TAXONOMY, api_key="sk-ant-test-KEY", sleep=lambda _: None)


def choose(name: str, confidence: object = 0.9) -> object:
    return tool_use({"category": name, "confidence": confidence}, name=TOOL_NAME)


def test_claude_picks_a_taxonomy_label_from_redacted_fenced_text(stub: MessagesStub) -> None:
    stub.queue(choose("billing"))
    found = categorizer(stub).choose("Charged twice, card 4111 1111 1111 1111, mail me at jo@example.com")
    assert (found.label, found.confidence, found.source) == ("billing", 0.9, "claude")  # type: ignore[union-attr]
    request = stub.requests[0].json
    assert request["model"] == "claude-test"
    assert request["tool_choice"]["name"] == TOOL_NAME
    assert request["tools"][0]["input_schema"]["properties"]["category"]["enum"] == list(TAXONOMY)
    sent = request["messages"][0]["content"]
    assert "<untrusted_ticket>" in sent
    assert "jo@example.com" not in sent
    assert "4111 1111 1111 1111" not in sent
    assert "never decide how urgent" in request["system"]


def test_replies_outside_the_taxonomy_are_refused() -> None:
    assert isinstance(parse_choice({"category": "urgent outage", "confidence": 0.9}, TAXONOMY), str)
    assert isinstance(parse_choice({"category": "billing", "confidence": 7}, TAXONOMY), str)
    assert isinstance(parse_choice({"category": "billing", "confidence": True}, TAXONOMY), str)
    assert isinstance(parse_choice({"category": ["billing"], "confidence": 0.5}, TAXONOMY), str)


DARK_MODE = "Please add a dark mode to the app"


def test_replies_claude_cannot_give_fall_back_to_the_offline_classifier(stub: MessagesStub,
                                                                        embedder: Embedder) -> None:
    stub.queue(choose("P1 enterprise queue"), text("billing"), choose("P1 enterprise queue"), choose("technical", 0.8))
    notes: list[str] = []
    triager = Triager(Settings(), embedder, ListHistory(), claude=categorizer(stub), notify=notes.append)
    tickets = [Ticket(id=f"T-{n}", body=body, created_at=AT)
               for n, body in enumerate([DARK_MODE, DARK_MODE, DARK_MODE, "How do I connect the Slack integration?"])]
    results = triager.triage(tickets, send=False)
    assert [(r.category.label, r.category.source) for r in results] == [
        ("feature request", "zero-shot"), ("feature request", "zero-shot"), ("feature request", "zero-shot"),
        ("technical", "claude")]
    assert len(notes) == 2
    assert notes[0].startswith("triage: Claude gave no category for 2 tickets (malformed output: category 'P1 ")
    assert "no choose_category tool call" in notes[1]


def test_after_a_failed_request_the_rest_of_the_batch_stays_offline(stub: MessagesStub, embedder: Embedder) -> None:
    stub.queue(choose("billing"), error(400), choose("billing"))
    notes: list[str] = []
    triager = Triager(Settings(), embedder, ListHistory(), claude=categorizer(stub), notify=notes.append)
    tickets = [Ticket(id=f"T-{n}", body=DARK_MODE, created_at=AT) for n in range(4)]
    sources = [r.category.source for r in triager.triage(tickets, send=False)]
    assert sources == ["claude", "zero-shot", "zero-shot", "zero-shot"]
    assert len(stub.requests) == 2
    assert stub.pending == 1
    assert "for 1 ticket (request rejected (400" in notes[0]
    assert "for 2 tickets (the rest of the batch was not sent)" in notes[1]
    assert all("sk-ant-test-KEY" not in note for note in notes)
