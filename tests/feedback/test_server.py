"""The vote endpoint through Starlette's TestClient: each refusal with its status and
nothing stored, CORS for the help site's origin only, and no cookie ever."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from kbops.config import FeedbackSettings
from kbops.feedback.server import feedback_app
from kbops.feedback.store import FeedbackStore
from kbops.feedback.votes import VoteRules

ORIGIN = "http://127.0.0.1:8123"
PAGE = "/billing/refunds/"
RULES = VoteRules(origin=ORIGIN, pages={PAGE: "refunds"}, max_body_bytes=256)


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def store(tmp_path: Path) -> Iterator[FeedbackStore]:
    with FeedbackStore.open(tmp_path / "feedback.sqlite") as opened:
        yield opened


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def client(store: FeedbackStore, clock: Clock) -> TestClient:
    settings = FeedbackSettings(rate_limit=3, rate_window_seconds=60)
    return TestClient(feedback_app(store, RULES, settings, clock=clock))


def post(client: TestClient, body: object, *, origin: str | None = ORIGIN, content_type: str = "text/plain",
         ua: str = "Chromium") -> Any:
    headers = {"Content-Type": content_type, "User-Agent": ua}
    if origin is not None:
        headers["Origin"] = origin
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.post("/votes", content=data, headers=headers)


def test_a_vote_from_the_site_is_stored_and_answered_204_with_cors(client: TestClient, store: FeedbackStore) -> None:
    answer = post(client, {"page": PAGE, "value": "1", "at": "2026-11-18T12:00:00Z"})
    assert answer.status_code == 204
    assert answer.headers["access-control-allow-origin"] == ORIGIN
    assert "set-cookie" not in answer.headers
    assert "access-control-allow-credentials" not in answer.headers
    (vote,) = store.votes()
    assert (vote.page, vote.article_id, vote.value) == (PAGE, "refunds", 1)
    assert vote.received_at == datetime(2026, 11, 18, 12, 0, tzinfo=UTC)  # server time, not the client's
    assert vote.client_key == store.client_key("testclient", "Chromium")


def test_application_json_is_accepted_too(client: TestClient, store: FeedbackStore) -> None:
    answer = post(client, {"page": PAGE, "value": 0}, content_type="application/json; charset=utf-8")
    assert answer.status_code == 204 and store.votes()[0].value == 0


@pytest.mark.parametrize(("body", "origin", "content_type", "status"), [
    ({"page": PAGE, "value": 1}, "https://evil.example.com", "text/plain", 403),
    ({"page": PAGE, "value": 1}, None, "text/plain", 403),
    ({"page": "/internal/handbook/", "value": 1}, ORIGIN, "text/plain", 404),
    ({"page": PAGE, "value": 1, "padding": "x" * 400}, ORIGIN, "text/plain", 413),
    ({"page": PAGE, "value": 5}, ORIGIN, "text/plain", 400),
    (b"{not json", ORIGIN, "text/plain", 400),
    ({"page": PAGE, "value": 1}, ORIGIN, "application/x-www-form-urlencoded", 415),
])
def test_a_refused_vote_stores_nothing(client: TestClient, store: FeedbackStore, body: object, origin: str | None,
                                       content_type: str, status: int) -> None:
    answer = post(client, body, origin=origin, content_type=content_type)
    assert answer.status_code == status, answer.text
    assert "error" in answer.json()
    assert "set-cookie" not in answer.headers
    cors = answer.headers.get("access-control-allow-origin")
    assert cors == (ORIGIN if origin == ORIGIN else None)
    assert store.count() == 0


def test_a_streamed_body_over_the_limit_is_refused_without_reading_it_all(client: TestClient,
                                                                          store: FeedbackStore) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"page": "' + PAGE.encode() + b'", "value": 1, "x": "'
        for _ in range(1000):
            yield b"x" * 100
        yield b'"}'

    answer = client.post("/votes", content=chunks(), headers={"Origin": ORIGIN, "Content-Type": "text/plain"})
    assert answer.status_code == 413 and store.count() == 0


def test_too_many_votes_from_one_client_get_429_until_the_window_passes(client: TestClient, store: FeedbackStore,
                                                                        clock: Clock) -> None:
    statuses = [post(client, {"page": PAGE, "value": 1}).status_code for _ in range(4)]
    assert statuses == [204, 204, 204, 429] and store.count() == 3
    assert post(client, {"page": PAGE, "value": 1}, ua="Safari").status_code == 204
    clock.now += timedelta(seconds=61)
    assert post(client, {"page": PAGE, "value": 1}).status_code == 204
    assert store.count() == 5


def test_preflight_is_answered_for_the_sites_origin_only(client: TestClient) -> None:
    asked = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}
    answer = client.options("/votes", headers={"Origin": ORIGIN, **asked})
    assert answer.status_code == 204
    assert answer.headers["access-control-allow-origin"] == ORIGIN
    assert answer.headers["access-control-allow-methods"] == "POST"
    assert answer.headers["access-control-allow-headers"] == "Content-Type"
    refused = client.options("/votes", headers={"Origin": "https://evil.example.com", **asked})
    assert refused.status_code == 403 and "access-control-allow-origin" not in refused.headers


def test_health_and_nothing_else(client: TestClient) -> None:
    answer = client.get("/health")
    assert answer.status_code == 200 and answer.json() == {"status": "ok"} and "set-cookie" not in answer.headers
    assert client.get("/votes").status_code == 405
    assert client.get("/").status_code == 404
