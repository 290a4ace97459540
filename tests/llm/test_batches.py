"""Message Batches (`llm/batches.py`) through the real `anthropic` SDK against the local
stub: create, poll with backoff until the batch ends, results mapped back by custom_id
(errored, expired and canceled requests as RequestFailure values), retries with
`retry-after` on the batch endpoints, the polling timeout and a refused submission."""

from __future__ import annotations

import random
from typing import Any

import pytest

from kbops.config import ClaudeSettings
from kbops.errors import EXIT_TOOL_FAILED
from kbops.llm.batches import BatchError, BatchRequest, MessageBatches, safe_custom_id
from kbops.llm.claude import ClaudeClient, RequestFailure, tool_input
from tests.messages_stub import MessagesStub, Sleeps, StubResponse, error, tool_use

pytestmark = pytest.mark.server

KEY = "sk-ant-test-batches-SECRET"


def batches(stub: MessagesStub, sleeps: Sleeps, clock: list[float] | None = None) -> MessageBatches:
    settings = ClaudeSettings(model="claude-test", base_url=stub.base_url, timeout_seconds=5.0, max_retries=2)
    api = ClaudeClient(settings, KEY, sleep=sleeps, rng=random.Random(3))
    now = clock if clock is not None else [0.0]

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        now[0] += seconds

    return MessageBatches(api, sleep=sleep, clock=lambda: now[0])


def echo_reply(params: Any) -> StubResponse:
    """The model 'answers' with the user turn it was sent: results must map back exactly."""
    return tool_use({"reply": params["messages"][0]["content"]})


def request(custom_id: str, question: str) -> BatchRequest:
    return BatchRequest(custom_id, {"model": "claude-test", "max_tokens": 50,
                                    "messages": [{"role": "user", "content": question}]})


def test_create_poll_and_results_by_custom_id(stub: MessagesStub) -> None:
    stub.respond_with(echo_reply)
    stub.batch_polls = 4
    outcomes = {"r1-b": "errored", "r2-c": "expired", "r3-d": "canceled"}
    stub.batch_outcome = lambda custom_id, params: outcomes.get(custom_id, "succeeded")
    sleeps = Sleeps()
    client = batches(stub, sleeps)

    batch_id = client.submit([request("r0-a", "one?"), request("r1-b", "two?"), request("r2-c", "three?"),
                              request("r3-d", "four?")])
    polled: list[str] = []
    status = client.wait(batch_id, initial_seconds=1.0, max_seconds=3.0, timeout_seconds=600,
                         on_poll=lambda s: polled.append(s.processing_status))
    results = client.results(batch_id)

    assert polled == ["in_progress", "in_progress", "in_progress", "ended"]
    assert sleeps == [1.0, 2.0, 3.0]  # doubling, capped at the maximum
    assert status.counts == {"processing": 0, "succeeded": 1, "errored": 1, "expired": 1, "canceled": 1}
    assert tool_input(results["r0-a"], "submit_answer") == {"reply": "one?"}
    assert results["r1-b"] == RequestFailure("batch request errored (invalid_request_error): "
                                             "stub: this request was invalid")
    assert isinstance(results["r2-c"], RequestFailure) and "expired" in results["r2-c"].reason
    assert results["r3-d"] == RequestFailure("batch request canceled")
    created = stub.batch_calls[0]
    assert created.method == "POST" and [r["custom_id"] for r in created.json["requests"]] == [
        "r0-a", "r1-b", "r2-c", "r3-d"]
    assert created.json["requests"][0]["params"]["messages"][0]["content"] == "one?"


def test_batch_calls_retry_and_honour_retry_after(stub: MessagesStub) -> None:
    stub.batch_script.extend([error(429, retry_after="7"), error(529)])
    sleeps = Sleeps()
    client = batches(stub, sleeps)

    batch_id = client.submit([request("r0-a", "one?")])

    assert batch_id in stub.batches and len(stub.batches) == 1
    assert sleeps[0] == 7.0  # the server's retry-after, not our backoff
    assert len(sleeps) == 2 and sleeps[1] < 7.0


def test_polling_stops_at_the_timeout_and_says_how_to_resume(stub: MessagesStub) -> None:
    stub.batch_polls = 10_000
    client = batches(stub, Sleeps())
    batch_id = client.submit([request("r0-a", "one?")])

    with pytest.raises(BatchError) as raised:
        client.wait(batch_id, initial_seconds=10, max_seconds=60, timeout_seconds=120)

    assert batch_id in str(raised.value) and "run the same command again" in str(raised.value)
    assert raised.value.exit_code == EXIT_TOOL_FAILED


def test_a_refused_submission_is_an_error_without_the_key(stub: MessagesStub) -> None:
    stub.batch_script.append(error(401, f"bad key {KEY}"))
    with pytest.raises(BatchError) as raised:
        batches(stub, Sleeps()).submit([request("r0-a", "one?")])
    assert "could not submit the Message Batch" in str(raised.value)
    assert "401" in str(raised.value) and KEY not in str(raised.value)
    assert not stub.batches


@pytest.mark.parametrize(("ticket_id", "expected"), [
    ("T-1001", "r0-T-1001"),
    ("zendesk/42 #ä", "r0-zendesk_42___"),
    ("x" * 100, "r0-" + "x" * 61),
])
def test_custom_ids_are_safe_and_bounded(ticket_id: str, expected: str) -> None:
    assert safe_custom_id(0, ticket_id) == expected
