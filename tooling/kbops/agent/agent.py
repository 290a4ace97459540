"""The agent pipeline: redact -> assess the ticket -> retrieve -> draft -> decide.

The backend only drafts. Whether a reply goes out is decided afterwards by `policy`,
from the ticket text and the cited articles, in plain code, so nothing a ticket says to
the model can open a gate. Retrieval is always customer scope: internal, draft and
archived articles can never be quoted to a customer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..config import Settings
from ..errors import ConfigError
from ..index.embed import Embedder
from ..index.hybrid import ArticleHit
from ..index.retriever import Retriever, Scope
from ..kb.model import Article
from ..llm.claude import api_key
from ..redact import redact
from ..tickets.model import Ticket
from .claude import make_claude_answerer
from .decision import Answerer, Decision, Evidence, TicketInput
from .offline import OfflineAnswerer
from .policy import assess_ticket, decide


@dataclass
class Agent:
    settings: Settings
    retriever: Retriever
    answerer: Answerer
    articles: dict[str, Article]
    similarity: Callable[[str, Sequence[str]], float] | None = None

    def answer(self, ticket: Ticket | TicketInput) -> Decision:
        """Decide one ticket. Never raises for backend trouble: that escalates."""
        prepared = self.prepare(ticket)
        signals = assess_ticket(prepared.text, prepared.tier, self.settings.policy, self.similarity)
        hits = self.retriever.search(
            prepared.text, k=self.settings.agent.top_articles, scope=Scope.CUSTOMER
        )
        evidence = self.evidence(hits)
        draft = self.answerer.answer(prepared, evidence)
        cited_ids = {c.article_id for c in draft.citations}
        cited = [e for e in evidence if e.article_id in cited_ids]
        outcome = decide(signals, draft, cited, self.settings.policy, prepared.tier)
        return Decision(
            ticket_id=prepared.ticket_id,
            action=outcome.action,
            reply=draft.reply,
            citations=draft.citations,
            confidence=round(draft.confidence, 4),
            reasons=outcome.reasons,
            evidence=tuple(evidence),
            backend=draft.backend,
            kb_commit=self.retriever.manifest.commit,
            sentiment=round(float(signals.sentiment), 4),
            details=dict(outcome.details),
        )

    def prepare(self, ticket: Ticket | TicketInput) -> TicketInput:
        """The text the agent works on: redacted of PII when configured (it may go to an
        LLM and into reports)."""
        if isinstance(ticket, Ticket):
            prepared = TicketInput(text=ticket.text, subject=ticket.subject, tier=str(ticket.customer.tier),
                                   ticket_id=ticket.id)
        else:
            prepared = ticket
        if not self.settings.redaction.enabled:
            return prepared
        return TicketInput(
            text=redact(prepared.text).text,
            subject=redact(prepared.subject).text,
            tier=prepared.tier,
            ticket_id=prepared.ticket_id,
        )

    def evidence(self, hits: Sequence[ArticleHit]) -> list[Evidence]:
        per_article = self.settings.agent.sections_per_article
        found = []
        for rank, hit in enumerate(hits, start=1):
            article = self.articles.get(hit.article_id)
            topics = article.risk_topics if article else ()
            for chunk in hit.chunks[:per_article]:
                found.append(Evidence(chunk, risk_topics=topics, article_rank=rank, article_score=hit.score))
        return found


def choose_backend(settings: Settings) -> str:
    backend = settings.agent.backend
    if backend == "auto":
        return "claude" if api_key() else "offline"
    return backend


def make_answerer(settings: Settings) -> Answerer:
    """The one place a backend is chosen (config `agent.backend`)."""
    backend = choose_backend(settings)
    if backend == "offline":
        return OfflineAnswerer(article_url=settings.agent.article_url)
    if backend == "claude":
        return make_claude_answerer(settings.claude)
    raise ConfigError(f"agent.backend '{backend}' is not offline, claude or auto")


def embedding_similarity(embedder: Embedder) -> Callable[[str, Sequence[str]], float]:
    """Max cosine between a text and example phrases (examples embedded once)."""

    @lru_cache(maxsize=64)
    def examples_matrix(examples: tuple[str, ...]) -> np.ndarray:
        return embedder.embed(list(examples))

    @lru_cache(maxsize=8)
    def text_vector(text: str) -> np.ndarray:
        return embedder.embed([text])[0]

    def similarity(text: str, examples: Sequence[str]) -> float:
        if not examples:
            return 0.0
        return float(np.max(examples_matrix(tuple(examples)) @ text_vector(text)))

    return similarity
