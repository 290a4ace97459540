"""The offline answering backend: grounded, extractive, no key and no network.

It never writes a sentence the KB does not contain: the reply is the best-supported
section(s) of the top article, quoted with their steps intact, plus a link to the whole
article. The words around the quote are the team's too: the opening and closing of the
ticket's tone profile from the KB's voice guide (`kb/voice.py`; none without a guide), the
team's notice when the ticket is in another language (`language.py`), and the likely
follow-up questions (`followups.py`). How much is quoted follows the profile: one section
for a power user, a second, less close one for a new user. Its confidence is the
calibrated retrieval confidence (`confidence.py`): the team's tuned model when `kbops tune`
has written one, else the shipped one.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..config import Settings
from ..kb.voice import VoiceGuide
from .confidence import ConfidenceModel, retrieval_confidence
from .decision import Citation, Draft, Evidence, TicketInput
from .followups import follow_ups_block
from .language import notice_line

SECOND_SECTION_RATIO = 0.8
"""Quote a second section of the top article when it scores at least this share of the best."""
NEW_USER_SECOND_SECTION_RATIO = 0.5
"""A new user gets the second section sooner: the explanation around the steps helps."""
MAX_SECTIONS = 2
SECTIONS_PER_PROFILE = {"power_user": 1}
"""Concise for power users: the one section that answers, nothing around it."""


class OfflineAnswerer:
    name = "offline"

    def __init__(self, article_url: str = "", model: ConfidenceModel | None = None,
                 voice: VoiceGuide | None = None, settings: Settings | None = None) -> None:
        self.article_url = article_url
        self.model = model
        """The confidence model (None: the shipped one)."""
        self.voice = voice
        """The KB's voice guide, loaded once per workspace (None: plain replies)."""
        self.settings = settings or Settings()
        """For the language notices (`agent.language_notices`)."""

    def answer(self, ticket: TicketInput, evidence: Sequence[Evidence]) -> Draft:
        if not evidence:
            return Draft(reply="", citations=(), confidence=0.0, can_answer=False, backend=self.name,
                         notes="no published article matched the ticket")
        profile = ticket.tone.profile if ticket.tone is not None else "neutral"
        chosen = choose_sections(evidence, profile)
        confidence = retrieval_confidence(ticket.text, evidence, self.model)
        citations = tuple(Citation(e.article_id, e.title, e.section, e.anchor) for e in chosen)
        return Draft(
            reply=self.compose(ticket, chosen, citations),
            citations=citations,
            confidence=confidence,
            can_answer=True,
            backend=self.name,
            notes=f"quoted {len(chosen)} section(s) of '{chosen[0].article_id}' ({profile} tone)",
        )

    def compose(self, ticket: TicketInput, chosen: Sequence[Evidence], citations: Sequence[Citation]) -> str:
        """Notice, opening, the quoted sections, closing, follow-ups: each part only when
        the team configured it (a plain reply is just the content)."""
        profile = ticket.tone.profile if ticket.tone is not None else "neutral"
        language = ticket.language.code if ticket.language is not None else ""
        guide = self.voice
        return compose_reply(
            chosen, self.link(chosen[0]),
            notice=notice_line(ticket.language, self.settings),
            opening=guide.opening(profile, language) if guide else "",
            closing=guide.closing(profile, language) if guide else "",
            follow_ups=follow_ups_block(ticket, citations, self.article_url, guide),
        )

    def link(self, evidence: Evidence) -> str:
        if not self.article_url:
            return evidence.title
        url = self.article_url.format(id=evidence.article_id)
        return f"[{evidence.title}]({url}{'#' + evidence.anchor if evidence.anchor else ''})"


def choose_sections(evidence: Sequence[Evidence], profile: str = "neutral") -> list[Evidence]:
    """The top article's best section, and a second one when it is nearly as good (for a
    new user: when it is reasonably close; for a power user: never)."""
    top_article = min(evidence, key=lambda e: e.article_rank).article_id
    sections = sorted((e for e in evidence if e.article_id == top_article), key=lambda e: -e.score)
    ratio = NEW_USER_SECOND_SECTION_RATIO if profile == "new_user" else SECOND_SECTION_RATIO
    limit = SECTIONS_PER_PROFILE.get(profile, MAX_SECTIONS)
    chosen = [sections[0]]
    for candidate in sections[1:]:
        if len(chosen) >= limit:
            break
        if candidate.score >= ratio * sections[0].score and candidate.anchor != chosen[0].anchor:
            chosen.append(candidate)
    return chosen


def compose_reply(sections: Sequence[Evidence], link: str, *, notice: str = "", opening: str = "",
                  closing: str = "", follow_ups: str = "") -> str:
    """The reply's Markdown: the sections quoted whole (steps stay steps), in between the
    parts the team configured; empty parts leave no blank lines behind."""
    parts = [part for part in (notice.strip(), opening.strip()) if part]
    for section in sections:
        heading = f"{section.title} — {section.section}" if section.section else section.title
        parts.append(f"**{heading}**\n\n{section.text.strip()}")
    parts.append(f"Full article: {link}")
    parts += [part for part in (closing.strip(), follow_ups.strip()) if part]
    return "\n\n".join(parts)
