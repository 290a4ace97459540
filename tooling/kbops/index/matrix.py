"""Every chunk of a KB as a unit vector, to compare a gap's centre or a draft with articles.

Unlike the retrieval index, this covers all audiences and statuses: gap finding must see
a forgotten draft or an internal article that would answer the tickets. Chunk texts are
the index's own, so a shared embedding cache serves them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from ..kb.chunking import chunk_articles
from ..kb.model import Article
from .embed import Embedder, unit_rows


@dataclass
class ArticleMatrix:
    """Article ids and texts beside one unit vector per chunk."""

    articles: dict[str, Article]
    chunk_articles: list[str]
    vectors: np.ndarray
    texts: dict[str, str] = field(default_factory=dict)

    @classmethod
    def build(cls, articles: Iterable[Article], embedder: Embedder) -> ArticleMatrix:
        by_id: dict[str, Article] = {}
        for article in articles:
            by_id.setdefault(article.id, article)
        chunks = chunk_articles(by_id.values())
        vectors = embedder.embed([c.embed_text for c in chunks]) if chunks else np.zeros((0, embedder.dim))
        texts = {a.id: f"{a.title}\n{a.meta.summary}\n{' '.join(a.meta.tags)}\n{a.body}".lower() for a in by_id.values()}
        return cls(by_id, [c.article_id for c in chunks], unit_rows(np.asarray(vectors, dtype=np.float32)), texts)

    def similarities(self, vector: np.ndarray) -> dict[str, float]:
        """Article id -> best chunk cosine with `vector`."""
        best: dict[str, float] = {}
        if not len(self.vectors):
            return best
        for article_id, score in zip(self.chunk_articles, self.vectors @ vector, strict=True):
            if score > best.get(article_id, -1.0):
                best[article_id] = float(score)
        return best

    def nearest(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        return sorted(self.similarities(vector).items(), key=lambda item: (-item[1], item[0]))[:k]
