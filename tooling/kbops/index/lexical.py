"""BM25 over chunks (bm25s), persisted beside the dense index.

chromadb's own sparse index is not available in local mode, so lexical ranking lives
here. It is rebuilt whole on every `kbops index` (10k chunks take seconds; embedding is
the cost worth making incremental). Customer scope is applied as a weight mask inside
the ranking, so hidden chunks can never fill the top k.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from ..kb.chunking import Chunk

FORMAT_VERSION = 1


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    import Stemmer  # lazy, with bm25s: only searching and indexing need them, not `kbops lint`

    return Stemmer.Stemmer("english")


def tokenize(texts: Sequence[str]) -> list[list[str]]:
    """Lowercased, English stop words removed, Snowball-stemmed word tokens."""
    import bm25s  # lazy: see _stemmer

    tokens: list[list[str]] = bm25s.tokenize(list(texts), stemmer=_stemmer(), return_ids=False, show_progress=False)
    return tokens


@dataclass
class LexicalIndex:
    chunk_ids: list[str]
    public: np.ndarray
    """1.0 for chunks a customer may see, 0.0 otherwise (the customer-scope mask)."""
    model: Any

    @classmethod
    def build(cls, chunks: Sequence[Chunk]) -> LexicalIndex:
        import bm25s  # lazy: see _stemmer

        model = bm25s.BM25()
        if chunks:
            model.index(tokenize([c.embed_text for c in chunks]), show_progress=False)
        public = np.array([1.0 if c.public else 0.0 for c in chunks], dtype=np.float32)
        return cls([c.id for c in chunks], public, model)

    def search(self, query: str, k: int, customer_scope: bool) -> list[tuple[str, float]]:
        """(chunk id, BM25 score) best first; only chunks sharing a term with the query."""
        if not self.chunk_ids:
            return []
        tokens = tokenize([query])
        if not tokens[0]:
            return []
        mask = self.public if customer_scope else None
        k = min(k, len(self.chunk_ids))
        docs, scores = self.model.retrieve(tokens, k=k, show_progress=False, weight_mask=mask, n_threads=1)
        return [(self.chunk_ids[int(d)], float(s)) for d, s in zip(docs[0], scores[0], strict=True) if s > 0]

    def save(self, folder: Path) -> None:
        """Write to a temp folder beside the target and swap it in (never half-written)."""
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".lexical-", dir=folder.parent))
        if self.chunk_ids:
            self.model.save(str(staging / "bm25"), show_progress=False)
        (staging / "chunks.json").write_text(
            json.dumps({"version": FORMAT_VERSION, "ids": self.chunk_ids, "public": self.public.tolist()})
        )
        old = folder.with_name(folder.name + ".old")
        if folder.exists():
            os.replace(folder, old)
        os.replace(staging, folder)
        shutil.rmtree(old, ignore_errors=True)

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        """The saved index, checked for consistency; ValueError (or OSError) says what is
        wrong with a damaged one, which the caller rebuilds."""
        import bm25s  # lazy: see _stemmer

        meta = read_lexical_meta(folder)
        ids = list(meta["ids"])
        if not ids:
            return cls(ids, np.array(meta["public"], dtype=np.float32), bm25s.BM25())
        try:
            model = bm25s.BM25.load(str(folder / "bm25"), show_progress=False)
        except (OSError, ValueError):
            raise
        except Exception as exc:  # noqa: BLE001  bm25s and numpy raise many types on damaged files
            raise ValueError(f"the BM25 files are damaged ({type(exc).__name__}: {exc})") from exc
        _check_scores(model, len(ids))
        return cls(ids, np.array(meta["public"], dtype=np.float32), model)


def _check_scores(model: Any, documents: int) -> None:
    """The sparse score matrix agrees with itself and with the chunk ids, so a search can
    never index out of range on a damaged file."""
    scores = getattr(model, "scores", None) or {}
    try:
        data, indices, indptr = (np.asarray(scores[name]) for name in ("data", "indices", "indptr"))
        vocab = model.vocab_dict or {}
        sound = (
            int(scores["num_docs"]) == documents
            and indptr.ndim == indices.ndim == data.ndim == 1
            and len(indptr) > 0 and int(indptr[0]) == 0 and len(data) == len(indices) == int(indptr[-1])
            and bool(np.all(np.diff(indptr) >= 0))
            and (len(indices) == 0 or (int(indices.min()) >= 0 and int(indices.max()) < documents))
            and all(isinstance(i, int) and 0 <= i < len(indptr) for i in vocab.values())
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ValueError(f"the BM25 scores are damaged ({exc})") from exc
    if not sound:
        raise ValueError(f"the BM25 scores do not match the {documents} chunk ids")


def read_lexical_meta(folder: Path) -> dict[str, Any]:
    """The chunk ids and visibility mask saved beside the BM25 model, checked: ValueError
    (or OSError) for a file that is not what `save` wrote."""
    try:
        meta = json.loads((folder / "chunks.json").read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise ValueError("chunks.json is not UTF-8 text") from None
    if not isinstance(meta, dict):
        raise ValueError("chunks.json is not a JSON object")
    if meta.get("version") != FORMAT_VERSION:
        raise ValueError(f"lexical index format {str(meta.get('version'))[:20]} is not {FORMAT_VERSION}")
    ids, public = meta.get("ids"), meta.get("public")
    if not (isinstance(ids, list) and all(isinstance(i, str) for i in ids)):
        raise ValueError("chunks.json: 'ids' is not a list of chunk ids")
    if not (isinstance(public, list) and len(public) == len(ids)
            and all(isinstance(v, int | float) and v in (0, 1) for v in public)):
        raise ValueError("chunks.json: 'public' is not one 0/1 flag per chunk id")
    return dict(meta)
