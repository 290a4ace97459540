"""Hidden text and unsafe HTML in an article body: what lint reports and the help site removes.

Authors put notes for colleagues where they think customers cannot see them: HTML
comments (closed or not), `hidden` or `display:none` elements, zero-size text, a `<style>`
block hiding a class, a link or image title (a tooltip nobody reads on the page). All of
it is in the published page and its search index unless it is removed, so for a public
article it is a lint error (`hidden-text`) and the site drops it. Raw HTML that runs
code or embeds other pages (`<script>`, `onerror=`, `javascript:` links, iframes, forms)
is `unsafe-html`. The CSS checks here are shared with the site's sanitiser, so lint
reports exactly what the build drops.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from html.parser import HTMLParser

from .markdown import CODE_SPAN, blocks

HIDDEN_TEXT, UNSAFE_HTML = "hidden-text", "unsafe-html"

HIDDEN_CONTENT_TAGS = frozenset({"template", "noscript", "noframes", "noembed"})
"""Elements whose content a browser never shows."""
UNSAFE_TAGS = frozenset({
    "script", "iframe", "frame", "frameset", "object", "embed", "applet", "form", "input",
    "button", "textarea", "select", "link", "meta", "base", "svg", "math", "style",
})
"""Elements the site never publishes (run code, embed other pages, post data, restyle)."""
SAFE_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background", "srcset"})
TITLE_TAGS = frozenset({"abbr"})
"""The only elements whose `title` is content (the expansion of an abbreviation)."""

_COMMENT_OPEN, _COMMENT_CLOSE = "<!--", "-->"
_DECLARATION = re.compile(r"([a-z-]+)\s*:\s*([^;]+)")
_NUMBER = re.compile(r"^(-?\d*\.?\d+)\s*([a-z%]*)$")
_CSS_RULE = re.compile(r"([^{}]*)\{([^{}]*)\}")
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
_COMPOUND = re.compile(r"^([a-z][a-z0-9-]*|\*)?((?:[.#][\w-]+|\[[^\]]*\]|::?[\w-]+(?:\([^)]*\))?)*)$", re.IGNORECASE)
_MD_TITLE = re.compile(r"!?\[[^\]\n]*\]\(\s*<?[^)\s>]+>?\s+([\"'])(.+?)\1\s*\)|^ {0,3}\[[^\]\n]+\]:\s*\S+\s+([\"'(])(.+?)[\"')]\s*$")
_MD_SCHEME = re.compile(r"(?:\]\(|^ {0,3}\[[^\]\n]+\]:)\s*<?\s*([a-z][a-z0-9+.-]*):", re.IGNORECASE)
_ATTR_LIST = re.compile(r"\{:?\s*([^{}\n]*)\}")
_ATTR = re.compile(r"([^\s=\"'.#][^\s=\"']*)(?:=(\"[^\"]*\"|'[^']*'|\S+))?")
_RAW_URL = re.compile(r"<[a-z][^<>]*?\s(?:href|src)\s*=\s*[\"']?([^\"'\s>]+)", re.IGNORECASE)


@dataclass(frozen=True)
class BodyFinding:
    line: int
    """Line within the body (1 = its first line)."""
    code: str
    message: str
    fix: str


@dataclass(frozen=True)
class CommentSpan:
    start: int
    end: int
    """Offsets in the body; an unclosed comment ends at the end of the body."""
    closed: bool


# ---------------------------------------------------------------- code and comments


def prose_only(body: str) -> str:
    """The body with code blocks and code spans blanked (same length, same line breaks):
    what is written in code is shown as code, never interpreted."""
    parts = []
    for in_code, _, text in blocks(body):
        if in_code:
            parts.append(re.sub(r"[^\n]", " ", text))
        else:
            parts.append(CODE_SPAN.sub(lambda m: " " * len(m.group(0)), text))
    return "\n".join(parts)


def comment_spans(body: str) -> list[CommentSpan]:
    """HTML comments opened outside code. A comment runs to the first `-->` after it, even
    across a code fence (as a browser reads it); one that is never closed hides the rest."""
    prose = prose_only(body)
    spans: list[CommentSpan] = []
    position = 0
    while (start := prose.find(_COMMENT_OPEN, position)) >= 0:
        end = body.find(_COMMENT_CLOSE, start + len(_COMMENT_OPEN))
        if end < 0:
            spans.append(CommentSpan(start, len(body), closed=False))
            break
        spans.append(CommentSpan(start, end + len(_COMMENT_CLOSE), closed=True))
        position = end + len(_COMMENT_CLOSE)
    return spans


def without_comments(body: str, spans: list[CommentSpan]) -> str:
    """The body with the comments cut out, keeping their line breaks (line numbers hold)."""
    out, last = [], 0
    for span in spans:
        out.append(body[last : span.start])
        out.append("\n" * body.count("\n", span.start, span.end))
        last = span.end
    out.append(body[last:])
    return "".join(out)


# ---------------------------------------------------------------- CSS that hides text


def _length(value: str) -> tuple[float, str] | None:
    match = _NUMBER.match(value.strip())
    return (float(match.group(1)), match.group(2)) if match else None


def _tiny(value: str) -> bool:
    """A size nobody can read: 0, under 2px/pt, under 0.2em, under 20%."""
    size = _length(value)
    if size is None:
        return False
    number, unit = size
    limits = {"": 0.0, "px": 2, "pt": 2, "em": 0.2, "rem": 0.2, "ex": 0.4, "ch": 0.4, "%": 20, "vw": 0.2, "vh": 0.2}
    return number <= limits.get(unit, 0.0)


def _transparent(value: str) -> bool:
    """Transparent, or white: the page is white, and the sanitiser drops any background."""
    value = value.replace(" ", "")
    if value in ("transparent", "white", "#fff", "#ffffff", "rgb(255,255,255)"):
        return True
    alpha = re.match(r"^(?:rgba|hsla|rgb|hsl)\(.*[,/](\d*\.?\d+)(%?)\)$", value)
    if alpha:
        return float(alpha.group(1)) <= (5 if alpha.group(2) else 0.05)
    return bool(re.match(r"^#(?:[0-9a-f]{3}0|[0-9a-f]{6}0[0-9a-f])$", value))


def _far_off(value: str) -> bool:
    size = _length(value)
    return size is not None and size[0] <= -100


def declaration_hides(prop: str, value: str) -> bool:
    """Does one CSS declaration make an element's text invisible?"""
    value = value.replace("!important", "").strip().lower()
    if prop == "display":
        return value == "none"
    if prop in ("visibility", "content-visibility"):
        return value in ("hidden", "collapse")
    if prop == "opacity":
        size = _length(value)
        return size is not None and size[0] <= (5 if size[1] == "%" else 0.05)
    if prop in ("font-size", "width", "height", "max-width", "max-height"):
        return _tiny(value)
    if prop in ("clip", "clip-path"):
        return value not in ("auto", "none", "")
    if prop in ("color", "-webkit-text-fill-color"):
        return _transparent(value)
    if prop in ("text-indent", "left", "top", "right", "bottom", "margin-left", "margin-top"):
        return _far_off(value)
    if prop == "transform":
        return bool(re.search(r"scale[xyz3d]*\(\s*0*\.?0+\s*[,)]", value))
    return False


def style_hides(css: str) -> bool:
    """Does an inline `style` hide the element's text?"""
    css = _CSS_COMMENT.sub("", html.unescape(css)).lower()
    return any(declaration_hides(m.group(1), m.group(2)) for m in _DECLARATION.finditer(css))


@dataclass(frozen=True)
class Selector:
    """The subject of a CSS selector (`p.note`, `#x`, `*`); what it is nested in is
    ignored, so it matches at least every element the browser would hide."""

    tag: str
    classes: frozenset[str]
    element_id: str

    def matches(self, tag: str, attrs: Mapping[str, str | None]) -> bool:
        if self.tag not in ("", "*") and self.tag != tag:
            return False
        if self.element_id and (attrs.get("id") or "") != self.element_id:
            return False
        return self.classes <= set((attrs.get("class") or "").split())


def hiding_selectors(css: str) -> list[Selector]:
    """Selectors of the rules in a `<style>` block that hide text. A selector too complex
    to read matches every element: the text it might hide is dropped rather than shown."""
    found: list[Selector] = []
    for rule in _CSS_RULE.finditer(_CSS_COMMENT.sub("", css)):
        if not style_hides(rule.group(2)):
            continue
        for selector in rule.group(1).split(","):
            subject = re.split(r"[\s>+~]+", selector.strip())[-1]
            match = _COMPOUND.match(subject)
            if match is None:
                found.append(Selector("*", frozenset(), ""))
                continue
            parts = re.findall(r"([.#])([\w-]+)", re.sub(r"\[[^\]]*\]|::?[\w-]+(\([^)]*\))?", "", match.group(2)))
            classes = frozenset(name for kind, name in parts if kind == ".")
            ids = [name for kind, name in parts if kind == "#"]
            found.append(Selector((match.group(1) or "*").lower(), classes, ids[0] if ids else ""))
    return found


def url_is_unsafe(url: str) -> bool:
    """A URL that runs code or carries content inline (`javascript:`, `data:`, ...)."""
    cleaned = re.sub(r"[\x00-\x20]", "", html.unescape(url)).lower()
    scheme = re.match(r"^([a-z][a-z0-9+.-]*):", cleaned)
    return scheme is not None and scheme.group(1) not in SAFE_SCHEMES


def raw_urls(body: str) -> list[tuple[int, str]]:
    """(line, URL) of each `href`/`src` in raw HTML outside code and comments."""
    prose = prose_only(without_comments(body, comment_spans(body)))
    return [(prose.count("\n", 0, m.start()) + 1, html.unescape(m.group(1))) for m in _RAW_URL.finditer(prose)]


# ---------------------------------------------------------------- what lint reports


def element_problem(tag: str, attrs: Mapping[str, str | None], hiding: list[Selector]) -> tuple[str, str] | None:
    """(code, what) for one raw HTML element (tag and attributes), or None when it is fine."""
    if tag in HIDDEN_CONTENT_TAGS:
        return HIDDEN_TEXT, f"`<{tag}>` content is never shown"
    if "hidden" in attrs:
        return HIDDEN_TEXT, f"`<{tag} hidden>` is not shown"
    if style_hides(attrs.get("style") or ""):
        return HIDDEN_TEXT, f"`<{tag} style=\"{attrs.get('style')}\">` hides its text"
    if any(selector.matches(tag, attrs) for selector in hiding):
        return HIDDEN_TEXT, f"`<{tag}>` is hidden by a `<style>` rule"
    if tag in UNSAFE_TAGS:
        return UNSAFE_HTML, f"`<{tag}>` is not allowed on the help site"
    handlers = sorted(name for name in attrs if name.startswith("on"))
    if handlers:
        return UNSAFE_HTML, f"event handler `{handlers[0]}=` on `<{tag}>`"
    for name in sorted(URL_ATTRIBUTES & set(attrs)):
        if url_is_unsafe(attrs[name] or ""):
            return UNSAFE_HTML, f"`{name}=\"{attrs[name]}\"` on `<{tag}>` is not a web or mail link"
    if "title" in attrs and tag not in TITLE_TAGS:
        return HIDDEN_TEXT, f"the `title` of `<{tag}>` is a tooltip, not shown on the page"
    return None


class _TagScanner(HTMLParser):
    """Start tags (with their line) and the text of `<style>` blocks in prose."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[int, str, dict[str, str | None]]] = []
        self.styles: list[tuple[int, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((self.getpos()[0], tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        if self.lasttag == "style" and self.cdata_elem == "style":
            self.styles.append((self.getpos()[0], data))


def _scan_tags(prose: str) -> Iterator[tuple[int, str, str]]:
    scanner = _TagScanner()
    try:  # `<!`/`<?` declarations are not HTML a page needs; the stdlib parser asserts on some
        scanner.feed(re.sub(r"<(?=[!?])", "&lt;", prose))
        scanner.close()
    except AssertionError:
        yield 1, UNSAFE_HTML, "raw HTML that cannot be read"
    hiding = [selector for _, css in scanner.styles for selector in hiding_selectors(css)]
    for line, css in scanner.styles:
        if hiding_selectors(css):
            yield line, HIDDEN_TEXT, "a `<style>` block hides text"
    for line, tag, attrs in scanner.tags:
        if tag == "style" and any(hiding_selectors(css) for _, css in scanner.styles):
            continue  # reported with its rules above
        problem = element_problem(tag, attrs, hiding)
        if problem is not None:
            yield line, problem[0], problem[1]


def _scan_markdown(prose: str) -> Iterator[tuple[int, str, str]]:
    """Markdown that makes hidden text or unsafe links: titles, attribute lists, schemes."""
    for number, line in enumerate(prose.split("\n"), start=1):
        for match in _MD_TITLE.finditer(line):
            title = match.group(2) or match.group(4)
            yield number, HIDDEN_TEXT, f"link or image title \"{title}\" is a tooltip, not shown on the page"
        for match in _MD_SCHEME.finditer(line):
            if match.group(1).lower() not in SAFE_SCHEMES:
                yield number, UNSAFE_HTML, f"a `{match.group(1)}:` link is not a web or mail link"
        for attr_list in _ATTR_LIST.finditer(line):
            attrs = {m.group(1).lower(): (m.group(2) or "").strip("\"'") for m in _ATTR.finditer(attr_list.group(1))}
            problem = element_problem("element", attrs, [])
            if problem is not None:
                yield number, problem[0], f"attribute list `{attr_list.group(0)}`: {problem[1]}"


def scan_body(body: str) -> list[BodyFinding]:
    """Every hidden text and unsafe HTML finding in a body, by line (outside code)."""
    spans = comment_spans(body)
    found: list[BodyFinding] = []
    for span in spans:
        line = body.count("\n", 0, span.start) + 1
        if span.closed:
            found.append(BodyFinding(line, HIDDEN_TEXT, "HTML comment: hidden on the page, but in its source",
                                     "move the note to the PR or an internal article"))
        else:
            found.append(BodyFinding(line, HIDDEN_TEXT, "`<!--` is never closed: everything after it is hidden",
                                     "close the comment with `-->`, or better, remove it"))
    prose = prose_only(without_comments(body, spans))
    fixes = {HIDDEN_TEXT: "show the text, or move it to an internal article (the site drops it)",
             UNSAFE_HTML: "use Markdown instead (the site removes it)"}
    for line, code, message in [*_scan_tags(prose), *_scan_markdown(prose)]:
        found.append(BodyFinding(line, code, message[:200], fixes[code]))
    return sorted(found, key=lambda f: (f.line, f.code, f.message))
