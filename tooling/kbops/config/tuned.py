"""`kbops.tuned.toml`: what `kbops tune` fitted on a team's own history, reviewed and committed.

It sits beside kbops.toml and holds only the keys tuning may set (fusion weights, the
confidence model, the answer thresholds) plus a `[tuned]` table saying where they came
from. Tuned values replace the shipped defaults; a key the team wrote in kbops.toml
still wins (and `kbops tune` says so), so a deliberate setting is never overridden.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import ConfigError, one_line
from .schema import Settings

TUNED_FILE = "kbops.tuned.toml"
TUNABLE: dict[str, tuple[str, ...]] = {
    "retrieval": ("lexical_weight", "dense_weight", "memory_weight"),
    "policy": ("confidence_threshold", "no_coverage_threshold", "known_gap_threshold"),
    "calibration": ("intercept", "weights", "coverage_intercept", "coverage_weights", "memory_trust"),
}
"""Section -> the keys a tuned file may set; anything else in it is an error."""


def read_toml(path: Path, fix: str) -> dict[str, Any]:
    """A TOML file's tables; ConfigError naming the file (and `fix`) when it cannot be read."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {one_line(exc)} ({fix})") from exc
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read it ({exc.strerror})") from exc


def read_tuned(path: Path) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """(values by section, the `[tuned]` provenance table) of a tuned file."""
    raw = read_toml(path, "fix it, or delete it and run `kbops tune`")
    provenance = raw.pop("tuned", {})
    problems = []
    for section, values in raw.items():
        allowed = TUNABLE.get(section)
        if allowed is None or not isinstance(values, dict):
            problems.append(f"  [{section}]: not a tunable section (tunable: {', '.join(TUNABLE)})")
            continue
        problems += [f"  {section}.{key}: not a tunable key (tunable: {', '.join(allowed)})" for key in values
                     if key not in allowed]
    if problems:
        raise ConfigError("\n".join([f"{path}: invalid tuned settings:", *problems]))
    return raw, provenance if isinstance(provenance, dict) else {}


def merge_tuned(config: Mapping[str, Any], tuned: Mapping[str, Mapping[str, Any]]) -> tuple[dict[str, Any], list[str]]:
    """kbops.toml's values over the tuned ones; also the tuned keys kbops.toml overrides."""
    merged: dict[str, Any] = {name: dict(value) if isinstance(value, dict) else value for name, value in config.items()}
    overridden = []
    for section, values in tuned.items():
        target = merged.setdefault(section, {})
        if not isinstance(target, dict):
            continue  # kbops.toml's own validation reports it
        for key, value in values.items():
            if key in target:
                overridden.append(f"{section}.{key}")
            else:
                target[key] = value
    return merged, overridden


def render_tuned(values: Mapping[str, Mapping[str, Any]], provenance: Mapping[str, Any], header: str) -> str:
    """The tuned file's text: a comment for the reviewer, then flat TOML tables."""
    lines = [f"# {line}" if line else "#" for line in header.splitlines()]
    for section in ("tuned", *values):
        table = provenance if section == "tuned" else values[section]
        lines += ["", f"[{section}]"]
        for key, value in table.items():
            lines.append(f"{key} = {_toml_value(value)}")
    return "\n".join(lines) + "\n"


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"cannot write {value} to {TUNED_FILE}")
        return repr(round(value, 6))
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} to {TUNED_FILE}")


def without_tuned(settings: Settings) -> Settings:
    """The settings as if there were no tuned file: each tuned key back to its default
    (keys kbops.toml sets itself were never tuned values)."""
    if settings.tuned is None:
        return settings
    changes: dict[str, dict[str, object]] = {}
    for dotted in settings.tuned.keys:
        if dotted in settings.tuned.overridden:
            continue
        section, key = dotted.split(".", 1)
        changes.setdefault(section, {})[key] = type(getattr(settings, section)).model_fields[key].default
    return settings.with_changes(**changes).model_copy(update={"tuned": None})
