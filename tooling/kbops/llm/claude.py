"""The one Anthropic client: API key, requests with one forced tool call, retries with
backoff, HTTP statuses mapped to short reasons, and the tool call's input read back.

The answering backend, the draft writer and the ragas judge all go through here, so one
retry policy, one error vocabulary and one key check serve every Claude call. Retries are
ours, not the SDK's (`max_retries=0` on the client): which statuses, how long, and
`retry-after` are then explicit, logged and testable with a fake sleep. Failures are
values (`RequestFailure`), never exceptions, so a replay of a thousand tickets escalates
the one that failed instead of crashing. `anthropic` is imported lazily: `kbops --help`
and every offline command never pay for it.
"""

from __future__ import annotations

import logging
import math
import os
import random
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..config import ClaudeSettings
from ..errors import EXIT_BAD_INPUT, KbopsError

log = logging.getLogger(__name__)

API_KEY_ENV = "ANTHROPIC_API_KEY"

INITIAL_BACKOFF_SECONDS = 0.5
MAX_BACKOFF_SECONDS = 8.0
MAX_RETRY_AFTER_SECONDS = 60.0
"""A server asking for a longer pause is obeyed only up to this: a replay must not stall."""
ERROR_DETAIL_CHARS = 200


class MissingAPIKey(KbopsError):
    """A Claude feature was chosen but no Anthropic API key is available."""

    exit_code = EXIT_BAD_INPUT


@dataclass(frozen=True)
class RequestFailure:
    """Why one attempt failed, and whether another attempt could succeed."""

    reason: str
    retryable: bool = False
    retry_after: float | None = None
    malformed: bool = False


@dataclass(frozen=True)
class ToolReply:
    """What one forced tool call came back with: the tool's input, or why there is none."""

    input: dict[str, Any] | None
    failure: RequestFailure | None
    attempts: int
    message: Any = None
    """The parsed API message (usage, stop reason), when one arrived."""


def api_key(explicit: str | None = None) -> str:
    """The key passed in, else $ANTHROPIC_API_KEY; "" when there is none."""
    return (explicit or os.environ.get(API_KEY_ENV, "")).strip()


def require_api_key(explicit: str | None, needed_by: str, alternative: str) -> str:
    """The key, or MissingAPIKey naming the variable to set and the `alternative`."""
    key = api_key(explicit)
    if not key:
        raise MissingAPIKey(f"{needed_by} needs an Anthropic API key: set {API_KEY_ENV} (or pass api_key), "
                            f"or {alternative}")
    return key


class ClaudeClient:
    """Messages API calls with one forced tool, our retry policy and mapped failures."""

    def __init__(
        self,
        settings: ClaudeSettings,
        api_key: str,
        *,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        import anthropic  # lazy: seconds of import time that offline commands never pay

        self.settings = settings
        self._secret = api_key
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._client = anthropic.Anthropic(
            api_key=api_key,
            base_url=settings.base_url or None,
            timeout=settings.timeout_seconds,
            max_retries=0,
        )

    def __repr__(self) -> str:
        return f"ClaudeClient(model={self.settings.model!r})"  # never the key

    def call_tool(
        self, system: str, user: str, tool: dict[str, Any], max_tokens: int | None = None
    ) -> ToolReply:
        """One user turn that must answer by calling `tool`; its input, or why not."""
        request = tool_request(self.settings, system, user, tool, max_tokens)
        outcome, attempts = self.create_with_retries(request)
        if isinstance(outcome, RequestFailure):
            return ToolReply(None, outcome, attempts)
        found = tool_input(outcome, tool["name"])
        if isinstance(found, str):
            return ToolReply(None, RequestFailure(found, malformed=True), attempts, outcome)
        return ToolReply(found, None, attempts, outcome)

    @property
    def sdk(self) -> Any:
        """The SDK client (no retries of its own): for calls this class has no method for,
        made through `with_retries(lambda: self.attempt(...))`."""
        return self._client

    def create_with_retries(self, request: dict[str, Any]) -> tuple[Any, int]:
        """(parsed message or final RequestFailure, attempts made)."""
        return self.with_retries(lambda: self._create_once(request))

    def with_retries(self, attempt_once: Callable[[], Any]) -> tuple[Any, int]:
        """Run `attempt_once` (a value, or a RequestFailure) until it succeeds, fails for
        good or runs out of attempts: (its last outcome, attempts made). Every Claude call
        (messages, batches) retries through this one loop."""
        attempts = self.settings.max_retries + 1
        for attempt in range(attempts):
            outcome = attempt_once()
            if not isinstance(outcome, RequestFailure) or not outcome.retryable or attempt + 1 == attempts:
                return outcome, attempt + 1
            delay = backoff_seconds(attempt, outcome.retry_after, self._rng)
            log.info("Claude request failed (%s); retry %d/%d in %.2fs", outcome.reason, attempt + 1,
                     attempts - 1, delay)
            self._sleep(delay)
        raise AssertionError("unreachable: the loop returns on its last attempt")

    def attempt(self, call: Callable[[], Any]) -> Any:
        """One HTTP attempt through the SDK: what `call` returns, or a RequestFailure saying
        why not (transport trouble and error statuses mapped by `status_failure`)."""
        import anthropic  # lazy, see __init__

        try:
            return call()
        except anthropic.APITimeoutError:
            return RequestFailure("timeout", retryable=True)
        except anthropic.APIConnectionError as exc:
            return RequestFailure(f"connection error ({type(exc.__cause__ or exc).__name__})", retryable=True)
        except anthropic.APIStatusError as exc:
            return status_failure(exc.status_code, exc.type, exc.api_message, exc.response.headers)

    def _create_once(self, request: dict[str, Any]) -> Any:
        """One messages.create attempt: the parsed message, or a RequestFailure saying why not."""
        import anthropic  # lazy, see __init__

        raw = self.attempt(lambda: self._client.messages.with_raw_response.create(**request))
        if isinstance(raw, RequestFailure):
            return raw
        try:
            return raw.parse()
        except (ValueError, anthropic.APIResponseValidationError):
            return RequestFailure("response body is not a JSON message", malformed=True)

    def notes(self, attempts: int, message: Any = None, prompt: str = "") -> str:
        """`model=... prompt=... attempts=N tokens=in+out`, for a draft's notes."""
        parts = [f"model={self.settings.model}"]
        if prompt:
            parts.append(f"prompt={prompt}")
        parts.append(f"attempts={attempts}")
        usage = getattr(message, "usage", None)
        if usage is not None:
            parts.append(f"tokens={getattr(usage, 'input_tokens', '?')}+{getattr(usage, 'output_tokens', '?')}")
        return " ".join(parts)

    def scrub(self, text: str) -> str:
        """Error text ends up in reports; make sure the key can never be part of it."""
        return text.replace(self._secret, "[redacted]") if self._secret else text


def async_client(settings: ClaudeSettings, api_key: str) -> Any:
    """An async SDK client on the same endpoint, timeout and retry count (the ragas judge
    drives its own requests, so the SDK's retries stand in for ours there)."""
    import anthropic  # lazy, see ClaudeClient

    return anthropic.AsyncAnthropic(
        api_key=api_key,
        base_url=settings.base_url or None,
        timeout=settings.timeout_seconds,
        max_retries=settings.max_retries,
    )


def tool_request(
    settings: ClaudeSettings, system: str, user: str, tool: dict[str, Any], max_tokens: int | None = None
) -> dict[str, Any]:
    """Keyword arguments of `messages.create`: one user turn, one forced tool."""
    return {
        "model": settings.model,
        "max_tokens": max_tokens or settings.max_tokens,
        "system": system,
        "messages": [{"role": "user", "content": user}],
        "tools": [tool],
        "tool_choice": {"type": "tool", "name": tool["name"], "disable_parallel_tool_use": True},
    }


def tool_input(message: Any, name: str) -> dict[str, Any] | str:
    """The input of the model's call to tool `name`, or what is wrong with the message."""
    content = getattr(message, "content", None)
    if not isinstance(content, list):
        return "response is not a message with content"
    calls = [b for b in content if getattr(b, "type", None) == "tool_use" and getattr(b, "name", None) == name]
    if not calls:
        kinds = sorted({str(getattr(b, "type", "?")) for b in content}) or ["nothing"]
        stop = getattr(message, "stop_reason", None)
        return f"no {name} tool call (got {', '.join(kinds)}; stop_reason={stop})"
    found = getattr(calls[0], "input", None)
    if not isinstance(found, dict):
        return f"{name} input is not an object"
    return found


def defang(text: str, tags: Sequence[str]) -> str:
    """Untrusted text must not close the block it is fenced in early by typing its tag."""
    names = "|".join(re.escape(tag) for tag in tags)
    return re.sub(rf"<(\s*/?\s*)({names})", r"&lt;\1\2", text, flags=re.IGNORECASE)


def backoff_seconds(attempt: int, retry_after: float | None, rng: random.Random) -> float:
    """Honour the server's `retry-after` (capped); else 0.5s, 1s, 2s, ... (cap 8s) minus up
    to 25% jitter, so parallel replay workers do not retry in lockstep."""
    if retry_after is not None:
        return min(retry_after, MAX_RETRY_AFTER_SECONDS)
    base = min(INITIAL_BACKOFF_SECONDS * 2**attempt, MAX_BACKOFF_SECONDS)
    return base * (1 - 0.25 * rng.random())


def status_failure(status: int, error_type: str | None, api_message: str | None, headers: Any) -> RequestFailure:
    """Map an HTTP error status to a short, user-facing reason and a retry decision."""
    detail = f" {error_type}" if error_type else ""
    if status == 429:
        return RequestFailure(f"rate limited ({status})", retryable=True, retry_after=retry_after_seconds(headers))
    if status == 529:
        return RequestFailure(f"overloaded ({status})", retryable=True, retry_after=retry_after_seconds(headers))
    if status >= 500:
        return RequestFailure(f"server error ({status}{detail})", retryable=True,
                              retry_after=retry_after_seconds(headers))
    if status == 401:
        return RequestFailure(f"the Anthropic API rejected the API key ({status}): set a valid {API_KEY_ENV}")
    if status == 403:
        return RequestFailure(f"the API key may not use this model or endpoint ({status}{detail})")
    message = (api_message or "").strip()[:ERROR_DETAIL_CHARS]
    return RequestFailure(f"request rejected ({status}{detail})" + (f": {message}" if message else ""))


def retry_after_seconds(headers: Any) -> float | None:
    """Seconds from `retry-after` (the API sends seconds); None when absent or not a number."""
    value = headers.get("retry-after") if headers is not None else None
    try:
        seconds = float(value) if value is not None else None
    except ValueError:
        return None
    return seconds if seconds is not None and math.isfinite(seconds) and seconds >= 0 else None
