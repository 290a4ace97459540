"""Load a KB: every `*.md` under the KB folder (or as it is at a git ref) into Articles.

Loading never stops at a bad file: each unreadable file becomes a `Finding` naming the
file and line, and the rest of the KB still loads, so one broken article cannot hide the
state of the other five thousand.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import yaml
from pydantic import ValidationError

from ..config import Settings
from ..errors import KBError
from ..gitkb import GitRefError, kb_files_at
from .model import Article, ArticleMeta, Finding, KnowledgeBase, Severity


class _FrontMatterLoader(yaml.CSafeLoader if hasattr(yaml, "CSafeLoader") else yaml.SafeLoader):  # type: ignore[misc]
    """Safe YAML that keeps dates as strings, so a bad date is a field error with a line
    number (pydantic reports it) instead of a crash of the whole document."""


_FrontMatterLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}



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


def load_kb_at(settings: Settings, ref: str) -> tuple[KnowledgeBase, str]:
    """The KB folder as it is at git `ref`, read from git objects (the checkout, index and
    branches are never touched), and the commit the ref resolved to."""
    kb_dir = settings.kb_dir
    try:
        snapshot = kb_files_at(kb_dir, ref)
    except GitRefError as exc:
        raise KBError(str(exc)) from exc
    base = repo_root(kb_dir) or settings.root.resolve()
    return build_kb(snapshot.files, settings, root=kb_dir, base=base), snapshot.commit
