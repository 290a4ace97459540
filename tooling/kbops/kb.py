"""The KB article model: Markdown files with YAML front matter, loaded with line numbers.

Every later stage (lint, chunking, index, agent, site) reads `Article` objects from here.
Loading never stops at a bad file: each unreadable file becomes a `Finding` naming the
file and line, and the rest of the KB still loads, so one broken article cannot hide the
state of the other five thousand.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from functools import cached_property
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .config import Settings
from .errors import KBError

SCHEMA_VERSION = 1
ID_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


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
    reviewed: date | None = Field(None, description="Date (YYYY-MM-DD) someone last checked it against the product.")
    review_every_days: int = Field(180, gt=0, description="Review interval; past `reviewed` + this, lint warns.")
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
class Section:
    """A heading and the text under it up to the next heading of any level."""

    title: str
    level: int
    anchor: str
    line: int
    text: str


@dataclass(frozen=True)
class Link:
    text: str
    target: str
    line: int


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


# ---------------------------------------------------------------- front matter


class _FrontMatterLoader(yaml.CSafeLoader if hasattr(yaml, "CSafeLoader") else yaml.SafeLoader):  # type: ignore[misc]
    """Safe YAML that keeps dates as strings, so a bad date is a field error with a line
    number (pydantic reports it) instead of a crash of the whole document."""


_FrontMatterLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

_FENCE = re.compile(r"^(```|~~~)")
_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_LINK = re.compile(r"(?<!!)\[([^\]\n]*)\]\(\s*<?([^)\s>]+)>?(?:\s+[\"'][^\"']*[\"'])?\s*\)")
_CODE_SPAN = re.compile(r"`[^`\n]*`")


def parse_article(rel_path: str, data: bytes, settings: Settings) -> Article | Finding:
    """Parse one file's bytes; a Finding explains why it is not an article."""

    def problem(line: int, code: str, message: str, fix: str) -> Finding:
        return Finding(rel_path, line, code, Severity.ERROR, message, fix)

    if not data.strip():
        return problem(1, "empty-file", "the file is empty", "write the article or delete the file")
    if len(data) > settings.kb.max_article_bytes:
        return too_large(rel_path, len(data), settings)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return problem(line, "not-utf8", f"byte 0x{data[exc.start]:02x} is not valid UTF-8", "save the file as UTF-8")
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    lines = text.split("\n")
    if lines[0].strip() != "---":
        return problem(1, "missing-front-matter", "no YAML front matter", "start the file with a `---` block of fields")
    end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
    if end is None:
        return problem(1, "missing-front-matter", "front matter is not closed", "add a `---` line after the fields")
    raw, field_lines, error = _load_front_matter("\n".join(lines[1:end]))
    if error is not None:
        return problem(error[0], "yaml-error", error[1], "fix the YAML syntax (quote values containing ': ')")
    if not isinstance(raw, dict):
        return problem(2, "yaml-error", "front matter is not a mapping of fields", "write `key: value` lines")
    for key, duplicates in field_lines.pop("__duplicates__", {}).items():  # type: ignore[union-attr]
        return problem(duplicates, "duplicate-key", f"field '{key}' appears twice", "keep one of them")
    try:
        meta = ArticleMeta.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        key = str(err["loc"][0]) if err["loc"] else ""
        line = field_lines.get(key, 1)
        if err["type"] == "extra_forbidden":
            known = ", ".join(ArticleMeta.model_fields)
            return problem(line, "unknown-field", f"unknown field '{key}'", f"remove it or use one of: {known}")
        if err["type"] == "missing":
            return problem(1, "schema-error", f"required field '{key}' is missing", f"add `{key}:` to the front matter")
        got = err.get("input")
        return problem(line, "schema-error", f"field '{key}': {err['msg']} (got {got!r})", _fix_hint(key))
    return Article(meta=meta, path=rel_path, body="\n".join(lines[end + 1 :]), body_line=end + 2, field_lines=field_lines)


def too_large(rel_path: str, size: int, settings: Settings) -> Finding:
    limit = settings.kb.max_article_bytes
    return Finding(
        rel_path,
        1,
        "too-large",
        Severity.ERROR,
        f"the file is {size / 1e6:.1f} MB, over the {limit / 1e6:.1f} MB limit",
        "split it into smaller articles or raise kb.max_article_bytes",
    )


def _fix_hint(key: str) -> str:
    hints = {
        "id": "use lowercase letters, digits and hyphens, e.g. `reset-password`",
        "reviewed": "write the date as YYYY-MM-DD",
        "audience": "use `public` or `internal`",
        "status": "use `draft`, `published` or `archived`",
        "sensitive": "use `false`, `true` or a list of risk topics",
        "review_every_days": "use a positive whole number of days",
    }
    return hints.get(key, "see docs/article-schema.md for the field's type")


def _load_front_matter(text: str) -> tuple[object, dict[str, int], tuple[int, str] | None]:
    """Parse YAML once into a node tree (for line numbers) and then into values."""
    loader = _FrontMatterLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}, None
        lines: dict[str, int] = {}
        duplicates: dict[str, int] = {}
        if isinstance(node, yaml.MappingNode):
            for key_node, _ in node.value:
                key = str(key_node.value)
                line = key_node.start_mark.line + 2  # front matter starts on file line 2
                if key in lines:
                    duplicates.setdefault(key, line)
                lines.setdefault(key, line)
        value = loader.construct_document(node)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 2
        reason = getattr(exc, "problem", None) or str(exc)
        return None, {}, (line, f"front matter is not valid YAML: {reason}")
    finally:
        loader.dispose()
    if duplicates:
        lines["__duplicates__"] = duplicates  # type: ignore[assignment]
    return value, lines, None


# ---------------------------------------------------------------- body structure


def slugify(title: str) -> str:
    """Heading anchor exactly as Python-Markdown's toc (what mkdocs uses) makes it."""
    value = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    value = re.sub(r"[^\w\s-]", "", value).strip().lower()
    return re.sub(r"[-\s]+", "-", value)


def _content_lines(body: str, first_line: int) -> Iterator[tuple[int, str, bool]]:
    """(line number, text, inside a code fence) for each body line."""
    in_fence = False
    for offset, line in enumerate(body.split("\n")):
        if _FENCE.match(line.lstrip()):
            in_fence = not in_fence
            yield first_line + offset, line, True
            continue
        yield first_line + offset, line, in_fence


def parse_sections(body: str, first_line: int) -> Iterator[Section]:
    """Headings with their own text (up to the next heading). The text before the first
    heading is a section with level 0 and an empty title: the article's introduction."""
    seen: dict[str, int] = {}
    title, level, anchor, line = "", 0, "", first_line
    text: list[str] = []
    for number, content, in_code in _content_lines(body, first_line):
        match = None if in_code else _HEADING.match(content)
        if match is None:
            text.append(content)
            continue
        if level or "".join(text).strip():
            yield Section(title, level, anchor, line, "\n".join(text).strip())
        title, level, line, text = match.group(2).strip(), len(match.group(1)), number, []
        base = slugify(re.sub(r"[*_`]", "", title))
        count = seen.get(base, 0)
        seen[base] = count + 1
        anchor = base if count == 0 else f"{base}_{count}"
    if level or "".join(text).strip():
        yield Section(title, level, anchor, line, "\n".join(text).strip())


def parse_links(body: str, first_line: int) -> Iterator[Link]:
    for number, content, in_code in _content_lines(body, first_line):
        if in_code:
            continue
        for match in _LINK.finditer(_CODE_SPAN.sub("", content)):
            yield Link(text=match.group(1), target=match.group(2), line=number)


# ---------------------------------------------------------------- loading a KB


def repo_root(start: Path) -> Path | None:
    """The git work tree holding `start`: paths in messages are relative to it."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return None


def iter_article_files(kb_dir: Path) -> Iterator[Path]:
    return iter(sorted(p for p in kb_dir.rglob("*.md") if p.is_file()))


def load_kb(settings: Settings, kb_dir: Path | None = None) -> KnowledgeBase:
    """Load every `*.md` under the KB folder. Unreadable files become problems."""
    kb_dir = (kb_dir or settings.kb_dir).resolve()
    if not kb_dir.is_dir():
        raise KBError(f"{kb_dir}: KB folder not found (set kb.path in kbops.toml or pass --kb)")
    base = repo_root(kb_dir) or settings.root.resolve()
    files: list[tuple[str, bytes]] = []
    problems: list[Finding] = []
    for path in iter_article_files(kb_dir):
        rel = path.relative_to(base).as_posix()
        size = path.stat().st_size
        if size > settings.kb.max_article_bytes:  # never read a runaway file into memory
            problems.append(too_large(rel, size, settings))
            continue
        files.append((rel, path.read_bytes()))
    return build_kb(files, settings, root=kb_dir, base=base, problems=problems)


def build_kb(
    files: Iterable[tuple[str, bytes]],
    settings: Settings,
    root: Path,
    base: Path,
    problems: list[Finding] | None = None,
) -> KnowledgeBase:
    """Articles from (path, bytes) pairs: the working tree, or blobs at a git ref."""
    articles: list[Article] = []
    problems = list(problems or [])
    for rel, data in files:
        parsed = parse_article(rel, data, settings)
        if isinstance(parsed, Finding):
            problems.append(parsed)
        else:
            articles.append(parsed)
    return KnowledgeBase(articles=tuple(articles), problems=tuple(problems), root=root, base=base)
