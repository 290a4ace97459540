"""Claude as a drafting backend: retrieved chunks in, a cited Draft out.

The model only proposes (reply, cited sources, can_answer, confidence) through one forced
tool call (`llm.claude`); everything it returns is validated here, and every failure —
transport, API status, or output that does not fit the tool schema — becomes a Draft with
`error` set, so the agent escalates (`backend_error`) instead of crashing a replay.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from ..config import ClaudeSettings
from ..kb.voice import VoiceGuide
from ..llm.claude import (
    ClaudeClient,
    RequestFailure,
    defang,
    require_api_key,
    tool_input,
    tool_request,
)
from ..llm.prompts import load_prompt
from ..redact import redacted
from .decision import Citation, Draft, Evidence, TicketInput
from .fit import reply_brief
from .followups import follow_ups_block

TOOL_NAME = "submit_answer"
TICKET_TAG = "untrusted_ticket"
SOURCES_TAG = "sources"
VOICE_TAG = "voice_guide"
"""The team's voice guide (KB text, trusted as the sources are): rules and the profile's example."""

MODEL_WEIGHT = 0.6
RETRIEVAL_WEIGHT = 0.4
CANNOT_ANSWER_CAP = 0.2
TOP_RANK = 3
"""A cited chunk ranked this high (1-based) in a ranking counts as that ranking's support."""

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
            "can_answer": {"type": "boolean", "description": "False when the sources do not cover the question."},
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


@dataclass(frozen=True)
class _Submission:
    """The validated input of the model's `submit_answer` call."""

    reply: str
    cited_sources: tuple[int, ...]
    can_answer: bool
    confidence: float


def make_claude_answerer(settings: ClaudeSettings, api_key: str | None = None, *, redact_pii: bool = True,
                         voice: VoiceGuide | None = None, article_url: str = "") -> ClaudeAnswerer:
    """The one place a Claude backend is built from config (the agent's `make_answerer`;
    `redact_pii` follows `redaction.enabled`; `voice` is the KB's voice guide; `article_url`
    links the follow-up questions a reply ends with)."""
    return ClaudeAnswerer(settings, api_key=api_key, redact_pii=redact_pii, voice=voice, article_url=article_url)


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
        redact_pii: bool = True,
        voice: VoiceGuide | None = None,
        article_url: str = "",
    ) -> None:
        key = require_api_key(api_key, "the Claude backend", "choose the offline backend")
        self.settings = settings
        self.redact_pii = redact_pii
        """Mask personal data in the ticket before it is sent, whoever prepared the ticket."""
        self.voice = voice
        """The KB's voice guide: its rules and the ticket's profile go with every request."""
        self.article_url = article_url
        self._system_prompt = load_prompt(settings.prompt_version)
        self._api = ClaudeClient(settings, key, sleep=sleep, rng=rng)

    def __repr__(self) -> str:
        return f"ClaudeAnswerer(model={self.settings.model!r})"  # never the key

    def answer(self, ticket: TicketInput, evidence: Sequence[Evidence]) -> Draft:
        """Draft a reply; never raises for API or output problems (see `Draft.error`)."""
        request = self.request_for(ticket, evidence)
        if request is None:
            return self._draft_without_sources()
        outcome, attempts = self._api.create_with_retries(request)
        return self.draft_from(outcome, evidence, attempts, ticket)

    def request_for(self, ticket: TicketInput, evidence: Sequence[Evidence]) -> dict[str, Any] | None:
        """What `answer` sends for this ticket (`messages.create` keyword arguments); None
        when nothing was retrieved, so no call is worth paying for."""
        if not evidence:
            return None
        message = user_message(ticket, evidence, redact_pii=self.redact_pii, voice=self.voice)
        return tool_request(self.settings, self._system_prompt, message, ANSWER_TOOL)

    def draft_from(self, outcome: Any, evidence: Sequence[Evidence], attempts: int = 1,
                   ticket: TicketInput | None = None) -> Draft:
        """The Draft of one API outcome (a parsed message, or the RequestFailure of the
        request), validated the same way whether it came one by one or from a batch. With
        the ticket, an answer ends with its follow-up questions, as an offline reply does."""
        if not evidence:
            return self._draft_without_sources()
        if isinstance(outcome, RequestFailure):
            return self._failed_draft(outcome, attempts)
        found = tool_input(outcome, TOOL_NAME)
        if isinstance(found, str):
            return self._failed_draft(RequestFailure(found, malformed=True), attempts, outcome)
        submission = validate_tool_input(found, len(evidence))
        if isinstance(submission, _Submission):
            draft = self._draft(submission, evidence, outcome, attempts)
            block = follow_ups_block(ticket, draft.citations, self.article_url, self.voice) if ticket else ""
            return replace(draft, reply=f"{draft.reply.rstrip()}\n\n{block}") if block and draft.can_answer else draft
        return self._failed_draft(RequestFailure(submission, malformed=True), attempts, outcome)

    @property
    def api(self) -> ClaudeClient:
        """The client this backend calls through (`kbops eval --batch` submits with it)."""
        return self._api

    def _draft(self, submission: _Submission, evidence: Sequence[Evidence], message: Any, attempts: int) -> Draft:
        cited = [evidence[number - 1] for number in submission.cited_sources] if submission.can_answer else []
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
        return Draft(reply="", citations=(), confidence=0.0, can_answer=False, backend=self.name,
                     notes=self._notes(attempts, message), error=f"{kind}: {self._api.scrub(failure.reason)}")

    def _draft_without_sources(self) -> Draft:
        """Nothing retrieved: no source could be cited, so the call would only cost money."""
        return Draft(reply="", citations=(), confidence=0.0, can_answer=False, backend=self.name,
                     notes=f"{self._notes(attempts=0)} (no evidence retrieved: model not called)")

    def _notes(self, attempts: int, message: Any = None) -> str:
        return self._api.notes(attempts, message, prompt=self.settings.prompt_version)


def build_request(
    settings: ClaudeSettings, system_prompt: str, ticket: TicketInput, evidence: Sequence[Evidence]
) -> dict[str, Any]:
    """Keyword arguments of `messages.create` for one ticket (what `answer` sends)."""
    return tool_request(settings, system_prompt, user_message(ticket, evidence), ANSWER_TOOL)


def user_message(ticket: TicketInput, evidence: Sequence[Evidence], *, redact_pii: bool = True,
                 voice: VoiceGuide | None = None) -> str:
    """Numbered sources first, then the ticket (its personal data masked unless redaction is
    off) fenced in untrusted-content tags, then the team's voice guide for the ticket's tone
    profile (KB text, fenced too) and the agent's brief."""
    sources = "\n\n".join(f"[{n}] {e.title} > {e.section}\n{e.text.strip()}" for n, e in enumerate(evidence, 1))
    ticket_lines = [f"Subject: {ticket.subject}"] if ticket.subject else []
    ticket_lines.append(ticket.text.strip())
    ticket_text = "\n".join(ticket_lines)
    ticket_body = defang(redacted(ticket_text) if redact_pii else ticket_text, (TICKET_TAG, SOURCES_TAG, VOICE_TAG))
    brief = reply_brief(ticket.tone, ticket.language, ticket.follow_ups)
    guide = voice.for_model(ticket.tone.profile if ticket.tone else "neutral") if voice else ""
    guide = defang(guide, (TICKET_TAG, SOURCES_TAG, VOICE_TAG)) if guide else ""
    return (
        f"<{SOURCES_TAG}>\n{sources}\n</{SOURCES_TAG}>\n\n"
        f"<{TICKET_TAG}>\n{ticket_body}\n</{TICKET_TAG}>\n\n"
        + (f"<{VOICE_TAG}>\n{guide}\n</{VOICE_TAG}>\n"
           "Follow the team's voice guide above for this tone profile (its example shows the tone, "
           "never facts to repeat).\n\n" if guide else "")
        + (f"{brief}\n\n" if brief else "")
        + f"Draft a reply to the ticket above using only the numbered sources, "
        f"and submit it with the {TOOL_NAME} tool."
    )


def validate_tool_input(data: dict[str, Any], source_count: int) -> _Submission | str:
    """Strict checks: JSON Schema in the request is a request, not a guarantee."""
    reply, cited, can_answer, confidence = (data.get(k) for k in ("reply", "cited_sources", "can_answer", "confidence"))
    if not isinstance(reply, str):
        return f"reply must be a string, got {_type_name(reply)}"
    if not isinstance(can_answer, bool):
        return f"can_answer must be a boolean, got {_type_name(can_answer)}"
    if not isinstance(confidence, int | float) or isinstance(confidence, bool) or not math.isfinite(confidence) \
            or not 0 <= confidence <= 1:
        return f"confidence must be a number in [0, 1], got {_short(confidence)}"
    if not isinstance(cited, list) or not all(isinstance(n, int) and not isinstance(n, bool) for n in cited):
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
        seen.setdefault((e.article_id, e.anchor), Citation(e.article_id, e.title, e.section, e.anchor))
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


def combined_confidence(model_confidence: float, can_answer: bool, cited: Sequence[Evidence]) -> float:
    """0.6 * model + 0.4 * retrieval support; at most 0.2 when the model cannot answer."""
    support = retrieval_support(cited)
    confidence = MODEL_WEIGHT * _clamp(model_confidence) + RETRIEVAL_WEIGHT * support
    if not can_answer:
        confidence = min(confidence, CANNOT_ANSWER_CAP)
    return round(_clamp(confidence), 4)


def _clamp(value: float) -> float:
    return min(1.0, max(0.0, value))


def _type_name(value: Any) -> str:
    return "missing" if value is None else type(value).__name__


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
