"""Build the help site: stage it, run mkdocs-material in-process on the staged copy (its
hooks sanitise every page), then audit what was written before calling it built."""

from __future__ import annotations

import logging
import time
from pathlib import Path

from ..config import Settings
from ..kb.model import KnowledgeBase
from .audit import audit_site
from .model import BuildReport, SiteError, SiteProject
from .stage import stage_site


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage().strip())


def run_mkdocs(config_file: Path, strict: bool) -> tuple[str, ...]:
    """`mkdocs build` in-process (same steps as its CLI); returns mkdocs' warnings."""
    from mkdocs.commands.build import build  # lazy: mkdocs and its theme are only needed here
    from mkdocs.config import load_config  # lazy, see above
    from mkdocs.exceptions import MkDocsException  # lazy, see above

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


def build_site(kb: KnowledgeBase, settings: Settings, strict: bool = True, site_dir: Path | None = None,
               project: SiteProject | None = None) -> BuildReport:
    """Stage, then build with mkdocs. `strict` fails on any mkdocs warning, a link to a
    missing page, or an unpublished article's title on a public page. Any build fails when
    the built site holds a frame, an event handler, a `javascript:` URL or a script that
    is not the theme's (`audit.py`)."""
    project = project or SiteProject.load(settings)
    built = (site_dir or project.site_dir).resolve()
    stage = stage_site(kb, settings, project, built)
    if strict and stage.problems():
        raise SiteError("the help site was not built (strict):\n  " + "\n  ".join(stage.problems()))
    started = time.perf_counter()
    warnings = run_mkdocs(Path(stage.config_file), strict)
    seconds = time.perf_counter() - started
    unsafe = audit_site(built)
    if unsafe:
        raise SiteError(
            f"{built} holds HTML the help site must not publish; do not upload it:\n  " + "\n  ".join(unsafe[:20])
            + (f"\n  ... and {len(unsafe) - 20} more" if len(unsafe) > 20 else "")
        )
    pages = sum(1 for _ in built.rglob("*.html"))
    return BuildReport(stage, str(built), pages, strict, warnings, seconds)
