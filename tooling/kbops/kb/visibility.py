"""May a customer see this article *now*? Checked at answer time, not as indexed.

The index and the loaded KB are snapshots. Between them and the moment a reply goes out,
a specialist may switch an article to `audience: internal` or `status: archived`. Before
an article is cited to a customer, its file is looked at again: unchanged (same size and
modification time as when the KB was loaded) means the loaded front matter still holds;
changed, moved or deleted means it is read again, and only a public, published article
with the same id may be cited.
"""

from __future__ import annotations

import threading
from pathlib import Path

from ..config import Settings
from .loader import parse_article
from .model import Article, KnowledgeBase


class LiveVisibility:
    """`visible(article_id)` for a KB loaded from the working tree."""

    def __init__(self, kb: KnowledgeBase, settings: Settings) -> None:
        self._settings = settings
        self._articles = kb.by_id()
        self._base = kb.base
        self._lock = threading.Lock()
        self._known: dict[str, tuple[tuple[int, int] | None, bool]] = {
            article_id: (_signature(self._base / article.path), article.is_public)
            for article_id, article in self._articles.items()
        }

    def __call__(self, article_id: str) -> bool:
        article = self._articles.get(article_id)
        if article is None:
            return False
        path = self._base / article.path
        signature = _signature(path)
        with self._lock:
            known, public = self._known[article_id]
            if signature == known:
                return public
            public = signature is not None and _public_now(path, article, self._settings)
            self._known[article_id] = (signature, public)
            return public


def _signature(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size


def _public_now(path: Path, article: Article, settings: Settings) -> bool:
    try:
        data = path.read_bytes()
    except OSError:
        return False
    parsed = parse_article(article.path, data, settings)
    return isinstance(parsed, Article) and parsed.id == article.id and parsed.is_public
