"""Find, read and validate `kbops.toml`: every problem reported at once, one per line."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from ..errors import ConfigError
from .schema import Settings

CONFIG_FILE = "kbops.toml"


def find_project_root(start: Path) -> Path:
    """The nearest folder at or above `start` holding kbops.toml, else `start` itself."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / CONFIG_FILE).is_file():
            return folder
    return start


def load_settings(config_path: Path | None = None, start: Path | None = None) -> Settings:
    """Read kbops.toml (explicit path, or found upwards from `start`); defaults if absent."""
    if config_path is None:
        root = find_project_root(start or Path.cwd())
        config_path = root / CONFIG_FILE
        if not config_path.is_file():
            return Settings(root=root)
    elif not config_path.is_file():
        raise ConfigError(f"{config_path}: config file not found (check --config)")
    try:
        raw = tomllib.loads(config_path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{config_path}: not valid TOML: {exc} (fix the syntax)") from exc
    return settings_from_dict(raw, root=config_path.resolve().parent, source=str(config_path))


def settings_from_dict(raw: dict[str, Any], root: Path, source: str = CONFIG_FILE) -> Settings:
    """Validate a parsed config; all problems are reported at once, one per line."""
    if "root" in raw:
        raise ConfigError(f"{source}: unknown key 'root' (the root is the folder of the file)")
    try:
        return Settings(root=root, **raw)
    except ValidationError as exc:
        lines = [f"{source}: invalid configuration:"]
        for err in exc.errors():
            key = ".".join(str(part) for part in err["loc"])
            if err["type"] == "extra_forbidden":
                section = _section_of(err["loc"])
                lines.append(f"  {key}: unknown key (known keys: {', '.join(section)})")
            else:
                lines.append(f"  {key}: {err['msg']} (got {err.get('input')!r})")
        raise ConfigError("\n".join(lines)) from exc


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

