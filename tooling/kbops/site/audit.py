"""A tripwire after mkdocs: the built site must hold nothing the allow-list forbids.

The hooks sanitise every page before it is written, so this should never fire. It reads
what will actually be published (every HTML page and the search index) and fails the
build if a plugin, a theme override or a missed path put back a frame, an event
handler, a `javascript:` URL, raw HTML in the search index, or a script the theme does
not put on every page. Regular expressions, not a parser: the generated 1,000-article
site (1,009 pages, 108 MB) takes 1.4-1.9 s on a 2-core machine under load.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

from ..kb.rawhtml import url_is_unsafe

FORBIDDEN_TAGS = frozenset({"iframe", "frame", "frameset", "object", "embed", "applet", "base"})
URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "xlink:href", "poster", "srcset"})
TAG = re.compile(r"<([a-z][^\s/>]*)((?:\s*[^\s=>/]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>]+))?)*)\s*/?>")
ATTRIBUTE = re.compile(r"([^\s=>/]+)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]+))?")
SCRIPT_BODY = re.compile(r"(<script\b[^>]*>).*?(</script>)", re.DOTALL)
SCRIPT = re.compile(r"<script\b[^>]*>", re.IGNORECASE)
FORBIDDEN_TAG = re.compile(r"<(" + "|".join(sorted(FORBIDDEN_TAGS)) + r")\b")
SUSPECTS = (
    re.compile(r"on[a-z]+\s*="),
    re.compile(r"http-equiv"),
    *(re.compile(name + r"\s*=\s*[\"']?\s*(?!https?://|#|\.\.?/)[^\"'\s>]*[:&]") for name in ("href", "src", "action", "poster")),
)
"""Where a handler or an unsafe URL could be, in the lower-cased page. Each hit's tag is
then read attribute by attribute (a page has a thousand tags and a handful of hits).
One pattern per literal prefix, case-sensitive: Python's `re` is six times faster so."""
SEARCH_TAGS = re.compile(r"<(?!/?(?:p|code|pre|li|ol|ul|sub|sup)>)")
"""The search plugin keeps these tags bare (`<p>`); any other `<` in the index is raw HTML."""


def _scripts(page: str) -> Counter[str]:
    """The page's script tags; a local `src` by its file name (the folder differs by page
    depth, and the 404 page uses the site_url path)."""
    return Counter(re.sub(r"(src=[\"'])(?![a-z][a-z0-9+.-]*:|//)[^\"']*/", r"\1", tag) for tag in SCRIPT.findall(page))


def _page_problems(name: str, page: str) -> list[str]:
    page = SCRIPT_BODY.sub(r"\1\2", page.lower())  # a script's text is not markup
    found = [f"{name}: <{m.group(1).lower()}> element" for m in FORBIDDEN_TAG.finditer(page)]
    read: set[int] = set()
    hits = (hit.start() for pattern in SUSPECTS for hit in pattern.finditer(page))
    for position in hits:
        if page[position - 1 : position] not in ("", " ", "\t", "\n", "\r", "\f") and page[position] == "o":
            continue  # `on...=` inside a longer name (content=, description=)
        start = page.rfind("<", 0, position)
        tag = TAG.match(page, start) if start >= 0 and start not in read else None
        if tag is None or tag.end() <= position:
            continue  # text between tags, or a tag already read
        read.add(start)
        element = tag.group(1).lower()
        for attribute in ATTRIBUTE.finditer(tag.group(2)):
            key, value = attribute.group(1).lower(), (attribute.group(2) or "").strip("\"'")
            if key.startswith("on"):
                found.append(f"{name}: event handler {key}= on <{element}>")
            elif key in URL_ATTRIBUTES and url_is_unsafe(value):
                found.append(f"{name}: {key}=\"{value[:60]}\" on <{element}>")
            elif element == "meta" and key == "http-equiv" and value == "refresh":
                found.append(f"{name}: <meta http-equiv=refresh>")
    return found


def _search_problems(index: Path, name: str) -> list[str]:
    try:
        docs = json.loads(index.read_text(encoding="utf-8")).get("docs", [])
    except (OSError, ValueError, AttributeError) as exc:
        return [f"{name}: cannot be read ({exc})"]
    found = []
    for doc in docs if isinstance(docs, list) else []:
        for field in ("title", "text"):
            value = str(doc.get(field, "")) if isinstance(doc, dict) else ""
            if SEARCH_TAGS.search(value):
                found.append(f"{name}: raw HTML in the {field} of {doc.get('location')!r}: {value[:80]!r}")
        if isinstance(doc, dict) and url_is_unsafe(str(doc.get("location", ""))):
            found.append(f"{name}: location {doc.get('location')!r}")
    return found


def audit_site(site_dir: Path) -> list[str]:
    """What the built site holds that the allow-list forbids; empty when it is clean. Pages
    are read one at a time (1,000 pages are 100 MB of HTML)."""
    problems: list[str] = []
    scripts: dict[str, Counter[str]] = {}
    for path in sorted(site_dir.rglob("*.html")):
        name = path.relative_to(site_dir).as_posix()
        page = path.read_text(encoding="utf-8", errors="replace")
        problems += _page_problems(name, page)
        scripts[name] = _scripts(page)
    if scripts:
        # Every page carries the theme's scripts; the 404 page has no article content.
        common = Counter(frozenset(found.items()) for found in scripts.values()).most_common(1)[0][0]
        reference = scripts.get("404.html") or Counter(dict(common))
        for name, found in scripts.items():
            extra = found - reference
            if extra:
                problems.append(f"{name}: script not in the theme: {next(iter(extra))[:80]}")
    for index in sorted(site_dir.rglob("search_index.json")):
        problems += _search_problems(index, index.relative_to(site_dir).as_posix())
    return problems
