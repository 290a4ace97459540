"""Finding gaps: group the escalations the KB failed on into topics, name each topic,
find the articles nearest to it, and rank the topics by what closing them is worth.

Input: the `gap` and `false_deflection` tickets of an eval run (`analysis.py` collects
them). Output: ranked `Gap`s.

1. Each ticket is embedded as the mean of its question and its resolution: the
   specialist's answer names the topic in product words the customer may not use.
2. Agglomerative clustering, average linkage over cosine distance, cut at
   `gaps.distance_threshold`: the number of topics is not preset, a lone ticket is a gap.
3. Label: c-TF-IDF key phrases of each cluster against the other clusters and the rest of
   the run's tickets (`labels.py`).
4. Nearest articles: cosine between the cluster centre and every chunk of the KB (all
   audiences and statuses, so a forgotten draft is found too).
5. Missing or failing: an article *covers* the gap when specialists resolved its tickets
   with it (`resolved_by_article_ids`), or when it is similar (`gaps.cover_similarity`)
   and mentions at least half of the gap's key phrases. No covering article: `missing`.
   Otherwise `failing`, and why: `unpublished` (draft, archived or internal), `outdated`
   (the agent answered from it wrongly and its review is overdue), `wrong` (answered from
   it wrongly) or `unfindable` (it exists but the agent did not answer from it).
6. Impact = sum over tickets of tier weight x (`false_deflection_weight` for a wrong answer
   that reached the customer, else 1). Ranked by impact, then size, then id.

Gap ids are a hash of the sorted ticket ids, so the same tickets give the same id on
every run and `kbops gaps draft GAP_ID` keeps working after a re-run.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date, timedelta

import numpy as np

from ..config import GapsSettings
from ..evals.runs import Verdict
from ..index.embed import Embedder, unit_rows
from ..index.matrix import ArticleMatrix
from ..kb.model import Article, Audience, Status
from ..redact import pseudonym, redact
from .labels import key_phrases
from .model import COVERED_TERMS, EXAMPLES, NEAREST, Failure, Gap, GapKind, GapTicket, NearArticle


def ticket_vectors(tickets: Sequence[GapTicket], embedder: Embedder) -> np.ndarray:
    """Unit vectors: mean of the question's and the resolution's embeddings."""
    if not tickets:
        return np.zeros((0, embedder.dim), dtype=np.float32)
    vectors = np.array(embedder.embed([t.question for t in tickets]), dtype=np.float32)
    answered = [i for i, t in enumerate(tickets) if t.resolution.strip()]
    if answered:
        vectors[answered] += embedder.embed([tickets[i].resolution for i in answered])
    return unit_rows(vectors)


def cluster(vectors: np.ndarray, distance_threshold: float) -> list[int]:
    """A cluster number per row: average linkage over cosine distance, cut at the threshold."""
    if len(vectors) < 2:
        return [0] * len(vectors)
    from sklearn.cluster import (
        AgglomerativeClustering,  # lazy: scikit-learn takes seconds to import
    )

    model = AgglomerativeClustering(
        n_clusters=None, distance_threshold=distance_threshold, metric="cosine", linkage="average"
    )
    return [int(label) for label in model.fit_predict(vectors)]


def impact(tickets: Sequence[GapTicket], settings: GapsSettings) -> float:
    total = 0.0
    for t in tickets:
        weight = settings.tier_weights.get(t.tier, 1.0)
        total += weight * (settings.false_deflection_weight if t.verdict is Verdict.FALSE_DEFLECTION else 1.0)
    return round(total, 3)


def gap_id(ticket_ids: Iterable[str]) -> str:
    digest = hashlib.sha1("\n".join(sorted(ticket_ids)).encode()).hexdigest()
    return f"gap-{digest[:8]}"


def mentions(text: str, phrase: str) -> bool:
    """Every word of the phrase appears in the text (as a prefix of a word: plurals count)."""
    return all(re.search(rf"\b{re.escape(word)}", text) for word in phrase.lower().split())


def _near(matrix: ArticleMatrix, article_id: str, similarity: float, phrases: Sequence[str],
          members: Sequence[GapTicket]) -> NearArticle:
    article = matrix.articles[article_id]
    text = matrix.texts[article_id]
    coverage = sum(mentions(text, p) for p in phrases) / len(phrases) if phrases else 0.0
    return NearArticle(
        article_id=article_id, title=article.title, path=article.path, status=str(article.meta.status),
        audience=str(article.meta.audience), similarity=round(similarity, 4), term_coverage=round(coverage, 3),
        resolved_tickets=sum(article_id in t.gold for t in members),
        cited_tickets=sum(article_id in t.cited for t in members),
    )


def classify(members: Sequence[GapTicket], nearest: Sequence[NearArticle], articles: dict[str, Article],
             settings: GapsSettings, today: date) -> tuple[GapKind, Failure | None, str | None]:
    """Missing or failing, and why (see the module docstring for the rule)."""
    resolved = Counter(a for t in members for a in t.gold if a in articles)
    similarity = {n.article_id: n.similarity for n in nearest}
    covering = None
    if resolved:
        covering = min(resolved, key=lambda a: (-resolved[a], -similarity.get(a, 0.0), a))
    else:
        covering = next((n.article_id for n in nearest
                         if n.similarity >= settings.cover_similarity and n.term_coverage >= COVERED_TERMS), None)
    if covering is None:
        return GapKind.MISSING, None, None
    article = articles[covering]
    if article.meta.status is not Status.PUBLISHED or article.meta.audience is not Audience.PUBLIC:
        return GapKind.FAILING, Failure.UNPUBLISHED, covering
    answered_wrongly = any(t.verdict is Verdict.FALSE_DEFLECTION and covering in t.cited for t in members)
    if not answered_wrongly:
        return GapKind.FAILING, Failure.UNFINDABLE, covering
    return GapKind.FAILING, Failure.OUTDATED if review_overdue(article, today) else Failure.WRONG, covering


def review_overdue(article: Article, today: date) -> bool:
    reviewed = article.meta.reviewed
    return reviewed is None or reviewed + timedelta(days=article.meta.review_every_days) < today


def find_gaps(
    tickets: Sequence[GapTicket],
    background: Sequence[str],
    matrix: ArticleMatrix,
    embedder: Embedder,
    settings: GapsSettings,
    run_tickets: int,
    today: date | None = None,
) -> list[Gap]:
    """Gaps of these tickets, ranked by impact (rank 1 = most worth closing)."""
    today = today or date.today()
    vectors = ticket_vectors(tickets, embedder)
    labels = cluster(vectors, settings.distance_threshold)
    groups: dict[int, list[int]] = {}
    for index, label in enumerate(labels):
        groups.setdefault(label, []).append(index)
    members_of = list(groups.values())
    # Labels are written into reports: they are taken from redacted text.
    docs = [[redact(f"{tickets[i].question}\n{tickets[i].resolution}").text for i in group] for group in members_of]
    phrases_of = key_phrases(docs, background)
    gaps = []
    for group, phrases in zip(members_of, phrases_of, strict=True):
        centre = unit_rows(vectors[group].mean(axis=0, keepdims=True))[0]
        order = sorted(group, key=lambda i: (-float(vectors[i] @ centre), tickets[i].id))
        members = [tickets[i] for i in order]
        near_ids = dict(matrix.nearest(centre, NEAREST))
        similarities = matrix.similarities(centre)
        for t in members:  # the articles specialists answered with are always shown
            for article_id in t.gold:
                if article_id in matrix.articles:
                    near_ids.setdefault(article_id, similarities.get(article_id, 0.0))
        nearest = tuple(_near(matrix, a, s, phrases, members) for a, s in near_ids.items())
        kind, failure, covering = classify(members, nearest, matrix.articles, settings, today)
        ids = [t.id for t in members]
        gaps.append(Gap(
            id=gap_id(ids), rank=0, label=", ".join(phrases) or members[0].subject, key_phrases=tuple(phrases),
            ticket_ids=tuple(ids), false_deflections=sum(t.verdict is Verdict.FALSE_DEFLECTION for t in members),
            share=round(len(ids) / run_tickets, 4) if run_tickets else 0.0,
            customers=tuple(sorted({pseudonym(t.customer, "customer") for t in members})),
            tiers=dict(sorted(Counter(t.tier for t in members).items())),
            categories=dict(sorted(Counter(t.category for t in members).items())),
            examples=tuple((t.id, redact(t.subject).text) for t in members[:EXAMPLES]),
            nearest=nearest, kind=kind, failure=failure, covering_article=covering,
            impact=impact(members, settings),
        ))
    ranked = sorted(gaps, key=lambda g: (-g.impact, -g.tickets, g.id))
    return [Gap(**{**g.__dict__, "rank": rank}) for rank, g in enumerate(ranked, start=1)]
