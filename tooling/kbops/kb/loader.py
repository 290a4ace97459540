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
from ..errors import KBError, one_line
from ..gitkb import GitRefError, kb_files_at
from .model import MAX_REVIEW_DAYS, Article, ArticleMeta, Finding, KnowledgeBase, Severity
from .voice import STYLE_DIR


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
        return problem(error[0], "yaml-error", error[1], error[2])
    if not isinstance(raw, dict):
        return problem(2, "yaml-error", "front matter is not a mapping of fields", "write `key: value` lines")
    for key, duplicates in field_lines.pop("__duplicates__", {}).items():  # type: ignore[union-attr]
        return problem(duplicates, "duplicate-key", f"field '{key}' appears twice", "keep one of them")
    try:
        meta = ArticleMeta.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        key = one_line(err["loc"][0], 60) if err["loc"] else ""
        line = field_lines.get(key, 1)
        if err["type"] == "extra_forbidden":
            known = ", ".join(ArticleMeta.model_fields)
            return problem(line, "unknown-field", f"unknown field '{key}'", f"remove it or use one of: {known}")
        if err["type"] == "missing":
            return problem(1, "schema-error", f"required field '{key}' is missing", f"add `{key}:` to the front matter")
        got = one_line(repr(err.get("input")), 80)  # pydantic echoes the input: never print all of it
        return problem(line, "schema-error", f"field '{key}': {one_line(err['msg'], 120)} (got {got})", _fix_hint(key))
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
        "review_every_days": f"use a whole number of days from 1 to {MAX_REVIEW_DAYS}",
    }
    return hints.get(key, "see docs/article-schema.md for the field's type")


YAML_SYNTAX_FIX = "fix the YAML syntax (quote values containing ': ')"
ALIAS_FIX = "write the values out instead of using YAML anchors and aliases"


def _load_front_matter(text: str) -> tuple[object, dict[str, int], tuple[int, str, str] | None]:
    """Parse YAML once into a node tree (for line numbers and the expansion cap) and then
    into values; a document that would expand past `MAX_FRONT_MATTER_VALUES` through
    aliases is refused before any value is built."""
    loader = _FrontMatterLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}, None
        lines: dict[str, int] = {}
        duplicates: dict[str, int] = {}
        if isinstance(node, yaml.MappingNode):
            for key_node, _ in node.value:
                key = one_line(key_node.value, 60)
                line = key_node.start_mark.line + 2  # front matter starts on file line 2
                if key in lines:
                    duplicates.setdefault(key, line)
                lines.setdefault(key, line)
        refused = _refuse_expansion(node)
        if refused is not None:
            return None, {}, refused
        value = loader.construct_document(node)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 2
        reason = one_line(getattr(exc, "problem", None) or str(exc), 160)
        return None, {}, (line, f"front matter is not valid YAML: {reason}", YAML_SYNTAX_FIX)
    except RecursionError:  # the pure-Python parser nests on the stack (libyaml stops at 1,000 levels)
        return None, {}, (2, "front matter is nested too deeply", YAML_SYNTAX_FIX)
    except (ValueError, OverflowError) as exc:  # a value the constructors refuse, past the checks above
        return None, {}, (2, f"front matter cannot be read: {one_line(exc, 120)}", YAML_SYNTAX_FIX)
    finally:
        loader.dispose()
    if duplicates:
        lines["__duplicates__"] = duplicates  # type: ignore[assignment]
    return value, lines, None


MAX_FRONT_MATTER_VALUES = 5_000
"""Values (scalars, lists, mappings) front matter may hold once YAML aliases are expanded.
A real article has a few dozen; 1 KB of nested anchors ("billion laughs") expands to
hundreds of millions, which used to take gigabytes and minutes to build and print."""
MAX_NUMBER_DIGITS = 30
"""Longer integers are refused while parsing (Python refuses past 4,300 digits, with a crash)."""


def _refuse_expansion(root: yaml.Node) -> tuple[int, str, str] | None:
    """(line, message, fix) when the node graph expands past the cap or refers to itself, else
    None. Sizes are memoised per node, so the walk costs the document's size, not the
    expansion's."""
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in sizes:
            continue
        children = _children(node)
        if children_done:
            open_nodes.discard(id(node))
            sizes[id(node)] = min(1 + sum(sizes[id(c)] for c in children), MAX_FRONT_MATTER_VALUES + 1)
            if sizes[id(node)] > MAX_FRONT_MATTER_VALUES:
                return (node.start_mark.line + 2, f"front matter expands to more than {MAX_FRONT_MATTER_VALUES:,} "
                        "values through YAML aliases (`&name` ... `*name`)", ALIAS_FIX)
            continue
        if id(node) in open_nodes:
            return node.start_mark.line + 2, "a YAML alias refers to a value that contains it (`&a [*a]`)", ALIAS_FIX
        if isinstance(node, yaml.ScalarNode) and node.tag.endswith(":int") and len(node.value) > MAX_NUMBER_DIGITS:
            return (node.start_mark.line + 2, f"a number with more than {MAX_NUMBER_DIGITS} digits",
                    "write a smaller number, or quote it if it is text")
        open_nodes.add(id(node))
        stack.append((node, True))
        stack.extend((child, False) for child in children if id(child) not in sizes)
    return None


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def repo_root(start: Path) -> Path | None:
    """The git work tree holding `start`: paths in messages are relative to it."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return None


def iter_article_files(kb_dir: Path, settings: Settings | None = None) -> Iterator[Path]:
    """Every `*.md` under the folder (symlinked folders are not followed), broken symlinks
    included so they can be reported; never a style file (`is_style_file`)."""
    found = (p for p in kb_dir.rglob("*.md") if p.is_file() or p.is_symlink())
    return iter(sorted(p for p in found if not is_style_file(p.relative_to(kb_dir).as_posix(), settings)))


def is_style_file(kb_relative: str, settings: Settings | None = None) -> bool:
    """Is this KB file (path relative to the KB folder) a style file, such as the voice
    guide? Those are the team's, never articles: never indexed, cited or published."""
    guide = settings.agent.voice_guide if settings is not None else ""
    return kb_relative.split("/", 1)[0] == STYLE_DIR or kb_relative == guide


def inside_kb(path: Path, kb_dir: Path) -> bool:
    """Does `path`, symlinks resolved, stay inside the KB folder? A symlink that leaves it
    is never read as an article: it could publish any file on the machine."""
    try:
        return path.resolve().is_relative_to(kb_dir.resolve())
    except (OSError, RuntimeError):  # a symlink loop
        return False


def base_folder(kb_dir: Path, settings: Settings) -> Path:
    """The folder article paths are relative to: the git work tree, else the project, else
    (a KB folder outside the project, `--kb /elsewhere`) the KB folder's parent."""
    root = settings.root.resolve()
    return repo_root(kb_dir) or (root if kb_dir.is_relative_to(root) else kb_dir.parent)


def load_kb(settings: Settings, kb_dir: Path | None = None) -> KnowledgeBase:
    """Load every `*.md` under the KB folder. Unreadable files become problems."""
    kb_dir = (kb_dir or settings.kb_dir).resolve()
    if not kb_dir.is_dir():
        raise KBError(f"{kb_dir}: KB folder not found (set kb.path in kbops.toml or pass --kb)")
    base = base_folder(kb_dir, settings)
    files: list[tuple[str, bytes]] = []
    problems: list[Finding] = []
    for path in iter_article_files(kb_dir, settings):
        rel = path.relative_to(base).as_posix()
        if not inside_kb(path, kb_dir):
            problems.append(Finding(rel, 1, "symlink-outside-kb", Severity.ERROR,
                                    "a symlink to a file outside the KB folder (or to nothing); it is not read",
                                    "copy the article into the KB folder, or remove the link"))
            continue
        try:
            size = path.stat().st_size
            if size > settings.kb.max_article_bytes:  # never read a runaway file into memory
                problems.append(too_large(rel, size, settings))
                continue
            files.append((rel, path.read_bytes()))
        except OSError as exc:
            problems.append(Finding(rel, 1, "unreadable", Severity.ERROR, f"cannot read the file ({exc.strerror})",
                                    "check its permissions"))
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
    prefix = _kb_prefix(root, base)
    for rel, data in files:
        if is_style_file(rel.removeprefix(prefix), settings):
            continue  # a git ref's blobs: the same rule as the working tree
        parsed = parse_article(rel, data, settings)
        if isinstance(parsed, Finding):
            problems.append(parsed)
        else:
            articles.append(parsed)
    return KnowledgeBase(articles=tuple(articles), problems=tuple(problems), root=root, base=base)


def _kb_prefix(root: Path, base: Path) -> str:
    """`kb/`: what article paths (relative to `base`) start with before the KB-relative part."""
    root, base = root.resolve(), base.resolve()
    return f"{root.relative_to(base).as_posix()}/" if root != base and root.is_relative_to(base) else ""


def load_kb_at(settings: Settings, ref: str) -> tuple[KnowledgeBase, str]:
    """The KB folder as it is at git `ref`, read from git objects (the checkout, index and
    branches are never touched), and the commit the ref resolved to."""
    kb_dir = settings.kb_dir
    try:
        snapshot = kb_files_at(kb_dir, ref)
    except GitRefError as exc:
        raise KBError(str(exc)) from exc
    return build_kb(snapshot.files, settings, root=kb_dir, base=base_folder(kb_dir, settings)), snapshot.commit
