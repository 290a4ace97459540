"""Text a ticket carries where a person reading it would not see it: base64 blobs, Unicode
tag characters, HTML that is never displayed (`display:none`, `hidden`, zero font size),
image alt and title attributes, Markdown image alt text and link titles, and HTML
comments. The gates read all of it: a risk request or an instruction to the model hidden
there counts as if it were written in plain sight.

Every scan here is linear in the ticket (`str.find` loops, bounded patterns, at most 50
pieces of 2,000 characters per kind), so 20,000 unclosed `<div hidden>` tags cost about a
second, not a hang.
"""

from __future__ import annotations

import base64
import binascii
import re

from .normalise import TAG_CHARS_RE

ALWAYS_SUSPECT = frozenset({"base64", "unicode-tag", "html-hidden"})
"""Kinds of hidden text that are an injection whatever they say: a customer has no reason
to encode a request or to write text nobody can see. The other kinds (alt text, titles,
comments) are ordinary until they address the model (`injection.addresses_the_model`)."""

_MAX_PIECES = 50
_MAX_PIECE = 2_000
BASE64_RE = re.compile(r"(?<![\w+/=-])[A-Za-z0-9+/_-]{24,}={0,2}(?![\w+/=-])")
HIDDEN_STYLE = (
    r"display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0(?:\.0+)?(?:px|pt|em|rem|%)?\s*(?:;|!|$|(?=[\"']))"
    r"|opacity\s*:\s*0(?:\.0+)?\s*(?:;|!|$|(?=[\"']))|color\s*:\s*transparent"
    r"|(?:width|height|max-height)\s*:\s*0(?:px)?\s*(?:;|!|$|(?=[\"']))"
)
_OPENTAG_RE = re.compile(r"<([a-zA-Z][\w-]{0,20})\b([^<>]{0,2000})>")
_HIDDEN_ATTRS_RE = re.compile(
    rf"\bstyle\s*=\s*(?:\"[^\"]*?(?:{HIDDEN_STYLE})[^\"]*\"|'[^']*?(?:{HIDDEN_STYLE})[^']*')"
    r"|(?:^|\s)hidden(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|\w+))?(?=\s|/|$)|\baria-hidden\s*=\s*[\"']?true",
    re.IGNORECASE,
)
_TEXT_ATTR_RE = re.compile(
    r"\b(?:alt|title|aria-label|aria-description|placeholder|data-[\w-]{1,30})\s*=\s*(?:\"([^\"]{1,2000})\"|'([^']{1,2000})')",
    re.IGNORECASE,
)
_MD_IMAGE_ALT_RE = re.compile(r"!\[([^\]\n]{1,500})\]")
_MD_TITLE_RE = re.compile(
    r"(?:\]\(\s*|^\s{0,3}\[[^\]\n]{1,200}\]:\s*)\S{1,2000}\s+(?:\"([^\"\n]{1,500})\"|'([^'\n]{1,500})'|\(([^()\n]{1,500})\))",
    re.MULTILINE,
)
TAG_RE = re.compile(r"<[^<>]{0,2000}>")


def hidden_payloads(raw: str) -> dict[str, str]:
    """Kind -> the hidden text, decoded, for every kind the ticket uses."""
    found: dict[str, list[str]] = {}

    def add(kind: str, text: str) -> None:
        text = " ".join(TAG_RE.sub(" ", text).split())[:_MAX_PIECE]
        if text and len(found.setdefault(kind, [])) < _MAX_PIECES:
            found[kind].append(text)

    for match in BASE64_RE.finditer(raw):
        if decoded := _decode_base64(match.group(0)):
            add("base64", decoded)
    tags = "".join(
        chr(ord(ch) - 0xE0000) for run in TAG_CHARS_RE.findall(raw) for ch in run if 0x20 <= ord(ch) - 0xE0000 < 0x7F
    )
    if tags.strip():
        add("unicode-tag", tags)
    for text in _never_displayed(raw):
        add("html-hidden", text)
    for match in _OPENTAG_RE.finditer(raw):
        for attr in _TEXT_ATTR_RE.finditer(match.group(2)):
            add("html-attribute", attr.group(1) or attr.group(2) or "")
    for match in _MD_IMAGE_ALT_RE.finditer(raw):
        add("markdown-alt", match.group(1))
    for match in _MD_TITLE_RE.finditer(raw):
        add("markdown-title", next(g for g in match.groups() if g))
    for text in _comments(raw):
        add("html-comment", text)
    return {kind: " | ".join(texts) for kind, texts in found.items() if texts}


def _never_displayed(raw: str) -> list[str]:
    """Contents of elements styled or marked so a browser never shows them."""
    texts: list[str] = []
    lowered = raw.lower()
    for match in _OPENTAG_RE.finditer(raw):
        if len(texts) >= _MAX_PIECES:
            break
        if not _HIDDEN_ATTRS_RE.search(match.group(2)):
            continue
        start = match.end()
        end = lowered.find(f"</{match.group(1).lower()}", start, start + 20 * _MAX_PIECE)
        texts.append(raw[start : end if end >= 0 else start + _MAX_PIECE])
    return texts


def _comments(raw: str) -> list[str]:
    """Contents of `<!-- ... -->` (an unclosed one runs to the end, as browsers read it)."""
    texts: list[str] = []
    position = raw.find("<!--")
    while position >= 0 and len(texts) < _MAX_PIECES:
        end = raw.find("-->", position + 4)
        texts.append(raw[position + 4 : end if end >= 0 else position + 4 + _MAX_PIECE])
        if end < 0:
            break
        position = raw.find("<!--", end + 3)
    return [t for t in texts if t.strip()]


def _decode_base64(blob: str) -> str:
    """The blob as text if it decodes to readable words; ids, hashes and keys do not."""
    padded = blob + "=" * (-len(blob) % 4)
    try:
        data = base64.b64decode(padded.replace("-", "+").replace("_", "/"), validate=True)
        text = data.decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return ""
    wordy = sum(ch.isalpha() or ch.isspace() for ch in text)
    if not text or wordy / len(text) < 0.8 or len(text.split()) < 3:
        return ""
    return text
