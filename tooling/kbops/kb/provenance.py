"""Who last changed each section of the KB: the commit, author and date behind cited text.

A section's lines run from its heading to the line before the next heading (the
introduction from the first body line); the most recent commit among them is the
section's provenance. `git blame` is run on the working tree, so a section edited since
HEAD shows `uncommitted`. Blame is slow on a big KB, so the map is cached in one JSON file
under `.kbops/`, keyed by HEAD's commit and each file's content: a new commit rebuilds it,
an edited file is blamed again, everything else is read back.

Outside git there is no provenance: every section has empty fields, and nothing fails.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from ..files import heal, write_atomic
from ..gitkb import UNCOMMITTED, LineChange, blame_files, kb_revision
from .model import Article, KnowledgeBase

CACHE_VERSION = 1
PROVENANCE_FILE = "provenance.json"
"""The cache's name in the state folder (beside the index, `.kbops/`)."""


@dataclass(frozen=True)
class SectionChange:
    """The last change to a section's lines."""

    commit: str = ""
    """The commit's sha, `uncommitted` (edited since HEAD), or "" (no git)."""
    author: str = ""
    """The author's name, never the e-mail address; "" when uncommitted or outside git."""
    committed_at: str = ""
    """ISO 8601; "" when uncommitted or outside git."""


NO_CHANGE = SectionChange()


def section_lines(article: Article) -> list[tuple[str, int, int]]:
    """(anchor, first line, last line) of each section of the article's file; the
    introduction's anchor is ""."""
    last_line = article.body_line + article.body.rstrip("\n").count("\n")
    sections = list(article.sections)
    ranges = []
    for index, section in enumerate(sections):
        end = sections[index + 1].line - 1 if index + 1 < len(sections) else last_line
        ranges.append((section.anchor, section.line, end))
    return ranges


def latest_change(lines: Sequence[LineChange]) -> SectionChange:
    """The most recent change among a section's lines: any uncommitted line wins."""
    if any(line.commit == UNCOMMITTED for line in lines):
        return SectionChange(UNCOMMITTED)
    if not lines:
        return NO_CHANGE
    newest = max(lines, key=lambda line: line.sequence)
    return SectionChange(newest.commit, newest.author, newest.committed_at)


def _instant(stamp: str) -> float:
    return datetime.fromisoformat(stamp).timestamp() if stamp else 0.0


def article_changes(article: Article, lines: Sequence[LineChange]) -> dict[str, SectionChange]:
    """Section anchor -> its last change, from the blame of the article's file."""
    return {anchor: latest_change(lines[first - 1 : last]) for anchor, first, last in section_lines(article)}


@dataclass
class Provenance:
    """Section -> last change for one KB as it is in the working tree (built once per command)."""

    sections: dict[str, dict[str, SectionChange]]
    """Article id -> section anchor -> change."""
    commit: str = ""
    """HEAD's sha when the map was made ("" outside git)."""

    def authors(self) -> frozenset[str]:
        """Everyone who wrote a section: the output guard keeps their names out of replies."""
        return frozenset(c.author for article in self.sections.values() for c in article.values() if c.author)

    def of(self, article_id: str, anchor: str) -> SectionChange:
        """The section's last change; an unknown section gets its article's newest change."""
        article = self.sections.get(article_id, {})
        if anchor in article:
            return article[anchor]
        changes = list(article.values())
        if any(change.commit == UNCOMMITTED for change in changes):
            return SectionChange(UNCOMMITTED)
        return max(changes, key=lambda change: _instant(change.committed_at), default=NO_CHANGE)


def kb_provenance(kb: KnowledgeBase, cache_path: Path | None, notify: Callable[[str], None] | None = None) -> Provenance:
    """The provenance of every section of `kb` (read from the working tree at `kb.base`),
    from the cache where HEAD and the file's content are unchanged, by `git blame` elsewhere."""
    articles = list(kb.articles)
    if not articles:
        return Provenance({})
    revision = kb_revision(kb.base / Path(articles[0].path).parent)
    if revision.commit is None:
        return Provenance({})
    cached = _read_cache(cache_path, revision.commit, notify) if cache_path else {}
    fresh: dict[str, Any] = {}
    to_blame: list[tuple[Article, Path, str]] = []
    for article in articles:
        path = kb.base / article.path
        try:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:
            continue  # gone since the KB was loaded: no provenance for it
        entry = cached.get(article.path)
        if isinstance(entry, dict) and entry.get("sha256") == digest:
            fresh[article.path] = entry
        else:
            to_blame.append((article, path, digest))
    blamed = blame_files([path for _, path, _ in to_blame]) or {}
    for article, path, digest in to_blame:
        lines = blamed.get(path.resolve())
        if lines is not None:
            changes = article_changes(article, lines)
            fresh[article.path] = {"sha256": digest, "sections": {a: asdict(c) for a, c in changes.items()}}
    if cache_path is not None and to_blame:
        try:
            write_atomic(cache_path, json.dumps({"version": CACHE_VERSION, "commit": revision.commit, "files": fresh}))
        except OSError as exc:  # a read-only state folder: blamed again next time, nothing lost
            if notify is not None:
                notify(f"{cache_path}: cannot write the provenance cache ({exc.strerror})")
    by_path = {article.path: article.id for article in articles}
    sections = {
        by_path[path]: {anchor: SectionChange(**change) for anchor, change in entry["sections"].items()}
        for path, entry in fresh.items() if path in by_path
    }
    return Provenance(sections, revision.commit)


def _read_cache(path: Path, commit: str, notify: Callable[[str], None] | None) -> Mapping[str, Any]:
    """The cached files of `commit` (empty for another commit or no cache); a damaged cache
    is set aside and rebuilt."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        if raw.get("version") != CACHE_VERSION:
            return {}
        files = raw["files"]
        if not isinstance(files, dict) or not all(
            isinstance(e, dict) and isinstance(e.get("sections"), dict)
            and all(isinstance(c, dict) and set(c) == {"commit", "author", "committed_at"} for c in e["sections"].values())
            for e in files.values()
        ):
            raise ValueError("unexpected content")
    except FileNotFoundError:
        return {}
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        heal(path, f"unreadable provenance cache ({exc})", "rebuilding it", notify)
        return {}
    return files if raw.get("commit") == commit else {}
