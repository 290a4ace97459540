"""The help site's HTML allow-list: what an article's rendered HTML may keep.

Python-Markdown passes raw HTML through and its `attr_list` extension sets any attribute,
so cleaning the Markdown cannot be complete: the rendered HTML of every page is cleaned
instead (by `hooks.py`, before the search index reads it). Three passes:

1. nh3 (ammonia) with the allow-list below, keeping `style` and `hidden` for a moment:
   scripts, event handlers, iframes, objects, forms and comments go, and the HTML comes
   out well-formed;
2. elements a browser would not show (`hidden`, a hiding `style`, a `<style>` rule that
   hides them) are dropped with their content: hidden text is never published, not
   unhidden;
3. nh3 again without `style` and `hidden`, so nothing from step 2 can survive.

Links and images may only point at pages and files of the built site (or at http, https,
mailto and tel URLs), so a raw `<a href>` cannot reach a file the stage refused.
"""

from __future__ import annotations

import html
import posixpath
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit

import nh3

from ..kb.rawhtml import (
    HIDDEN_CONTENT_TAGS,
    SAFE_SCHEMES,
    TITLE_TAGS,
    Selector,
    hiding_selectors,
    style_hides,
)

TAGS = frozenset(nh3.ALLOWED_TAGS) - {"nav", "header", "footer", "aside", "article", "map", "area"}
DROP_WITH_CONTENT = frozenset({
    "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "svg", "math",
    "textarea", "select", "title", "xmp", "plaintext", "noscript", *HIDDEN_CONTENT_TAGS,
})
ATTRIBUTES: dict[str, set[str]] = {
    "*": {"id", "class", "lang", "dir"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan", "style"},
    "th": {"colspan", "rowspan", "scope", "style"},
    "ol": {"start"},
    "li": {"value"},
    "details": {"open"},
    "time": {"datetime"},
    **{tag: {"title"} for tag in TITLE_TAGS},
}
"""Per tag; `style` only on table cells, and there only `text-align` (Markdown tables)."""
KEPT_MD_CLASSES = frozenset({"md-button", "md-button--primary"})
"""Material's own classes drive its scripts and layout; an article may only use these."""
VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"})

UrlCheck = Callable[[str], bool]


def _filter_attribute(tag: str, name: str, value: str) -> str | None:
    if name == "class":
        kept = [c for c in value.split() if not c.startswith("md-") or c in KEPT_MD_CLASSES]
        return " ".join(kept) or None
    if name == "id":
        return None if value.startswith("__") else value  # Material's own element ids
    return value


def _normalising_filter(tag: str, name: str, value: str) -> str | None:
    if name == "style":  # pass 2 needs a hiding style; pass 3 keeps a table cell's text-align
        return value if style_hides(value) or tag in ("td", "th") else None
    return value  # classes and ids are filtered in pass 3: pass 2 matches `<style>` rules on them


def _cleaner(allow_relative: UrlCheck, *, keep_hiding: bool) -> nh3.Cleaner:
    attributes = {tag: set(names) for tag, names in ATTRIBUTES.items()}
    if keep_hiding:
        attributes["*"] |= {"style", "hidden"}
    return nh3.Cleaner(
        tags=set(TAGS),
        clean_content_tags=set(DROP_WITH_CONTENT),
        attributes=attributes,
        attribute_filter=_normalising_filter if keep_hiding else _filter_attribute,
        url_schemes=set(SAFE_SCHEMES),
        url_relative=lambda url: url if allow_relative(url) else None,
        filter_style_properties=None if keep_hiding else {"text-align"},
        strip_comments=True,
    )


STYLE_BLOCK = re.compile(r"<style\b[^>]*>(.*?)(?:</style\s*>|$)", re.IGNORECASE | re.DOTALL)


class _HiddenElements(HTMLParser):
    """Offsets of elements a browser would not show, in well-formed HTML (nh3's output)."""

    def __init__(self, text: str, hiding: list[Selector]) -> None:
        super().__init__(convert_charrefs=True)
        self.hiding = hiding
        self.starts = [0]
        self.starts += [m.end() for m in re.finditer("\n", text)]
        self.open: list[tuple[str, int | None]] = []
        self.cuts: list[tuple[int, int]] = []

    def position(self) -> int:
        line, column = self.getpos()
        return self.starts[line - 1] + column

    def hidden(self, tag: str, attrs: dict[str, str | None]) -> bool:
        return "hidden" in attrs or style_hides(attrs.get("style") or "") or any(s.matches(tag, attrs) for s in self.hiding)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        start = self.position()
        is_hidden = not any(cut is not None for _, cut in self.open) and self.hidden(tag, dict(attrs))
        if tag in VOID:
            if is_hidden:
                self.cuts.append((start, start + len(self.get_starttag_text() or "")))
            return
        self.open.append((tag, start if is_hidden else None))

    def handle_endtag(self, tag: str) -> None:
        if not self.open:
            return
        opened, cut_from = self.open.pop()
        if cut_from is not None:
            self.cuts.append((cut_from, self.position() + len(f"</{opened}>")))


def _drop_hidden(text: str, hiding: list[Selector]) -> tuple[str, int]:
    parser = _HiddenElements(text, hiding)
    parser.feed(text)
    parser.close()
    cuts = sorted(parser.cuts)
    for _, cut_from in parser.open:  # never closed: hidden to the end
        if cut_from is not None:
            cuts.append((cut_from, len(text)))
    out, last = [], 0
    for start, end in cuts:
        if start >= last:
            out.append(text[last:start])
            last = end
    out.append(text[last:])
    return "".join(out), len(cuts)


@dataclass(frozen=True)
class Sanitised:
    html: str
    hidden_removed: int
    """Elements dropped with their content because a browser would not show them."""


def sanitise(content: str, allow_relative: UrlCheck) -> Sanitised:
    """The allow-listed HTML of a page body; `allow_relative(url)` says which relative
    URLs (pages and files of the site) links and images may keep."""
    hiding: list[Selector] = []
    if "<style" in content.lower():  # the pure-Python passes only run when they can matter
        hiding = [selector for css in STYLE_BLOCK.findall(content) for selector in hiding_selectors(css)]
    visible = _cleaner(allow_relative, keep_hiding=True).clean(content)
    removed = 0
    if hiding or " hidden" in visible or " style=" in visible:
        visible, removed = _drop_hidden(visible, hiding)
    return Sanitised(_cleaner(allow_relative, keep_hiding=False).clean(visible), removed)


def site_url_check(page_url: str, site_paths: Collection[str]) -> UrlCheck:
    """Relative URLs from the page at `page_url` that reach one of `site_paths` (URLs and
    output paths of the site's files, without a trailing slash; "." is the home page)."""
    folder = page_url if page_url.endswith("/") or not page_url else posixpath.dirname(page_url)

    def allowed(url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or url.startswith(("/", "\\")) or "\\" in url:
            return False
        if not parts.path:
            return True  # `#anchor` or `?query` on the same page
        target = posixpath.normpath(posixpath.join(folder, unquote(parts.path)))
        return target in site_paths

    return allowed


def text_only(title: str) -> str:
    """A title for the navigation or table of contents: its text, HTML-escaped."""
    return html.escape(html.unescape(nh3.clean(title, tags=set())), quote=False)
