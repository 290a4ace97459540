"""Canonical text for matching: the same words however a ticket typed them.

NFKC; HTML character references decoded (`&#114;efund`); invisible characters removed
(Unicode's Default_Ignorable_Code_Point and format characters: zero-width, soft hyphen,
variation selectors, the Hangul fillers U+115F/U+1160/U+3164/U+FFA0, plus the blank
braille pattern U+2800); look-alike letters folded to Latin by the Unicode TR39
confusables data (`confusable_homoglyphs` ships it) and by character names for small
capitals and letters with strokes or hooks; lowercase; whitespace collapsed. Then variants
with intra-word punctuation removed (`ref*und`), leetspeak undone (`r3fund`), spaced letters
joined (`r e f u n d`) and split words rejoined (`re fund`). Every gate pattern runs over
these forms, so obfuscation does not open a gate.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from collections.abc import Iterable
from functools import cache
from importlib.resources import files

import regex

_INVISIBLE_RE = regex.compile(r"[\p{Default_Ignorable_Code_Point}\p{Cf}\u2800]")
"""Characters that render as nothing (or as a blank no wider than a space)."""
TAG_CHARS_RE = re.compile("[\U000e0000-\U000e007f]+")
_QUOTES = str.maketrans("‘’‚‛“”„", "''''\"\"\"")
_LEET_I = str.maketrans("4@3€1!|0$57", "aaeeiiiosst")
_LEET_L = str.maketrans("4@3€1!|0$57", "aaeelilosst")
_INTRA_WORD_PUNCT_RE = re.compile(r"(?<=[^\W_])[*_.·~^'`\-]+(?=[^\W_])")
_LEET_TOKEN_RE = re.compile(r"[\w@$€!|]+")
_SPACED_LETTERS_RE = re.compile(r"(?<!\w)\w(?:[\s._*·-]+\w(?!\w)){3,}")
_TOKEN_RE = re.compile(r"[^\W\d_]+")
WORD_RE = re.compile(r"[^\W\d_]+")
_LATIN_NAME_RE = re.compile(
    r"^LATIN (?:LETTER SMALL CAPITAL|SMALL CAPITAL|SMALL LETTER|CAPITAL LETTER|LETTER) ([A-Z])(?: WITH .*)?$"
)
"""`LATIN LETTER SMALL CAPITAL R` (ʀ), `LATIN SMALL LETTER R WITH FISHHOOK` (ɾ): a Latin
letter in disguise that NFKC leaves alone and TR39 does not list."""


def normalise(text: str, *, invisible_as_space: bool = False) -> str:
    """Canonical form for matching: the same words however they were typed.

    Invisible characters are dropped (`re\\u3164fund` -> `refund`); with
    `invisible_as_space` they become spaces instead, for tickets that use a blank filler
    between words (`delete\\u2800my\\u2800account`)."""
    text = TAG_CHARS_RE.sub("", html.unescape(text))
    text = _INVISIBLE_RE.sub(" " if invisible_as_space else "", text)
    # Before NFKC too: it turns some look-alikes into other letters (Ϲ, a lunate sigma drawn as C, into Σ).
    text = unicodedata.normalize("NFKC", fold_lookalikes(text))
    text = fold_lookalikes(fold_lookalikes(text.translate(_QUOTES)).lower()).lower()
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def fold_lookalikes(text: str) -> str:
    """Latin letters for look-alikes, word by word (TR39 skeleton restricted to Latin).

    A word that mixes scripts (`rеfund` with a Cyrillic е) or is made only of letters
    with a Latin double (`ѕсаm`) is folded; a genuine Cyrillic or Greek word keeps its
    letters, so such tickets still read as themselves."""

    def fold(match: re.Match[str]) -> str:
        word = match.group(0)
        if word.isascii():
            return word
        folded = [latin_double(ch) or ch for ch in word]
        if any(ch.isascii() for ch in word) or all(ch.isascii() for ch in folded):
            return "".join(folded)
        return word

    return _TOKEN_RE.sub(fold, text)


@cache
def latin_double(ch: str) -> str:
    """The ASCII letter `ch` is drawn like, or "" (accented letters keep their accents)."""
    decomposition = unicodedata.decomposition(ch)
    if ch.isascii() or (decomposition and not decomposition.startswith("<")):
        return ""
    if double := _tr39_ascii().get(ch):
        return double
    if match := _LATIN_NAME_RE.match(unicodedata.name(ch, "")):
        return match.group(1).lower()
    return ""


@cache
def _tr39_ascii() -> dict[str, str]:
    """Character -> ASCII letter or digit it is confusable with, from Unicode's TR39
    confusables.txt as the `confusable_homoglyphs` package ships it (read once, lazily:
    900 KB of JSON that `kbops --help` does not need)."""
    data = json.loads(files("confusable_homoglyphs").joinpath("confusables.json").read_text("utf-8"))
    table: dict[str, str] = {}
    for ch, homoglyphs in data.items():
        if len(ch) != 1 or ch.isascii():
            continue
        doubles = sorted(
            {g["c"].lower() for g in homoglyphs if len(g["c"]) == 1 and g["c"].isascii() and g["c"].isalnum()}
        )
        letters = [d for d in doubles if d.isalpha()]
        if letters or doubles:
            table[ch] = (letters or doubles)[0]
    return table


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
