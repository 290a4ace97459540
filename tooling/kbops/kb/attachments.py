"""Which files besides articles a public article may publish: its attachments.

An article's files (screenshots, CSV templates, PDFs) live in `kb/attachments/<article-id>/`
and follow that article's visibility: they reach the help site only while the article is
public and published, and only when a public, published article links them. A file
anywhere else in the KB, a file whose folder names an internal, draft or archived
article, a symlink that leaves the KB or lands on such a file, and any file type a browser
would run or render as a page (HTML, SVG, Markdown) is never published. Lint reports a
public article linking such a file (`attachment-not-public`); the site unlinks it.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .model import Article

ATTACHMENTS_DIR = "attachments"
ATTACHMENT_SUFFIXES = frozenset({
    ".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif",
    ".pdf", ".csv", ".txt", ".json", ".xlsx", ".docx", ".pptx", ".zip", ".mp4", ".webm",
})
"""File types the site publishes. Not HTML, SVG, XML, JS or CSS (a browser runs their
scripts when the file is opened from the site) and not Markdown (articles are pages)."""

OUTSIDE_KB, MISSING, SYMLINK, FILE_TYPE, NOT_PUBLIC = (
    "outside-kb", "missing", "symlink", "file-type", "attachment-not-public",
)


@dataclass(frozen=True)
class FileVerdict:
    path: str
    """KB-relative path of the link target, as written (symlinks not resolved)."""
    real: Path | None
    """The file to publish (symlinks resolved); None when refused."""
    refusal: str | None
    """None (publish), or OUTSIDE_KB, MISSING, SYMLINK, FILE_TYPE, NOT_PUBLIC."""
    detail: str = ""


def owner_of(path: str) -> str | None:
    """The article id a KB-relative path belongs to: `attachments/<id>/...`."""
    parts = PurePosixPath(path).parts
    return parts[1] if len(parts) >= 3 and parts[0] == ATTACHMENTS_DIR else None


def public_owners(articles: Iterable[Article]) -> frozenset[str]:
    """Ids whose every article is public and published (a duplicate id that is also
    internal somewhere owns nothing public)."""
    public: dict[str, bool] = {}
    for article in articles:
        public[article.id] = public.get(article.id, True) and article.is_public
    return frozenset(article_id for article_id, is_public in public.items() if is_public)


def kb_relative(kb_root: Path, base: Path, article_path: str) -> str | None:
    """Where an article file is inside the KB folder, without following symlinks; None
    when its path leaves the KB."""
    lexical = Path(os.path.normpath(base / article_path))
    return lexical.relative_to(kb_root).as_posix() if lexical.is_relative_to(kb_root) else None


def check_file(kb_root: Path, path: str, owners: frozenset[str]) -> FileVerdict:
    """May the file at KB-relative `path` be published? Both the path as linked and the
    file it resolves to must be an attachment of a public article, inside the KB."""
    if path == ".." or path.startswith(("../", "/")):
        return FileVerdict(path, None, OUTSIDE_KB, "the path leaves the KB folder")
    try:
        lexical = kb_root / path
        if not lexical.exists():
            detail = "a symlink to nothing" if lexical.is_symlink() else "no such file"
            return FileVerdict(path, None, MISSING, detail)
        real = lexical.resolve()
        root = kb_root.resolve()
        if not real.is_relative_to(root):
            return FileVerdict(path, None, SYMLINK, "a symlink to a file outside the KB")
        if not stat.S_ISREG(real.stat().st_mode):
            return FileVerdict(path, None, FILE_TYPE, "not a regular file")
    except (OSError, ValueError, RuntimeError) as exc:  # a NUL byte, a symlink loop, no permission
        return FileVerdict(path, None, MISSING, f"cannot be read ({type(exc).__name__})")
    real_path = real.relative_to(root).as_posix()
    for candidate in dict.fromkeys((path, real_path)):
        shown = candidate if candidate == path else f"{path} (a symlink to {candidate})"
        owner = owner_of(candidate)
        if owner is None:
            return FileVerdict(path, None, NOT_PUBLIC, f"{shown} is not in {ATTACHMENTS_DIR}/<article-id>/")
        if owner not in owners:
            return FileVerdict(path, None, NOT_PUBLIC, f"{shown} belongs to '{owner}', which is not a public, published article")
        suffix = PurePosixPath(candidate).suffix.casefold()
        if suffix not in ATTACHMENT_SUFFIXES:
            return FileVerdict(path, None, FILE_TYPE, f"{shown}: '{suffix or 'no extension'}' files are not published")
    return FileVerdict(path, real, None)
