"""Names for gaps: key phrases by class-based TF-IDF (c-TF-IDF, as in BERTopic).

Each cluster's tickets form one class, and the run's other tickets one more: a phrase
scores when it is frequent in its cluster and rare elsewhere, so "time tracking" wins
over "tasks" and the greetings and "I've logged your request" every ticket has fade. The
score is multiplied by the share of the cluster's tickets that use the phrase, so one
long ticket cannot name a topic alone.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

import numpy as np

from ..redact import PLACEHOLDER_RE

KEY_PHRASES = 3

CHAT_WORDS = frozenset(
    "hi hello hey thanks thank please lol ok okay yes yeah sure hope guys folks team "
    "ve ll don doesn didn isn aren wasn won can cant just like want wanted need needs way "
    "know let got get getting tried try trying use using used help question questions "
    "ask asked wondering possible able really thing things today logged log vote".split()
)
"""Conversation words that say nothing about a topic (on top of English stop words)."""
TOPIC_WORDS = frozenset(
    "due bill call fill find fire front back full move show interest detail system side top bottom empty "
    "name part keep".split()
)
"""Words in scikit-learn's stop list that name support topics ("due dates", "bill", "call")."""


@cache
def stop_words() -> frozenset[str]:
    from sklearn.feature_extraction.text import (
        ENGLISH_STOP_WORDS,  # lazy: scikit-learn takes seconds to import
    )

    return frozenset(ENGLISH_STOP_WORDS - TOPIC_WORDS) | CHAT_WORDS


def key_phrases(clusters: Sequence[Sequence[str]], background: Sequence[str], top: int = KEY_PHRASES) -> list[list[str]]:
    """Top phrases per cluster by c-TF-IDF (BERTopic's class-based TF-IDF) times the share
    of the cluster's documents that contain the phrase; a unigram inside a chosen bigram
    is skipped so labels read as phrases, not word lists."""
    from sklearn.feature_extraction.text import CountVectorizer  # lazy: see stop_words

    if not clusters:
        return []
    vectorizer = CountVectorizer(analyzer=phrases_of)
    classes = [" \n".join(docs) for docs in clusters] + [" \n".join(background)]
    try:
        counts = vectorizer.fit_transform(classes).toarray().astype(float)
    except ValueError:  # only stop words everywhere
        return [[] for _ in clusters]
    terms = vectorizer.get_feature_names_out()
    tf = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    average_words = counts.sum() / len(classes)
    idf = np.log(1 + average_words / np.maximum(counts.sum(axis=0), 1))
    scores = tf * idf
    labels = []
    for index, docs in enumerate(clusters):
        present = [set(phrases_of(doc)) for doc in docs]
        support = np.array([sum(term in p for p in present) / len(docs) for term in terms])
        labels.append(_pick_phrases(terms, scores[index] * support, top))
    return labels


_PLACEHOLDER = PLACEHOLDER_RE
"""What redaction left in place of personal data: never part of a label."""
_SEGMENT = re.compile(r"[.,;:!?()\[\]{}\"“”/\n|]+|\s[-–—]\s")
_WORD = re.compile(r"(?u)\b(?:[a-zA-Z][\w'’-]*\w|\d+[a-zA-Z]\w*)\b")


def phrases_of(text: str) -> list[str]:
    """Words and two-word phrases of a text. A phrase never spans punctuation or a stop
    word ("dark mode", not "extension dark" from "...extension. Dark mode")."""
    stop = stop_words()
    found: list[str] = []
    for segment in _SEGMENT.split(_PLACEHOLDER.sub(" . ", text).lower()):
        words = [w.replace("’", "'") for w in _WORD.findall(segment)]
        keep = [w not in stop and "'" not in w and len(w) > 1 for w in words]
        for i, word in enumerate(words):
            if not keep[i]:
                continue
            found.append(word)
            if i + 1 < len(words) and keep[i + 1]:
                found.append(f"{word} {words[i + 1]}")
    return found


def _pick_phrases(terms: Sequence[str], weights: np.ndarray, top: int) -> list[str]:
    """The best `top` phrases; a bigram among the next candidates that contains a chosen
    word takes that word's place ("time" -> "time tracking")."""
    chosen: list[str] = []
    for i in np.argsort(-weights, kind="stable")[: top * 4]:
        if weights[i] <= 0:
            break
        term = str(terms[i])
        words = set(term.split())
        if any(words <= set(c.split()) for c in chosen) or _repeats_itself(term):
            continue  # already said by a chosen phrase, or "admin admins"
        absorbed = [c for c in chosen if set(c.split()) <= words]
        if absorbed:
            chosen[chosen.index(absorbed[0])] = term
            chosen = [c for c in chosen if c not in absorbed[1:]]
        elif len(chosen) < top:
            chosen.append(term)
    return chosen


def _repeats_itself(term: str) -> bool:
    words = term.split()
    return len(words) == 2 and (words[0].startswith(words[1][:4]) or words[1].startswith(words[0][:4]))
