"""Ticket memory, the store: resolved tickets kept as a chromadb collection of their own
plus BM25 over the same entries, learned incrementally and searched for routes.

Under `memory.path` (default `.kbops/memory/`): `entries.json` (every entry's redacted
text, article ids, time and content hash: the source of truth, written atomically) and
`chroma/`, the vectors (or a collection on the Chroma server when `index.chroma_url` is
set). Only redacted text is ever stored, whatever `redaction.enabled` says. Learning
embeds only new or changed entries; BM25 over entries is rebuilt in memory when first
searched (tickets are short and few next to chunks). Scoring lives in `memory.py`.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import TypeAdapter, ValidationError

from ..config import Settings
from ..errors import KbopsError, one_line
from ..files import Notify, ensure_folder, heal, write_atomic
from ..redact import redact
from ..tickets.model import Ticket
from .embed import Embedder
from .lexical import tokenize
from .memory import MemoryEntry, MemoryRoutes, MemoryView, dice, entry_similarity, route
from .store import BATCH, StoreError, open_client

FORMAT_VERSION = 1
LEARN_JSON_VERSION = 1
COLLECTION_PREFIX = "kbops_memory_"
CANDIDATES = 50
"""Entries taken from each side (dense, BM25) before scoring."""
EMBED_BATCH = 64
IN_FILTER_LIMIT = 500
"""Largest `view.allowed` set sent to chroma as an `$in` filter (bigger ones over-fetch)."""


@dataclass(frozen=True)
class LearnReport:
    """What `kbops learn` did (and prints, as JSON with `--json`)."""

    added: int
    updated: int
    unchanged: int
    removed: int
    skipped_unresolved: int
    embedded: int
    entries: int
    """Entries in memory afterwards."""
    known_gaps: int
    """Of those, tickets resolved without an article (the KB had no answer)."""
    seconds: float
    store: str

    def to_json(self) -> str:
        return json.dumps({"version": LEARN_JSON_VERSION, **asdict(self)}, indent=2)


@dataclass(frozen=True)
class _Record:
    ticket_id: str
    text: str
    article_ids: tuple[str, ...]
    created_at: float | None
    hash: str

    @property
    def entry(self) -> MemoryEntry:
        return MemoryEntry(self.ticket_id, self.text, self.article_ids, self.created_at)


_RECORDS = TypeAdapter(list[_Record])


def memory_dir(settings: Settings) -> Path:
    return (settings.root / settings.memory.path).resolve()


def collection_name(model_name: str) -> str:
    """`kbops_memory_<model slug>`: one collection per model, a valid chroma name."""
    slug = re.sub(r"[^a-z0-9]+", "-", model_name.lower()).strip("-")[:40].strip("-") or "model"
    return f"{COLLECTION_PREFIX}{slug}-{hashlib.sha1(model_name.encode()).hexdigest()[:8]}"


def record_of(ticket: Ticket) -> _Record | None:
    """A ticket as memory keeps it: redacted text, its articles (none = a known gap; a closed
    gap's ticket routes to the article written for it, its `protects:` tag), its time; None
    for a ticket not resolved yet (no resolution and no article)."""
    if not ticket.resolution.strip() and not ticket.resolved_by_article_ids:
        return None
    text = redact(ticket.text).text
    article_ids = tuple(dict.fromkeys(ticket.resolved_by_article_ids or ticket.protected_articles))
    created = ticket.created_at.timestamp() if ticket.created_at is not None else None
    digest = hashlib.sha256(json.dumps([text, article_ids, created]).encode()).hexdigest()[:16]
    return _Record(ticket.id, text, article_ids, created, digest)


class _Vectors:
    """The memory's chroma collection (vectors and redacted documents, never raw text)."""

    def __init__(self, client: Any, model_name: str, location: str) -> None:
        self.location = location
        self.collection = client.get_or_create_collection(
            collection_name(model_name), metadata={"hnsw:space": "cosine", "kbops:model": model_name},
            embedding_function=None,
        )

    def hashes(self) -> dict[str, str]:
        found: dict[str, str] = {}
        for offset in range(0, self.collection.count(), BATCH):
            page = self.collection.get(include=["metadatas"], limit=BATCH, offset=offset)
            for entry_id, meta in zip(page["ids"], page["metadatas"] or [], strict=False):
                found[entry_id] = str((meta or {}).get("hash", ""))
        return found

    def upsert(self, records: Sequence[_Record], vectors: np.ndarray) -> None:
        self.collection.upsert(
            ids=[r.ticket_id for r in records], embeddings=vectors.tolist(), documents=[r.text for r in records],
            metadatas=[{"ticket_id": r.ticket_id, "article_ids": ",".join(r.article_ids), "hash": r.hash,
                        "timed": r.created_at is not None, "created_at": r.created_at or 0.0} for r in records],
        )

    def delete(self, ids: Sequence[str]) -> None:
        for start in range(0, len(ids), BATCH):
            self.collection.delete(ids=list(ids[start : start + BATCH]))

    def query(self, vector: np.ndarray, k: int, where: dict[str, Any] | None) -> list[tuple[str, float]]:
        result = self.collection.query(query_embeddings=[vector.tolist()], n_results=k, where=where,
                                       include=["distances"])
        return [(i, 1.0 - float(d)) for i, d in zip(result["ids"][0], result["distances"][0], strict=True)]

    def cosines(self, vector: np.ndarray, ids: Sequence[str]) -> dict[str, float]:
        if not ids:
            return {}
        found = self.collection.get(ids=list(ids), include=["embeddings"])
        rows = np.asarray(found["embeddings"], dtype=np.float32).reshape(len(found["ids"]), -1)
        return {i: float(row @ vector) for i, row in zip(found["ids"], rows, strict=True)}


def _where(view: MemoryView) -> dict[str, Any] | None:
    """The view as a chroma filter, so excluded entries cannot crowd out the rest."""
    conditions: list[dict[str, Any]] = []
    if view.exclude is not None:
        conditions.append({"ticket_id": {"$ne": view.exclude}})
    if view.before is not None:
        conditions += [{"timed": True}, {"created_at": {"$lt": view.before}}]
    if view.allowed is not None and len(view.allowed) <= IN_FILTER_LIMIT:
        conditions.append({"ticket_id": {"$in": sorted(view.allowed)}})
    if not conditions:
        return None
    return conditions[0] if len(conditions) == 1 else {"$and": conditions}


class TicketMemory:
    """Resolved tickets as routes to their articles. Open with `TicketMemory.open`."""

    def __init__(self, settings: Settings, embedder: Embedder, records: Sequence[_Record] = (),
                 notify: Notify | None = None) -> None:
        self.settings, self.embedder, self.notify = settings, embedder, notify
        self.folder = memory_dir(settings)
        self._records = {r.ticket_id: r for r in records}
        self._vectors: _Vectors | None = None
        self._lexical: tuple[list[_Record], list[list[str]], Any] | None = None
        self._lock = threading.RLock()

    @classmethod
    def open(cls, settings: Settings, embedder: Embedder, notify: Notify | None = None) -> TicketMemory:
        """The learned memory; empty (and nothing written) when none was learned. A damaged
        entries file is set aside with a message and memory starts empty."""
        path = memory_dir(settings) / "entries.json"
        if not path.exists() and not path.is_symlink():
            return cls(settings, embedder, notify=notify)
        try:
            payload = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(payload, dict) or payload.get("version") != FORMAT_VERSION:
                raise ValueError(f"not a version {FORMAT_VERSION} memory file")
            records = _RECORDS.validate_python(payload["entries"])
        except (OSError, ValueError, KeyError, TypeError) as exc:  # ValidationError is a ValueError
            problem = _first_error(exc) if isinstance(exc, ValidationError) else one_line(exc, 120)
            heal(path, f"the ticket memory is unreadable ({problem})", "starting with an empty memory "
                 "(run `kbops learn` again)", notify)
            return cls(settings, embedder, notify=notify)
        return cls(settings, embedder, records, notify)

    def __len__(self) -> int:
        return len(self._records)

    @property
    def entries(self) -> tuple[MemoryEntry, ...]:
        return tuple(r.entry for r in self._records.values())

    @property
    def fingerprint(self) -> str:
        """Changes whenever any entry does (eval checkpoints and cached runs are keyed on it)."""
        listed = "\n".join(f"{i}:{r.hash}" for i, r in sorted(self._records.items()))
        return hashlib.sha256(listed.encode()).hexdigest()[:16]

    @property
    def location(self) -> str:
        return self.settings.chroma_url or str(self.folder / "chroma")

    # ------------------------------------------------------------ learning

    def learn(self, tickets: Sequence[Ticket], prune: bool = False,
              progress: Callable[[int, int], None] | None = None) -> LearnReport:
        """Add new tickets, update changed ones (only those are embedded), drop tickets given
        again as unresolved, and with `prune` every ticket not among `tickets`."""
        started = time.perf_counter()
        with self._lock:
            old = dict(self._records)
            new: dict[str, _Record] = {} if prune else dict(old)
            skipped, given = 0, set()
            for ticket in tickets:
                if ticket.id in given:
                    continue  # the first record of an id wins, as everywhere else
                given.add(ticket.id)
                record = record_of(ticket)
                if record is None:
                    skipped += 1
                    new.pop(ticket.id, None)
                else:
                    new[ticket.id] = record
            embedded = self._sync(list(new.values()), progress)
            self._records = new
            write_atomic(self.folder / "entries.json", json.dumps(
                {"version": FORMAT_VERSION, "model": self.embedder.name,
                 "entries": [asdict(r) for r in new.values()]}, ensure_ascii=False))
            self._lexical = None
        added = sum(1 for i in new if i not in old)
        updated = sum(1 for i, r in new.items() if i in old and old[i].hash != r.hash)
        return LearnReport(
            added=added, updated=updated, unchanged=len(new) - added - updated,
            removed=sum(1 for i in old if i not in new), skipped_unresolved=skipped, embedded=embedded,
            entries=len(new), known_gaps=sum(1 for r in new.values() if not r.article_ids),
            seconds=round(time.perf_counter() - started, 3), store=self.location,
        )

    def _store(self) -> _Vectors:
        if self._vectors is None:
            url = self.settings.chroma_url
            if not url:
                ensure_folder(self.folder, self.settings.root, self.notify, "memory.path")
            try:
                self._vectors = _Vectors(open_client(self.folder / "chroma", url), self.embedder.name, self.location)
            except KbopsError:
                raise
            except Exception as exc:  # noqa: BLE001  chromadb raises many types for a store it cannot use
                if url:
                    raise StoreError(f"the ticket memory's vector store at {self.location} cannot be used: "
                                     f"{one_line(exc, 160)}") from exc
                self._forget_local_store(f"{type(exc).__name__}: {exc}")
                self._vectors = _Vectors(open_client(self.folder / "chroma"), self.embedder.name, self.location)
        return self._vectors

    def _forget_local_store(self, problem: str) -> None:
        """Set a damaged local vector folder aside; the entries are embedded again."""
        from chromadb.api.client import SharedSystemClient  # lazy: chromadb takes seconds to import

        SharedSystemClient.clear_system_cache()  # chromadb caches one client per path
        path = self.folder / "chroma"
        if path.exists() or path.is_symlink():
            heal(path, f"the ticket memory's vector store cannot be opened ({problem})",
                 "embedding the memory again", self.notify)

    def _sync(self, records: Sequence[_Record], progress: Callable[[int, int], None] | None = None) -> int:
        """Make the vectors hold exactly `records`: embed what is missing or changed, delete
        the rest. Returns how many entries were embedded."""
        store = self._store()
        stored = store.hashes()
        changed = [r for r in records if stored.get(r.ticket_id) != r.hash]
        wanted = {r.ticket_id for r in records}
        for start in range(0, len(changed), EMBED_BATCH):
            batch = changed[start : start + EMBED_BATCH]
            store.upsert(batch, self.embedder.embed([r.text for r in batch]))
            if progress:
                progress(min(start + EMBED_BATCH, len(changed)), len(changed))
        store.delete([i for i in stored if i not in wanted])
        return len(changed)

    def _ready_store(self) -> _Vectors:
        """The vectors, brought in line with the entries first when they disagree (a store
        deleted, reset or built for another model), with a message."""
        fresh = self._vectors is None
        store = self._store()
        if fresh and store.collection.count() != len(self._records):
            if self.notify:
                self.notify(f"the ticket memory's vectors at {self.location} do not match its entries; "
                            "embedding them again")
            self._sync(list(self._records.values()))
        return store

    # ------------------------------------------------------------ routing

    def _bm25(self) -> tuple[list[_Record], list[list[str]], Any]:
        if self._lexical is None:
            import bm25s  # lazy: as in lexical.py, only searching needs it

            records = list(self._records.values())
            tokens = tokenize([r.text for r in records])
            model = bm25s.BM25()
            if any(tokens):
                model.index(tokens, show_progress=False)
            self._lexical = (records, tokens, model)
        return self._lexical

    def routes(self, query: str, view: MemoryView | None = None, routable: Callable[[str], bool] | None = None,
               limit: int = 10, vector: np.ndarray | None = None) -> MemoryRoutes:
        """Where past tickets close to `query` route it: dense and BM25 candidates among the
        entries `view` allows, scored by `entry_similarity`, combined by `memory.route`."""
        view = view or MemoryView()
        if not self._records:
            return MemoryRoutes()
        with self._lock:
            records, tokens, model = self._bm25()
            store = self._ready_store()
        allowed = [view.allows(r.entry) for r in records]
        if not any(allowed):
            return MemoryRoutes()
        query_tokens = tokenize([query])[0]
        vector = self.embedder.embed([query])[0] if vector is None else vector
        dense = dict(store.query(vector, min(CANDIDATES, sum(allowed)), _where(view)))
        lexical: list[int] = []
        if query_tokens and any(tokens):
            mask = np.array(allowed, dtype=np.float32)
            k = min(CANDIDATES, len(records))
            docs, scores = model.retrieve([query_tokens], k=k, show_progress=False, weight_mask=mask, n_threads=1)
            lexical = [int(d) for d, s in zip(docs[0], scores[0], strict=True) if s > 0]
        position = {r.ticket_id: n for n, r in enumerate(records)}
        dense.update(store.cosines(vector, [records[n].ticket_id for n in lexical
                                            if records[n].ticket_id not in dense]))
        candidates = []
        for ticket_id, cosine in dense.items():
            n = position.get(ticket_id)
            if n is not None and allowed[n]:
                candidates.append((records[n].entry, entry_similarity(cosine, dice(query_tokens, tokens[n]))))
        return route(candidates, view, routable, limit)


def _first_error(exc: ValidationError) -> str:
    first = exc.errors()[0]
    return one_line(f"entries.{'.'.join(str(p) for p in first['loc'])}: {first['msg']}", 120)
