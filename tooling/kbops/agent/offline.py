"""The offline answering backend: grounded, extractive, no key and no network.

It never writes a sentence the KB does not contain: the reply is the best-supported
section(s) of the top article, quoted with their steps intact, plus a link to the whole
article. Its confidence is the calibrated retrieval confidence (`confidence.py`): the team's
tuned model when `kbops tune` has written one, else the shipped one.
"""

from __future__ import annotations

from collections.abc import Sequence

from .confidence import ConfidenceModel, retrieval_confidence
from .decision import Citation, Draft, Evidence, TicketInput

SECOND_SECTION_RATIO = 0.8
"""Quote a second section of the top article when it scores at least this share of the best."""
MAX_SECTIONS = 2


class OfflineAnswerer:
    name = "offline"

    def __init__(self, article_url: str = "", model: ConfidenceModel | None = None) -> None:
        self.article_url = article_url
        self.model = model
        """The confidence model (None: the shipped one)."""

    def answer(self, ticket: TicketInput, evidence: Sequence[Evidence]) -> Draft:
        if not evidence:
            return Draft(reply="", citations=(), confidence=0.0, can_answer=False, backend=self.name,
                         notes="no published article matched the ticket")
        chosen = choose_sections(evidence)
        confidence = retrieval_confidence(ticket.text, evidence, self.model)
        citations = tuple(Citation(e.article_id, e.title, e.section, e.anchor) for e in chosen)
        return Draft(
            reply=compose_reply(chosen, self.link(chosen[0])),
            citations=citations,
            confidence=confidence,
            can_answer=True,
            backend=self.name,
            notes=f"quoted {len(chosen)} section(s) of '{chosen[0].article_id}'",
        )

    def link(self, evidence: Evidence) -> str:
        if not self.article_url:
            return evidence.title
        url = self.article_url.format(id=evidence.article_id)
        return f"[{evidence.title}]({url}{'#' + evidence.anchor if evidence.anchor else ''})"


def choose_sections(evidence: Sequence[Evidence]) -> list[Evidence]:
    """The top article's best section, and a second one when it is nearly as good."""
    top_article = min(evidence, key=lambda e: e.article_rank).article_id
    sections = sorted((e for e in evidence if e.article_id == top_article), key=lambda e: -e.score)
    chosen = [sections[0]]
    for candidate in sections[1:]:
        if len(chosen) >= MAX_SECTIONS:
            break
        if candidate.score >= SECOND_SECTION_RATIO * sections[0].score and candidate.anchor != chosen[0].anchor:
            chosen.append(candidate)
    return chosen


def compose_reply(sections: Sequence[Evidence], link: str) -> str:
    parts = ["Thanks for reaching out! Here is what our help center says:", ""]
    for section in sections:
        heading = f"{section.title} — {section.section}" if section.section else section.title
        parts += [f"**{heading}**", "", section.text.strip(), ""]
    parts.append(f"Full article: {link}")
    return "\n".join(parts)
