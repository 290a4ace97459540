"""`kbops site build`: the customer help site, built by mkdocs-material from a staging folder.

mkdocs never reads kb/. Only articles that are public *and* published are copied into a
staging docs folder, cleaned on the way (`site_markdown`), next to a derived mkdocs config
that INHERITs the project's mkdocs.yml and adds the generated navigation. Internal, draft
and archived articles therefore cannot reach the site whatever mkdocs is told (a typo in
`exclude_docs` cannot leak them), and links to them become plain text instead of 404s.
Only the fields a customer may see are staged: title, summary, tags and the date the
article last changed; owner, review data and risk topics stay in kb/.
"""

from __future__ import annotations

import functools
import logging
import os
import posixpath
import shutil
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import yaml

from .config import Settings
from .errors import ConfigError, KbopsError
from .kb import Article, KnowledgeBase, load_kb, slugify
from .site_markdown import clean_body, local_targets

STAGING_MARKER = ".kbops-staging"
"""Written into the staging folder; kbops only ever wipes a folder that carries it."""
CATEGORY_DIR = "categories"
TAGS_PAGE = "tags.md"
LEAK_MIN_WORDS = 2
"""Unpublished titles of fewer words are not searched for in staged pages (too common)."""


class SiteError(KbopsError):
    """The help site could not be built (mkdocs failed, or a strict check did)."""


@dataclass(frozen=True)
class Excluded:
    id: str
    path: str
    reason: str
    """`<audience>/<status>`, e.g. `internal/published` or `public/draft`."""


@dataclass(frozen=True)
class RewrittenLink:
    path: str
    line: int
    target: str
    reason: str
    """`unpublished` (internal, draft or archived article), `missing` or `outside-kb`."""


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

    def problems(self) -> list[str]:
        """What `--strict` refuses: a broken link or an internal title on a public page."""
        found = [
            f"{link.path}:{link.line}: link to '{link.target}' ({link.reason}) was unlinked"
            for link in self.rewritten_links if link.reason != "unpublished"
        ]
        found += [
            f"{leak.page}: mentions '{leak.title}', the title of unpublished article '{leak.article_id}'"
            for leak in self.leaks
        ]
        return found


@dataclass(frozen=True)
class BuildReport:
    stage: StageReport
    site_dir: str
    pages: int
    strict: bool
    warnings: tuple[str, ...]
    mkdocs_seconds: float


@dataclass(frozen=True)
class SitePaths:
    mkdocs_config: Path
    staging: Path

    @property
    def docs(self) -> Path:
        return self.staging / "docs"

    @property
    def config(self) -> Path:
        return self.staging / "mkdocs.yml"


def site_paths(settings: Settings) -> SitePaths:
    root = settings.root.resolve()
    return SitePaths(
        mkdocs_config=(root / settings.site.mkdocs_config).resolve(),
        staging=(root / settings.site.staging_dir).resolve(),
    )


# ---------------------------------------------------------------- last updated


def last_updated(kb_dir: Path, files: Iterable[Path]) -> dict[Path, tuple[date, str]]:
    """File -> (date of the last commit touching it, "git"), or (mtime date, "file") when
    the file is uncommitted, edited since, or outside git. One `git log` for all files."""
    files = [f.resolve() for f in files]
    dates: dict[Path, tuple[date, str]] = {}
    committed, dirty = _git_dates(kb_dir)
    for path in files:
        if path in committed and path not in dirty:
            dates[path] = (committed[path], "git")
        else:
            dates[path] = (date.fromtimestamp(path.stat().st_mtime), "file")
    return dates


def _git_dates(kb_dir: Path) -> tuple[dict[Path, date], set[Path]]:
    import git

    try:
        repo = git.Repo(kb_dir, search_parent_directories=True)
        top = Path(repo.working_tree_dir or kb_dir).resolve()
        rel = kb_dir.resolve().relative_to(top).as_posix()
        log = repo.git.log("--format=%x00%cI", "--name-only", "--no-renames", "--", rel or ".")
        status = repo.git.status("--porcelain", "-z", "--untracked-files=all", "--", rel or ".")
    except (git.InvalidGitRepositoryError, git.NoSuchPathError, git.GitCommandError, ValueError):
        return {}, set()
    committed: dict[Path, date] = {}
    current: date | None = None
    for line in log.splitlines():
        if line.startswith("\x00"):
            current = datetime.fromisoformat(line[1:]).date()
        elif line.strip() and current is not None:
            committed.setdefault((top / line).resolve(), current)
    dirty: set[Path] = set()
    entries = status.split("\x00")
    index = 0
    while index < len(entries):
        entry = entries[index]
        index += 1
        if len(entry) > 3:
            dirty.add((top / entry[3:]).resolve())
            if entry[0] in "RC":
                index += 1  # a rename's or copy's original path follows
    return committed, dirty


# ---------------------------------------------------------------- staging


def _project_config(paths: SitePaths) -> dict[str, Any]:
    from mkdocs.utils import yaml_load

    if not paths.mkdocs_config.is_file():
        raise ConfigError(f"{paths.mkdocs_config}: mkdocs config not found (set site.mkdocs_config in kbops.toml)")
    try:
        with paths.mkdocs_config.open("rb") as handle:
            loaded = yaml_load(handle)
    except Exception as exc:  # mkdocs raises its own ConfigurationError or yaml errors
        raise ConfigError(f"{paths.mkdocs_config}: cannot read it: {exc}") from exc
    return loaded if isinstance(loaded, dict) else {}


def _prepare_staging(paths: SitePaths, settings: Settings) -> None:
    """Wipe and recreate the staging folder, refusing anything kbops did not create."""
    staging = paths.staging
    kb_dir = settings.kb_dir
    root = settings.root.resolve()
    if staging in (root, kb_dir) or staging in kb_dir.parents or kb_dir in staging.parents:
        raise ConfigError(f"site.staging_dir '{staging}' overlaps the project or kb/; use a folder of its own")
    if staging.exists():
        if any(staging.iterdir()) and not (staging / STAGING_MARKER).exists():
            raise ConfigError(
                f"{staging} has files kbops did not stage (no {STAGING_MARKER}); "
                "empty it or point site.staging_dir at a new folder"
            )
        shutil.rmtree(staging)
    paths.docs.mkdir(parents=True)
    (staging / STAGING_MARKER).write_text("Generated by `kbops site build`; wiped on every build.\n")


def _category_title(category: str) -> str:
    return category.replace("-", " ").replace("_", " ").capitalize()


def _front_matter(values: dict[str, Any]) -> str:
    return "---\n" + yaml.safe_dump(values, sort_keys=False, allow_unicode=True, width=1000) + "---\n"


def _relative(target: str, source: str) -> str:
    """Link from staged page `source` to staged page `target` (both docs-relative)."""
    return posixpath.relpath(target, posixpath.dirname(source) or ".")


@dataclass
class _Stager:
    settings: Settings
    kb: KnowledgeBase
    paths: SitePaths
    site_name: str
    rewritten: list[RewrittenLink] = field(default_factory=list)
    dropped_related: list[tuple[str, str]] = field(default_factory=list)
    assets: set[str] = field(default_factory=set)
    comments: int = 0

    def docs_path(self, article: Article) -> str:
        """Where an article is staged: its path inside kb/, so relative links keep working."""
        return (self.kb.base / article.path).resolve().relative_to(self.kb.root).as_posix()

    def __post_init__(self) -> None:
        self.public = [a for a in self.kb.articles if a.is_public]
        self.public_paths = {self.docs_path(a) for a in self.public}
        self.unpublished = {self.docs_path(a): a for a in self.kb.articles if not a.is_public}
        self.unreadable = set()
        for problem in self.kb.problems:
            absolute = (self.kb.base / problem.path).resolve()
            if absolute.is_relative_to(self.kb.root):
                self.unreadable.add(absolute.relative_to(self.kb.root).as_posix())
        self.by_id = self.kb.by_id()

    def link_reason(self, source: str, target: str) -> str | None:
        """Why a link from staged page `source` must be unlinked; None keeps it."""
        parts = urlsplit(target)
        if parts.scheme or parts.netloc or target.startswith(("/", "#")) or not parts.path:
            return None  # external, absolute (mkdocs validates those) or same-page anchor
        resolved = posixpath.normpath(posixpath.join(posixpath.dirname(source), unquote(parts.path)))
        if resolved.startswith("../") or resolved == "..":
            return "outside-kb"
        if resolved in self.public_paths:
            return None
        if resolved in self.unpublished or resolved in self.unreadable:
            return "unpublished"
        if not resolved.endswith(".md") and (self.kb.root / resolved).is_file():
            self.assets.add(resolved)
            return None
        return "missing"

    def article_page(self, article: Article, updated: date) -> str:
        source = self.docs_path(article)
        body = clean_body(article.body, functools.partial(self.link_reason, source))
        self.comments += body.comments_removed
        for item in body.unlinked:
            self.rewritten.append(RewrittenLink(article.path, article.body_line + item.line - 1, item.target, item.reason))
        for target in local_targets(body.text):  # images keep their files
            self.link_reason(source, target)
        meta: dict[str, Any] = {"title": article.title}
        if article.meta.summary:
            meta["description"] = article.meta.summary
        if article.meta.tags:
            meta["tags"] = list(article.meta.tags)
        meta["revision_date"] = updated.isoformat()
        related = []
        for related_id in article.meta.related:
            target = self.by_id.get(related_id)
            if target is None or not target.is_public:
                self.dropped_related.append((article.id, related_id))
                continue
            related.append(f"- [{target.title}]({_relative(self.docs_path(target), source)})")
        text = _front_matter(meta) + "\n" + body.text.strip("\n") + "\n"
        if related:
            text += "\n## Related articles\n\n" + "\n".join(related) + "\n"
        return text

    def categories(self) -> list[tuple[str, list[Article]]]:
        """(category, its public articles by title), in kb.categories order, then others."""
        grouped: dict[str, list[Article]] = {}
        for article in self.public:
            grouped.setdefault(article.meta.category, []).append(article)
        known = list(self.settings.kb.categories)
        order = sorted(grouped, key=lambda c: (known.index(c) if c in known else len(known), c))
        return [(c, sorted(grouped[c], key=lambda a: (a.title.casefold(), a.id))) for c in order]

    def category_page(self, category: str, articles: list[Article]) -> tuple[str, str]:
        page = f"{CATEGORY_DIR}/{slugify(category) or 'other'}/index.md"
        lines = [_front_matter({"title": _category_title(category), "hide": ["feedback"]}), ""]
        lines.append(f"# {_category_title(category)}\n")
        for article in articles:
            summary = f": {article.meta.summary}" if article.meta.summary else ""
            lines.append(f"- [{article.title}]({_relative(self.docs_path(article), page)}){summary}")
        return page, "\n".join(lines) + "\n"

    def home_page(self, categories: list[tuple[str, list[Article]]], pages: dict[str, str]) -> str:
        lines = [_front_matter({"hide": ["feedback", "toc"]}), f"# {self.site_name}\n"]
        lines.append("Search for your question above, browse a category below, or pick a [tag](tags.md).\n")
        for category, articles in categories:
            lines.append(f"## [{_category_title(category)}]({pages[category]})\n")
            lines += [f"- [{a.title}]({self.docs_path(a)})" for a in articles]
            lines.append("")
        return "\n".join(lines)


def _tags_page() -> str:
    return (
        _front_matter({"title": "Tags", "hide": ["feedback"]})
        + "\n# Tags\n\nEvery article is tagged with what it covers. Pick a tag to see its articles.\n\n"
        + "<!-- material/tags -->\n"
    )


def _find_leaks(pages: dict[str, str], unpublished: Iterable[Article]) -> list[TitleLeak]:
    """Unpublished titles that appear on a staged page (e.g. as the text of an unlinked link)."""
    titles = [(a.id, a.title) for a in unpublished if len(a.title.split()) >= LEAK_MIN_WORDS]
    leaks = []
    for page, text in sorted(pages.items()):
        lowered = text.casefold()
        leaks += [TitleLeak(page, i, t) for i, t in titles if t.casefold() in lowered]
    return leaks


def _derived_config(paths: SitePaths, project: dict[str, Any], nav: list[Any], site_dir: Path) -> dict[str, Any]:
    """INHERIT the project's config; set the paths (relative ones would resolve against the
    staging folder) and the generated nav."""
    base = paths.mkdocs_config.parent
    config: dict[str, Any] = {
        "INHERIT": os.path.relpath(paths.mkdocs_config, paths.staging),
        "docs_dir": str(paths.docs),
        "site_dir": str(site_dir),
    }
    theme = project.get("theme")
    if isinstance(theme, dict) and theme.get("custom_dir"):
        config["theme"] = {"custom_dir": str((base / theme["custom_dir"]).resolve())}
    for key in ("hooks",):
        if isinstance(project.get(key), list):
            config[key] = [str((base / hook).resolve()) for hook in project[key]]
    config["nav"] = nav
    return config


def default_site_dir(settings: Settings) -> Path:
    paths = site_paths(settings)
    project = _project_config(paths)
    return (paths.mkdocs_config.parent / str(project.get("site_dir", "site"))).resolve()


def stage_site(settings: Settings, site_dir: Path | None = None) -> StageReport:
    """Stage the public, published articles and write the derived mkdocs config."""
    started = time.perf_counter()
    paths = site_paths(settings)
    project = _project_config(paths)
    site_dir = (site_dir or default_site_dir(settings)).resolve()
    kb = load_kb(settings)
    _prepare_staging(paths, settings)
    stager = _Stager(settings, kb, paths, str(project.get("site_name") or "Help Center"))

    files = {a.path: (kb.base / a.path).resolve() for a in stager.public}
    dates = last_updated(kb.root, files.values())
    pages: dict[str, str] = {}
    for article in stager.public:
        pages[stager.docs_path(article)] = stager.article_page(article, dates[files[article.path]][0])

    categories = stager.categories()
    category_pages: dict[str, str] = {}
    nav: list[Any] = [{"Home": "index.md"}]
    for category, articles in categories:
        page, text = stager.category_page(category, articles)
        if page in pages:
            raise ConfigError(f"kb/{page} collides with the generated page for category '{category}'; rename it")
        pages[page] = text
        category_pages[category] = page
        nav.append({_category_title(category): [page, *(stager.docs_path(a) for a in articles)]})
    nav.append({"Tags": TAGS_PAGE})
    for generated, text in (("index.md", stager.home_page(categories, category_pages)), (TAGS_PAGE, _tags_page())):
        if generated in pages:
            raise ConfigError(f"kb/{generated} collides with the generated {generated}; rename it")
        pages[generated] = text

    for page, text in pages.items():
        target = paths.docs / page
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    for asset in sorted(stager.assets):
        (paths.docs / asset).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(kb.root / asset, paths.docs / asset)
    config = _derived_config(paths, project, nav, site_dir)
    header = f"# Generated by `kbops site build`; do not edit. Change {paths.mkdocs_config.name} instead.\n"
    paths.config.write_text(header + yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")

    unpublished = [a for a in kb.articles if not a.is_public]
    return StageReport(
        staging_dir=str(paths.staging),
        config_file=str(paths.config),
        published=tuple(sorted(a.id for a in stager.public)),
        excluded=tuple(
            Excluded(a.id, a.path, f"{a.meta.audience}/{a.meta.status}") for a in sorted(unpublished, key=lambda a: a.path)
        ),
        unreadable=tuple(sorted(p.path for p in kb.problems)),
        rewritten_links=tuple(stager.rewritten),
        dropped_related=tuple(stager.dropped_related),
        comments_removed=stager.comments,
        assets=tuple(sorted(stager.assets)),
        leaks=tuple(_find_leaks(pages, unpublished)),
        dated_by_git=sum(1 for d in dates.values() if d[1] == "git"),
        dated_by_file=tuple(sorted(a.id for a in stager.public if dates[files[a.path]][1] == "file")),
        seconds=time.perf_counter() - started,
    )


# ---------------------------------------------------------------- building and serving


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage().strip())


def run_mkdocs(config_file: Path, strict: bool) -> tuple[str, ...]:
    """`mkdocs build` in-process (same steps as its CLI); returns mkdocs' warnings."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    collector = _Collect()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(collector)
    try:
        config = load_config(str(config_file), strict=strict)
        config.plugins.on_startup(command="build", dirty=False)
        try:
            build(config)
        finally:
            config.plugins.on_shutdown()
    except MkDocsException as exc:
        details = "".join(f"\n  {message}" for message in collector.messages)
        raise SiteError(f"mkdocs build failed: {str(exc).strip()}{details}") from exc
    finally:
        logger.removeHandler(collector)
    return tuple(collector.messages)


def build_site(settings: Settings, strict: bool = True, site_dir: Path | None = None) -> BuildReport:
    """Stage, then build with mkdocs. `strict` fails on any mkdocs warning, a link to a
    missing page, or an unpublished article's title on a public page."""
    stage = stage_site(settings, site_dir=site_dir)
    if strict and stage.problems():
        raise SiteError("the help site was not built (strict):\n  " + "\n  ".join(stage.problems()))
    started = time.perf_counter()
    warnings = run_mkdocs(Path(stage.config_file), strict)
    seconds = time.perf_counter() - started
    built = (site_dir or default_site_dir(settings)).resolve()
    pages = sum(1 for _ in built.rglob("*.html"))
    return BuildReport(stage, str(built), pages, strict, warnings, seconds)


class _SiteHandler(SimpleHTTPRequestHandler):
    """Static files, and the site's own 404 page (as static hosts serve it)."""

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(str(self.directory)) / "404.html"
        if code != 404 or not page.is_file():
            super().send_error(code, message, explain)
            return
        content = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(content)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (stdlib signature)
        pass


def make_server(site_dir: Path, host: str = "127.0.0.1", port: int = 0) -> ThreadingHTTPServer:
    """A static server for the built site; port 0 picks a free port (see server_address)."""
    if not (site_dir / "index.html").is_file():
        raise ConfigError(f"{site_dir} has no index.html: run `kbops site build` first")
    handler = functools.partial(_SiteHandler, directory=str(site_dir))
    return ThreadingHTTPServer((host, port), handler)
