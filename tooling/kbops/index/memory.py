"""Ticket memory, the scoring: resolved tickets as routes to the articles that answered them.

A customer rarely words a question like the article that answers it, but often like an
earlier customer. Each resolved ticket that names its article(s) becomes an entry; a new
ticket close to an entry is routed to that entry's articles. An entry that names no
article is a *known gap*: the KB had no answer when a specialist resolved it, which is
evidence that a close paraphrase is out of the KB too.

Memory only routes: its text (redacted when stored) is never shown to a customer, and a
route to an article that is no longer public and published is dropped (`routable`).
Pure functions here; storage and search live in `memory_store.py`.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

PARAPHRASE_MODEL = (-3.124, 4.0737, 2.0123)
"""(intercept, cosine, Dice) of P(a past ticket asks the same question), a logistic model
fitted on real customer queries with as many same-question pairs as others (banking77 and
CLINC150 training splits; checked on their test splits by benchmarks/memory_similarity.py).
Cosines are all-MiniLM-L6-v2's; shared stemmed words (Dice) catch product names and error
codes that embeddings blur."""
SAME_QUESTION = 0.5
"""A past ticket counts only when it is more likely the same question than not; weaker
matches (a memory holds far more other questions than paraphrases) must not add up."""


@dataclass(frozen=True)
class MemoryEntry:
    """One resolved ticket as memory keeps it (redacted text only)."""

    ticket_id: str
    text: str
    article_ids: tuple[str, ...]
    """The articles that answered it; () = a known gap."""
    created_at: float | None = None
    """POSIX time the ticket was opened, when known (time-ordered replays need it)."""


@dataclass(frozen=True)
class MemoryView:
    """Which entries one query may learn from. A replayed ticket never sees its own
    entry, and with `before` only tickets opened earlier (an eval must not peek ahead);
    `allowed` restricts memory to a set of tickets (cross-validation's training folds)."""

    exclude: str | None = None
    before: float | None = None
    allowed: frozenset[str] | None = None

    def allows(self, entry: MemoryEntry) -> bool:
        if entry.ticket_id == self.exclude:
            return False
        if self.allowed is not None and entry.ticket_id not in self.allowed:
            return False
        if self.before is not None:
            return entry.created_at is not None and entry.created_at < self.before
        return True


@dataclass(frozen=True)
class MemoryMatch:
    """An article (or, with article_id "", the known-gap signal) and why memory routes there."""

    article_id: str
    score: float
    """0..1: a noisy-or of the paraphrase probabilities of the entries that back it: the
    chance at least one past ticket asked the same question, so more history backs it more."""
    ticket_ids: tuple[str, ...]
    """The tickets that taught it, most similar first."""


@dataclass(frozen=True)
class MemoryRoutes:
    articles: tuple[MemoryMatch, ...] = ()
    """Routes to articles, best first."""
    gap: MemoryMatch | None = None
    """Close paraphrases of tickets the KB could not answer."""

    def score(self, article_id: str) -> float:
        return next((m.score for m in self.articles if m.article_id == article_id), 0.0)

    @property
    def gap_score(self) -> float:
        return self.gap.score if self.gap else 0.0


def paraphrase_probability(dense_cosine: float, lexical_dice: float) -> float:
    """P(the past ticket asks the same question), from PARAPHRASE_MODEL."""
    intercept, cosine, shared = PARAPHRASE_MODEL
    z = intercept + cosine * dense_cosine + shared * lexical_dice
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))


def entry_similarity(dense_cosine: float, lexical_dice: float) -> float:
    """How strongly a past ticket speaks for the query: its paraphrase probability when it is
    more likely the same question than not, else 0."""
    probability = paraphrase_probability(dense_cosine, lexical_dice)
    return probability if probability >= SAME_QUESTION else 0.0


def dice(query_terms: Sequence[str], entry_terms: Sequence[str]) -> float:
    """Shared distinct words over the two texts' distinct words (2|A∩B| / (|A|+|B|))."""
    a, b = set(query_terms), set(entry_terms)
    return 2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0


def route(
    candidates: Sequence[tuple[MemoryEntry, float]],
    view: MemoryView | None = None,
    routable: Callable[[str], bool] | None = None,
    limit: int = 10,
) -> MemoryRoutes:
    """Routes from (entry, entry_similarity) pairs: per article a noisy-or of the
    similarities of the entries that name it (those the view allows, to articles that may
    still be cited), and the same over known-gap entries."""
    view = view or MemoryView()
    backing: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for entry, similarity in candidates:
        if similarity <= 0 or not view.allows(entry):
            continue
        targets = [a for a in entry.article_ids if routable is None or routable(a)]
        if not entry.article_ids:
            backing[""].append((similarity, entry.ticket_id))
        for article_id in dict.fromkeys(targets):
            backing[article_id].append((similarity, entry.ticket_id))
    matches = []
    for article_id, scored in backing.items():
        scored.sort(key=lambda item: (-item[0], item[1]))
        score = 1 - math.prod(1 - s for s, _ in scored)
        matches.append(MemoryMatch(article_id, round(score, 6), tuple(t for _, t in scored)))
    gap = next((m for m in matches if m.article_id == ""), None)
    articles = sorted((m for m in matches if m.article_id), key=lambda m: (-m.score, m.article_id))
    return MemoryRoutes(tuple(articles[:limit]), gap)
