"""Find, read and validate `kbops.toml`: every problem reported at once, one per line."""

from __future__ import annotations

import os
import re
from importlib import resources
from pathlib import Path
from string import Formatter
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ValidationError

from ..errors import ConfigError, one_line
from .schema import Settings, TunedSource
from .tuned import TUNED_FILE, merge_tuned, read_toml, read_tuned

CONFIG_FILE = "kbops.toml"
CHROMA_URL_ENV = "KBOPS_CHROMA_URL"


def find_project_root(start: Path) -> Path:
    """The nearest folder at or above `start` holding kbops.toml, else `start` itself."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / CONFIG_FILE).is_file():
            return folder
    return start


def load_settings(config_path: Path | None = None, start: Path | None = None) -> Settings:
    """Read kbops.toml (explicit path, or found upwards from `start`); defaults if absent."""
    env_url = os.environ.get(CHROMA_URL_ENV, "")
    problem = chroma_url_problem(env_url) if env_url else None
    if problem is not None:
        raise ConfigError(f"{CHROMA_URL_ENV} (overrides index.chroma_url of {CONFIG_FILE}): {problem}")
    if config_path is None:
        root = find_project_root(start or Path.cwd())
        config_path = root / CONFIG_FILE
        if not config_path.is_file():
            return _with_tuned({}, root, f"{root / TUNED_FILE}")
    elif not config_path.is_file():
        raise ConfigError(f"{config_path}: config file not found (check --config)")
    raw = read_toml(config_path, "fix the syntax")
    return _with_tuned(raw, config_path.resolve().parent, str(config_path))


def _with_tuned(raw: dict[str, Any], root: Path, source: str) -> Settings:
    """Settings from kbops.toml's values over those of kbops.tuned.toml (when there is one)."""
    tuned_path = root / TUNED_FILE
    if not tuned_path.is_file():
        return settings_from_dict(raw, root=root, source=source)
    tuned, provenance = read_tuned(tuned_path)
    merged, overridden = merge_tuned(raw, tuned)
    settings = settings_from_dict(merged, root=root, source=f"{source} with {tuned_path}")
    keys = tuple(f"{section}.{key}" for section, values in tuned.items() for key in values)
    return settings.model_copy(update={"tuned": TunedSource(str(tuned_path), keys, tuple(overridden), dict(provenance))})


def settings_from_dict(raw: dict[str, Any], root: Path, source: str = CONFIG_FILE) -> Settings:
    """Validate a parsed config; all problems are reported at once, one per line."""
    if "root" in raw or "tuned" in raw:
        key = "root" if "root" in raw else "tuned"
        raise ConfigError(f"{source}: unknown key '{key}' (set by kbops itself: the root is the folder of the file, "
                          f"tuned values live in {TUNED_FILE})")
    try:
        settings = Settings(root=root, **raw)
    except ValidationError as exc:
        lines = [f"{source}: invalid configuration:"]
        for err in exc.errors():
            key = ".".join(str(part) for part in err["loc"])
            if err["type"] == "extra_forbidden":
                section = _section_of(err["loc"])
                lines.append(f"  {key}: unknown key (known keys: {', '.join(section)})")
            else:
                lines.append(f"  {key}: {one_line(err['msg'], 120)} (got {one_line(repr(err.get('input')), 80)})")
        raise ConfigError("\n".join(lines)) from exc
    problems = value_problems(settings)
    if problems:
        lines = [f"{source}: invalid configuration:", *(f"  {key}: {problem}" for key, problem in problems)]
        raise ConfigError("\n".join(lines))
    return settings


EMBEDDING_FORMS = (
    "'builtin:all-MiniLM-L6-v2' (default, offline), a folder holding model.onnx and tokenizer.json "
    "(relative to the project), 'chroma:default', or 'sentence-transformers:<model name or path>'"
)
_PROMPT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def value_problems(settings: Settings) -> list[tuple[str, str]]:
    """(key, what is wrong) for values the types accept but kbops cannot use: caught when
    kbops.toml is read, so the error names the file and key (exit 2) instead of a stage
    failing later (exit 1) without saying where the value came from."""
    problems: list[tuple[str, str]] = []
    checks = (
        ("index.chroma_url", chroma_url_problem(settings.index.chroma_url) if settings.index.chroma_url else None),
        ("embedding.model", embedding_model_problem(settings.embedding.model, settings.root)),
        ("claude.prompt_version", prompt_version_problem(settings.claude.prompt_version)),
        ("claude.base_url", http_url_problem(settings.claude.base_url) if settings.claude.base_url else None),
        ("agent.article_url", article_url_problem(settings.agent.article_url)),
    )
    for key, problem in checks:
        if problem is not None:
            problems.append((key, problem))
    return problems


def chroma_url_problem(url: str) -> str | None:
    """Why `url` cannot name a Chroma server (None: it can). `host:port` means http."""
    return http_url_problem(url if "://" in url else f"http://{url}", shown=url)


def http_url_problem(url: str, shown: str | None = None) -> str | None:
    """Why `url` is not an http(s) URL with a host (None: it is); `shown` is how the user wrote it."""
    shown = one_line(repr(url if shown is None else shown), 80)
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  raises ValueError for a port out of range or not a number
    except ValueError as exc:
        return f"{shown} is not a URL ({exc}); write it like http://127.0.0.1:8000"
    if parts.scheme not in ("http", "https") or not parts.hostname or any(c.isspace() for c in url):
        return f"{shown} is not a URL like http://127.0.0.1:8000"
    return None


def embedding_model_problem(model: str, root: Path) -> str | None:
    """Why `embedding.model` names no model kbops can load (None: it names one)."""
    model = model.strip()
    if model in ("builtin:all-MiniLM-L6-v2", "chroma:default"):
        return None
    if model.startswith("sentence-transformers:"):
        return None if model.removeprefix("sentence-transformers:").strip() else (
            "'sentence-transformers:' needs a model name or path after the colon")
    if model.startswith(("builtin:", "chroma:")) or not model:
        return f"unknown model {one_line(repr(model), 80)}; accepted: {EMBEDDING_FORMS}"
    folder = root / Path(model).expanduser()
    if not folder.is_dir():
        return f"{one_line(repr(model), 80)} is not a known model nor an existing folder; accepted: {EMBEDDING_FORMS}"
    missing = [name for name in ("model.onnx", "tokenizer.json") if not (folder / name).is_file()]
    if missing:
        return f"model folder {folder} lacks {', '.join(missing)}"
    return None


def prompt_version_problem(version: str) -> str | None:
    """Why no prompt template `<version>.md` ships with kbops (None: one does). The
    templates are package data of `kbops.llm.prompts`, read as files: config imports no stage."""
    folder = resources.files("kbops").joinpath("llm", "prompts")
    known = sorted(p.name.removesuffix(".md") for p in folder.iterdir() if p.name.endswith(".md"))
    if _PROMPT_NAME.match(version) and version in known:
        return None
    return f"no prompt template {one_line(repr(version), 60)} (known: {', '.join(known)})"


def article_url_problem(template: str) -> str | None:
    """Why a cited-article link template cannot be filled with an article id (None: it can)."""
    if not template:
        return None
    try:
        fields = {name for _, name, _, _ in Formatter().parse(template) if name is not None}
        template.format(id="article-id")
    except (ValueError, KeyError, IndexError) as exc:
        return f"{one_line(repr(template), 80)} is not a link template ({one_line(exc, 60)}); use e.g. 'https://help.example.com/{{id}}/'"
    if fields - {"id"}:
        return f"unknown placeholder(s) {', '.join(sorted(fields - {'id'}))} in {one_line(repr(template), 80)}; only {{id}} is filled in"
    return None


def _section_of(loc: tuple[Any, ...]) -> list[str]:
    model: type[BaseModel] = Settings
    for part in loc[:-1]:
        field = model.model_fields.get(str(part))
        if field is None or not isinstance(field.annotation, type):
            break
        if issubclass(field.annotation, BaseModel):
            model = field.annotation
    return [name for name in model.model_fields if name != "root"]


def config_reference() -> list[tuple[str, str, str]]:
    """(key, default, description) rows for the docs page, generated from the models."""
    rows: list[tuple[str, str, str]] = []
    for section_name, field in Settings.model_fields.items():
        section = field.annotation
        if section_name == "root" or not (isinstance(section, type) and issubclass(section, BaseModel)):
            continue
        for key, sub in section.model_fields.items():
            rows.append((f"{section_name}.{key}", repr(sub.default), sub.description or ""))
    return rows

