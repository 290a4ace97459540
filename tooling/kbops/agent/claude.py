"""Claude as a drafting backend: retrieved chunks in, a cited Draft out.

The model only proposes (reply, cited sources, can_answer, confidence) through one forced
tool call; everything it returns is validated here, and every failure — transport, API
status, or output that does not fit the tool schema — becomes a Draft with `error` set, so
the agent escalates (`backend_error`) instead of crashing a replay of a thousand tickets.

Retries are ours, not the SDK's (`max_retries=0` on the client): the policy (which
statuses, how long, `retry-after`) is then explicit, logged, and testable with a fake sleep.
`anthropic` is imported lazily so `kbops --help` and the offline backend never pay for it.
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
from importlib import resources
from typing import Any

from ..config import ClaudeSettings
from ..errors import EXIT_BAD_INPUT, ConfigError, KbopsError
from .decision import Citation, Draft, Evidence, TicketInput

log = logging.getLogger(__name__)

API_KEY_ENV = "ANTHROPIC_API_KEY"
PROMPTS_PACKAGE = "kbops.agent.prompts"
TOOL_NAME = "submit_answer"
TICKET_TAG = "untrusted_ticket"
SOURCES_TAG = "sources"

INITIAL_BACKOFF_SECONDS = 0.5
MAX_BACKOFF_SECONDS = 8.0
MAX_RETRY_AFTER_SECONDS = 60.0
"""A server asking for a longer pause is obeyed only up to this: a replay must not stall."""

MODEL_WEIGHT = 0.6
RETRIEVAL_WEIGHT = 0.4
CANNOT_ANSWER_CAP = 0.2
TOP_RANK = 3
"""A cited chunk ranked this high (1-based) in a ranking counts as that ranking's support."""

ERROR_DETAIL_CHARS = 200

ANSWER_TOOL: dict[str, Any] = {
    "name": TOOL_NAME,
    "description": (
        "Submit the drafted reply to the customer, the numbers of the sources it relies on, "
        "whether the sources answer the ticket, and how confident you are."
    ),
    "input_schema": {
        "type": "object",
        "properties": {
            "reply": {"type": "string", "description": "The reply to send to the customer."},
            "cited_sources": {
                "type": "array",
                "items": {"type": "integer", "minimum": 1},
                "description": "Numbers of the sources the reply relies on, e.g. [1, 3].",
            },
            "can_answer": {
                "type": "boolean",
                "description": "False when the sources do not cover the question.",
            },
            "confidence": {
                "type": "number",
                "minimum": 0,
                "maximum": 1,
                "description": "How sure you are that the reply resolves the ticket.",
            },
        },
        "required": ["reply", "cited_sources", "can_answer", "confidence"],
        "additionalProperties": False,
    },
}


class MissingAPIKey(KbopsError):
    """The Claude backend was chosen but no Anthropic API key is available."""

    exit_code = EXIT_BAD_INPUT


@dataclass(frozen=True)
class RequestFailure:
    """Why one attempt failed, and whether another attempt could succeed."""

    reason: str
    retryable: bool = False
    retry_after: float | None = None
    malformed: bool = False


@dataclass(frozen=True)
class _Submission:
    """The validated input of the model's `submit_answer` call."""

    reply: str
    cited_sources: tuple[int, ...]
    can_answer: bool
    confidence: float


def make_claude_answerer(settings: ClaudeSettings, api_key: str | None = None) -> ClaudeAnswerer:
    """The one place a Claude backend is built from config (the CLI and replay call this)."""
    return ClaudeAnswerer(settings, api_key=api_key)


class ClaudeAnswerer:
    """An `Answerer` backed by the Anthropic Messages API with forced tool use.

    Confidence of a Draft (documented here because policy thresholds depend on it):

        retrieval_support = 0.5 * best_dense + 0.5 * rank_support      (0 if nothing cited)
        confidence        = 0.6 * model_confidence + 0.4 * retrieval_support
        if not can_answer: confidence = min(confidence, 0.2)

    `best_dense` is the highest dense (cosine) score among the cited chunks, clamped to
    [0, 1]; `rank_support` is the share of the two rankings (lexical, dense) that put a
    cited chunk in their top 3. The model's self-report alone is poorly calibrated; tying
    it to what retrieval actually found means a confident answer citing a weak, low-ranked
    chunk still lands near the escalation threshold.
    """

    name = "claude"

    def __init__(
        self,
        settings: ClaudeSettings,
        api_key: str | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        key = (api_key or os.environ.get(API_KEY_ENV, "")).strip()
        if not key:
            raise MissingAPIKey(
                f"the Claude backend needs an Anthropic API key: set {API_KEY_ENV} "
                "(or pass api_key), or choose the offline backend"
            )
        import anthropic

        self.settings = settings
        self._secret = key
        self._system_prompt = load_prompt(settings.prompt_version)
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._client = anthropic.Anthropic(
            api_key=key,
            base_url=settings.base_url or None,
            timeout=settings.timeout_seconds,
            max_retries=0,
        )

    def __repr__(self) -> str:
        return f"ClaudeAnswerer(model={self.settings.model!r})"  # never the key

    def answer(self, ticket: TicketInput, evidence: Sequence[Evidence]) -> Draft:
        """Draft a reply; never raises for API or output problems (see `Draft.error`)."""
        if not evidence:
            return self._draft_without_sources()
        request = build_request(self.settings, self._system_prompt, ticket, evidence)
        outcome, attempts = self.create_with_retries(request)
        if isinstance(outcome, RequestFailure):
            return self._failed_draft(outcome, attempts)
        submission = parse_submission(outcome, len(evidence))
        if isinstance(submission, str):
            return self._failed_draft(RequestFailure(submission, malformed=True), attempts, outcome)
        return self._draft(submission, evidence, outcome, attempts)

    def create_with_retries(self, request: dict[str, Any]) -> tuple[Any, int]:
        """(parsed message or final RequestFailure, attempts made). The draft writer uses it
        too, so both Claude callers share one retry policy."""
        attempts = self.settings.max_retries + 1
        for attempt in range(attempts):
            outcome = self._create_once(request)
            if (
                not isinstance(outcome, RequestFailure)
                or not outcome.retryable
                or attempt + 1 == attempts
            ):
                return outcome, attempt + 1
            delay = backoff_seconds(attempt, outcome.retry_after, self._rng)
            log.info(
                "Claude request failed (%s); retry %d/%d in %.2fs",
                outcome.reason,
                attempt + 1,
                attempts - 1,
                delay,
            )
            self._sleep(delay)
        raise AssertionError("unreachable: the loop returns on its last attempt")

    def _create_once(self, request: dict[str, Any]) -> Any:
        """One HTTP attempt: the parsed message, or a RequestFailure saying why not."""
        import anthropic

        try:
            raw = self._client.messages.with_raw_response.create(**request)
        except anthropic.APITimeoutError:
            return RequestFailure("timeout", retryable=True)
        except anthropic.APIConnectionError as exc:
            return RequestFailure(
                f"connection error ({type(exc.__cause__ or exc).__name__})", retryable=True
            )
        except anthropic.APIStatusError as exc:
            return status_failure(exc.status_code, exc.type, exc.api_message, exc.response.headers)
        try:
            return raw.parse()
        except (ValueError, anthropic.APIResponseValidationError):
            return RequestFailure("response body is not a JSON message", malformed=True)

    def _draft(
        self, submission: _Submission, evidence: Sequence[Evidence], message: Any, attempts: int
    ) -> Draft:
        cited = (
            [evidence[number - 1] for number in submission.cited_sources]
            if submission.can_answer
            else []
        )
        return Draft(
            reply=submission.reply,
            citations=citations_for(cited),
            confidence=combined_confidence(submission.confidence, submission.can_answer, cited),
            can_answer=submission.can_answer,
            backend=self.name,
            notes=self._notes(attempts, message),
        )

    def _failed_draft(self, failure: RequestFailure, attempts: int, message: Any = None) -> Draft:
        kind = "malformed_output" if failure.malformed else "backend_error"
        return Draft(
            reply="",
            citations=(),
            confidence=0.0,
            can_answer=False,
            backend=self.name,
            notes=self._notes(attempts, message),
            error=f"{kind}: {self._scrub(failure.reason)}",
        )

    def _draft_without_sources(self) -> Draft:
        """Nothing retrieved: no source could be cited, so the call would only cost money."""
        return Draft(
            reply="",
            citations=(),
            confidence=0.0,
            can_answer=False,
            backend=self.name,
            notes=f"{self._notes(attempts=0)} (no evidence retrieved: model not called)",
        )

    def _notes(self, attempts: int, message: Any = None) -> str:
        parts = [
            f"model={self.settings.model}",
            f"prompt={self.settings.prompt_version}",
            f"attempts={attempts}",
        ]
        usage = getattr(message, "usage", None)
        if usage is not None:
            parts.append(
                f"tokens={getattr(usage, 'input_tokens', '?')}+{getattr(usage, 'output_tokens', '?')}"
            )
        return " ".join(parts)

    def _scrub(self, text: str) -> str:
        """Error text ends up in reports; make sure the key can never be part of it."""
        return text.replace(self._secret, "[redacted]") if self._secret else text


def load_prompt(version: str) -> str:
    """The system prompt of a template version; ConfigError names the versions that exist."""
    folder = resources.files(PROMPTS_PACKAGE)
    template = folder.joinpath(f"{version}.md")
    if not template.is_file():
        known = sorted(
            p.name.removesuffix(".md") for p in folder.iterdir() if p.name.endswith(".md")
        )
        raise ConfigError(
            f"claude.prompt_version: no prompt template '{version}' (known: {', '.join(known)})"
        )
    return template.read_text(encoding="utf-8").strip()


def build_request(
    settings: ClaudeSettings, system_prompt: str, ticket: TicketInput, evidence: Sequence[Evidence]
) -> dict[str, Any]:
    """Keyword arguments of `messages.create`: one user turn, one forced tool."""
    return {
        "model": settings.model,
        "max_tokens": settings.max_tokens,
        "system": system_prompt,
        "messages": [{"role": "user", "content": user_message(ticket, evidence)}],
        "tools": [ANSWER_TOOL],
        "tool_choice": {"type": "tool", "name": TOOL_NAME, "disable_parallel_tool_use": True},
    }


def user_message(ticket: TicketInput, evidence: Sequence[Evidence]) -> str:
    """Numbered sources first, then the ticket fenced in untrusted-content tags."""
    sources = "\n\n".join(
        f"[{n}] {e.title} > {e.section}\n{e.text.strip()}" for n, e in enumerate(evidence, 1)
    )
    ticket_lines = [f"Subject: {ticket.subject}"] if ticket.subject else []
    ticket_lines.append(ticket.text.strip())
    ticket_body = _defang("\n".join(ticket_lines))
    return (
        f"<{SOURCES_TAG}>\n{sources}\n</{SOURCES_TAG}>\n\n"
        f"<{TICKET_TAG}>\n{ticket_body}\n</{TICKET_TAG}>\n\n"
        f"Draft a reply to the ticket above using only the numbered sources, "
        f"and submit it with the {TOOL_NAME} tool."
    )


def _defang(text: str) -> str:
    """A customer must not be able to close the untrusted block early by typing the tag."""
    return re.sub(
        rf"<(\s*/?\s*)({TICKET_TAG}|{SOURCES_TAG})", r"&lt;\1\2", text, flags=re.IGNORECASE
    )


def backoff_seconds(attempt: int, retry_after: float | None, rng: random.Random) -> float:
    """Honour the server's `retry-after` (capped); else 0.5s, 1s, 2s, ... (cap 8s) minus up
    to 25% jitter, so parallel replay workers do not retry in lockstep."""
    if retry_after is not None:
        return min(retry_after, MAX_RETRY_AFTER_SECONDS)
    base = min(INITIAL_BACKOFF_SECONDS * 2**attempt, MAX_BACKOFF_SECONDS)
    return base * (1 - 0.25 * rng.random())


def status_failure(
    status: int, error_type: str | None, api_message: str | None, headers: Any
) -> RequestFailure:
    """Map an HTTP error status to a short, user-facing reason and a retry decision."""
    detail = f" {error_type}" if error_type else ""
    if status == 429:
        return RequestFailure(
            f"rate limited ({status})", retryable=True, retry_after=retry_after_seconds(headers)
        )
    if status == 529:
        return RequestFailure(
            f"overloaded ({status})", retryable=True, retry_after=retry_after_seconds(headers)
        )
    if status >= 500:
        return RequestFailure(
            f"server error ({status}{detail})",
            retryable=True,
            retry_after=retry_after_seconds(headers),
        )
    if status == 401:
        return RequestFailure(
            f"the Anthropic API rejected the API key ({status}): set a valid {API_KEY_ENV}"
        )
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


def parse_submission(message: Any, source_count: int) -> _Submission | str:
    """The validated tool input, or a short description of what is wrong with it."""
    content = getattr(message, "content", None)
    if not isinstance(content, list):
        return "response is not a message with content"
    calls = [
        b
        for b in content
        if getattr(b, "type", None) == "tool_use" and getattr(b, "name", None) == TOOL_NAME
    ]
    if not calls:
        kinds = sorted({str(getattr(b, "type", "?")) for b in content}) or ["nothing"]
        stop = getattr(message, "stop_reason", None)
        return f"no {TOOL_NAME} tool call (got {', '.join(kinds)}; stop_reason={stop})"
    tool_input = getattr(calls[0], "input", None)
    if not isinstance(tool_input, dict):
        return f"{TOOL_NAME} input is not an object"
    return validate_tool_input(tool_input, source_count)


def validate_tool_input(data: dict[str, Any], source_count: int) -> _Submission | str:
    """Strict checks: JSON Schema in the request is a request, not a guarantee."""
    reply, cited, can_answer, confidence = (
        data.get(k) for k in ("reply", "cited_sources", "can_answer", "confidence")
    )
    if not isinstance(reply, str):
        return f"reply must be a string, got {_type_name(reply)}"
    if not isinstance(can_answer, bool):
        return f"can_answer must be a boolean, got {_type_name(can_answer)}"
    if not _is_number(confidence) or not 0 <= confidence <= 1:
        return f"confidence must be a number in [0, 1], got {_short(confidence)}"
    if not isinstance(cited, list) or not all(
        isinstance(n, int) and not isinstance(n, bool) for n in cited
    ):
        return f"cited_sources must be a list of integers, got {_short(cited)}"
    out_of_range = [n for n in cited if not 1 <= n <= source_count]
    if out_of_range:
        return f"cited_sources {out_of_range} out of range 1..{source_count}"
    if can_answer and not reply.strip():
        return "can_answer is true but the reply is empty"
    return _Submission(reply.strip(), tuple(dict.fromkeys(cited)), can_answer, float(confidence))


def citations_for(cited: Sequence[Evidence]) -> tuple[Citation, ...]:
    """One Citation per distinct article section, in the order the model cited them."""
    seen: dict[tuple[str, str], Citation] = {}
    for e in cited:
        seen.setdefault(
            (e.article_id, e.anchor), Citation(e.article_id, e.title, e.section, e.anchor)
        )
    return tuple(seen.values())


def retrieval_support(cited: Sequence[Evidence]) -> float:
    """How strongly retrieval backs the cited chunks, in [0, 1] (see ClaudeAnswerer)."""
    if not cited:
        return 0.0
    best_dense = max(_clamp(e.dense_score or 0.0) for e in cited)
    top_lexical = any(e.lexical_rank is not None and e.lexical_rank <= TOP_RANK for e in cited)
    top_dense = any(e.dense_rank is not None and e.dense_rank <= TOP_RANK for e in cited)
    rank_support = (int(top_lexical) + int(top_dense)) / 2
    return 0.5 * best_dense + 0.5 * rank_support


def combined_confidence(
    model_confidence: float, can_answer: bool, cited: Sequence[Evidence]
) -> float:
    """0.6 * model + 0.4 * retrieval support; at most 0.2 when the model cannot answer."""
    support = retrieval_support(cited)
    confidence = MODEL_WEIGHT * _clamp(model_confidence) + RETRIEVAL_WEIGHT * support
    if not can_answer:
        confidence = min(confidence, CANNOT_ANSWER_CAP)
    return round(_clamp(confidence), 4)


def _clamp(value: float) -> float:
    return min(1.0, max(0.0, value))


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _type_name(value: Any) -> str:
    return "missing" if value is None else type(value).__name__


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
