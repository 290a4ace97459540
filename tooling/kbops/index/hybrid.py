"""Hybrid fusion of lexical and dense rankings, grouped into article hits.

Default: a convex combination at article level. Each ranker's candidate scores are
min-max normalised (so BM25's unbounded scale and cosine's compressed one become
comparable within a query), an article takes its best chunk per ranker, and the weighted
sum ranks articles. Measured on the shared WixQA and TechQA sets it beat chunk-level
reciprocal rank fusion (RRF, kept as `retrieval.fusion = "rrf"`) on hit@1 by 10-16 points
with the same weights on both sets (benchmarks/results/retrieval.md). Pure functions.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from .memory import MemoryMatch


@dataclass(frozen=True)
class ChunkHit:
    chunk_id: str
    article_id: str
    title: str
    section: str
    anchor: str
    text: str
    score: float
    lexical_rank: int | None
    dense_rank: int | None
    lexical_score: float | None
    dense_score: float | None


@dataclass(frozen=True)
class ArticleHit:
    article_id: str
    title: str
    score: float
    chunks: tuple[ChunkHit, ...] = field(default=())
    memory: MemoryMatch | None = None
    """The ticket-memory route to this article, when memory contributed."""

    @property
    def best(self) -> ChunkHit:
        return self.chunks[0]


def rrf_scores(
    rankings: Mapping[str, Sequence[tuple[str, float]]], weights: Mapping[str, float], k: int = 60
) -> dict[str, float]:
    """sum_r weight_r / (k + rank_r) over the rankings an item appears in (rank from 1)."""
    fused: dict[str, float] = defaultdict(float)
    for name, ranking in rankings.items():
        weight = weights.get(name, 1.0)
        for rank, (item, _score) in enumerate(ranking, start=1):
            fused[item] += weight / (k + rank)
    return dict(fused)


def minmax(ranking: Sequence[tuple[str, float]]) -> dict[str, float]:
    """Scores scaled to [0, 1] within one ranking; a lone candidate gets 1."""
    if not ranking:
        return {}
    scores = [score for _, score in ranking]
    low, high = min(scores), max(scores)
    span = high - low
    return {item: (score - low) / span if span > 0 else 1.0 for item, score in ranking}


def convex_fusion(
    rankings: Mapping[str, Sequence[tuple[str, float]]],
    weights: Mapping[str, float],
    chunk_article: Mapping[str, str],
) -> tuple[list[tuple[str, float, list[str]]], dict[str, float]]:
    """Articles ranked by sum_r weight_r * (best normalised chunk score of the article in
    ranking r); also returns each chunk's own fused score (to order matched sections)."""
    normalised = {name: minmax(ranking) for name, ranking in rankings.items()}
    chunk_scores: dict[str, float] = defaultdict(float)
    article_best: dict[str, dict[str, float]] = defaultdict(dict)
    for name, scores in normalised.items():
        weight = weights.get(name, 1.0)
        for chunk_id, score in scores.items():
            chunk_scores[chunk_id] += weight * score
            best = article_best[chunk_article[chunk_id]]
            best[name] = max(best.get(name, 0.0), score)
    per_article: dict[str, list[str]] = defaultdict(list)
    for chunk_id in sorted(chunk_scores, key=lambda c: -chunk_scores[c]):
        per_article[chunk_article[chunk_id]].append(chunk_id)
    grouped = [
        (article, sum(weights.get(name, 1.0) * score for name, score in best.items()), per_article[article])
        for article, best in article_best.items()
    ]
    grouped.sort(key=lambda item: (-item[1], item[0]))
    return grouped, dict(chunk_scores)


def group_by_article(
    chunk_scores: Mapping[str, float],
    chunk_article: Mapping[str, str],
    second_chunk_weight: float = 0.1,
) -> list[tuple[str, float, list[str]]]:
    """Article score = best chunk score + a small share of the second best: an article
    that matches in two sections is a slightly better bet than one lucky sentence."""
    per_article: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for chunk_id, score in chunk_scores.items():
        per_article[chunk_article[chunk_id]].append((score, chunk_id))
    grouped = []
    for article_id, scored in per_article.items():
        scored.sort(reverse=True)
        score = scored[0][0] + (second_chunk_weight * scored[1][0] if len(scored) > 1 else 0.0)
        grouped.append((article_id, score, [cid for _, cid in scored]))
    grouped.sort(key=lambda item: (-item[1], item[0]))
    return grouped


def with_memory(
    grouped: list[tuple[str, float, list[str]]],
    memory: Mapping[str, float],
    weight: float,
    article_chunks: Mapping[str, Sequence[str]],
) -> list[tuple[str, float, list[str]]]:
    """Articles re-ranked with ticket memory: score + weight * memory score (memory scores
    are absolute 0..1, so they are not normalised). An article only memory found joins
    with `article_chunks[article]`. With weight 0 or no routes, `grouped` is returned as is."""
    if weight <= 0 or not memory:
        return grouped
    seen = {article for article, _, _ in grouped}
    fused = [(article, score + weight * memory.get(article, 0.0), chunks) for article, score, chunks in grouped]
    fused += [(article, weight * score, list(article_chunks[article]))
              for article, score in memory.items() if article not in seen and article_chunks.get(article)]
    fused.sort(key=lambda item: (-item[1], item[0]))
    return fused
