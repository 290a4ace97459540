"""Article -> Chunks by Markdown structure.

One chunk per heading section, carrying the article title and the section path so a
chunk read alone still says what it is about ("Reset your password > Troubleshooting").
Long sections are split on paragraph or sentence boundaries with a word overlap. Chunk
ids are stable (`article_id#section-slug#n`) and each chunk has a content hash, so the
indexer re-embeds only what changed.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from .markdown import Section
from .model import Article

MAX_WORDS = 180
"""~240 word pieces: under the 256-token window of the default MiniLM model."""
OVERLAP_WORDS = 30
INTRO_SLUG = "intro"


@dataclass(frozen=True)
class Chunk:
    id: str
    article_id: str
    title: str
    section: str
    """Section path, e.g. 'Troubleshooting > Login loop'; empty for the introduction."""
    anchor: str
    text: str
    """The section's own text (what a reply quotes)."""
    line: int
    public: bool
    audience: str
    status: str
    category: str
    hash: str

    @property
    def embed_text(self) -> str:
        """What is embedded and lexically indexed: title and section path give context."""
        heading = f"{self.title} > {self.section}" if self.section else self.title
        return f"{heading}\n{self.text}"


def chunk_article(article: Article, max_words: int = MAX_WORDS, overlap: int = OVERLAP_WORDS) -> list[Chunk]:
    chunks: list[Chunk] = []
    path: list[tuple[int, str]] = []
    summary = article.meta.summary.strip()
    for section in article.sections:
        while path and path[-1][0] >= section.level:
            path.pop()
        if section.level:
            path.append((section.level, section.title))
        text = section.text
        if section.level == 0 and summary and summary not in text:
            text = f"{summary}\n\n{text}".strip()
        if not text:
            continue
        slug = section.anchor or INTRO_SLUG
        label = " > ".join(title for _, title in path)
        for n, piece in enumerate(split_text(text, max_words, overlap)):
            chunks.append(_make_chunk(article, section, slug, label, piece, n))
    if not chunks:  # an article with only headings still needs to be findable by title
        chunks.append(_make_chunk(article, None, INTRO_SLUG, "", summary or article.title, 0))
    return chunks


def _make_chunk(article: Article, section: Section | None, slug: str, label: str, text: str, n: int) -> Chunk:
    meta = article.meta
    fingerprint = "\x1f".join(
        [article.title, label, text, str(meta.audience), str(meta.status), meta.category]
    )
    return Chunk(
        id=f"{article.id}#{slug}#{n}",
        article_id=article.id,
        title=article.title,
        section=label,
        anchor=section.anchor if section else "",
        text=text,
        line=section.line if section else article.body_line,
        public=article.is_public,
        audience=str(meta.audience),
        status=str(meta.status),
        category=meta.category,
        hash=hashlib.sha256(fingerprint.encode()).hexdigest()[:24],
    )


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def split_text(text: str, max_words: int = MAX_WORDS, overlap: int = OVERLAP_WORDS) -> list[str]:
    """Pieces of at most `max_words` words; paragraphs (and list items) are kept whole when
    they fit, consecutive pieces share `overlap` words so a step split at a boundary is
    still found with its context."""
    if len(text.split()) <= max_words:
        return [text]
    pieces: list[str] = []
    current: list[str] = []
    carried = 0  # leading units of `current` that are overlap from the previous piece
    for unit in _units(text, max_words):
        if len(current) > carried and _words(current) + len(unit.split()) > max_words:
            pieces.append("\n".join(current))
            tail = " ".join(" ".join(current).split()[-overlap:]) if overlap else ""
            current, carried = ([tail], 1) if tail else ([], 0)
            if _words(current) + len(unit.split()) > max_words:
                current, carried = [], 0
        current.append(unit)
    if len(current) > carried:
        pieces.append("\n".join(current))
    return pieces


def _words(units: Iterable[str]) -> int:
    return sum(len(unit.split()) for unit in units)


def _units(text: str, max_words: int) -> Iterator[str]:
    """Lines (paragraph/list-item granularity), long ones split into sentences, and very
    long sentences into word windows."""
    for line in text.split("\n"):
        if not line.strip():
            continue
        if len(line.split()) <= max_words:
            yield line
            continue
        for sentence in _SENTENCE_END.split(line):
            words = sentence.split()
            for start in range(0, len(words), max_words):
                yield " ".join(words[start : start + max_words])


def chunk_articles(articles: Iterable[Article]) -> list[Chunk]:
    return [chunk for article in articles for chunk in chunk_article(article)]
