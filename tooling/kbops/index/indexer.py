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

from pydantic import TypeAdapter, ValidationError

from ..config import Settings
from ..errors import StateError, one_line
from ..files import Notify, ensure_folder, heal, write_atomic
from ..gitkb import KBRevision
from ..kb.chunking import Chunk, chunk_articles
from ..kb.model import KnowledgeBase
from .embed import Embedder
from .lexical import LexicalIndex, read_lexical_meta
from .store import ChromaStore, StoreError, VectorStore, open_client

MANIFEST_VERSION = 1
INDEX_JSON_VERSION = 1
EMBED_BATCH = 64

Progress = Callable[[int, int], None]
"""Called with (chunks embedded so far, chunks to embed)."""


class IndexUnusable(StateError):
    """The on-disk index is missing or unreadable; the caller rebuilds it. `damaged` is the
    file or folder that is corrupt (set aside before the rebuild), None when the index is
    only missing or built for another model."""

    def __init__(self, reason: str, damaged: Path | None = None) -> None:
        super().__init__(reason)
        self.damaged = damaged


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
    if not url:
        return ChromaStore(client, model_name, ef_search=settings.index.hnsw_ef_search, location=str(path))
    try:
        return ChromaStore(client, model_name, ef_search=settings.index.hnsw_ef_search, location=url)
    except Exception as exc:  # noqa: BLE001  chromadb raises many types for a server that refuses us
        raise StoreError(f"the Chroma server at {url} refused the collection: {one_line(exc, 160)}") from exc


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


_CHUNKS = TypeAdapter(list[Chunk])


def read_manifest(path: Path) -> Manifest:
    """The manifest, every field type-checked; IndexUnusable says why it cannot be used."""
    if not path.exists() and not path.is_symlink():
        raise IndexUnusable("no index has been built yet")
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(payload, dict):
            raise ValueError("not a JSON object")
        if payload.get("version") != MANIFEST_VERSION:
            raise ValueError(f"index format {one_line(payload.get('version'), 20)} is not {MANIFEST_VERSION}")
        chunks = {c.id: c for c in _CHUNKS.validate_python(payload["chunks"])}
        model, commit, dirty, built_at = (payload[k] for k in ("model", "commit", "dirty", "built_at"))
        if not (isinstance(model, str) and isinstance(commit, str | None) and isinstance(dirty, bool)
                and isinstance(built_at, str)):
            raise ValueError("model, commit, dirty or built_at has the wrong type")
        return Manifest(model, commit, dirty, built_at, chunks)
    except ValidationError as exc:
        raise IndexUnusable(f"the index manifest is corrupt ({_first_error(exc)})", path) from exc
    except KeyError as exc:
        raise IndexUnusable(f"the index manifest is corrupt (no {exc})", path) from exc
    except (OSError, ValueError, TypeError) as exc:
        raise IndexUnusable(f"the index manifest is corrupt ({one_line(exc, 120)})", path) from exc


def _first_error(exc: ValidationError) -> str:
    first = exc.errors()[0]
    return one_line(f"chunks.{'.'.join(str(p) for p in first['loc'])}: {first['msg']}", 120)


def heal_index(settings: Settings, notify: Notify | None) -> bool:
    """Set aside, with a message, what would stop the index from being opened or rebuilt:
    a state folder replaced by a file, a corrupt manifest, an unreadable lexical index.
    True when something was set aside (the rebuild that follows is already announced)."""
    said: list[str] = []

    def tell(message: str) -> None:
        said.append(message)
        if notify is not None:
            notify(message)

    paths = IndexPaths(settings.index_dir)
    ensure_folder(paths.root, settings.root, tell, "index.path")
    for folder in (paths.chroma, paths.lexical):
        if (folder.exists() or folder.is_symlink()) and not folder.is_dir():
            heal(folder, "is a file, not a folder", "rebuilding the index from the KB", tell)
    try:
        read_manifest(paths.manifest)
    except IndexUnusable as unusable:
        if unusable.damaged is not None:
            heal(unusable.damaged, str(unusable), "rebuilding the index from the KB", tell)
    if paths.lexical.is_dir():
        try:
            read_lexical_meta(paths.lexical)
        except (OSError, ValueError) as exc:
            heal(paths.lexical, f"the lexical index is unreadable ({one_line(exc, 120)})",
                 "rebuilding the index from the KB", tell)
    return bool(said)
