"""The embedding seam: what the index needs of a model (`Embedder`), and small wrappers.

Implementations: the offline built-in MiniLM (`minilm.py`, the default), chromadb's or
sentence-transformers' models (`embedders.py`, may download), and `CachedEmbedder`
(`embed_cache.py`). Everything returns unit-length float32 rows in input order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

import numpy as np

from ..errors import KbopsError


class EmbeddingModelMissing(KbopsError):
    """The embedding model is neither built nor buildable from a local wheel."""


@runtime_checkable
class Embedder(Protocol):
    """What the index needs: a stable name (to detect model changes), a size, vectors."""

    @property
    def name(self) -> str:
        """Stable model name: an index built with another model is rebuilt."""
        ...

    @property
    def dim(self) -> int: ...

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Return float32 rows of unit length, one per text, in input order."""
        ...


def unit_rows(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero), as float32."""
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.maximum(norms, 1e-12)).astype(np.float32, copy=False)


class ChromaFunctionEmbedder:
    """Adapts a chromadb EmbeddingFunction (a callable returning vectors) to `Embedder`."""

    def __init__(self, function: Any, name: str, dim: int | None = None) -> None:
        self.function = function
        self.name = name
        self._dim = dim

    @property
    def dim(self) -> int:
        if self._dim is None:  # unknown until the model has produced one vector
            self._dim = int(self.embed(["dimension probe"]).shape[1])
        return self._dim

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return unit_rows(np.asarray(self.function(texts), dtype=np.float32))


class CountingEmbedder:
    """Wraps an embedder and counts its work, so tests can prove re-indexing was incremental."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.calls = 0
        self.texts = 0

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def dim(self) -> int:
        return self.inner.dim

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        self.calls += 1
        self.texts += len(texts)
        return self.inner.embed(texts)

    def reset(self) -> None:
        self.calls = 0
        self.texts = 0
