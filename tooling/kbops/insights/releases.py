"""Product releases, so the weekly report can say that an issue follows one.

Two sources, merged: a TOML file (`history.releases`, `[[release]]` tables with `version`,
`date` and optional `notes`) that product teams keep by hand, and git tags matching
`history.release_tags` in the project's repository (their tag or commit date). The file
wins when both name the same version: it carries notes and the date the release reached
customers, which a tag may not.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from ..config import Settings
from ..config.tuned import read_toml
from ..errors import ConfigError
from ..gitkb import tags_with_dates

FILE_SOURCE = "releases.toml"
TAG_SOURCE = "git tag"


@dataclass(frozen=True)
class Release:
    version: str
    date: date
    notes: str = ""
    source: str = ""
    """`releases.toml` (the configured file) or `git tag`."""


def load_releases(settings: Settings, repo_root: Path) -> list[Release]:
    """Every release, oldest first. A missing file is fine (tags only); a malformed one is a
    ConfigError naming the file and the bad entry."""
    path = (settings.root / settings.history.releases).resolve() if settings.history.releases else None
    from_file = read_release_file(path) if path is not None and path.is_file() else []
    pattern = settings.history.release_tags
    from_tags = [Release(name, day, source=TAG_SOURCE) for name, day in tags_with_dates(repo_root, pattern)] \
        if pattern else []
    return merge_releases(from_file, from_tags)


def merge_releases(from_file: Sequence[Release], from_tags: Sequence[Release]) -> list[Release]:
    """One release per version (the file's when both have it; `v2.3` and `2.3` are one)."""
    chosen: dict[str, Release] = {}
    for release in (*from_tags, *from_file):
        chosen[_version_key(release.version)] = release
    return sorted(chosen.values(), key=lambda r: (r.date, r.version))


def read_release_file(path: Path) -> list[Release]:
    raw = read_toml(path, "each release is a [[release]] table with version and date")
    entries = raw.get("release", [])
    if not isinstance(entries, list):
        raise ConfigError(f"{path}: `release` must be an array of tables: write each one as [[release]]")
    problems: list[str] = []
    releases = []
    for number, entry in enumerate(entries, start=1):
        release = _release(entry, number, problems)
        if release is not None:
            releases.append(release)
    if problems:
        raise ConfigError("\n".join([f"{path}: invalid releases:", *problems]))
    return releases


def _release(entry: Any, number: int, problems: list[str]) -> Release | None:
    where = f"  release {number}"
    if not isinstance(entry, dict):
        problems.append(f"{where}: not a table (write it as [[release]] with version and date)")
        return None
    version = entry.get("version")
    if not isinstance(version, str) and not isinstance(version, int | float):
        problems.append(f"{where}: `version` is missing (a string such as \"2.3.0\")")
        return None
    day = _date(entry.get("date"))
    if day is None:
        problems.append(f"{where} ({version}): `date` must be a date such as 2026-11-16, found {entry.get('date')!r}")
        return None
    unknown = sorted(set(entry) - {"version", "date", "notes"})
    if unknown:
        problems.append(f"{where} ({version}): unknown keys {', '.join(unknown)} (allowed: version, date, notes)")
        return None
    notes = entry.get("notes", "")
    return Release(str(version), day, str(notes), FILE_SOURCE)


def _date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


def _version_key(version: str) -> str:
    return version.strip().lower().removeprefix("v")


def release_before(releases: Sequence[Release], day: date, window_days: int) -> Release | None:
    """The latest release at most `window_days` before `day` (the same day counts): the one
    an issue first seen on `day` follows."""
    candidates = [r for r in releases if r.date <= day <= r.date + timedelta(days=window_days)]
    return max(candidates, key=lambda r: (r.date, r.version)) if candidates else None
