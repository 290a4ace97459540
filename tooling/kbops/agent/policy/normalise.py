"""Canonical text for matching: the same words however a ticket typed them.

NFKC, invisible characters removed, Cyrillic/Greek look-alikes mapped to Latin, lowercase,
whitespace collapsed; then variants with intra-word punctuation removed (`ref*und`),
leetspeak undone (`r3fund`), spaced letters joined (`r e f u n d`) and split words
rejoined (`re fund`). Every gate pattern runs over these forms, so obfuscation does not
open a gate.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

_INVISIBLE_RE = re.compile(
    "[\u00ad\u034f\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
)
TAG_CHARS_RE = re.compile("[\U000e0000-\U000e007f]+")
_HOMOGLYPHS = str.maketrans(
    "аеорсухіјѕԁһӏԛԝАВЕКМНОРСТУХІЈЅαεορτυνικχΑΒΕΗΙΚΜΝΟΡΤΥΧ‘’‚‛“”„",
    "aeopcyxijsdhlqwABEKMHOPCTYXIJSaeoptuvikxABEHIKMNOPTYX''''\"\"\"",
)
_LEET_I = str.maketrans("4@3€1!|0$57", "aaeeiiiosst")
_LEET_L = str.maketrans("4@3€1!|0$57", "aaeelilosst")
_INTRA_WORD_PUNCT_RE = re.compile(r"(?<=[^\W_])[*_.·~^'`\-]+(?=[^\W_])")
_LEET_TOKEN_RE = re.compile(r"[\w@$€!|]+")
_SPACED_LETTERS_RE = re.compile(r"(?<!\w)\w(?:[\s._*·-]+\w(?!\w)){3,}")
WORD_RE = re.compile(r"[^\W\d_]+")


def normalise(text: str) -> str:
    """Canonical form for matching: the same words however they were typed."""
    text = unicodedata.normalize("NFKC", text)
    text = TAG_CHARS_RE.sub("", _INVISIBLE_RE.sub("", text)).translate(_HOMOGLYPHS).lower()
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def one_line(text: str) -> str:
    return text.replace("\n", " ")


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _deleet(text: str, table: dict[int, int]) -> str:
    """Undo leetspeak only inside tokens that also hold letters, so prices stay numbers."""

    def token(match: re.Match[str]) -> str:
        word = match.group(0)
        core = word.rstrip("!|")
        if not any(ch.isalpha() for ch in core):
            return word
        return core.translate(table) + word[len(core) :]

    return _LEET_TOKEN_RE.sub(token, text)


def variants(plain: str) -> tuple[str, list[str], str, str]:
    """(flat plain text, de-obfuscated variants, spaced-letter runs, rejoined word pairs)."""
    flat = one_line(plain)
    compact = _INTRA_WORD_PUNCT_RE.sub("", _strip_marks(flat))
    obfuscated = [compact, _deleet(compact, _LEET_I), _deleet(compact, _LEET_L)]
    runs = " ".join(
        re.sub(r"[\s._*·-]", "", m.group(0))
        for v in obfuscated
        for m in _SPACED_LETTERS_RE.finditer(v)
    )
    words = WORD_RE.findall(flat)
    pairs = " ".join(a + b for a, b in zip(words, words[1:], strict=False))
    return flat, [v for v in dict.fromkeys(obfuscated) if v != flat], runs, pairs


def first_match(patterns: Iterable[re.Pattern[str]], texts: Iterable[str]) -> str:
    texts = list(texts)
    for pattern in patterns:
        for text in texts:
            if match := pattern.search(text):
                return match.group(0)
    return ""
