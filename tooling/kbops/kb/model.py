"""The KB article model: front matter fields, articles with line numbers, the whole KB.

Every later stage (lint, chunking, index, agent, site) reads `Article` objects from here;
`loader.py` makes them from files or from git objects.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from functools import cached_property
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from ..errors import KBError
from .markdown import Link, Section, parse_links, parse_sections

SCHEMA_VERSION = 1
ID_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
MAX_REVIEW_DAYS = 36_500
"""A review interval past 100 years is a typo; a huge one overflowed date arithmetic."""
LAST_REVIEW_DATE = date(9799, 12, 31)
"""`reviewed` + `MAX_REVIEW_DAYS` must stay a date Python can represent (year 9999)."""


class Audience(StrEnum):
    PUBLIC = "public"
    INTERNAL = "internal"


class Status(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


class ArticleMeta(BaseModel):
    """The front matter of one article. The docs page `docs/article-schema.md` is generated
    from this model, so the documentation cannot drift from what lint enforces."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=ID_PATTERN, description="Stable slug; links and evals refer to it. Never reuse one.")
    title: str = Field(min_length=1, description="What a customer would search for.")
    summary: str = Field("", description="One sentence shown in search results and listings.")
    category: str = Field(description="One of `kb.categories` (billing, account, technical, ...).")
    product_area: str = Field("", description="Free-form product area slug, e.g. `sso`, `exports`.")
    tags: tuple[str, ...] = Field((), description="Lowercase keywords; the help site builds its tag pages from them.")
    audience: Audience = Field(description="`public` (customers may see it) or `internal` (agents only).")
    status: Status = Field(description="`draft`, `published` or `archived`. Only published articles answer tickets.")
    owner: str | None = Field(None, description="Specialist responsible for keeping it true; lint warns when unset.")
    reviewed: date | None = Field(
        None, ge=date(1900, 1, 1), le=LAST_REVIEW_DATE,
        description="Date (YYYY-MM-DD) someone last checked it against the product.",
    )
    review_every_days: int = Field(
        180, gt=0, le=MAX_REVIEW_DAYS, description="Review interval in days (at most 100 years); past `reviewed` + this, lint warns."
    )
    sensitive: bool | tuple[str, ...] = Field(
        False,
        description="`true`, or risk topics from `kb.risk_topics` (refund, account-change, ...). "
        "An answer citing it is escalated to a human.",
    )
    related: tuple[str, ...] = Field((), description="Ids of related articles, shown under the article.")
    source_tickets: tuple[str, ...] = Field((), description="Ticket ids a drafted article was built from.")


@dataclass(frozen=True)
class Finding:
    """One problem in the KB, at a file and line, with how to fix it."""

    path: str
    line: int
    code: str
    severity: Severity
    message: str
    fix: str

    def render(self) -> str:
        return f"{self.path}:{self.line}: {self.code} {self.message} ({self.fix})"


@dataclass(frozen=True)
class Article:
    meta: ArticleMeta
    path: str
    body: str
    body_line: int
    field_lines: Mapping[str, int] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.meta.id

    @property
    def title(self) -> str:
        return self.meta.title

    @property
    def is_public(self) -> bool:
        """May a customer see it (site, customer-scope search, customer answers)?"""
        return self.meta.audience is Audience.PUBLIC and self.meta.status is Status.PUBLISHED

    @property
    def risk_topics(self) -> tuple[str, ...]:
        sensitive = self.meta.sensitive
        if sensitive is True:
            return ("sensitive",)
        return tuple(sensitive) if sensitive else ()

    def line_of(self, key: str) -> int:
        return self.field_lines.get(key, 1)

    @cached_property
    def sections(self) -> tuple[Section, ...]:
        return tuple(parse_sections(self.body, self.body_line))

    @cached_property
    def links(self) -> tuple[Link, ...]:
        return tuple(parse_links(self.body, self.body_line))

    @cached_property
    def anchors(self) -> frozenset[str]:
        return frozenset(section.anchor for section in self.sections)

    def listing_json(self) -> str:
        """One line of `kbops kb list --json`: the path and the front matter."""
        return json.dumps({"path": self.path, **self.meta.model_dump(mode="json")})

    def to_json(self) -> str:
        """`kbops kb show --json`: front matter, headings with their lines, and the body."""
        return json.dumps({
            "path": self.path,
            "meta": self.meta.model_dump(mode="json"),
            "sections": [{"title": s.title, "anchor": s.anchor, "line": s.line} for s in self.sections if s.level],
            "body": self.body,
        }, indent=2)


@dataclass(frozen=True)
class KnowledgeBase:
    articles: tuple[Article, ...]
    problems: tuple[Finding, ...]
    root: Path
    base: Path
    """The folder article paths are relative to (the git work tree, usually)."""

    def by_id(self) -> dict[str, Article]:
        """First article per id (duplicates are a lint error, reported there)."""
        found: dict[str, Article] = {}
        for article in self.articles:
            found.setdefault(article.id, article)
        return found

    def get(self, article_id: str) -> Article:
        article = self.by_id().get(article_id)
        if article is None:
            raise KBError(f"no article with id '{article_id}' in {self.root} (see `kbops kb list`)")
        return article
