"""mkdocs hooks of every help-site build: each page's HTML is sanitised before anything
reads it.

The staged config lists these (through `site/.staging/kbops_hooks.py`, written by the
stage), so `kbops site build`, `mkdocs build -f site/.staging/mkdocs.yml` and
`mkdocs gh-deploy` all run them. `on_page_content` runs last among the plugins
(priority -100) and before `on_page_context`, where the search plugin indexes the page:
the search index holds exactly the sanitised text. Titles reach the theme's templates
unescaped (mkdocs has no autoescape), so page, description and table-of-contents titles
are reduced to escaped text here too, marked as such (`__html__`) so that a template that
does escape (`| e`) does not escape them twice.
"""

from __future__ import annotations

import html
import posixpath
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from mkdocs.plugins import event_priority

from .sanitise import sanitise, site_url_check, text_only

_built: tuple[object, frozenset[str]] = (None, frozenset())
"""The Files of the build in progress and its site paths (mkdocs hooks are module
functions: state between events lives here; keyed by the Files object, never stale)."""


class EscapedText(str):
    """Text already HTML-escaped: Jinja's `| e` keeps it as it is (the markupsafe protocol)."""

    def __html__(self) -> str:
        return str(self)


def escaped_text(value: str) -> EscapedText:
    return EscapedText(html.escape(html.unescape(text_only(value)), quote=True))


def _normal(path: str) -> str:
    return posixpath.normpath(unquote(path).rstrip("/") or ".")


def site_paths(files: Iterable[Any], docs_dir: str) -> frozenset[str]:
    """URLs and output paths of the pages and the staged files (not the theme's)."""
    docs = Path(docs_dir).resolve()
    found: set[str] = set()
    for file in files:
        source = getattr(file, "abs_src_path", None)
        if file.is_documentation_page() or (source and Path(source).resolve().is_relative_to(docs)):
            found |= {_normal(file.url), _normal(file.dest_uri)}
    return frozenset(found)


def _paths_of(files: Any, config: Any) -> frozenset[str]:
    global _built
    if _built[0] is not files:
        _built = (files, site_paths(files, config["docs_dir"]))
    return _built[1]


def on_files(files: Any, config: Any) -> None:
    _paths_of(files, config)


def _clean_toc(items: Iterable[Any]) -> None:
    for item in items:
        item.title = escaped_text(item.title)
        _clean_toc(item.children)


@event_priority(-100)
def on_page_content(content: str, page: Any, config: Any, files: Any) -> str:
    """The page body through the allow-list; titles as escaped text."""
    result = sanitise(content, site_url_check(page.url, _paths_of(files, config)))
    _clean_toc(page.toc)
    for key in ("title", "description"):
        value = page.meta.get(key)
        if isinstance(value, str):
            page.meta[key] = escaped_text(value)
    return result.html
