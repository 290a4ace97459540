"""Search the index: BM25 and dense candidates, fused, grouped into article hits.

Scope is enforced inside each ranker (BM25 weight mask, chroma `where`), so a customer
query can never see internal, draft or archived chunks, whatever it asks for.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..config import RetrievalSettings, Settings
from ..errors import one_line
from ..files import heal
from ..gitkb import KBRevision
from ..kb.model import KnowledgeBase
from .embed import Embedder
from .hybrid import ArticleHit, ChunkHit, convex_fusion, group_by_article, rrf_scores, with_memory
from .indexer import (
    IndexPaths,
    IndexReport,
    IndexUnusable,
    Manifest,
    Progress,
    build_index,
    heal_index,
    open_store,
    read_manifest,
)
from .lexical import LexicalIndex, read_lexical_meta, tokenize
from .memory import MemoryMatch, MemoryRoutes, MemoryView, dice
from .memory_store import TicketMemory
from .query import Method, Scope
from .store import VectorStore

SEARCH_JSON_VERSION = 1
MEMORY_ROUTES = 20
"""Articles ticket memory may route one query to."""


@dataclass
class Retriever:
    manifest: Manifest
    lexical: LexicalIndex
    store: VectorStore
    embedder: Embedder
    settings: RetrievalSettings
    memory: TicketMemory | None = None
    """Ticket memory (`kbops learn`): past customers' wording as routes to articles."""
    _scoped: dict[Scope, dict[str, list[str]]] = field(default_factory=dict, init=False, repr=False)

    def article_chunks(self, scope: Scope) -> dict[str, list[str]]:
        """Each article's chunk ids (customer scope: public chunks only) in manifest order:
        the articles memory may route to (internal, draft, archived and deleted ones have none)."""
        if scope not in self._scoped:
            found: dict[str, list[str]] = defaultdict(list)
            for chunk_id, chunk in self.manifest.chunks.items():
                if chunk.public or scope is not Scope.CUSTOMER:
                    found[chunk.article_id].append(chunk_id)
            self._scoped[scope] = dict(found)
        return self._scoped[scope]

    def memory_routes(self, query: str, view: MemoryView | None = None, scope: Scope = Scope.CUSTOMER) -> MemoryRoutes:
        """Where ticket memory routes `query` (none without memory). `memory_weight` decides how
        far routes move the ranking (0: not at all); known gaps and the agent's confidence use
        them whatever it is."""
        if self.memory is None or not len(self.memory):
            return MemoryRoutes()
        return self.memory.routes(query, view, self.article_chunks(scope).__contains__, MEMORY_ROUTES)

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
        self, query: str, k: int = 5, scope: Scope = Scope.CUSTOMER, method: Method = Method.HYBRID, *,
        view: MemoryView | None = None, routes: MemoryRoutes | None = None,
    ) -> list[ArticleHit]:
        """Articles best first. Hybrid search adds ticket memory's routes (computed here for
        `view`, unless the caller passes the `routes` it already has)."""
        if routes is None and method is Method.HYBRID:
            routes = self.memory_routes(query, view, scope)
        return self.fuse(self.rankings(query, scope, method), k, routes=routes, scope=scope, query=query)

    def fuse(
        self, rankings: dict[str, list[tuple[str, float]]], k: int = 5, weights: dict[str, float] | None = None, *,
        routes: MemoryRoutes | None = None, memory_weight: float | None = None, scope: Scope = Scope.CUSTOMER,
        query: str = "",
    ) -> list[ArticleHit]:
        """Article hits from rankings already fetched: `kbops tune` fetches each ticket's
        rankings once and fuses them under many candidate weights. `routes` (ticket memory)
        add `memory_weight` (default `retrieval.memory_weight`) times their score to an
        article's; `query` orders the sections of an article only memory found."""
        memory_weight = self.settings.memory_weight if memory_weight is None else memory_weight
        if weights is None:
            weights = {"lexical": self.settings.lexical_weight, "dense": self.settings.dense_weight}
        chunks = self.manifest.chunks
        rankings = {name: [(c, s) for c, s in r if c in chunks] for name, r in rankings.items()}
        chunk_article = {c: chunks[c].article_id for r in rankings.values() for c, _ in r}
        if self.settings.fusion == "rrf":
            fused = rrf_scores(rankings, weights, self.settings.rrf_k)
            grouped = group_by_article(fused, chunk_article)
        else:
            grouped, fused = convex_fusion(rankings, weights, chunk_article)
        memory = self._routed(routes, scope) if memory_weight > 0 else {}
        if memory:
            grouped = self._add_memory(query, grouped, fused, memory, scope, memory_weight)
        ranks = {name: {cid: (i + 1, s) for i, (cid, s) in enumerate(r)} for name, r in rankings.items()}
        hits = []
        for article_id, score, chunk_ids in grouped[:k]:
            chunk_hits = tuple(self._chunk_hit(cid, fused[cid], ranks) for cid in chunk_ids)
            hits.append(ArticleHit(article_id, chunks[chunk_ids[0]].title, score, chunk_hits, memory.get(article_id)))
        return hits

    def _routed(self, routes: MemoryRoutes | None, scope: Scope) -> dict[str, MemoryMatch]:
        """The routes that count: to articles with chunks in this scope."""
        if routes is None:
            return {}
        routable = self.article_chunks(scope)
        return {m.article_id: m for m in routes.articles if m.article_id in routable and m.score > 0}

    def _add_memory(self, query: str, grouped: list[tuple[str, float, list[str]]], fused: dict[str, float],
                    memory: dict[str, MemoryMatch], scope: Scope, weight: float) -> list[tuple[str, float, list[str]]]:
        """Memory added to the article scores; an article only memory found brings its
        chunks (those sharing most words with the query first), scored by memory alone."""
        seen = {article for article, _, _ in grouped}
        extra = {a: self.article_chunks(scope)[a] for a in memory if a not in seen}
        if extra:
            ids = [cid for chunk_ids in extra.values() for cid in chunk_ids]
            terms = tokenize([query, *(self.manifest.chunks[cid].embed_text for cid in ids)])
            overlap = {cid: dice(terms[0], words) for cid, words in zip(ids, terms[1:], strict=True)}
            for article, chunk_ids in extra.items():
                extra[article] = sorted(chunk_ids, key=lambda cid: -overlap[cid])
                fused.update(dict.fromkeys(chunk_ids, weight * memory[article].score))
        return with_memory(grouped, {a: m.score for a, m in memory.items()}, weight, extra)

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
        raise IndexUnusable(f"the lexical index is unreadable ({one_line(exc, 120)})", paths.lexical) from exc
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
    kb: KnowledgeBase,
    embedder: Embedder,
    revision: KBRevision,
    *,
    rebuild: bool = False,
    server: bool = True,
    notify: Callable[[str], None] | None = None,
    progress: Progress | None = None,
) -> tuple[Retriever, IndexReport]:
    """The index brought up to date with `kb` once, then opened (one store, one read).

    The index is a cache: a missing, corrupt or other-model index is rebuilt from the KB
    with a message, a damaged local vector store is set aside and started afresh."""
    healed = heal_index(settings, notify)  # damaged files are set aside (and announced) first
    reason = probe_index(settings, embedder.name)
    if reason is not None and not rebuild:
        if notify and not healed:
            notify(f"index at {settings.index_dir} is unusable: {reason}; rebuilding it from the KB")
        rebuild = True
    try:
        store = open_store(settings, embedder.name, server)
    except Exception as exc:  # noqa: BLE001  a damaged local store (chromadb raises many types): start it afresh
        if server and settings.chroma_url:
            raise
        _forget_local_store(IndexPaths(settings.index_dir).chroma, f"{type(exc).__name__}: {exc}", notify)
        store = open_store(settings, embedder.name, server)
        rebuild = True
    report = build_index(settings, kb, embedder, revision, store=store, rebuild=rebuild, progress=progress)
    try:
        return load_retriever(settings, embedder, store=store), report
    except IndexUnusable as unusable:  # damage seen only when loading (BM25 arrays): rebuild once
        if unusable.damaged is not None:
            heal(unusable.damaged, str(unusable), "rebuilding the index from the KB", notify)
        elif notify:
            notify(f"index at {settings.index_dir} is unusable: {unusable}; rebuilding it from the KB")
        report = build_index(settings, kb, embedder, revision, store=store, rebuild=True, progress=progress)
        return load_retriever(settings, embedder, store=store), report


def probe_index(settings: Settings, model_name: str) -> str | None:
    """Why the index on disk cannot be updated in place (None: it can), without opening
    the vector store."""
    paths = IndexPaths(settings.index_dir)
    try:
        manifest = read_manifest(paths.manifest)
        read_lexical_meta(paths.lexical)
    except IndexUnusable as reason:
        return str(reason)
    except (OSError, ValueError, KeyError) as exc:
        return f"the lexical index is unreadable ({exc})"
    if manifest.model != model_name:
        return f"the index was built with model '{manifest.model}', not '{model_name}'"
    return None


def search_json(query: str, scope: Scope, method: Method, commit: str | None, hits: list[ArticleHit]) -> str:
    """Versioned JSON of `kbops search --json`."""
    payload = {
        "version": SEARCH_JSON_VERSION,
        "query": query,
        "scope": str(scope),
        "method": str(method),
        "commit": commit,
        "hits": [
            {
                "article_id": h.article_id,
                "title": h.title,
                "score": round(h.score, 6),
                "memory": {"score": round(h.memory.score, 6), "tickets": list(h.memory.ticket_ids)} if h.memory else None,
                "sections": [
                    {"chunk_id": c.chunk_id, "section": c.section, "anchor": c.anchor, "score": round(c.score, 6),
                     "lexical_rank": c.lexical_rank, "dense_rank": c.dense_rank, "snippet": snippet(c.text)}
                    for c in h.chunks
                ],
            }
            for h in hits
        ],
    }
    return json.dumps(payload, indent=2)


def snippet(text: str, limit: int = 160) -> str:
    """The start of a section on one line, cut at a word."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rsplit(" ", 1)[0] + "…"


def _forget_local_store(path: Path, problem: str, notify: Callable[[str], None] | None) -> None:
    from chromadb.api.client import SharedSystemClient  # lazy: chromadb takes seconds to import

    SharedSystemClient.clear_system_cache()  # chromadb caches one client per path
    if path.exists() or path.is_symlink():
        heal(path, f"the vector store cannot be opened ({problem})", "rebuilding the index from the KB", notify)
