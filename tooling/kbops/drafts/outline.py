"""The offline draft writer: an extractive outline (problem, cause, steps, related articles)
built only from the specialists' resolutions of a gap's tickets, redacted. Every sentence
of the outline is a specialist's sentence."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..gaps.model import Gap
from ..index.embed import Embedder
from ..kb.markdown import md_text, slugify, strip_html
from ..kb.model import Article
from ..redact import redacted
from ..tickets.model import Ticket
from .model import DraftContent, SourceTicket

MAX_SUMMARY_CHARS = 160
SENTENCE_DUPLICATE = 0.85
"""Resolutions often say the same thing twice; a sentence this close to a kept one is dropped."""

_ABBREVIATIONS = re.compile(r"\b(e\.g|i\.e|etc|vs|approx|incl)\.", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[]?[A-Z0-9])")
_SPECIALIST_ACTION = re.compile(
    r"^(?:i(?:'ve|’ve| have| will|'ll|’ll|'m|’m| am)?\b|we(?:'ve|’ve| have) (?:logged|added|raised|passed|recorded)"
    r"|thanks\b|thank you|sorry\b|hi\b|hello\b|hope\b|let me know|let us know|feel free)"
    r"|\b(?:logged (?:your|the|this|it)|added your vote|raised (?:it|this)|recorded (?:this|it|your)"
    r"|passed (?:it|this) on)",
    re.IGNORECASE,
)
"""What a specialist did for this customer ("I've logged your request"): not article content."""
_LIMITATION = re.compile(
    r"\b(?:doesn[’']t|does not|don[’']t|do not|isn[’']t|is not|aren[’']t|are not|can[’']t|cannot|won[’']t|"
    r"not (?:yet )?(?:supported|available|possible|included)|there[’']s no|there is no|no (?:native|built-in)|"
    r"because|due to|only|always|never|at the moment|right now|today)\b",
    re.IGNORECASE,
)
"""A sentence stating why the customer is stuck (a limitation or a cause), not a step."""
_STEP = re.compile(
    r"\b(?:you can|you could|you'll|workaround|in the meantime|meanwhile|instead|for now|some (?:teams|people|customers))\b"
    r"|^(?:click|open|go to|choose|select|set|use|try|add|connect|save|map|check|make sure|pick|tick|enter|type|"
    r"turn|enable|disable|install|update|sign|log in|create|delete|remove|contact|ask|forward|export|import)\b",
    re.IGNORECASE,
)
"""A workaround or an instruction: a step even when it also names a limitation."""


def source_tickets(gap: Gap, tickets: Sequence[Ticket]) -> list[SourceTicket]:
    """The gap's tickets in its order (most central first), redacted and without raw HTML:
    this is the only material a draft article (which may be published) is written from."""
    by_id = {t.id: t for t in tickets}
    found = []
    for ticket_id in gap.ticket_ids:
        ticket = by_id.get(ticket_id)
        if ticket is None:
            continue
        found.append(SourceTicket(ticket.id, *(redacted(strip_html(text)) for text in
                                               (ticket.subject, ticket.body, ticket.resolution))))
    return found


def sentences(text: str) -> list[str]:
    protected = _ABBREVIATIONS.sub(lambda m: m.group(0).replace(".", "\x00"), text.strip())
    parts = _SENTENCE_END.split(protected)
    return [" ".join(p.replace("\x00", ".").split()) for p in parts if p.strip()]


def split_resolution(text: str) -> tuple[list[str], list[str]]:
    """(causes, steps) of one resolution; what the specialist did for the customer is dropped."""
    causes: list[str] = []
    steps: list[str] = []
    for sentence in sentences(text):
        if _SPECIALIST_ACTION.search(sentence):
            continue
        is_cause = _LIMITATION.search(sentence) and not _STEP.search(sentence)
        (causes if is_cause else steps).append(_as_article_voice(sentence))
    return causes, steps


def _as_article_voice(sentence: str) -> str:
    """Resolutions are chat: a leading "So," or "Sure," is dropped, the rest is kept as written."""
    sentence = re.sub(r"^(?:so|ok|okay|sure|also|and)[, ]+", "", sentence, flags=re.IGNORECASE)
    return sentence[:1].upper() + sentence[1:]


def _unique(candidates: list[str], embedder: Embedder | None) -> list[str]:
    """Drop exact and near-duplicate sentences, keeping the first (most central ticket)."""
    seen: dict[str, None] = {}
    for sentence in candidates:
        seen.setdefault(sentence, None)
    kept = list(seen)
    if embedder is None or len(kept) < 2:
        return kept
    vectors = embedder.embed(kept)
    chosen: list[int] = []
    for i in range(len(kept)):
        if all(float(vectors[i] @ vectors[j]) < SENTENCE_DUPLICATE for j in chosen):
            chosen.append(i)
    return [kept[i] for i in chosen]


def gap_title(gap: Gap, texts: Sequence[str] = ()) -> str:
    """Key phrases as a title, multi-word phrases first ("Time tracking and hours"), in the
    spelling the tickets use most ("Microsoft Teams")."""
    ordered = sorted(gap.key_phrases, key=lambda p: -len(p.split())) or [gap.label]
    chosen = [ordered[0]]
    for phrase in ordered[1:]:
        if not set(phrase.split()) & set(" ".join(chosen).split()):
            chosen.append(phrase)
            break
    title = " and ".join(original_case(p, texts) for p in chosen)
    return title[:1].upper() + title[1:]


def original_case(phrase: str, texts: Sequence[str]) -> str:
    """The most common spelling of a (lower-cased) phrase in the texts; itself if absent."""
    pattern = re.compile(r"\b" + r"\s+".join(re.escape(w) for w in phrase.split()) + r"\b", re.IGNORECASE)
    spellings = [m.group(0) for text in texts for m in pattern.finditer(text)]
    if not spellings:
        return phrase
    return max(sorted(set(spellings)), key=spellings.count)


class OutlineWriter:
    """Extractive: every sentence of the outline is a specialist's sentence."""

    name = "offline"

    def __init__(self, embedder: Embedder | None = None) -> None:
        self.embedder = embedder

    def write(self, gap: Gap, sources: Sequence[SourceTicket], related: Sequence[Article]) -> DraftContent:
        causes: list[str] = []
        steps: list[str] = []
        for source in sources:
            found_causes, found_steps = split_resolution(source.resolution)
            causes += found_causes
            steps += found_steps
        causes, steps = _unique(causes, self.embedder), _unique(steps, self.embedder)
        texts = [f"{s.subject}\n{s.question}\n{s.resolution}" for s in sources]
        title = gap_title(gap, texts)
        warnings = []
        if not causes and not steps:
            warnings.append("the resolutions hold no reusable sentence: write the article from scratch")
        answer = " ".join((causes or steps)[:2]) or f"This article answers questions about {gap.label}."
        # the customers' own words, quoted as text: no link, image or mention of theirs is published
        asked = "; ".join(f"“{md_text(s.subject or sentences(s.question)[0][:100])}”" for s in sources[:5])
        topic = ", ".join(original_case(p, texts) for p in gap.key_phrases) or gap.label
        body = [
            "## Problem",
            "",
            f"Customers ask about {topic}, for example: {asked}.",
            "",
            answer,  # with the question, so the section a search finds first answers it
            "",
            "## Cause",
            "",
            " ".join(causes) or "The resolutions do not say why; ask the specialists who handled the source tickets.",
            "",
            "## Steps",
            "",
            *([f"{n}. {step}" for n, step in enumerate(steps, start=1)]
              or ["1. The resolutions give no steps; add them, or remove this section if none apply."]),
            "",
        ]
        if related:
            body += ["## Related articles", "", *[f"- {a.title} (`{a.id}`)" for a in related], ""]
        summary = _shorten(sentences(answer)[0] if answer else title, MAX_SUMMARY_CHARS)
        tags = tuple(dict.fromkeys(slugify(p) for p in gap.key_phrases if slugify(p)))
        return DraftContent(title, summary, "\n".join(body), tags, self.name, tuple(warnings),
                            answer=" ".join(causes) or answer, steps=tuple(steps))


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    return cut + "…"
