"""What the review pages show, built from a sample item and the KB: plain values for the
templates, so the templates stay free of lookups and the rules (which verdicts fit which
action, what a cited article id that is not in the KB looks like) are tested here."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..kb.model import Article, KnowledgeBase
from ..tickets.reviews import ANSWER_VERDICTS, ESCALATION_VERDICTS, ReviewVerdict
from .sample import SampleItem

VERDICT_KEYS: dict[ReviewVerdict, str] = {
    ReviewVerdict.CORRECT: "1",
    ReviewVerdict.INCORRECT: "2",
    ReviewVerdict.TONE: "3",
    ReviewVerdict.SHOULD_HAVE_ESCALATED: "4",
    ReviewVerdict.CORRECTLY_ESCALATED: "5",
    ReviewVerdict.SHOULD_HAVE_ANSWERED: "6",
}
"""The keyboard shortcut of each verdict; answers take 1-4, escalations 5-6, so a key
never means one thing on one page and another on the next."""

VERDICT_LABELS: dict[ReviewVerdict, str] = {
    ReviewVerdict.CORRECT: "Correct",
    ReviewVerdict.INCORRECT: "Incorrect",
    ReviewVerdict.TONE: "Tone",
    ReviewVerdict.SHOULD_HAVE_ESCALATED: "Should have escalated",
    ReviewVerdict.CORRECTLY_ESCALATED: "Correctly escalated",
    ReviewVerdict.SHOULD_HAVE_ANSWERED: "Should have answered",
}

MAX_SECTION_CHARS = 4000
"""A cited section longer than this is cut (with a mark): the reviewer needs the gist, and
a runaway article must not make the page unusable."""


def allowed_verdicts(action: str) -> tuple[ReviewVerdict, ...]:
    """The verdicts a ticket takes: an answer is graded on its content, an escalation on
    whether a human was needed."""
    return ANSWER_VERDICTS if action == "answer" else ESCALATION_VERDICTS


@dataclass(frozen=True)
class VerdictChoice:
    value: str
    label: str
    key: str


@dataclass(frozen=True)
class CitedSection:
    title: str
    text: str


@dataclass(frozen=True)
class CitedArticle:
    """One article the agent cited; `found` False when the id is not in the KB (the agent
    cited an article since removed or renamed, or made one up)."""

    article_id: str
    found: bool
    title: str = ""
    path: str = ""
    status: str = ""
    audience: str = ""
    sections: tuple[CitedSection, ...] = ()


@dataclass(frozen=True)
class QueueRow:
    number: int
    ticket_id: str
    reason: str
    detail: str
    category: str
    action: str
    confidence: str
    verdict: str


@dataclass(frozen=True)
class ItemView:
    number: int
    total: int
    item: SampleItem
    confidence: str
    cited: tuple[CitedArticle, ...]
    choices: tuple[VerdictChoice, ...]
    verdict: str
    previous: int | None
    following: int | None


def confidence_text(confidence: float | None) -> str:
    return "-" if confidence is None else f"{confidence:.2f}"


def verdict_choices(action: str) -> tuple[VerdictChoice, ...]:
    return tuple(VerdictChoice(v.value, VERDICT_LABELS[v], VERDICT_KEYS[v]) for v in allowed_verdicts(action))


def cited_article(article_id: str, articles: Mapping[str, Article]) -> CitedArticle:
    article = articles.get(article_id)
    if article is None:
        return CitedArticle(article_id, found=False)
    sections = tuple(
        CitedSection(section.title or article.title, _cut(section.text.strip()))
        for section in article.sections if section.text.strip()
    )
    return CitedArticle(article_id, True, article.title, article.path, article.meta.status.value,
                        article.meta.audience.value, sections)


def _cut(text: str) -> str:
    return text if len(text) <= MAX_SECTION_CHARS else text[:MAX_SECTION_CHARS].rstrip() + " [...]"


def queue_rows(items: Sequence[SampleItem], verdicts: Mapping[str, ReviewVerdict]) -> list[QueueRow]:
    return [
        QueueRow(number, item.ticket.id, item.reason, item.detail, item.ticket.category or "-", item.action,
                 confidence_text(item.confidence), verdicts[item.ticket.id].value if item.ticket.id in verdicts else "")
        for number, item in enumerate(items, start=1)
    ]


def item_view(items: Sequence[SampleItem], number: int, kb: KnowledgeBase,
              verdicts: Mapping[str, ReviewVerdict]) -> ItemView:
    """The page of the `number`-th item (1-based); the caller checks the range."""
    item = items[number - 1]
    articles = kb.by_id()
    given = verdicts.get(item.ticket.id)
    return ItemView(
        number=number, total=len(items), item=item, confidence=confidence_text(item.confidence),
        cited=tuple(cited_article(article_id, articles) for article_id in item.cited_article_ids),
        choices=verdict_choices(item.action), verdict=given.value if given else "",
        previous=number - 1 if number > 1 else None, following=number + 1 if number < len(items) else None,
    )


def next_ungraded(items: Sequence[SampleItem], number: int, verdicts: Mapping[str, ReviewVerdict]) -> int | None:
    """The first item after `number` (wrapping around) without a verdict yet; None when all
    are graded."""
    count = len(items)
    for step in range(1, count + 1):
        candidate = (number - 1 + step) % count + 1
        if items[candidate - 1].ticket.id not in verdicts:
            return candidate
    return None
