"""The embedding cache is only a speed-up: a damaged file is set aside and started afresh, a
locked or failing one is left alone, and embedding goes on either way, with one message."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from kbops.index.embed import CountingEmbedder
from kbops.index.embed_cache import CachedEmbedder

TEXTS = ["reset my password", "export to csv", "reset my password"]


class HashEmbedder:
    """Deterministic 8-dimensional vectors from a text hash: no model needed."""

    name = "hash-8"
    dim = 8

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        rows = [np.frombuffer(hashlib.sha256(t.encode()).digest()[:32], dtype=np.float32) for t in texts]
        return np.stack(rows) if rows else np.zeros((0, self.dim), dtype=np.float32)


def cached(path: Path, messages: list[str], **options: float) -> tuple[CachedEmbedder, CountingEmbedder]:
    counting = CountingEmbedder(HashEmbedder())  # type: ignore[arg-type]
    return CachedEmbedder(counting, path, messages.append, **options), counting  # type: ignore[arg-type]


def test_cache_hits_skip_the_model(tmp_path: Path) -> None:
    messages: list[str] = []
    first, counting = cached(tmp_path / "e.sqlite", messages)
    expected = HashEmbedder().embed(TEXTS)
    np.testing.assert_array_equal(first.embed(TEXTS), expected)
    first.close()
    again, counting = cached(tmp_path / "e.sqlite", messages)
    np.testing.assert_array_equal(again.embed(TEXTS), expected)
    assert counting.texts == 0 and messages == []


@pytest.mark.parametrize(
    "damage",
    [
        lambda p: p.write_bytes(b"this is not a database at all" * 100),
        lambda p: p.write_bytes(b"SQLite format 3\x00" + b"\xff" * 200),          # a header, then garbage
        lambda p: p.mkdir(),                                                     # a folder in its place
        lambda p: sqlite3.connect(p).execute("CREATE TABLE vectors (other INTEGER)").connection.commit(),
    ],
    ids=["garbage", "bad-header", "folder", "other-schema"],
)
def test_a_damaged_cache_is_set_aside_and_started_afresh(tmp_path: Path, damage) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "embeddings.sqlite"
    damage(path)
    messages: list[str] = []
    embedder, counting = cached(path, messages)
    np.testing.assert_array_equal(embedder.embed(TEXTS), HashEmbedder().embed(TEXTS))
    assert (tmp_path / "embeddings.sqlite.corrupt").exists()
    assert len(messages) == 1 and "embeddings.sqlite: not a usable embedding cache" in messages[0]
    assert "moved it to embeddings.sqlite.corrupt, starting it afresh" in messages[0]
    embedder.close()
    healthy, counting = cached(path, messages)
    healthy.embed(TEXTS)
    assert counting.texts == 0 and len(messages) == 1  # the fresh cache works and holds the vectors


def test_a_locked_cache_is_left_alone_and_skipped(tmp_path: Path) -> None:
    path = tmp_path / "embeddings.sqlite"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN EXCLUSIVE")  # another process writing, for longer than we wait
    try:
        messages: list[str] = []
        embedder, counting = cached(path, messages, timeout=0.05)
        np.testing.assert_array_equal(embedder.embed(TEXTS), HashEmbedder().embed(TEXTS))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert messages == [f"{path}: the embedding cache is locked by another process; embedding without it"]
    assert not (tmp_path / "embeddings.sqlite.corrupt").exists()


def test_wrong_sized_vectors_are_misses(tmp_path: Path) -> None:
    path = tmp_path / "embeddings.sqlite"
    messages: list[str] = []
    embedder, _ = cached(path, messages)
    embedder.embed(TEXTS)
    embedder.close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE vectors SET vector = x'00'")
    again, counting = cached(path, messages)
    np.testing.assert_array_equal(again.embed(TEXTS), HashEmbedder().embed(TEXTS))
    assert counting.texts == 2 and messages == []  # re-embedded, and stored right this time


def test_a_cache_that_fails_mid_run_is_dropped_with_one_message(tmp_path: Path) -> None:
    messages: list[str] = []
    embedder, counting = cached(tmp_path / "embeddings.sqlite", messages)
    assert embedder._db is not None
    embedder._db.execute("DROP TABLE vectors")  # the file changed under us
    np.testing.assert_array_equal(embedder.embed(TEXTS), HashEmbedder().embed(TEXTS))
    np.testing.assert_array_equal(embedder.embed(TEXTS), HashEmbedder().embed(TEXTS))
    assert len(messages) == 1 and "embedding without it" in messages[0]
