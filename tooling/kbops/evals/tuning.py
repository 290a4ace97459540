"""What `kbops tune` fits on a team's labelled history, and how each candidate is scored.

Everything slow is fetched once per ticket (the redacted text, the lexical and dense
rankings, the gates that do not depend on retrieval, the ticket-to-ticket similarity
ticket memory uses); candidates are then re-fused and re-scored in memory. The same code
scores the shipped defaults ("before") and the fitted settings ("after"), so the two are
measured alike.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..agent.agent import Agent
from ..agent.confidence import FEATURES, ConfidenceModel, retrieval_features
from ..agent.decision import Citation, Draft
from ..agent.policy import assess_ticket, decide, known_gap
from ..index.embed import Embedder
from ..index.lexical import tokenize
from ..index.memory import MemoryEntry, MemoryView, dice, entry_similarity, route
from ..index.query import Scope
from ..tickets.model import Ticket
from .runs import GAP_REASONS

HIT_DEPTH = 10


@dataclass(frozen=True)
class Case:
    """One labelled ticket, with what tuning needs fetched once."""

    ticket_id: str
    text: str
    """Redacted, as the agent sees it."""
    gold: frozenset[str]
    """Articles that answer it; empty = the KB could not (a negative for coverage)."""
    created_at: float | None
    gated: bool
    """A gate that does not depend on retrieval (risk topic, VIP, anger, a person asked for,
    injection) stops it whatever the settings."""
    rankings: dict[str, list[tuple[str, float]]] = field(repr=False)


@dataclass(frozen=True)
class Setting:
    """One candidate of what tuning fits: fusion weights, a confidence model, thresholds."""

    lexical_weight: float
    dense_weight: float
    memory_weight: float
    model: ConfidenceModel
    answer_threshold: float
    no_coverage_threshold: float
    known_gap_threshold: float
    budget_met: bool = True
    """False when no threshold kept the false-deflection budget on the history (the
    threshold in use was kept)."""


@dataclass(frozen=True)
class Outcome:
    """What the agent would do with one case under one setting."""

    gold_rank: int | None
    """Rank (1-based, top 10) of the first gold article; None when none retrieved."""
    features: dict[str, float]
    top_correct: bool
    gated: bool
    """Gated by a retrieval-independent gate or by citing a sensitive article."""
    known_gap: bool
    """Memory says close paraphrases were unanswerable (escalates with no_coverage)."""

    @property
    def may_answer(self) -> bool:
        """Something to cite and nothing but the threshold in the way."""
        return not self.gated and not self.known_gap and self.features["top_score"] > 0


class History:
    """The labelled tickets of one team, fetched once, and memory between them."""

    def __init__(self, agent: Agent, embedder: Embedder, tickets: Sequence[Ticket],
                 progress: Callable[[int, int], None] | None = None) -> None:
        self.agent = agent
        self.cases = []
        for done, ticket in enumerate(tickets, start=1):
            self.cases.append(self._case(ticket))
            if progress:
                progress(done, len(tickets))
        self.entries = [MemoryEntry(c.ticket_id, c.text, tuple(sorted(c.gold)), c.created_at) for c in self.cases]
        self.similarity = _similarity_matrix([c.text for c in self.cases], embedder)

    def _case(self, ticket: Ticket) -> Case:
        prepared = self.agent.prepare(ticket)
        policy = self.agent.settings.policy
        signals = assess_ticket(prepared.full_text, prepared.tier, policy, self.agent.similarity)
        citation = Citation("-", "-", "", "")
        draft = Draft(reply="", citations=(citation,), confidence=1.0, can_answer=True, backend="tune")
        reasons = decide(signals, draft, [], policy, prepared.tier, reply_problems={}).reasons
        gated = any(r not in GAP_REASONS for r in reasons)
        rankings = self.agent.retriever.rankings(prepared.text, Scope.CUSTOMER)
        created = ticket.created_at.timestamp() if ticket.created_at else None
        return Case(ticket.id, prepared.text, frozenset(ticket.resolved_by_article_ids), created, gated, rankings)

    def outcome(self, index: int, setting: Setting, memory_from: Sequence[int], time_ordered: bool) -> Outcome:
        """The agent's view of case `index` with memory holding only `memory_from` (never itself;
        with `time_ordered`, only tickets opened before it)."""
        case = self.cases[index]
        routes = None
        if memory_from:
            before = case.created_at if time_ordered else None
            view = MemoryView(exclude=case.ticket_id, before=before)
            allowed = set(memory_from)
            close = np.nonzero(self.similarity[index] > 0)[0]
            candidates = [(self.entries[j], float(self.similarity[index, j])) for j in close if j in allowed]
            routes = route(candidates, view, self.agent.retriever.article_chunks(Scope.CUSTOMER).__contains__)
        weights = {"lexical": setting.lexical_weight, "dense": setting.dense_weight}
        hits = self.agent.retriever.fuse(case.rankings, HIT_DEPTH, weights, routes=routes,
                                         memory_weight=setting.memory_weight, query=case.text)
        evidence = self.agent.evidence(hits[: self.agent.settings.agent.top_articles], routes)
        features = retrieval_features(case.text, evidence)
        ranked = [h.article_id for h in hits]
        gold_rank = next((rank for rank, a in enumerate(ranked, start=1) if a in case.gold), None)
        top = evidence[0] if evidence else None
        cited = [e for e in evidence if top and e.article_id == top.article_id]
        return Outcome(
            gold_rank=gold_rank,
            features=features,
            top_correct=bool(top and top.article_id in case.gold),
            gated=case.gated or bool(top and top.risk_topics),
            known_gap=known_gap(cited, setting.known_gap_threshold) > 0,
        )



def feature_matrix(outcomes: Sequence[Outcome]) -> np.ndarray:
    return np.array([[o.features[name] for name in FEATURES] for o in outcomes], dtype=float).reshape(-1, len(FEATURES))


def _similarity_matrix(texts: Sequence[str], embedder: Embedder) -> np.ndarray:
    """entry_similarity between every two tickets (what memory would score)."""
    n = len(texts)
    if n == 0:
        return np.zeros((0, 0))
    vectors = embedder.embed(list(texts))
    cosine = np.clip(vectors @ vectors.T, 0.0, 1.0)
    terms = tokenize(list(texts))
    matrix = np.zeros((n, n))
    for i in range(n):
        for j in range(i + 1, n):
            matrix[i, j] = matrix[j, i] = entry_similarity(float(cosine[i, j]), dice(terms[i], terms[j]))
    return matrix
