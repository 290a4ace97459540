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
"""

from __future__ import annotations

import json
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


class MessagesStub:
    """The running server's script and record; `base_url` is what the SDK is pointed at."""

    def __init__(self, base_url: str, stopping: threading.Event) -> None:
        self.base_url = base_url
        self.requests: list[RecordedRequest] = []
        self._script: deque[Scripted] = deque()
        self._lock = threading.Lock()
        self._stopping = stopping

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
            return error(500, "messages_stub: no scripted response left")
        return scripted(request.json) if callable(scripted) else scripted


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
        if self.path.split("?")[0] != "/v1/messages":
            self._send(error(404, f"messages_stub: unknown path {self.path}"))
            return
        self._send(self.server.stub._next(request))

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
