"""What the help-site stage reads and reports: the project's mkdocs config (read once),
what was published or excluded and why, and the build's outcome."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..config import Settings
from ..errors import ConfigError, KbopsError

SITE_JSON_VERSION = 1


class SiteError(KbopsError):
    """The help site could not be built (mkdocs failed, or a strict check did)."""


@dataclass(frozen=True)
class Excluded:
    id: str
    path: str
    reason: str
    """`<audience>/<status>`, e.g. `internal/published` or `public/draft`; `symlink` or
    `outside-kb` for a public article whose file is reached through a symlink or lies
    outside the KB folder."""


@dataclass(frozen=True)
class RewrittenLink:
    path: str
    line: int
    target: str
    reason: str
    """`unpublished` (internal, draft or archived article), `attachment-not-public` (a file
    that is not an attachment of a public article), `missing`, `outside-kb`, `absolute`
    (a site-root path), `symlink` (a file reached through a symlink leaving the KB) or
    `file-type` (a type the site does not publish)."""


LENIENT_REASONS = frozenset({"unpublished", "attachment-not-public"})
"""Unlinked with a warning even by a strict build: what `kbops lint` reports as errors."""


@dataclass(frozen=True)
class BodyNote:
    """Hidden text or unsafe HTML in a staged article: the site drops it (see `sanitise.py`)."""

    path: str
    line: int
    code: str
    """`hidden-text` or `unsafe-html`, as `kbops lint` reports it."""
    message: str


@dataclass(frozen=True)
class TitleLeak:
    page: str
    article_id: str
    title: str


@dataclass(frozen=True)
class StageReport:
    staging_dir: str
    config_file: str
    published: tuple[str, ...]
    excluded: tuple[Excluded, ...]
    unreadable: tuple[str, ...]
    rewritten_links: tuple[RewrittenLink, ...]
    dropped_related: tuple[tuple[str, str], ...]
    """(article id, related id) pairs not listed because the related article is not public."""
    comments_removed: int
    assets: tuple[str, ...]
    leaks: tuple[TitleLeak, ...]
    dated_by_git: int
    dated_by_file: tuple[str, ...]
    """Articles whose last-updated date is their file's mtime (uncommitted or no git)."""
    seconds: float
    body_notes: tuple[BodyNote, ...] = ()

    def problems(self) -> list[str]:
        """What `--strict` refuses: a broken link or an internal title on a public page."""
        found = [
            f"{link.path}:{link.line}: link to '{link.target}' ({link.reason}) was unlinked"
            for link in self.rewritten_links if link.reason not in LENIENT_REASONS
        ]
        found += [
            f"{leak.page}: mentions '{leak.title}', the title of unpublished article '{leak.article_id}'"
            for leak in self.leaks
        ]
        return found

    def removed(self) -> list[str]:
        """What was left out with a warning: files that are not public attachments, and the
        hidden text and unsafe HTML the sanitiser drops."""
        found = [
            f"{link.path}:{link.line}: '{link.target}' is not an attachment of a public article; unlinked"
            for link in self.rewritten_links if link.reason == "attachment-not-public"
        ]
        found += [f"{note.path}:{note.line}: {note.code}: {note.message}; not published" for note in self.body_notes]
        return found


@dataclass(frozen=True)
class BuildReport:
    stage: StageReport
    site_dir: str
    pages: int
    strict: bool
    warnings: tuple[str, ...]
    mkdocs_seconds: float

    def to_json(self) -> str:
        """Versioned JSON of `kbops site build --json`."""
        stage = self.stage
        return json.dumps({
            "version": SITE_JSON_VERSION,
            "site_dir": self.site_dir,
            "config_file": stage.config_file,
            "strict": self.strict,
            "pages": self.pages,
            "published": list(stage.published),
            "excluded": [asdict(item) for item in stage.excluded],
            "unreadable": list(stage.unreadable),
            "rewritten_links": [asdict(link) for link in stage.rewritten_links],
            "dropped_related": [{"article": a, "related": r} for a, r in stage.dropped_related],
            "comments_removed": stage.comments_removed,
            "assets": list(stage.assets),
            "removed_html": [asdict(note) for note in stage.body_notes],
            "leaks": [asdict(leak) for leak in stage.leaks],
            "dated_by_git": stage.dated_by_git,
            "dated_by_file": list(stage.dated_by_file),
            "warnings": list(self.warnings),
            "seconds": {"stage": round(stage.seconds, 3), "mkdocs": round(self.mkdocs_seconds, 3)},
        }, indent=2)


@dataclass(frozen=True)
class SiteProject:
    """The project's mkdocs config, read once, and the folders kbops stages and builds in."""

    mkdocs_config: Path
    staging: Path
    config: dict[str, Any]
    """mkdocs.yml as mkdocs loads it (its own YAML tags resolved)."""

    @classmethod
    def load(cls, settings: Settings) -> SiteProject:
        from mkdocs.utils import yaml_load  # lazy: mkdocs is only needed by the site commands

        root = settings.root.resolve()
        mkdocs_config = (root / settings.site.mkdocs_config).resolve()
        if not mkdocs_config.is_file():
            raise ConfigError(f"{mkdocs_config}: mkdocs config not found (set site.mkdocs_config in kbops.toml)")
        try:
            with mkdocs_config.open("rb") as handle:
                loaded = yaml_load(handle)
        except Exception as exc:  # mkdocs raises its own ConfigurationError or yaml errors
            raise ConfigError(f"{mkdocs_config}: cannot read it: {exc}") from exc
        config = loaded if isinstance(loaded, dict) else {}
        return cls(mkdocs_config, (root / settings.site.staging_dir).resolve(), config)

    @property
    def docs(self) -> Path:
        return self.staging / "docs"

    @property
    def derived_config(self) -> Path:
        return self.staging / "mkdocs.yml"

    @property
    def site_dir(self) -> Path:
        """Where mkdocs builds by default: `site_dir` of mkdocs.yml, relative to it."""
        return (self.mkdocs_config.parent / str(self.config.get("site_dir", "site"))).resolve()

    @property
    def site_name(self) -> str:
        return str(self.config.get("site_name") or "Help Center")


def help_site_hosts(settings: Settings) -> tuple[str, ...]:
    """The host of the help site's `site_url` in mkdocs.yml (none when there is no site)."""
    try:
        url = str(SiteProject.load(settings).config.get("site_url") or "")
    except ConfigError:
        return ()
    host = urlsplit(url).hostname if url else None
    return (host.lower(),) if host else ()
