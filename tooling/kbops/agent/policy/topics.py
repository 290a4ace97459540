"""Risk topics of a ticket: configured keyword patterns, and paraphrases of example requests."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache

from ...config import PolicySettings

Similarity = Callable[[str, Sequence[str]], float]
"""(ticket text, example requests) -> the highest cosine similarity to any of them.

Called once per topic with all its examples; only for a topic over the threshold is it
called again per example, to name the closest one. Implementations should cache the
ticket's embedding (the same text is passed every time)."""



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


def keyword_topics(
    settings: PolicySettings, flat: str, obfuscated: list[str], runs: str, pairs: str
) -> tuple[dict[str, str], list[str]]:
    """Topics hit, and the phrases that only matched after de-obfuscation."""
    keywords = tuple((t, tuple(p)) for t, p in settings.risk_keywords.items())
    topics: dict[str, str] = {}
    hidden: list[str] = []
    for topic, bounded, unbounded in _topic_patterns(keywords):
        if match := bounded.search(flat):
            topics[topic] = match.group(0)
            continue
        found = next((m for v in obfuscated if (m := bounded.search(v))), None)
        found = found or (unbounded.search(runs) if runs else None)
        if found:
            topics[topic] = found.group(0)
            hidden.append(found.group(0))
        elif pairs and (match := bounded.search(pairs)):
            topics[topic] = match.group(0)  # "re fund" is as often a typo as a trick
    return topics, hidden


SEMANTIC_EXAMPLES: dict[str, tuple[str, ...]] = {
    "refund": (
        "I want my money back for last month's charge",
        "Please refund the unused part of our annual plan",
        "Can you reverse the payment you took from my card",
        "We cancelled, so return what we paid",
    ),
    "billing-dispute": (
        "You charged me twice this month",
        "I was billed after I cancelled my subscription",
        "This charge on my card is wrong, I never authorised it",
        "I am disputing this payment with my bank",
    ),
    "account-change": (
        "Please make me the owner of our workspace",
        "Change the email address on my account to a new one",
        "Turn off two-factor authentication on my account",
        "I lost my phone with the authenticator app and cannot sign in",
    ),
    "account-deletion": (
        "Delete my account and all of my data",
        "Close our account permanently and erase everything",
        "I want you to remove every trace of me from your system",
    ),
    "legal": (
        "My lawyer will be in touch about this",
        "We are taking legal action against your company",
        "This is a formal data protection request under the law",
    ),
    "security-incident": (
        "Someone else logged into my account without permission",
        "I think our workspace was hacked",
        "Our data has been leaked to people outside the company",
    ),
}
"""A few requests per topic, phrased unlike the keywords, for paraphrase detection."""


def semantic_topics(
    text: str, settings: PolicySettings, similarity: Similarity, exclude: dict[str, str]
) -> dict[str, str]:
    """Topics whose example requests the ticket paraphrases (one call per topic)."""
    found: dict[str, str] = {}
    for topic in settings.risk_keywords:
        examples = SEMANTIC_EXAMPLES.get(topic, ())
        if topic in exclude or not examples:
            continue
        if similarity(text, examples) >= settings.semantic_risk_threshold:
            best = max(examples, key=lambda example: similarity(text, (example,)))
            found[topic] = f"semantic: {best}"
    return found
