"""The agent pipeline: redact -> assess the ticket -> retrieve -> draft -> decide.

The backend only drafts. Whether a reply goes out is decided afterwards by `policy`,
from the ticket text and the cited articles, in plain code, so nothing a ticket says to
the model can open a gate. Retrieval is always customer scope: internal, draft and
archived articles can never be quoted to a customer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import cached_property

from ..config import Settings
from ..errors import ConfigError
from ..index.hybrid import ArticleHit
from ..index.memory import MemoryRoutes, MemoryView
from ..index.retriever import Retriever, Scope
from ..kb.model import Article
from ..kb.provenance import Provenance
from ..kb.voice import VoiceGuide
from ..llm.claude import api_key
from ..redact import redact
from ..tickets.model import Ticket
from .claude import make_claude_answerer
from .confidence import configured_model
from .decision import Answerer, Citation, Decision, Evidence, TicketInput
from .followups import choose_follow_ups, without_cited
from .guard import ReplyGuard, site_hosts
from .language import detect_language, unsupported_language
from .offline import OfflineAnswerer
from .policy import assess_ticket, decide
from .tone import customer_facts, tone_profile


@dataclass
class Agent:
    settings: Settings
    retriever: Retriever
    answerer: Answerer
    articles: dict[str, Article]
    similarity: Callable[[str, Sequence[str]], float] | None = None
    visible: Callable[[str], bool] | None = None
    """May this article be cited to a customer now? Default: as loaded (`Article.is_public`);
    the Workspace passes a check that looks at the file again (`kb/visibility.py`)."""
    on_stale: Callable[[str], None] | None = None
    """Told the id of an article the index still offers to customers but that is no longer
    public and published (the index is stale)."""
    help_site_hosts: tuple[str, ...] = ()
    """Hosts of the published help site (mkdocs `site_url`) that replies may link."""
    provenance: Provenance | None = None
    """Who last changed each section (`kb/provenance.py`): citations carry it, replies never."""

    @cached_property
    def guard(self) -> ReplyGuard:
        """The output guard over this agent's KB (`guard.py`)."""
        agent = self.settings.agent
        hosts = site_hosts(agent.article_url, (*agent.allowed_link_hosts, *self.help_site_hosts))
        authors = self.provenance.authors() if self.provenance else frozenset()
        return ReplyGuard(self.articles, hosts, authors)

    def answer(self, ticket: Ticket | TicketInput, view: MemoryView | None = None) -> Decision:
        """Decide one ticket. Never raises for backend trouble: that escalates. `view` says
        which past tickets memory may use (a replayed ticket never sees its own)."""
        prepared = self.prepare(ticket)
        signals = assess_ticket(prepared.full_text, prepared.tier, self.settings.policy, self.similarity)
        language = detect_language(prepared.full_text, self.settings)
        tone = tone_profile(prepared, signals, self.settings, customer_facts(ticket))
        routes = self.retriever.memory_routes(prepared.text, view, Scope.CUSTOMER)
        hits = self.retriever.search(
            prepared.text, k=self.settings.agent.top_articles, scope=Scope.CUSTOMER, routes=routes
        )
        evidence = self.evidence(hits, routes)
        follow_ups = choose_follow_ups(evidence, self.articles, routes, self.settings, may_cite=self._may_cite)
        prepared = replace(prepared, tone=tone, language=language, follow_ups=follow_ups)
        draft = self.answerer.answer(prepared, evidence)
        cited_ids = {c.article_id for c in draft.citations}
        cited = [e for e in evidence if e.article_id in cited_ids]
        problems = self.guard.check(draft.reply) if draft.reply.strip() else {}
        outcome = decide(signals, draft, cited, self.settings.policy, prepared.tier, problems,
                         unsupported_language(language, self.settings))
        return Decision(
            ticket_id=prepared.ticket_id,
            action=outcome.action,
            reply=draft.reply,
            citations=self.with_provenance(draft.citations),
            confidence=round(draft.confidence, 4),
            reasons=outcome.reasons,
            evidence=tuple(evidence),
            backend=draft.backend,
            kb_commit=self.retriever.manifest.commit,
            sentiment=round(float(signals.sentiment), 4),
            details=dict(outcome.details),
            tone=tone,
            language=language,
            follow_ups=without_cited(follow_ups, draft.citations),
        )

    def with_provenance(self, citations: Sequence[Citation]) -> tuple[Citation, ...]:
        """Each citation with the commit, author and date that last changed its section."""
        if self.provenance is None:
            return tuple(citations)
        changes = [self.provenance.of(c.article_id, c.anchor) for c in citations]
        return tuple(replace(c, commit=change.commit, author=change.author, committed_at=change.committed_at)
                     for c, change in zip(citations, changes, strict=True))

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

    def _may_cite(self, article_id: str) -> bool:
        """Public and published now, whatever the index says; a hit that is not means the
        index is stale, which `on_stale` is told."""
        article = self.articles.get(article_id)
        public = article is not None and (self.visible(article_id) if self.visible else article.is_public)
        if not public and self.on_stale is not None:
            self.on_stale(article_id)
        return public

    def evidence(self, hits: Sequence[ArticleHit], routes: MemoryRoutes | None = None) -> list[Evidence]:
        """The chunks the answer may draw on, of articles that may be cited now, with what
        ticket memory says (its route to the article, and how close known gaps are)."""
        known_gap = routes.gap_score if routes is not None else 0.0
        per_article = self.settings.agent.sections_per_article
        found = []
        rank = 0
        for hit in hits:
            if not self._may_cite(hit.article_id):
                continue
            rank += 1
            article = self.articles[hit.article_id]
            topics = article.risk_topics
            for chunk in hit.chunks[:per_article]:
                memory = hit.memory.score if hit.memory else (routes.score(hit.article_id) if routes else 0.0)
                found.append(Evidence(chunk, risk_topics=topics, article_rank=rank, article_score=hit.score,
                                      memory_score=memory, known_gap=known_gap))
        return found


def choose_backend(settings: Settings) -> str:
    backend = settings.agent.backend
    if backend == "auto":
        return "claude" if api_key() else "offline"
    return backend


def make_answerer(settings: Settings, voice: VoiceGuide | None = None) -> Answerer:
    """The one place a backend is chosen (config `agent.backend`); `voice` is the KB's voice
    guide (`kb/voice.py`), loaded once by the Workspace."""
    backend = choose_backend(settings)
    if backend == "offline":
        return OfflineAnswerer(article_url=settings.agent.article_url, model=configured_model(settings.calibration),
                               voice=voice, settings=settings)
    if backend == "claude":
        return make_claude_answerer(settings.claude, redact_pii=settings.redaction.enabled, voice=voice,
                                    article_url=settings.agent.article_url)
    raise ConfigError(f"agent.backend '{backend}' is not offline, claude or auto")
