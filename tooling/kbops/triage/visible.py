"""The part of a ticket triage may read: what a person sees, minus lines that give orders.

Ticket text is untrusted, and triage decides who is woken up at night, so a ticket must not
be able to talk its way into a severity or a queue. Everything triage scores (category,
impact signals, similarity for scope and duplicates) reads `visible_text`: the ticket with
text nobody sees removed (HTML comments, never-displayed elements, tags and their
attributes, Markdown image alt text, Unicode tag characters, base64 blobs that decode to
words) and with every sentence dropped that carries an injection marker
(`agent.policy.injection`) or a triage directive ("severity: P1", "set the priority to
urgent", "route this to the enterprise queue"). The result is canonical (one space between
sentences, no blank lines), so a ticket with an injection appended reads exactly like the
ticket without it.
"""

from __future__ import annotations

import re
import unicodedata

from ..agent.policy.hidden import BASE64_RE, HIDDEN_STYLE, TAG_RE, hidden_payloads
from ..agent.policy.injection import injection_markers
from ..agent.policy.normalise import TAG_CHARS_RE, normalise, variants

_COMMENT_RE = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
_HIDDEN_OPEN_RE = re.compile(
    rf"<([a-zA-Z][\w-]{{0,20}})\b[^<>]{{0,2000}}?(?:\bstyle\s*=\s*[\"'][^\"']*?(?:{HIDDEN_STYLE})"
    r"|\shidden\b|\baria-hidden\s*=\s*[\"']?true)[^<>]{0,2000}>",
    re.IGNORECASE,
)
_MD_IMAGE_RE = re.compile(r"!\[[^\]\n]{0,500}\](?:\([^()\n]{0,2000}\))?")
_MD_TITLE_RE = re.compile(r"(\]\(\s*\S{1,2000})\s+(?:\"[^\"\n]{0,500}\"|'[^'\n]{0,500}')\s*\)")
_SENTENCE_END_RE = re.compile(r"(?<=[.!?])\s+")

TRIAGE_DIRECTIVE_RE = re.compile(
    r"\b(?:severity|priority|urgency|sla|queue|routing|route|category|tier)\s*[:=]"
    r"|\b(?:set|change|raise|bump|make|mark|flag|upgrade|escalate|classify|categori[sz]e|label|tag)\s+"
    r"(?:(?:the|this|my|its|our|ticket'?s?)\s+){0,3}(?:severity|priority|urgency|sla|queue|category|ticket|it|this)\s+"
    r"(?:to|as|at)\b"
    r"|\b(?:set|change|raise|bump)\s+(?:(?:the|this|my|its)\s+)?(?:ticket\s+)?(?:severity|priority|urgency)\b"
    r"|\b(?:route|send|move|assign|forward|escalate|transfer|put)\s+(?:\w+\s+){0,4}(?:to|into|in)\s+"
    r"(?:the\s+|a\s+|your\s+)?[\w -]{0,30}\b(?:queue|team|tier|desk|channel)\b"
    r"|\b(?:treat|handle|mark|flag|classify|consider)\s+(?:this|it|me|the ticket|my ticket)\s+as\s+"
    r"(?:an?\s+)?(?:urgent|critical|p[1-4]|sev ?[1-4]|high[- ]priority|emergency|top[- ]priority|priority)"
    r"|\b(?:this is|this ticket is|it is|it's)\s+(?:an?\s+)?(?:p[1-4]|sev ?[1-4])\b",
    re.IGNORECASE,
)
"""A sentence that tells triage what to decide. A customer describes a problem; only a
ticket trying to steer the queue says "priority: urgent"."""

_BLOCK_HEADERS = frozenset({"role-header", "chat-template", "code-fence-role"})
"""Markers that open a block ("SYSTEM:" alone on a line): the lines under it, up to the
next blank line, are the injected message too."""


def visible_text(text: str) -> str:
    """`text` as triage may read it (see the module docstring). Never longer than `text`."""
    shown = _strip_hidden(unicodedata.normalize("NFKC", text))
    kept: list[str] = []
    in_block = False
    for line in shown.splitlines():
        if not line.strip():
            in_block = False
            continue
        if in_block:
            continue
        sentences = [" ".join(s.split()) for s in _SENTENCE_END_RE.split(line) if s.strip()]
        clean = [s for s in sentences if not _gives_orders(s)]
        in_block = bool(sentences) and sentences[-1] not in clean and _opens_block(sentences[-1])
        if clean:
            kept.append(" ".join(clean))
    return "\n".join(kept)


def _strip_hidden(raw: str) -> str:
    """Remove what a reader of the rendered ticket never sees."""
    if not hidden_payloads(raw) and "<" not in raw:
        return raw
    raw = TAG_CHARS_RE.sub("", raw)
    raw = _COMMENT_RE.sub(" ", raw)
    raw = _remove_hidden_elements(raw)
    raw = _MD_IMAGE_RE.sub(" ", raw)
    raw = _MD_TITLE_RE.sub(r"\1)", raw)
    raw = TAG_RE.sub(" ", raw)
    return BASE64_RE.sub(lambda m: " " if hidden_payloads(m.group(0)).get("base64") else m.group(0), raw)


def _remove_hidden_elements(raw: str) -> str:
    """Cut each never-displayed element with its content (to its closing tag, or 2,000
    characters when it is never closed); linear in the ticket."""
    pieces: list[str] = []
    position = 0
    for _ in range(200):
        match = _HIDDEN_OPEN_RE.search(raw, position)
        if not match:
            break
        pieces.append(raw[position : match.start()])
        close = raw.lower().find(f"</{match.group(1).lower()}", match.end(), match.end() + 40_000)
        if close < 0:
            position = min(len(raw), match.end() + 2_000)
        else:
            end = raw.find(">", close)
            position = len(raw) if end < 0 else end + 1
    pieces.append(raw[position:])
    return " ".join(pieces)


def _gives_orders(sentence: str) -> bool:
    if TRIAGE_DIRECTIVE_RE.search(sentence):
        return True
    plain = normalise(sentence)
    _, obfuscated, _, _ = variants(plain)
    return bool(injection_markers(sentence, plain, obfuscated))


def _opens_block(sentence: str) -> bool:
    plain = normalise(sentence)
    _, obfuscated, _, _ = variants(plain)
    markers = injection_markers(sentence, plain, obfuscated)
    return bool(_BLOCK_HEADERS & set(markers)) and len(sentence) < 40
