"""Build and update the index: chunk the KB, embed only what changed, record the commit.

Embedding dominates the cost, so the dense store is updated incrementally by chunk hash;
the BM25 index and the chunk records are cheap and rewritten whole. The index is a
cache: `open_index` rebuilds a missing or corrupt one from the KB with a message.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from ..config import Settings
from ..files import write_atomic
from ..gitkb import KBRevision
from ..kb.chunking import Chunk, chunk_articles
from ..kb.model import KnowledgeBase
from .embed import Embedder
from .lexical import LexicalIndex, read_lexical_meta
from .store import ChromaStore, VectorStore, open_client

MANIFEST_VERSION = 1
INDEX_JSON_VERSION = 1
EMBED_BATCH = 64

Progress = Callable[[int, int], None]
"""Called with (chunks embedded so far, chunks to embed)."""


class IndexUnusable(Exception):
    """The on-disk index is missing or unreadable; the caller rebuilds it."""


@dataclass(frozen=True)
class IndexReport:
    """What `kbops index` did (and prints, as JSON with `--json`)."""

    chunks: int
    articles: int
    embedded: int
    deleted: int
    unchanged: int
    seconds: float
    commit: str | None
    dirty: bool
    model: str
    store: str

    def to_json(self) -> str:
        return json.dumps({"version": INDEX_JSON_VERSION, **asdict(self)}, indent=2)


@dataclass(frozen=True)
class IndexPaths:
    root: Path

    @property
    def chroma(self) -> Path:
        return self.root / "chroma"

    @property
    def lexical(self) -> Path:
        return self.root / "lexical"

    @property
    def manifest(self) -> Path:
        return self.root / "manifest.json"


def open_store(settings: Settings, model_name: str, server: bool = True) -> VectorStore:
    """The configured Chroma server's collection, or the embedded store under `index.path`
    (always, with `server=False`: baseline indexes stay local)."""
    url = settings.chroma_url if server else ""
    path = IndexPaths(settings.index_dir).chroma
    client = open_client(path, url)
    return ChromaStore(client, model_name, ef_search=settings.index.hnsw_ef_search, location=url or str(path))


def build_index(
    settings: Settings,
    kb: KnowledgeBase,
    embedder: Embedder,
    revision: KBRevision,
    store: VectorStore | None = None,
    rebuild: bool = False,
    progress: Progress | None = None,
) -> IndexReport:
    """Bring the index up to date with `kb` (which is at `revision`): embed what changed,
    drop what is gone, rewrite BM25 and the manifest."""
    started = time.perf_counter()
    paths = IndexPaths(settings.index_dir)
    store = store or open_store(settings, embedder.name)
    if rebuild:
        store.reset()
    chunks = chunk_articles(kb.by_id().values())  # duplicate ids are a lint error; first wins
    stored = store.hashes()
    changed = [c for c in chunks if stored.get(c.id) != c.hash]
    current = {c.id for c in chunks}
    removed = [cid for cid in stored if cid not in current]
    for start in range(0, len(changed), EMBED_BATCH):
        batch = changed[start : start + EMBED_BATCH]
        store.upsert(batch, embedder.embed([c.embed_text for c in batch]))
        if progress:
            progress(min(start + EMBED_BATCH, len(changed)), len(changed))
    if not changed and progress:
        progress(0, 0)
    store.delete(removed)
    if changed or removed or rebuild or not _up_to_date(paths, chunks, embedder.name, revision):
        LexicalIndex.build(chunks).save(paths.lexical)
        write_manifest(paths.manifest, chunks, embedder.name, revision.commit, revision.dirty)
    return IndexReport(
        chunks=len(chunks),
        articles=len({c.article_id for c in chunks}),
        embedded=len(changed),
        deleted=len(removed),
        unchanged=len(chunks) - len(changed),
        seconds=round(time.perf_counter() - started, 3),
        commit=revision.commit,
        dirty=revision.dirty,
        model=embedder.name,
        store=store.location,
    )


def _up_to_date(paths: IndexPaths, chunks: Sequence[Chunk], model: str, revision: KBRevision) -> bool:
    """The manifest and BM25 on disk already describe exactly these chunks at this revision,
    so `kbops search` and `kbops ask` on an unchanged KB write nothing."""
    try:
        manifest = read_manifest(paths.manifest)
        lexical_ids = read_lexical_meta(paths.lexical)["ids"]
    except (IndexUnusable, OSError, ValueError, KeyError):
        return False
    return (
        (manifest.model, manifest.commit, manifest.dirty) == (model, revision.commit, revision.dirty)
        and list(manifest.chunks.values()) == list(chunks)
        and lexical_ids == [c.id for c in chunks]
    )


def write_manifest(path: Path, chunks: Sequence[Chunk], model: str, commit: str | None, dirty: bool) -> None:
    payload = {
        "version": MANIFEST_VERSION,
        "model": model,
        "commit": commit,
        "dirty": dirty,
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "chunks": [asdict(c) for c in chunks],
    }
    write_atomic(path, json.dumps(payload))


@dataclass(frozen=True)
class Manifest:
    model: str
    commit: str | None
    dirty: bool
    built_at: str
    chunks: dict[str, Chunk]


def read_manifest(path: Path) -> Manifest:
    try:
        payload = json.loads(path.read_text())
        if payload.get("version") != MANIFEST_VERSION:
            raise IndexUnusable(f"index format {payload.get('version')} is not {MANIFEST_VERSION}")
        chunks = {c["id"]: Chunk(**c) for c in payload["chunks"]}
        return Manifest(payload["model"], payload["commit"], payload["dirty"], payload["built_at"], chunks)
    except FileNotFoundError as exc:
        raise IndexUnusable("no index has been built yet") from exc
    except (ValueError, KeyError, TypeError) as exc:
        raise IndexUnusable(f"the index manifest is corrupt ({exc})") from exc

