"""Search the index: BM25 and dense candidates, fused, grouped into article hits.

Scope is enforced inside each ranker (BM25 weight mask, chroma `where`), so a customer
query can never see internal, draft or archived chunks, whatever it asks for.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from ..config import RetrievalSettings, Settings
from ..kb import KnowledgeBase, load_kb
from .embed import Embedder
from .hybrid import ArticleHit, ChunkHit, convex_fusion, group_by_article, rrf_scores
from .indexer import (
    IndexPaths,
    IndexUnusable,
    Manifest,
    Progress,
    build_index,
    open_store,
    read_manifest,
)
from .lexical import LexicalIndex
from .store import VectorStore


class Scope(StrEnum):
    CUSTOMER = "customer"
    INTERNAL = "internal"


class Method(StrEnum):
    HYBRID = "hybrid"
    LEXICAL = "lexical"
    DENSE = "dense"


@dataclass
class Retriever:
    manifest: Manifest
    lexical: LexicalIndex
    store: VectorStore
    embedder: Embedder
    settings: RetrievalSettings

    def rankings(self, query: str, scope: Scope, method: Method = Method.HYBRID) -> dict[str, list[tuple[str, float]]]:
        customer = scope is Scope.CUSTOMER
        n = self.settings.candidates
        found: dict[str, list[tuple[str, float]]] = {}
        if method in (Method.HYBRID, Method.LEXICAL):
            found["lexical"] = self.lexical.search(query, n, customer_scope=customer)
        if method in (Method.HYBRID, Method.DENSE):
            found["dense"] = self.store.query(self.embedder.embed([query])[0], n, customer_scope=customer)
        if customer:  # defence in depth; the rankers already filtered
            chunks = self.manifest.chunks
            found = {name: [(c, s) for c, s in r if c in chunks and chunks[c].public] for name, r in found.items()}
        return found

    def search(
        self, query: str, k: int = 5, scope: Scope = Scope.CUSTOMER, method: Method = Method.HYBRID
    ) -> list[ArticleHit]:
        rankings = self.rankings(query, scope, method)
        weights = {"lexical": self.settings.lexical_weight, "dense": self.settings.dense_weight}
        chunks = self.manifest.chunks
        rankings = {name: [(c, s) for c, s in r if c in chunks] for name, r in rankings.items()}
        chunk_article = {c: chunks[c].article_id for r in rankings.values() for c, _ in r}
        if self.settings.fusion == "rrf":
            fused = rrf_scores(rankings, weights, self.settings.rrf_k)
            grouped = group_by_article(fused, chunk_article)
        else:
            grouped, fused = convex_fusion(rankings, weights, chunk_article)
        ranks = {name: {cid: (i + 1, s) for i, (cid, s) in enumerate(r)} for name, r in rankings.items()}
        hits = []
        for article_id, score, chunk_ids in grouped[:k]:
            chunk_hits = tuple(self._chunk_hit(cid, fused[cid], ranks) for cid in chunk_ids)
            hits.append(ArticleHit(article_id, chunks[chunk_ids[0]].title, score, chunk_hits))
        return hits

    def _chunk_hit(self, chunk_id: str, score: float, ranks: dict[str, dict[str, tuple[int, float]]]) -> ChunkHit:
        chunk = self.manifest.chunks[chunk_id]
        lexical = ranks.get("lexical", {}).get(chunk_id)
        dense = ranks.get("dense", {}).get(chunk_id)
        return ChunkHit(
            chunk_id=chunk_id,
            article_id=chunk.article_id,
            title=chunk.title,
            section=chunk.section,
            anchor=chunk.anchor,
            text=chunk.text,
            score=score,
            lexical_rank=lexical[0] if lexical else None,
            dense_rank=dense[0] if dense else None,
            lexical_score=lexical[1] if lexical else None,
            dense_score=dense[1] if dense else None,
        )


def load_retriever(settings: Settings, embedder: Embedder, store: VectorStore | None = None) -> Retriever:
    """Open the built index; IndexUnusable when missing, corrupt, or for another model."""
    paths = IndexPaths(settings.index_dir)
    manifest = read_manifest(paths.manifest)
    if manifest.model != embedder.name:
        raise IndexUnusable(f"the index was built with model '{manifest.model}', not '{embedder.name}'")
    try:
        lexical = LexicalIndex.load(paths.lexical)
    except (OSError, ValueError, KeyError) as exc:
        raise IndexUnusable(f"the lexical index is unreadable ({exc})") from exc
    if store is None:
        try:
            store = open_store(settings, embedder.name)
        except Exception as exc:  # noqa: BLE001  chromadb raises many types on a damaged folder
            raise IndexUnusable(f"the vector store is unreadable ({exc})") from exc
    if store.count() != len(manifest.chunks):
        raise IndexUnusable("the vector store and the index manifest disagree")
    return Retriever(manifest, lexical, store, embedder, settings.retrieval)


def open_index(
    settings: Settings,
    embedder: Embedder,
    kb: KnowledgeBase | None = None,
    notify: Callable[[str], None] | None = None,
    progress: Progress | None = None,
) -> Retriever:
    """The retriever; a missing or broken index is rebuilt from the KB (it is a cache)."""
    try:
        return load_retriever(settings, embedder)
    except IndexUnusable as reason:
        if notify:
            notify(f"index at {settings.index_dir} is unusable: {reason}; rebuilding it from the KB")
    try:
        store = open_store(settings, embedder.name)
    except Exception:  # noqa: BLE001  a damaged local store: start it afresh
        if settings.chroma_url:
            raise
        _forget_local_store(IndexPaths(settings.index_dir).chroma)
        store = open_store(settings, embedder.name)
    build_index(settings, kb or load_kb(settings), embedder, store=store, rebuild=True, progress=progress)
    return load_retriever(settings, embedder, store=store)


def _forget_local_store(path: Path) -> None:
    from chromadb.api.client import SharedSystemClient

    SharedSystemClient.clear_system_cache()  # chromadb caches one client per path
    shutil.rmtree(path, ignore_errors=True)
