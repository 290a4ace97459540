"""The one Markdown scanner: code fences, headings and sections, links and link targets.

The loader (sections, links of an article), lint (links and anchors), chunking (sections)
and the help site (rewriting links, finding the files a page needs) all read Markdown
through these functions, so they cannot disagree about what is code, what is a heading
or where a link points. Also here: `md_text`, which makes untrusted text safe to put in
Markdown we generate.
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import unquote, urlsplit

FENCE = re.compile(r"^\s*(```|~~~)")
HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
CODE_SPAN = re.compile(r"`[^`\n]*`")
INLINE_LINK = re.compile(r"(?<!!)\[([^\]\n]*)\]\(\s*<?([^)\s>]+)>?(?:\s+[\"'][^\"']*[\"'])?\s*\)")
IMAGE = re.compile(r"!\[[^\]\n]*\]\(\s*<?([^)\s>]+)>?(?:\s+[\"'][^\"']*[\"'])?\s*\)")
REF_DEFINITION = re.compile(r"^ {0,3}\[([^\]\n]+)\]:\s*<?(\S+?)>?(?:\s+[\"'(].*)?\s*$")
COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


class LinkKind(StrEnum):
    INLINE = "inline"
    """`[text](target)`"""
    REFERENCE = "reference"
    """A definition `[label]: target` that `[text][label]` links use."""
    IMAGE = "image"
    """`![alt](target)`"""


@dataclass(frozen=True)
class Section:
    """A heading and the text under it up to the next heading of any level."""

    title: str
    level: int
    anchor: str
    line: int
    text: str


@dataclass(frozen=True)
class Link:
    text: str
    """The link text (the label of a reference definition, empty for an image)."""
    target: str
    line: int
    kind: LinkKind = LinkKind.INLINE


@dataclass(frozen=True)
class LinkTarget:
    """Where a relative link points: a file path (empty: the same page) and an anchor."""

    path: str
    anchor: str


# ---------------------------------------------------------------- lines and blocks


def lines(body: str, first_line: int = 1) -> Iterator[tuple[int, str, bool]]:
    """(line number, text, inside a code fence) for each line; fence lines count as code."""
    in_fence = False
    for offset, line in enumerate(body.split("\n")):
        if FENCE.match(line):
            in_fence = not in_fence
            yield first_line + offset, line, True
            continue
        yield first_line + offset, line, in_fence


def blocks(body: str) -> Iterator[tuple[bool, int, str]]:
    """(is code, first line number, text) runs of consecutive prose or code lines; a code
    run holds its fences. Joining the texts with newlines gives the body back."""
    run: list[str] = []
    start, code = 1, False
    for number, line, in_code in lines(body):
        if run and in_code != code:
            yield code, start, "\n".join(run)
            run, start = [], number
        code = in_code
        run.append(line)
    if run:
        yield code, start, "\n".join(run)


def outside_code_spans(text: str, change: Callable[[str], str]) -> str:
    """Apply `change` to the parts of one prose block that are not inside `code spans`."""
    out: list[str] = []
    last = 0
    for span in CODE_SPAN.finditer(text):
        out.append(change(text[last : span.start()]))
        out.append(span.group(0))
        last = span.end()
    out.append(change(text[last:]))
    return "".join(out)


# ---------------------------------------------------------------- headings and sections


def slugify(title: str) -> str:
    """Heading anchor exactly as Python-Markdown's toc (what mkdocs uses) makes it."""
    value = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    value = re.sub(r"[^\w\s-]", "", value).strip().lower()
    return re.sub(r"[-\s]+", "-", value)


def parse_sections(body: str, first_line: int) -> Iterator[Section]:
    """Headings with their own text (up to the next heading). The text before the first
    heading is a section with level 0 and an empty title: the article's introduction."""
    seen: dict[str, int] = {}
    title, level, anchor, line = "", 0, "", first_line
    text: list[str] = []
    for number, content, in_code in lines(body, first_line):
        match = None if in_code else HEADING.match(content)
        if match is None:
            text.append(content)
            continue
        if level or "".join(text).strip():
            yield Section(title, level, anchor, line, "\n".join(text).strip())
        title, level, line, text = match.group(2).strip(), len(match.group(1)), number, []
        base = slugify(re.sub(r"[*_`]", "", title))
        count = seen.get(base, 0)
        seen[base] = count + 1
        anchor = base if count == 0 else f"{base}_{count}"
    if level or "".join(text).strip():
        yield Section(title, level, anchor, line, "\n".join(text).strip())


# ---------------------------------------------------------------- links


def parse_links(body: str, first_line: int = 1) -> Iterator[Link]:
    """Every link, reference definition and image outside code, in reading order."""
    for number, content, in_code in lines(body, first_line):
        if in_code:
            continue
        prose = CODE_SPAN.sub("", content)
        definition = REF_DEFINITION.match(prose)
        if definition is not None:
            yield Link(definition.group(1), definition.group(2), number, LinkKind.REFERENCE)
            continue
        found = [(m.start(), Link(m.group(1), m.group(2), number)) for m in INLINE_LINK.finditer(prose)]
        found += [(m.start(), Link("", m.group(1), number, LinkKind.IMAGE)) for m in IMAGE.finditer(prose)]
        yield from (link for _, link in sorted(found, key=lambda item: item[0]))


def resolve_link(source: str, target: str) -> LinkTarget | None:
    """Where a link in file `source` points, as a path relative to the same folder as
    `source`'s (normalised, may start with `../`); None for external links (a URL scheme
    such as https: or mailto:, or `//host`)."""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or target.startswith("//"):
        return None
    anchor = unquote(parts.fragment)
    if not parts.path:
        return LinkTarget("", anchor)
    return LinkTarget(posixpath.normpath(posixpath.join(posixpath.dirname(source), unquote(parts.path))), anchor)


# ---------------------------------------------------------------- text we generate

_MD_SPECIAL = str.maketrans({
    "\\": "\\\\", "|": "\\|", "`": "\\`", "*": "\\*", "_": "\\_", "[": "\\[", "]": "\\]", "~": "\\~",
    "<": "&lt;", ">": "&gt;", "&": "&amp;",
})
_LINE_BREAKS = re.compile(r"[\t\n\r\v\f\x85\u2028\u2029]+")
_INVISIBLE_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\u202a-\u202e\u2066-\u2069]")
"""C0/C1 controls (ANSI escapes start with one) and bidi overrides that reorder what a reader sees."""
_URL = re.compile(r"(?i)(?<![\w.-])(?:[a-z][a-z0-9+.-]{0,30}://|www\.)[^\s`]+")
_MENTION_OR_REFERENCE = re.compile(r"@(?=[\w-])|#(?=\d)")
"""`@` before a name (a user or team mention) or `#` before a digit (an issue reference)."""
_ORDERED_ITEM = re.compile(r"(\d{1,9})[.)](?=\s|$)")
ZERO_WIDTH_JOINER = "\u200d"


def _one_line(value: object) -> str:
    return _INVISIBLE_CONTROLS.sub("", _LINE_BREAKS.sub(" ", str(value)))


def _escape_prose(text: str) -> str:
    return _MENTION_OR_REFERENCE.sub(lambda m: m.group(0) + ZERO_WIDTH_JOINER, text.translate(_MD_SPECIAL))


def md_text(value: object) -> str:
    """Untrusted text (tickets, titles, ids, file names) on one line of Markdown we generate:
    it must not break a table (`|`, newlines), open HTML (`<details>`, `<img>`), become a link,
    image, heading or emphasis, mention someone (`@team`), reference an issue (`#12`) or put a
    live outside link into a PR comment (URLs become code). Control characters are dropped."""
    text = _one_line(value).strip()
    parts, last = [], 0
    for url in _URL.finditer(text):
        end = url.start() + len(_url_proper(url.group(0)))
        parts += [_escape_prose(text[last : url.start()]), md_code(text[url.start() : end])]
        last = end
    escaped = "".join([*parts, _escape_prose(text[last:])])
    if number := _ORDERED_ITEM.match(escaped):  # `1.` would start a list: `1\.` cannot
        return escaped[: number.end(1)] + "\\" + escaped[number.end(1) :]
    return "\\" + escaped if escaped[:1] in ("#", "=", "+", "-") else escaped


def _url_proper(url: str) -> str:
    """A URL without the sentence punctuation after it (`(see https://x.example).`)."""
    while url and (url[-1] in ".,:;!?'\"*_~" or (url[-1] in ")]}" and url.count(url[-1]) > url.count("([{"[")]}".index(url[-1])]))):
        url = url[:-1]
    return url


def md_code(value: object) -> str:
    """Untrusted text as an inline code span (never a link, mention or HTML); one line, no
    backticks, `|` escaped for table cells. Empty text gives an empty string."""
    text = _one_line(value).strip().replace("`", "'").replace("|", "\\|")
    return f"`{text}`" if text else ""


def md_block(text: str) -> str:
    """Untrusted multi-line text (a drafted reply) as a fenced code block: shown as written,
    nothing in it rendered. The fence is longer than any backtick run inside."""
    body = _INVISIBLE_CONTROLS.sub("", text.replace("\r\n", "\n").replace("\r", "\n")).strip("\n")
    longest = max((len(run) for run in re.findall(r"`+|~+", body)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{body}\n{fence}"


_HIDDEN_ELEMENTS = re.compile(
    r"<(script|style|template|noscript|iframe|object|svg|math|textarea|title)\b[^>]*>.*?(?:</\1\s*>|$)",
    re.IGNORECASE | re.DOTALL,
)
_HTML_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.DOTALL)
_TAG = re.compile(r"</?[A-Za-z][\w:-]*(?:\s+[^<>]*)?/?>|<![A-Za-z][^<>]*>|<\?[^<>]*>")
_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")


def strip_html(text: str) -> str:
    """Text without raw HTML, for ticket text reused in content that gets published (draft
    articles): comments and code-running or hidden elements go with their content, other
    tags go and keep their text, and a `<` left that could still open a tag is escaped."""
    text = _HIDDEN_ELEMENTS.sub("", _HTML_COMMENT.sub("", text))
    return _TAG_START.sub("&lt;", _TAG.sub("", text))
