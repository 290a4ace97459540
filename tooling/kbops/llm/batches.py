"""Message Batches: many Messages API requests submitted at once, polled until they end,
and their results read back by `custom_id`.

A batch costs half as much as the same requests one by one and has no rate limits to
dance around, but it ends when it ends (up to 24 hours). So the caller keeps the batch id
(`kbops eval --batch` checkpoints it) and polling is resumable: `wait` only needs the id.
Every call goes through `ClaudeClient.with_retries`, so 429/5xx/overloaded are retried
with the same backoff and `retry-after` handling as single requests. A request that
errored, expired or was canceled comes back as a `RequestFailure`, like a failed single
request, so the caller treats both paths the same way.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import EXIT_TOOL_FAILED, KbopsError
from .claude import ERROR_DETAIL_CHARS, ClaudeClient, RequestFailure

CUSTOM_ID_CHARS = 64
"""The API accepts custom ids of 1-64 characters from [A-Za-z0-9_-]."""
UNSAFE_CUSTOM_ID = re.compile(r"[^A-Za-z0-9_-]")
MAX_BATCH_REQUESTS = 100_000
"""The API's limit on the requests of one batch (and 256 MB in all)."""


class BatchError(KbopsError):
    """A Message Batch could not be submitted, polled or read back."""

    exit_code = EXIT_TOOL_FAILED


@dataclass(frozen=True)
class BatchRequest:
    """One request of a batch: `params` are the keyword arguments of `messages.create`."""

    custom_id: str
    params: dict[str, Any]


@dataclass(frozen=True)
class BatchStatus:
    """What one poll saw."""

    batch_id: str
    ended: bool
    processing_status: str
    counts: dict[str, int]
    """Requests per state: processing, succeeded, errored, expired, canceled."""


def safe_custom_id(index: int, key: str) -> str:
    """A custom id the API accepts, unique by `index`, readable by `key` (e.g. a ticket id)."""
    prefix = f"r{index}-"
    return prefix + UNSAFE_CUSTOM_ID.sub("_", key)[: CUSTOM_ID_CHARS - len(prefix)]


def request_hash(params: dict[str, Any]) -> str:
    """A short fingerprint of one request: a resumed batch is reused only for the very
    requests it holds."""
    return hashlib.sha256(json.dumps(params, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]


class MessageBatches:
    """Create, poll and read Message Batches through one `ClaudeClient`."""

    def __init__(
        self,
        api: ClaudeClient,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.api = api
        self._sleep = sleep
        self._clock = clock

    def submit(self, requests: Sequence[BatchRequest]) -> str:
        """Create the batch; its id. Nothing was submitted when this raises."""
        if not requests:
            raise ValueError("a Message Batch needs at least one request")
        if len(requests) > MAX_BATCH_REQUESTS:
            raise BatchError(f"{len(requests)} requests are more than one Message Batch holds "
                             f"({MAX_BATCH_REQUESTS}): replay the tickets in parts (--tickets)")
        body = [{"custom_id": r.custom_id, "params": r.params} for r in requests]
        batch = self._call("submit the Message Batch",
                           lambda: self.api.sdk.messages.batches.create(requests=body))
        return str(batch.id)

    def status(self, batch_id: str) -> BatchStatus:
        batch = self._call(f"poll Message Batch {batch_id}",
                           lambda: self.api.sdk.messages.batches.retrieve(batch_id))
        counts = batch.request_counts
        names = ("processing", "succeeded", "errored", "expired", "canceled")
        return BatchStatus(batch_id, batch.processing_status == "ended", str(batch.processing_status),
                           {name: int(getattr(counts, name, 0) or 0) for name in names})

    def wait(
        self,
        batch_id: str,
        initial_seconds: float,
        max_seconds: float,
        timeout_seconds: float,
        on_poll: Callable[[BatchStatus], None] | None = None,
    ) -> BatchStatus:
        """Poll until the batch ends: waits start at `initial_seconds` and double up to
        `max_seconds`; past `timeout_seconds` a BatchError says how to resume."""
        deadline = self._clock() + timeout_seconds
        delay = initial_seconds
        while True:
            status = self.status(batch_id)
            if on_poll is not None:
                on_poll(status)
            if status.ended:
                return status
            if self._clock() + delay > deadline:
                raise BatchError(
                    f"Message Batch {batch_id} is still {status.processing_status} after "
                    f"{timeout_seconds / 60:g} minutes ({status.counts['processing']} requests processing); "
                    "run the same command again to keep polling it (claude.batch_timeout_minutes sets the limit)")
            self._sleep(delay)
            delay = min(delay * 2, max_seconds)

    def results(self, batch_id: str) -> dict[str, Any]:
        """custom_id -> the parsed message of a request that succeeded, or a RequestFailure
        (errored, expired, canceled)."""
        lines = self._call(f"read the results of Message Batch {batch_id}",
                           lambda: list(self.api.sdk.messages.batches.results(batch_id)))
        return {str(line.custom_id): self._outcome(line.result) for line in lines}

    def _outcome(self, result: Any) -> Any:
        kind = getattr(result, "type", None)
        if kind == "succeeded":
            return result.message
        if kind == "errored":
            error = getattr(getattr(result, "error", None), "error", None)
            error_type = getattr(error, "type", None) or "error"
            message = str(getattr(error, "message", "") or "").strip()[:ERROR_DETAIL_CHARS]
            detail = f": {self.api.scrub(message)}" if message else ""
            return RequestFailure(f"batch request errored ({error_type}){detail}")
        if kind == "expired":
            return RequestFailure("batch request expired (the batch ended before it was processed)")
        if kind == "canceled":
            return RequestFailure("batch request canceled")
        return RequestFailure(f"batch result of unknown type {kind!r}", malformed=True)

    def _call(self, doing: str, call: Callable[[], Any]) -> Any:
        outcome, attempts = self.api.with_retries(lambda: self.api.attempt(call))
        if isinstance(outcome, RequestFailure):
            tries = f" after {attempts} attempts" if attempts > 1 else ""
            raise BatchError(f"could not {doing}{tries}: {self.api.scrub(outcome.reason)}")
        return outcome
