"""A content-addressed cache of embeddings (model + text hash -> vector) in SQLite.

Embedding is the cost that dominates indexing. The same chunk text shows up again in a
baseline index of another commit, after a `--rebuild`, or in a combined benchmark KB;
with this cache each distinct text is embedded once per model.

The cache is only a speed-up, so it never stops a command: a file that is not a SQLite
database (or not this cache's) is set aside as `.corrupt` and started afresh; a cache
locked by another process, or one that fails mid-run, is left alone and the command goes
on without it. Each case says so on one line.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..errors import one_line
from ..files import Notify, ensure_folder, heal, shown
from .embed import Embedder

LOCK_TIMEOUT_SECONDS = 30.0
"""How long a write waits for another kbops process holding the cache (concurrent runs)."""


class CachedEmbedder:
    """Wraps an Embedder; misses are embedded in one call and stored."""

    def __init__(self, inner: Embedder, path: Path, notify: Notify | None = None, *,
                 project: Path | None = None, timeout: float = LOCK_TIMEOUT_SECONDS) -> None:
        self.inner = inner
        self.path = path
        self.notify = notify
        self._timeout = timeout
        ensure_folder(path.parent, project or path.parent, notify, "index.embedding_cache")
        self._db: sqlite3.Connection | None = self._open()

    def _open(self) -> sqlite3.Connection | None:
        """The cache, checked; a damaged file is set aside and one retry starts it afresh."""
        for attempt in range(2):
            db = None
            try:
                if self.path.exists() and not self.path.is_file():
                    raise sqlite3.DatabaseError("it is not a file")
                db = sqlite3.connect(str(self.path), timeout=self._timeout, check_same_thread=False)
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vector BLOB NOT NULL)")
                db.execute("SELECT key, vector FROM vectors LIMIT 1").fetchall()
                db.commit()
                return db
            except sqlite3.Error as exc:
                if db is not None:
                    db.close()
                if _locked(exc) or attempt == 1 or not (self.path.exists() or self.path.is_symlink()):
                    self._give_up(exc)
                    return None
                heal(self.path, f"not a usable embedding cache ({one_line(exc, 120)})", "starting it afresh",
                     self.notify)
                for suffix in ("-wal", "-shm"):  # SQLite's side files belong to the bad copy
                    Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        return None

    def _give_up(self, exc: sqlite3.Error) -> None:
        """Go on without the cache (it only saves time), saying why once; a file found
        damaged mid-run is set aside, so the next run starts a fresh one."""
        if getattr(self, "_db", None) is not None:
            try:
                self._db.close()  # type: ignore[union-attr]
            except sqlite3.Error:
                pass
        self._db = None
        if _damaged(exc) and (self.path.exists() or self.path.is_symlink()):
            heal(self.path, f"not a usable embedding cache ({one_line(exc, 120)})", "embedding without it",
                 self.notify)
            for suffix in ("-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        elif self.notify is not None:
            why = "is locked by another process" if _locked(exc) else f"cannot be used ({one_line(exc, 120)})"
            self.notify(f"{shown(self.path)}: the embedding cache {why}; embedding without it")

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def dim(self) -> int:
        return self.inner.dim

    def _key(self, text: str) -> str:
        return hashlib.sha256(f"{self.inner.name}\x1f{text}".encode()).hexdigest()

    def _lookup(self, keys: list[str]) -> dict[str, np.ndarray]:
        """Cached vectors of these keys; a blob of the wrong size is a miss (re-embedded)."""
        found: dict[str, np.ndarray] = {}
        if self._db is None:
            return found
        unique = list(dict.fromkeys(keys))
        try:
            for start in range(0, len(unique), 500):
                batch = unique[start : start + 500]
                marks = ",".join("?" * len(batch))
                for key, blob in self._db.execute(f"SELECT key, vector FROM vectors WHERE key IN ({marks})", batch):
                    if isinstance(blob, bytes) and blob and len(blob) == 4 * (self.dim or len(blob) // 4):
                        found[key] = np.frombuffer(blob, dtype=np.float32)
        except sqlite3.Error as exc:
            self._give_up(exc)
        return found

    def _store(self, rows: list[tuple[str, bytes]]) -> None:
        if self._db is None:
            return
        try:
            self._db.executemany("INSERT OR REPLACE INTO vectors (key, vector) VALUES (?, ?)", rows)
            self._db.commit()
        except sqlite3.Error as exc:
            self._give_up(exc)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return self.inner.embed([])
        keys = [self._key(t) for t in texts]
        found = self._lookup(keys)
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
            self._store(rows)
        return np.stack([found[key] for key in keys]).astype(np.float32)

    def close(self) -> None:
        if self._db is not None:
            self._db.close()


def _locked(exc: sqlite3.Error) -> bool:
    return "locked" in str(exc) or "busy" in str(exc)


def _damaged(exc: sqlite3.Error) -> bool:
    """SQLite's words for a file that is not (any more) a sound database."""
    return any(word in str(exc) for word in ("malformed", "not a database", "corrupt"))
