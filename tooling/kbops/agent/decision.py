"""The types the agent passes around: what a backend drafts, and what the agent decides."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol


class Action(StrEnum):
    ANSWER = "answer"
    ESCALATE = "escalate"


@dataclass(frozen=True)
class Evidence:
    """A retrieved chunk the answer may draw on, with how it was found."""

    chunk_id: str
    article_id: str
    title: str
    section: str
    anchor: str
    text: str
    score: float
    lexical_rank: int | None = None
    dense_rank: int | None = None
    dense_score: float | None = None
    risk_topics: tuple[str, ...] = ()
    """The article's `sensitive` topics: citing it escalates (`sensitive_article`)."""
    article_rank: int = 1
    """Rank of this chunk's article among the retrieved articles (1 = best)."""
    article_score: float = 0.0
    """The fused score of the chunk's article (confidence features use the margins)."""


@dataclass(frozen=True)
class Citation:
    article_id: str
    title: str
    section: str
    anchor: str


@dataclass(frozen=True)
class Draft:
    """What an Answerer returns. `confidence` is the backend's own estimate in [0, 1]."""

    reply: str
    citations: tuple[Citation, ...]
    confidence: float
    can_answer: bool
    backend: str
    notes: str = ""
    error: str | None = None
    """Set when the backend failed (timeout, malformed output): the agent escalates."""


@dataclass(frozen=True)
class TicketInput:
    """The part of a ticket the agent sees. Text is untrusted and already redacted."""

    text: str
    subject: str = ""
    tier: str = "free"
    ticket_id: str = ""


@dataclass(frozen=True)
class Decision:
    ticket_id: str
    action: Action
    reply: str
    citations: tuple[Citation, ...]
    confidence: float
    reasons: tuple[str, ...]
    evidence: tuple[Evidence, ...]
    backend: str
    kb_commit: str | None
    sentiment: float = 0.0
    details: dict[str, str] = field(default_factory=dict)
    """Why each reason fired (reason code -> human explanation), for the escalation package."""


class Answerer(Protocol):
    """A drafting backend. It proposes a reply and a confidence; it decides no gate."""

    name: str

    def answer(self, ticket: TicketInput, evidence: Sequence[Evidence]) -> Draft: ...
