"""A content-addressed cache of embeddings (model + text hash -> vector) in SQLite.

Embedding is the cost that dominates indexing. The same chunk text shows up again in a
baseline index of another commit, after a `--rebuild`, or in a combined benchmark KB;
with this cache each distinct text is embedded once per model.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .embed import Embedder


class CachedEmbedder:
    """Wraps an Embedder; misses are embedded in one call and stored."""

    def __init__(self, inner: Embedder, path: Path) -> None:
        self.inner = inner
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), timeout=30, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vector BLOB NOT NULL)")
        self._db.commit()

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def dim(self) -> int:
        return self.inner.dim

    def _key(self, text: str) -> str:
        return hashlib.sha256(f"{self.inner.name}\x1f{text}".encode()).hexdigest()

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return self.inner.embed([])
        keys = [self._key(t) for t in texts]
        found: dict[str, np.ndarray] = {}
        unique = list(dict.fromkeys(keys))
        for start in range(0, len(unique), 500):
            batch = unique[start : start + 500]
            marks = ",".join("?" * len(batch))
            for key, blob in self._db.execute(f"SELECT key, vector FROM vectors WHERE key IN ({marks})", batch):
                found[key] = np.frombuffer(blob, dtype=np.float32)
        missing = [i for i, key in enumerate(keys) if key not in found]
        if missing:
            first_of: dict[str, int] = {}
            for i in missing:
                first_of.setdefault(keys[i], i)
            vectors = self.inner.embed([texts[i] for i in first_of.values()])
            rows = []
            for (key, _), vector in zip(first_of.items(), vectors, strict=True):
                found[key] = np.asarray(vector, dtype=np.float32)
                rows.append((key, found[key].tobytes()))
            self._db.executemany("INSERT OR REPLACE INTO vectors (key, vector) VALUES (?, ?)", rows)
            self._db.commit()
        return np.stack([found[key] for key in keys]).astype(np.float32)

    def close(self) -> None:
        self._db.close()
