"""Risk topics of a ticket: configured keyword patterns, and sentences that paraphrase a
topic's example requests.

Keywords gate a topic wherever they match, except inside a routine phrase
(`policy.routine_phrases`: "refund policy", "do you offer refunds") - a question about how
something works is not a request to do it; a keyword elsewhere in the same ticket still
gates. The semantic match reads the ticket sentence by sentence, so a request buried after
a routine question is judged on its own, not averaged away.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Sequence
from functools import lru_cache
from itertools import accumulate

from ...config import PolicySettings
from .examples import HUMAN_EXAMPLES, ROUTINE_EXAMPLES, SEMANTIC_EXAMPLES
from .normalise import WORD_RE

Similarity = Callable[[str, Sequence[str]], float]
"""(text, example sentences) -> the highest cosine similarity to any of them.

Called per sentence of the ticket with each topic's examples and with the routine ones;
implementations should cache the embeddings of the examples (the same tuples come every
time) and of the last few sentences. One with a `warm(texts)` method is given all of a
ticket's sentences first, to embed them in one batch."""

__all__ = ["SEMANTIC_EXAMPLES", "Similarity", "keyword_topics", "semantic_topics", "sentences"]

_MAX_SENTENCES = 48
_MAX_UNIT_CHARS = 400
_MIN_WORDS = 3
"""Shorter fragments ("thank you, jana", "tried 3 times.") sit close to everything."""
_SENTENCE_END_RE = re.compile(r"(?<=[.!?;])\s+|\n+|\s+-\s+")
_CONNECTOR_RE = re.compile(
    r"(?:^|[,;:]?\s+)\b(?:also|and also|plus|by the way|btw|oh and|separately|one more thing|another thing|additionally"
    r"|además|por cierto|también|außerdem|übrigens|zudem|aussi|au passage|par ailleurs|en plus|inoltre|poi|tra l'altro)\b[,:]?\s+"
)
"""Where a second request usually starts inside one sentence ("..., and also refund ...")."""


@lru_cache(maxsize=8)
def _topic_patterns(
    keywords: tuple[tuple[str, tuple[str, ...]], ...],
) -> tuple[tuple[str, re.Pattern[str], re.Pattern[str]], ...]:
    """Per topic: the word-bounded pattern, and an unbounded one for joined letter runs."""
    compiled: list[tuple[str, re.Pattern[str], re.Pattern[str]]] = []
    for topic, patterns in keywords:
        if not patterns:
            continue
        either = "|".join(f"(?:{p})" for p in patterns)
        bounded = re.compile(rf"(?<!\w)(?:{either})(?!\w)", re.IGNORECASE)
        compiled.append((topic, bounded, re.compile(either, re.IGNORECASE)))
    return tuple(compiled)


@lru_cache(maxsize=8)
def _routine_pattern(phrases: tuple[str, ...]) -> re.Pattern[str] | None:
    if not phrases:
        return None
    return re.compile("|".join(rf"(?<!\w)(?:{p})(?!\w)" for p in phrases), re.IGNORECASE)


def _unexempt(pattern: re.Pattern[str], text: str, routine: re.Pattern[str] | None) -> str:
    """The first match of `pattern` in `text` that no routine phrase contains."""
    spans: list[tuple[int, int]] | None = None  # found only when a keyword matched: most tickets have none
    for match in pattern.finditer(text):
        if spans is None:
            spans = [m.span() for m in routine.finditer(text)] if routine else []
        if not any(start <= match.start() and match.end() <= end for start, end in spans):
            return match.group(0)
    return ""


def keyword_topics(
    settings: PolicySettings, flat: str, obfuscated: list[str], runs: str
) -> tuple[dict[str, str], list[str]]:
    """Topics hit, and the phrases that only matched after de-obfuscation."""
    keywords = tuple((t, tuple(p)) for t, p in settings.risk_keywords.items())
    routine = _routine_pattern(tuple(settings.routine_phrases))
    pairs = _WordPairs(flat)
    topics: dict[str, str] = {}
    hidden: list[str] = []
    for topic, bounded, unbounded in _topic_patterns(keywords):
        if hit := _unexempt(bounded, flat, routine):
            topics[topic] = hit
            continue
        found = next((h for v in obfuscated if (h := _unexempt(bounded, v, routine))), "")
        if not found and runs and (match := unbounded.search(runs)):
            found = match.group(0)
        if found:
            topics[topic] = found
            hidden.append(found)
        elif hit := pairs.split_keyword(bounded):
            topics[topic] = hit  # "re fund" is as often a typo as a trick
    return topics, hidden


class _WordPairs:
    """Each two neighbouring words rejoined ("re fund" -> "refund"), to find a keyword a
    space split; a match counts only if it crosses the join and neither word matches alone
    ("remboursement pour" is not a split word)."""

    def __init__(self, flat: str) -> None:
        words = WORD_RE.findall(flat)
        pieces = [a + b for a, b in zip(words, words[1:], strict=False)]
        self.starts = list(accumulate((len(p) + 1 for p in pieces[:-1]), initial=0))
        self.joins = [start + len(a) for start, a in zip(self.starts, words, strict=False)]
        self.words = words
        self.text = " ".join(pieces)

    def split_keyword(self, pattern: re.Pattern[str]) -> str:
        for match in pattern.finditer(self.text):
            index = bisect_right(self.starts, match.start()) - 1
            first, second = self.words[index], self.words[index + 1]
            if match.start() < self.joins[index] < match.end() and not (pattern.search(first) or pattern.search(second)):
                return match.group(0)
        return ""


def sentences(plain: str) -> list[str]:
    """The ticket as short units a request fits in: sentences, split again where a
    connector ("also", "además", "außerdem", ...) starts another request, each cut to 400
    characters. A very long ticket is read by its first 32 and last 16 units: the model's
    cost grows with the text (a 40,000-character ticket took 40 s whole), and the keyword
    gates still read every character."""
    units: list[str] = []
    for sentence in _SENTENCE_END_RE.split(plain):
        for part in _CONNECTOR_RE.split(sentence):
            part = part.strip(" \t-*>#|,;:")[:_MAX_UNIT_CHARS]
            if len(part.split()) >= 2 or (part and not part.isascii()):
                units.append(part)
    units = list(dict.fromkeys(units))
    if len(units) > _MAX_SENTENCES:
        units = units[: _MAX_SENTENCES * 2 // 3] + units[-(_MAX_SENTENCES // 3) :]
    return units


def semantic_topics(
    units: Sequence[str], settings: PolicySettings, similarity: Similarity, exclude: dict[str, str]
) -> dict[str, str]:
    """Topics (and `human`) whose example requests a sentence of the ticket paraphrases:
    the sentence is at least `semantic_risk_threshold` similar to the topic's examples
    and at least `semantic_margin` more similar to them than to any routine question."""
    routine_phrase = _routine_pattern(tuple(settings.routine_phrases))
    # a question about how refunds work is not a request for one
    units = [u for u in units if len(u.split()) >= _MIN_WORDS and not (routine_phrase and routine_phrase.search(u))]
    warm = getattr(similarity, "warm", None)
    if callable(warm):
        warm(units)
    banks = {topic: SEMANTIC_EXAMPLES.get(topic, ()) for topic in settings.risk_keywords}
    banks["human"] = HUMAN_EXAMPLES
    found: dict[str, str] = {}
    for unit in units:
        routine = similarity(unit, ROUTINE_EXAMPLES)
        for topic, examples in banks.items():
            if topic in exclude or topic in found or not examples:
                continue
            score = similarity(unit, examples)
            if score >= settings.semantic_risk_threshold and score - routine >= settings.semantic_margin:
                best = max(examples, key=lambda example: similarity(unit, (example,)))
                found[topic] = f"semantic: {unit[:80]!r} ~ {best!r} ({score:.2f}, margin {score - routine:+.2f})"
    return found
