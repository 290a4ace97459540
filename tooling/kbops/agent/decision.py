"""The types the agent passes around: what a backend drafts, and what the agent decides."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from ..index.hybrid import ChunkHit
from .fit import FollowUp, LanguageGuess, ToneProfile

DECISION_JSON_VERSION = 1


class Action(StrEnum):
    ANSWER = "answer"
    ESCALATE = "escalate"


@dataclass(frozen=True)
class Evidence:
    """A retrieved chunk the answer may draw on: the search hit, plus what the agent knows
    of its article (risk topics, rank among the retrieved articles)."""

    hit: ChunkHit
    risk_topics: tuple[str, ...] = ()
    """The article's `sensitive` topics: citing it escalates (`sensitive_article`)."""
    article_rank: int = 1
    """Rank of this chunk's article among the retrieved articles (1 = best)."""
    article_score: float = 0.0
    """The fused score of the chunk's article (confidence features use the margins)."""
    memory_score: float = 0.0
    """How strongly ticket memory routes the query to this chunk's article (0..1)."""
    known_gap: float = 0.0
    """How close the query is to past tickets the KB could not answer (0..1; the same on
    every item of one query)."""

    @property
    def chunk_id(self) -> str:
        return self.hit.chunk_id

    @property
    def article_id(self) -> str:
        return self.hit.article_id

    @property
    def title(self) -> str:
        return self.hit.title

    @property
    def section(self) -> str:
        return self.hit.section

    @property
    def anchor(self) -> str:
        return self.hit.anchor

    @property
    def text(self) -> str:
        return self.hit.text

    @property
    def score(self) -> float:
        return self.hit.score

    @property
    def lexical_rank(self) -> int | None:
        return self.hit.lexical_rank

    @property
    def dense_rank(self) -> int | None:
        return self.hit.dense_rank

    @property
    def dense_score(self) -> float | None:
        return self.hit.dense_score

    def as_dict(self) -> dict[str, Any]:
        """The flat JSON form `kbops ask --json` has always printed."""
        return {
            "chunk_id": self.chunk_id, "article_id": self.article_id, "title": self.title,
            "section": self.section, "anchor": self.anchor, "text": self.text, "score": self.score,
            "lexical_rank": self.lexical_rank, "dense_rank": self.dense_rank, "dense_score": self.dense_score,
            "risk_topics": list(self.risk_topics), "article_rank": self.article_rank,
            "article_score": self.article_score, "memory_score": self.memory_score, "known_gap": self.known_gap,
        }


@dataclass(frozen=True)
class Citation:
    article_id: str
    title: str
    section: str
    anchor: str
    commit: str = ""
    """The commit that last changed the cited section, `uncommitted`, or "" (no git)."""
    author: str = ""
    """Its author's name (never the e-mail). For people and tools, never for the reply."""
    committed_at: str = ""
    """When that commit was made (ISO 8601)."""


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
    tone: ToneProfile | None = None
    """Decided by the agent before drafting (`fit.py`); the backend follows it."""
    language: LanguageGuess | None = None
    follow_ups: tuple[FollowUp, ...] = ()

    @property
    def full_text(self) -> str:
        """Subject and text, for the gates: a risk request in the subject counts too."""
        if not self.subject.strip() or self.text.startswith(self.subject):
            return self.text
        return f"{self.subject}\n{self.text}"


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
    tone: ToneProfile | None = None
    language: LanguageGuess | None = None
    follow_ups: tuple[FollowUp, ...] = ()

    def to_json(self, package: dict[str, Any] | None = None) -> str:
        """Versioned JSON of `kbops ask --json`, with the escalation package (or null)."""
        payload: dict[str, Any] = {"version": DECISION_JSON_VERSION}
        for name, value in asdict(self).items():
            payload[name] = [e.as_dict() for e in self.evidence] if name == "evidence" else value
        payload["escalation_package"] = package
        return json.dumps(payload, indent=2, default=str)


class Answerer(Protocol):
    """A drafting backend. It proposes a reply and a confidence; it decides no gate."""

    name: str

    def answer(self, ticket: TicketInput, evidence: Sequence[Evidence]) -> Draft: ...
