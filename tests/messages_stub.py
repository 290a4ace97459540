"""A local stand-in for the Anthropic Messages API, for tests that drive the real SDK.

The SDK is exercised end to end (headers, JSON, status codes, timeouts) against a real
HTTP server on 127.0.0.1, so a test fails when the SDK's wire behaviour changes — which a
monkeypatched client would hide. Each test scripts the replies it needs, in order, and
reads back every request the server received.

    with messages_stub() as stub:
        stub.queue(error(429, retry_after=2), tool_use({"reply": "..."}))
        client = anthropic.Anthropic(api_key="k", base_url=stub.base_url)
        ...
        assert stub.requests[0].json["model"] == "..."

`respond_with(fn)` answers every request the script does not cover (concurrent clients
arrive in any order, so a function of the request keeps replies per ticket). Message
Batches (create, retrieve, results) are served too: a batch ends on its `batch_polls`-th
retrieve, and `batch_outcome(custom_id, params)` decides each request's result
(`succeeded` answers with the responder's message; `errored`, `expired`, `canceled`).
"""

from __future__ import annotations

import json
import re
import threading
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    429: "rate_limit_error",
    500: "api_error",
    529: "overloaded_error",
}


@dataclass(frozen=True)
class StubResponse:
    """One scripted reply. `body` bytes are sent as they are (to fake a broken server)."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay_seconds: float = 0.0
    """Wait this long before replying: longer than the client timeout fakes a hung API."""


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    """Header names lower-cased."""
    json: Any
    """The parsed body, or None when it was not JSON."""


Scripted = StubResponse | Callable[[Any], StubResponse]
"""A reply, or a function from the parsed request JSON to a reply."""


def message(
    content: list[dict[str, Any]], *, model: str = "stub-model", stop_reason: str = "end_turn"
) -> StubResponse:
    """A 200 with a well-formed Messages API `message` object."""
    return StubResponse(
        200,
        {
            "id": "msg_stub_01",
            "type": "message",
            "role": "assistant",
            "model": model,
            "content": content,
            "stop_reason": stop_reason,
            "stop_sequence": None,
            "usage": {"input_tokens": 321, "output_tokens": 54},
        },
    )


def tool_use(
    tool_input: Any, *, name: str = "submit_answer", model: str = "stub-model"
) -> StubResponse:
    """The model called tool `name` with `tool_input` (any JSON, to fake wrong types)."""
    block = {"type": "tool_use", "id": "toolu_stub_01", "name": name, "input": tool_input}
    return message([block], model=model, stop_reason="tool_use")


def text(reply: str, *, model: str = "stub-model") -> StubResponse:
    """The model answered in prose instead of calling the tool."""
    return message([{"type": "text", "text": reply}], model=model)


def error(
    status: int, message_text: str = "stub error", *, retry_after: str | None = None
) -> StubResponse:
    """An error in the API's envelope: {"type": "error", "error": {"type", "message"}}."""
    headers = {"retry-after": retry_after} if retry_after is not None else {}
    error_type = ERROR_TYPES.get(status, "api_error")
    body = {"type": "error", "error": {"type": error_type, "message": message_text}}
    return StubResponse(status, body, headers)


def raw(body: bytes, *, status: int = 200, content_type: str = "application/json") -> StubResponse:
    """Bytes as they are, e.g. a 200 whose body is not JSON at all."""
    return StubResponse(status, body, {"content-type": content_type})


def hang(seconds: float) -> StubResponse:
    """Reply only after `seconds` (cut short when the stub stops): fakes a hung API."""
    late = message([{"type": "text", "text": "too late"}])
    return StubResponse(late.status, late.body, {}, seconds)


@dataclass
class StubBatch:
    """One Message Batch the stub holds: its requests and how many polls until it ends."""

    id: str
    requests: list[dict[str, Any]]
    polls_left: int
    outcomes: dict[str, str] = field(default_factory=dict)
    """custom_id -> succeeded/errored/expired/canceled, fixed when the batch ends."""

    @property
    def ended(self) -> bool:
        return self.polls_left <= 0


BATCH_PATH = re.compile(r"^/v1/messages/batches/([A-Za-z0-9_]+)(/results)?$")
BATCH_OUTCOMES = ("succeeded", "errored", "expired", "canceled")


class MessagesStub:
    """The running server's script and record; `base_url` is what the SDK is pointed at."""

    def __init__(self, base_url: str, stopping: threading.Event) -> None:
        self.base_url = base_url
        self.requests: list[RecordedRequest] = []
        self._script: deque[Scripted] = deque()
        self._lock = threading.Lock()
        self._stopping = stopping
        self.responder: Callable[[Any], StubResponse] | None = None
        self.in_flight = 0
        self.max_in_flight = 0
        """Most `POST /v1/messages` requests the stub was answering at the same time."""
        self.batches: dict[str, StubBatch] = {}
        self.batch_polls = 1
        """A batch created now ends on its N-th retrieve."""
        self.batch_outcome: Callable[[str, dict[str, Any]], str] = lambda custom_id, params: "succeeded"
        self.batch_script: deque[StubResponse] = deque()
        """Replies (e.g. errors) served to batch calls before they are handled."""

    def respond_with(self, responder: Callable[[Any], StubResponse]) -> None:
        """Answer `POST /v1/messages` with `responder(request json)` when the script is empty."""
        self.responder = responder

    def end_batches(self) -> None:
        """Every batch ends at its next retrieve."""
        with self._lock:
            for batch in self.batches.values():
                batch.polls_left = min(batch.polls_left, 1)

    @property
    def batch_calls(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path.startswith("/v1/messages/batches")]

    def queue(self, *replies: Scripted) -> None:
        with self._lock:
            self._script.extend(replies)

    @property
    def pending(self) -> int:
        """Scripted replies not yet used: a test can check the client stopped retrying."""
        with self._lock:
            return len(self._script)

    def _next(self, request: RecordedRequest) -> StubResponse:
        with self._lock:
            self.requests.append(request)
            scripted = self._script.popleft() if self._script else None
        if scripted is None:
            scripted = self.responder
        if scripted is None:
            return error(500, "messages_stub: no scripted response left")
        return scripted(request.json) if callable(scripted) else scripted

    def _batch_call(self, request: RecordedRequest) -> StubResponse:
        """The Message Batches endpoints: create, retrieve, results (JSONL)."""
        with self._lock:
            self.requests.append(request)
            if self.batch_script:
                return self.batch_script.popleft()
            path = request.path.split("?")[0]
            if request.method == "POST" and path == "/v1/messages/batches":
                batch = StubBatch(f"msgbatch_stub_{len(self.batches) + 1:03d}", list(request.json["requests"]),
                                  self.batch_polls)
                self.batches[batch.id] = batch
                return StubResponse(200, self._batch_json(batch))
            found = BATCH_PATH.match(path)
            held = self.batches.get(found.group(1)) if found else None
            if found is None or held is None or request.method != "GET":
                return error(404, f"messages_stub: no batch at {request.path}")
            if not found.group(2):
                held.polls_left -= 1
                return StubResponse(200, self._batch_json(held))
        if not held.ended:
            return error(400, "messages_stub: the batch has not ended")
        lines = [json.dumps({"custom_id": r["custom_id"], "result": self._batch_result(held, r)})
                 for r in reversed(held.requests)]  # the API promises no order
        return raw(("\n".join(lines) + "\n").encode(), content_type="application/binary")

    def _batch_json(self, batch: StubBatch) -> dict[str, Any]:
        if batch.ended and not batch.outcomes:
            batch.outcomes = {r["custom_id"]: self.batch_outcome(r["custom_id"], r["params"]) for r in batch.requests}
        counts = {name: 0 for name in ("processing", *BATCH_OUTCOMES)}
        if batch.ended:
            for outcome in batch.outcomes.values():
                counts[outcome] += 1
        else:
            counts["processing"] = len(batch.requests)
        return {
            "id": batch.id, "type": "message_batch",
            "processing_status": "ended" if batch.ended else "in_progress",
            "request_counts": counts,
            "created_at": "2026-01-01T00:00:00Z", "expires_at": "2026-01-02T00:00:00Z",
            "ended_at": "2026-01-01T01:00:00Z" if batch.ended else None,
            "cancel_initiated_at": None, "archived_at": None,
            "results_url": f"{self.base_url}/v1/messages/batches/{batch.id}/results" if batch.ended else None,
        }

    def _batch_result(self, batch: StubBatch, request: dict[str, Any]) -> dict[str, Any]:
        outcome = batch.outcomes[request["custom_id"]]
        if outcome == "succeeded":
            reply = self.responder(request["params"]) if self.responder else error(500)
            return {"type": "succeeded", "message": reply.body}
        if outcome == "errored":
            return {"type": "errored", "error": {"type": "error", "error": {
                "type": "invalid_request_error", "message": "stub: this request was invalid"}}}
        return {"type": outcome}


class _Handler(BaseHTTPRequestHandler):
    server: _StubServer

    def do_POST(self) -> None:  # noqa: N802  (http.server's naming)
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        try:
            parsed = json.loads(body) if body else None
        except ValueError:
            parsed = None
        headers = {name.lower(): value for name, value in self.headers.items()}
        request = RecordedRequest("POST", self.path, headers, parsed)
        path = self.path.split("?")[0]
        if path.startswith("/v1/messages/batches"):
            self._send(self.server.stub._batch_call(request))
            return
        if path != "/v1/messages":
            self._send(error(404, f"messages_stub: unknown path {self.path}"))
            return
        stub = self.server.stub
        with stub._lock:
            stub.in_flight += 1
            stub.max_in_flight = max(stub.max_in_flight, stub.in_flight)
        try:
            self._send(stub._next(request))
        finally:
            with stub._lock:
                stub.in_flight -= 1

    def do_GET(self) -> None:  # noqa: N802  (http.server's naming)
        headers = {name.lower(): value for name, value in self.headers.items()}
        self._send(self.server.stub._batch_call(RecordedRequest("GET", self.path, headers, None)))

    def _send(self, reply: StubResponse) -> None:
        if reply.delay_seconds and self.server.stopping.wait(reply.delay_seconds):
            return
        payload = reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body).encode()
        try:
            self.send_response(reply.status)
            headers = {
                "content-type": "application/json",
                "request-id": "req_stub_01",
                **reply.headers,
            }
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("content-length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (its timeout) before we answered

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass  # keep test output clean; the record is in `stub.requests`


class _StubServer(ThreadingHTTPServer):
    daemon_threads = True
    stub: MessagesStub
    stopping: threading.Event


@contextmanager
def messages_stub() -> Iterator[MessagesStub]:
    """Serve on a free port of 127.0.0.1 in a thread for the duration of the block."""
    server = _StubServer(("127.0.0.1", 0), _Handler)
    server.stopping = threading.Event()
    host, port = server.server_address[:2]
    server.stub = MessagesStub(f"http://{host}:{port}", server.stopping)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield server.stub
    finally:
        server.stopping.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


class Sleeps(list[float]):
    """A fake `time.sleep` for the client under test: records the backoff instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def sent_api_key(headers: dict[str, str]) -> str | None:
    """The key as the SDK sent it: `x-api-key` in older SDKs, a Bearer token in anthropic 2.x."""
    if "x-api-key" in headers:
        return headers["x-api-key"]
    auth = headers.get("authorization", "")
    return auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else None
