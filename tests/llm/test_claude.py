"""The one Anthropic client (`llm/claude.py`), driven through the real `anthropic` SDK
against the local Messages API stub: the forced tool call, retries and backoff, HTTP
statuses mapped to short reasons, timeouts, and malformed replies as values, never
exceptions. Every Claude feature (answerer, draft writer, ragas judge) goes through it.
"""

from __future__ import annotations

import random
import socket
import subprocess
import sys

import pytest

from kbops.config import ClaudeSettings
from kbops.llm.claude import API_KEY_ENV, ClaudeClient, MissingAPIKey, ToolReply, require_api_key
from tests.messages_stub import (
    MessagesStub,
    Sleeps,
    StubResponse,
    error,
    hang,
    raw,
    sent_api_key,
    text,
    tool_use,
)

pytestmark = pytest.mark.server

KEY = "sk-ant-test-0123456789-SECRET"
MODEL = "claude-test-model"
TOOL = {
    "name": "submit_answer",
    "description": "Submit the reply.",
    "input_schema": {"type": "object", "properties": {"reply": {"type": "string"}}, "required": ["reply"]},
}


def client(stub: MessagesStub, sleeps: Sleeps, **settings: object) -> ClaudeClient:
    values: dict[str, object] = {"model": MODEL, "base_url": stub.base_url, "timeout_seconds": 5.0, "max_retries": 2}
    values.update(settings)
    return ClaudeClient(ClaudeSettings(**values), KEY, sleep=sleeps, rng=random.Random(7))  # type: ignore[arg-type]


def call(backend: ClaudeClient) -> ToolReply:
    return backend.call_tool("You answer tickets.", "How do I export?", TOOL)


def test_the_tool_call_is_forced_and_its_input_returned(stub: MessagesStub, sleeps: Sleeps) -> None:
    stub.queue(tool_use({"reply": "Choose Export > CSV."}))
    reply = client(stub, sleeps, max_tokens=777).call_tool("You answer tickets.", "How do I export?", TOOL)

    assert (reply.input, reply.failure, reply.attempts) == ({"reply": "Choose Export > CSV."}, None, 1)
    (request,) = stub.requests
    assert request.path == "/v1/messages" and sent_api_key(request.headers) == KEY
    body = request.json
    assert (body["model"], body["max_tokens"], body["system"]) == (MODEL, 777, "You answer tickets.")
    assert body["messages"] == [{"role": "user", "content": "How do I export?"}]
    assert body["tools"] == [TOOL]
    assert body["tool_choice"] == {"type": "tool", "name": "submit_answer", "disable_parallel_tool_use": True}
    assert sleeps == []


def test_rate_limit_honours_retry_after(stub: MessagesStub, sleeps: Sleeps) -> None:
    stub.queue(error(429, "slow down", retry_after="2"), tool_use({"reply": "ok"}))
    reply = call(client(stub, sleeps))
    assert reply.failure is None and reply.attempts == 2
    assert len(stub.requests) == 2
    assert sleeps == [2.0]


def test_a_long_retry_after_is_capped_so_a_replay_does_not_stall(stub: MessagesStub, sleeps: Sleeps) -> None:
    stub.queue(error(429, retry_after="3600"), tool_use({"reply": "ok"}))
    assert call(client(stub, sleeps)).failure is None
    assert sleeps == [60.0]


def test_overload_and_server_errors_back_off_exponentially(stub: MessagesStub, sleeps: Sleeps) -> None:
    stub.queue(error(529, "Overloaded"), error(500, "boom"), tool_use({"reply": "ok"}))
    reply = call(client(stub, sleeps, max_retries=2))
    assert reply.input == {"reply": "ok"} and reply.attempts == 3
    first, second = sleeps
    assert 0.375 <= first <= 0.5 and 0.75 <= second <= 1.0  # 0.5 s, 1 s, minus up to 25% jitter


def test_persistent_server_error_gives_up_after_max_retries(stub: MessagesStub, sleeps: Sleeps) -> None:
    stub.queue(error(500), error(500), error(500), tool_use({"reply": "ok"}))
    reply = call(client(stub, sleeps, max_retries=2))
    assert reply.input is None and reply.failure is not None
    assert reply.failure.reason == "server error (500 api_error)" and reply.attempts == 3
    assert len(stub.requests) == 3 and len(sleeps) == 2
    assert stub.pending == 1


def test_hung_api_times_out_and_is_retried(stub: MessagesStub, sleeps: Sleeps) -> None:
    """The stub answers only after a minute (or when it stops): a reply at all proves the
    client gave up by its own timeout, not by the server's."""
    stub.queue(hang(60), hang(60))
    reply = call(client(stub, sleeps, timeout_seconds=0.5, max_retries=1))
    assert reply.failure is not None and reply.failure.reason == "timeout"
    assert len(stub.requests) == 2 and len(sleeps) == 1


def test_unreachable_api_is_a_connection_error(sleeps: Sleeps) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = ClaudeSettings(model=MODEL, base_url=f"http://127.0.0.1:{port}", max_retries=1)
    reply = call(ClaudeClient(settings, KEY, sleep=sleeps))
    assert reply.failure is not None and reply.failure.reason.startswith("connection error")
    assert reply.attempts == 2 and len(sleeps) == 1


def test_rejected_key_is_named_not_retried_and_never_shown(stub: MessagesStub, sleeps: Sleeps) -> None:
    stub.queue(error(401, "invalid x-api-key"))
    backend = client(stub, sleeps)
    reply = call(backend)
    assert reply.failure is not None and "rejected the API key" in reply.failure.reason
    assert API_KEY_ENV in reply.failure.reason and KEY not in reply.failure.reason
    assert KEY not in repr(backend)
    assert backend.scrub(f"echoed {KEY} back") == "echoed [redacted] back"
    assert len(stub.requests) == 1 and sleeps == []


def test_bad_request_is_not_retried(stub: MessagesStub, sleeps: Sleeps) -> None:
    stub.queue(error(400, "max_tokens: 999999 > 64000"), tool_use({"reply": "ok"}))
    reply = call(client(stub, sleeps))
    assert reply.failure is not None
    assert reply.failure.reason == "request rejected (400 invalid_request_error): max_tokens: 999999 > 64000"
    assert len(stub.requests) == 1 and sleeps == []


@pytest.mark.parametrize(
    ("response", "reason"),
    [
        pytest.param(text("Sure! Choose Export."), "no submit_answer tool call (got text; stop_reason=end_turn)",
                     id="text-only"),
        pytest.param(tool_use({"reply": "x"}, name="other_tool"), "no submit_answer tool call (got tool_use",
                     id="other-tool"),
        pytest.param(tool_use(["not", "an", "object"]), "submit_answer input is not an object",
                     id="input-not-object"),
        pytest.param(raw(b"{this is not json"), "response body is not a JSON message", id="garbage-json-200"),
        pytest.param(raw(b"plain words", content_type="text/plain"), "response is not a message",
                     id="text-plain-200"),
        pytest.param(raw(b'{"unexpected": true}'), "response is not a message", id="json-not-a-message"),
    ],
)
def test_a_malformed_reply_is_a_failure_that_is_not_retried(
    stub: MessagesStub, sleeps: Sleeps, response: StubResponse, reason: str
) -> None:
    stub.queue(response)
    reply = call(client(stub, sleeps))
    assert reply.input is None and reply.failure is not None
    assert reply.failure.malformed and reply.failure.reason.startswith(reason)
    assert len(stub.requests) == 1 and sleeps == []


def test_missing_key_names_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(API_KEY_ENV, raising=False)
    with pytest.raises(MissingAPIKey) as missing:
        require_api_key(None, "the judge", "turn it off")
    message = str(missing.value)
    assert message.startswith("the judge needs an Anthropic API key")
    assert f"set {API_KEY_ENV}" in message and message.endswith("turn it off")
    assert missing.value.exit_code == 2  # bad input, not a crash
    monkeypatch.setenv(API_KEY_ENV, " sk-ant-from-env ")
    assert require_api_key(None, "the judge", "turn it off") == "sk-ant-from-env"


def test_importing_the_client_does_not_import_the_sdk() -> None:
    code = "import sys, kbops.workspace, kbops.llm.claude, kbops.agent.claude; print('anthropic' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
