"""The dense vector store: chromadb, embedded (PersistentClient) or a Chroma server.

kbops computes embeddings itself and hands chroma vectors (never an embedding function),
so the offline model is used everywhere and tests can count embedding calls. Customer
scope is a `where` filter evaluated inside chroma, not a filter after the fact.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

import numpy as np

from ..config.loading import chroma_url_problem
from ..errors import ConfigError, KbopsError, one_line
from ..kb.chunking import Chunk

COLLECTION = "kbops-chunks"
BATCH = 1000


class StoreError(KbopsError):
    """The vector store cannot be reached or used."""


class VectorStore(Protocol):
    @property
    def location(self) -> str:
        """The server URL or the folder, as reports name it."""
        ...

    def hashes(self) -> dict[str, str]: ...
    def upsert(self, chunks: Sequence[Chunk], vectors: np.ndarray) -> None: ...
    def delete(self, ids: Sequence[str]) -> None: ...
    def query(self, vector: np.ndarray, k: int, customer_scope: bool) -> list[tuple[str, float]]: ...
    def count(self) -> int: ...
    def reset(self) -> None: ...


def _chroma_settings() -> Any:
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    from chromadb.config import Settings  # lazy: chromadb takes seconds to import

    return Settings(anonymized_telemetry=False, allow_reset=True)


def open_client(path: Path | None = None, url: str = "") -> Any:
    """An embedded PersistentClient under `path`, or an HttpClient for `url`."""
    import chromadb  # lazy: chromadb takes seconds to import

    if url:
        problem = chroma_url_problem(url)
        if problem is not None:
            raise ConfigError(f"index.chroma_url (or KBOPS_CHROMA_URL): {problem}")
        parts = urlsplit(url if "://" in url else f"http://{url}")
        assert parts.hostname is not None  # chroma_url_problem checked it
        try:
            return chromadb.HttpClient(
                host=parts.hostname,
                port=parts.port or (443 if parts.scheme == "https" else 8000),
                ssl=parts.scheme == "https",
                settings=_chroma_settings(),
            )
        except Exception as exc:  # chromadb raises plain ValueError/ConnectError types
            raise StoreError(
                f"cannot reach the Chroma server at {url}: {one_line(exc, 160)} (is `chroma run` up?)"
            ) from exc
    assert path is not None
    path.mkdir(parents=True, exist_ok=True)  # a file in its way is set aside by indexer.heal_index
    return chromadb.PersistentClient(path=str(path), settings=_chroma_settings())


@dataclass
class ChromaStore:
    """One collection per embedding model name, so switching models never mixes spaces."""

    client: Any
    model_name: str
    collection_name: str = COLLECTION
    ef_search: int = 400
    """HNSW search breadth. Chroma's default (100) with k = 100 candidates gives approximate,
    run-to-run different tails, which moved fused scores and confidences between runs."""
    location: str = ""
    """The server URL or the folder (for reports)."""

    def __post_init__(self) -> None:
        self._collection = self.client.get_or_create_collection(
            self.collection_name,
            metadata={"hnsw:space": "cosine", "kbops:model": self.model_name},
            embedding_function=None,
        )
        stored_model = (self._collection.metadata or {}).get("kbops:model")
        if stored_model != self.model_name:
            self.reset()
        self._tune()

    def _tune(self) -> None:
        hnsw = (getattr(self._collection, "configuration_json", None) or {}).get("hnsw") or {}
        if hnsw.get("ef_search") != self.ef_search:
            self._collection.modify(configuration={"hnsw": {"ef_search": self.ef_search}})

    def reset(self) -> None:
        """Drop every vector (model changed, or --rebuild)."""
        try:
            self.client.delete_collection(self.collection_name)
        except Exception:  # noqa: BLE001  (missing collection: nothing to drop)
            pass
        self._collection = self.client.create_collection(
            self.collection_name,
            metadata={"hnsw:space": "cosine", "kbops:model": self.model_name},
            embedding_function=None,
        )
        self._tune()

    def hashes(self) -> dict[str, str]:
        found: dict[str, str] = {}
        total = self._collection.count()
        for offset in range(0, total, BATCH):
            page = self._collection.get(include=["metadatas"], limit=BATCH, offset=offset)
            for chunk_id, meta in zip(page["ids"], page["metadatas"] or [], strict=False):
                found[chunk_id] = str((meta or {}).get("hash", ""))
        return found

    def upsert(self, chunks: Sequence[Chunk], vectors: np.ndarray) -> None:
        for start in range(0, len(chunks), BATCH):
            batch = chunks[start : start + BATCH]
            self._collection.upsert(
                ids=[c.id for c in batch],
                embeddings=vectors[start : start + BATCH].tolist(),
                documents=[c.text for c in batch],
                metadatas=[
                    {
                        "article_id": c.article_id,
                        "public": c.public,
                        "audience": c.audience,
                        "status": c.status,
                        "hash": c.hash,
                    }
                    for c in batch
                ],
            )

    def delete(self, ids: Sequence[str]) -> None:
        for start in range(0, len(ids), BATCH):
            self._collection.delete(ids=list(ids[start : start + BATCH]))

    def query(self, vector: np.ndarray, k: int, customer_scope: bool) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) best first."""
        total = self._collection.count()
        if total == 0:
            return []
        result = self._collection.query(
            query_embeddings=[vector.tolist()],
            n_results=min(k, total),
            where={"public": True} if customer_scope else None,
            include=["distances"],
        )
        return [(cid, 1.0 - float(d)) for cid, d in zip(result["ids"][0], result["distances"][0], strict=True)]

    def count(self) -> int:
        return int(self._collection.count())
