"""The review app through Starlette's test client: what the pages show (escaped), the
security headers, and what POST /api/verdict writes to the review log, or refuses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from kbops.kb.model import KnowledgeBase
from kbops.review.sample import SampleItem
from kbops.review.server import CSRF_HEADER, MAX_BODY_BYTES, review_app
from kbops.tickets.model import Customer, Ticket, TicketStatus
from kbops.tickets.reviews import read_reviews
from tests.factories import article

ORIGIN = "http://127.0.0.1"
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def sample_item(ticket_id: str, action: str = "answer", **changes: object) -> SampleItem:
    ticket = Ticket(id=ticket_id, subject=f"Export question {ticket_id}", body="How do I export my tasks to CSV?",
                    resolution="Open Settings > Export.", customer=Customer(id="acme"), category="technical",
                    status=TicketStatus.RESOLVED_BY_AGENT if action == "answer" else TicketStatus.ESCALATED,
                    agent_confidence=0.55, cited_article_ids=("export-csv", "gone-article"))
    fields: dict[str, object] = {
        "ticket": ticket, "reason": "near_threshold" if action == "answer" else "escalated",
        "detail": "confidence 0.55, threshold 0.50", "action": action,
        "reply": "Open Settings > Export." if action == "answer" else "", "confidence": 0.55,
        "cited_article_ids": ticket.cited_article_ids,
        "escalation_reasons": () if action == "answer" else ("risk_topic:refund",),
    }
    fields.update(changes)
    return SampleItem(**fields)  # type: ignore[arg-type]


@pytest.fixture
def kb(tmp_path: Path) -> KnowledgeBase:
    articles = (
        article("export-csv", "Exports.\n\n## Export to CSV\n\nOpen Settings, then Export, then CSV.\n",
                title="Export tasks to CSV"),
        article("billing-refunds", title="Refunds"),
    )
    return KnowledgeBase(articles, (), tmp_path / "kb", tmp_path)


@pytest.fixture
def items() -> list[SampleItem]:
    hostile = sample_item("T-2")
    hostile = sample_item("T-2", ticket=hostile.ticket.model_copy(update={"body": f"Help {HOSTILE}",
                                                                          "subject": HOSTILE}),
                          reply=f"Reply {HOSTILE}")
    return [sample_item("T-1"), hostile, sample_item("T-3", "escalate")]


@pytest.fixture
def log(tmp_path: Path) -> Path:
    return tmp_path / "evals" / "reviews.jsonl"


@pytest.fixture
def client(items: list[SampleItem], kb: KnowledgeBase, log: Path) -> TestClient:
    return TestClient(review_app(items, kb, log, "Sam Reviewer"), base_url=ORIGIN)


def token_of(client: TestClient) -> str:
    return client.app.state.session.token  # type: ignore[attr-defined]


def post(client: TestClient, payload: object, *, token: str | None = None, origin: str | None = ORIGIN,
         **headers: str) -> object:
    sent = {"content-type": "application/json", CSRF_HEADER: token_of(client) if token is None else token, **headers}
    if origin is not None:
        sent["origin"] = origin
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return client.post("/api/verdict", content=body, headers=sent)


def test_queue_lists_the_sample_with_progress(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert "0 of 3 graded" in page.text
    for expected in ("T-1", "T-3", "near_threshold", "escalated", "0.55", 'href="/items/1"'):
        assert expected in page.text
    assert "no-store" in page.headers["cache-control"]


def test_item_page_escapes_untrusted_text_and_shows_the_cited_sections(client: TestClient) -> None:
    page = client.get("/items/2")
    assert page.status_code == 200
    assert "<script>alert" not in page.text and "<img src=x" not in page.text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page.text
    assert "Reply &lt;script&gt;" in page.text  # the agent's reply is text, not HTML
    assert "Export tasks to CSV" in page.text and "Open Settings, then Export, then CSV." in page.text
    assert "gone-article" in page.text and "not in the KB" in page.text
    assert "confidence 0.55, threshold 0.50" in page.text
    assert 'data-key="1"' in page.text and 'data-key="5"' not in page.text
    assert token_of(client) in page.text
    assert client.get("/items/4").status_code == 404


def test_an_escalated_item_offers_the_escalation_verdicts(client: TestClient) -> None:
    page = client.get("/items/3")
    assert 'value="correctly_escalated"' in page.text and 'value="should_have_answered"' in page.text
    assert 'value="correct"' not in page.text
    assert "risk_topic:refund" in page.text


def test_every_response_carries_a_strict_csp(client: TestClient) -> None:
    for path in ("/", "/items/1", "/static/review.js", "/static/review.css"):
        response = client.get(path)
        assert response.status_code == 200, path
        csp = response.headers["content-security-policy"]
        assert "default-src 'none'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert response.headers["x-content-type-options"] == "nosniff"
    page = client.get("/items/1").text
    assert '<script src="/static/review.js"' in page and "<script>" not in page
    assert "http://" not in page.replace(ORIGIN, "") and "https://" not in page


def test_a_verdict_appends_one_redacted_line(client: TestClient, log: Path) -> None:
    note = "Wrong export path; write to jane.doe@example.com"
    answer = post(client, {"ticket_id": "T-1", "verdict": "incorrect", "note": note,
                           "correct_article_ids": "export-csv, billing-refunds"})
    assert answer.status_code == 200, answer.text  # type: ignore[attr-defined]
    assert answer.json() == {"recorded": "T-1", "verdict": "incorrect", "graded": 1, "total": 3,  # type: ignore[attr-defined]
                             "next": "/items/2"}
    lines = log.read_text().splitlines()
    assert len(lines) == 1
    assert "jane.doe@example.com" not in lines[0]
    review = read_reviews(log).reviews[0]
    assert (review.ticket_id, review.verdict.value, review.reviewer) == ("T-1", "incorrect", "Sam Reviewer")
    assert review.correct_article_ids == ("export-csv", "billing-refunds")
    assert review.note.startswith("Wrong export path") and review.agent_action == "answer"
    queue = client.get("/").text
    assert "1 of 3 graded" in queue and "incorrect" in queue


def test_after_the_last_ungraded_item_the_next_is_the_queue(client: TestClient) -> None:
    for ticket_id, verdict in (("T-3", "should_have_answered"), ("T-1", "correct")):
        assert post(client, {"ticket_id": ticket_id, "verdict": verdict}).status_code == 200  # type: ignore[attr-defined]
    last = post(client, {"ticket_id": "T-2", "verdict": "tone"})
    assert last.json()["next"] == "/" and last.json()["graded"] == 3  # type: ignore[attr-defined]
    assert "All tickets of the sample are graded" in client.get("/").text


def test_a_client_without_origin_but_with_the_token_may_record(client: TestClient, log: Path) -> None:
    assert post(client, {"ticket_id": "T-3", "verdict": "correctly_escalated"}, origin=None).status_code == 200  # type: ignore[attr-defined]
    assert len(log.read_text().splitlines()) == 1


@pytest.mark.parametrize(("payload", "status", "message"), [
    ({"ticket_id": "T-404", "verdict": "correct"}, 404, "not in this sample"),
    ({"ticket_id": "T-1", "verdict": "correctly_escalated"}, 400, "the agent answered it"),
    ({"ticket_id": "T-3", "verdict": "correct"}, 400, "the agent escalated it"),
    ({"ticket_id": "T-1", "verdict": "great"}, 400, "unknown verdict"),
    ({"ticket_id": "T-1", "verdict": "incorrect", "correct_article_ids": "export-csv, nope"}, 400, "not in the KB: nope"),
    ({"ticket_id": "T-1", "verdict": "correct", "note": "x" * 4001}, 400, "at most 4000"),
    ({"ticket_id": "T-1", "verdict": "correct", "admin": True}, 400, "unknown field"),
    ({"verdict": "correct"}, 400, "ticket_id"),
    (["T-1", "correct"], 400, "not a JSON object"),
    (b"{not json", 400, "not a JSON object"),
    (b"{" + b" " * MAX_BODY_BYTES + b"}", 413, "over"),
])
def test_bad_verdicts_are_refused_and_nothing_is_written(client: TestClient, log: Path, payload: object,
                                                         status: int, message: str) -> None:
    answer = post(client, payload)
    assert answer.status_code == status, answer.text  # type: ignore[attr-defined]
    assert message in answer.json()["error"]  # type: ignore[attr-defined]
    assert not log.exists()


@pytest.mark.parametrize(("change", "status"), [
    ({"origin": "https://evil.example"}, 403),
    ({"origin": "null"}, 403),
    ({"token": "forged"}, 403),
    ({"token": ""}, 403),
    ({"sec-fetch-site": "cross-site"}, 403),
    ({"content-type": "text/plain"}, 415),
])
def test_cross_site_and_tokenless_posts_are_refused(client: TestClient, log: Path, change: dict[str, str],
                                                    status: int) -> None:
    headers = {k: v for k, v in change.items() if k not in ("origin", "token")}
    answer = post(client, {"ticket_id": "T-1", "verdict": "correct"}, token=change.get("token"),
                  origin=change.get("origin", ORIGIN), **headers)
    assert answer.status_code == status, answer.text  # type: ignore[attr-defined]
    assert not log.exists()


def test_another_host_name_is_refused(items: list[SampleItem], kb: KnowledgeBase, log: Path) -> None:
    """A DNS-rebinding page reaches 127.0.0.1 under its own name: Origin equals Host there."""
    rebound = TestClient(review_app(items, kb, log, "Sam"), base_url="http://evil.example:8765")
    assert rebound.get("/").status_code == 421
    answer = rebound.post("/api/verdict", content=b'{"ticket_id": "T-1", "verdict": "correct"}',
                          headers={"origin": "http://evil.example:8765", "content-type": "application/json"})
    assert answer.status_code == 421
    assert not log.exists()
    assert TestClient(review_app(items, kb, log, "Sam"), base_url="http://localhost:8765").get("/").status_code == 200


def test_get_on_the_api_is_not_allowed(client: TestClient) -> None:
    assert client.get("/api/verdict").status_code == 405
