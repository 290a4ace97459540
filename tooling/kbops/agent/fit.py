"""How a reply fits the customer (issue 17): the tone profile, the ticket's language and the
follow-up questions, decided in code before drafting and handed to the backend.

The agent decides these from signals it has (sentiment, tier, wording, the KB and its
history); the drafting backend only follows them. They are part of the decision, so
`kbops ask --json` shows what was decided and why, and a reviewer can check it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

PROFILES = ("frustrated", "new_user", "power_user", "neutral")
"""Tone profiles: calm and measured / warm and educational / concise and technical / plain."""


@dataclass(frozen=True)
class ToneProfile:
    profile: str
    """One of PROFILES."""
    reasons: tuple[str, ...] = ()
    """Why, one short clause each ("anger score 0.72", "tier enterprise", "mentions API, webhook")."""

    def as_dict(self) -> dict[str, Any]:
        return {"profile": self.profile, "reasons": list(self.reasons)}


@dataclass(frozen=True)
class LanguageGuess:
    code: str
    """ISO 639-1 code of the ticket's language ("en", "de"); "" when it cannot be told."""
    confidence: float = 0.0
    supported: bool = True
    """The KB's language, or one the team configured a notice for."""

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "confidence": round(self.confidence, 4), "supported": self.supported}


@dataclass(frozen=True)
class FollowUp:
    """A likely next question and the public article (section) that answers it."""

    question: str
    article_id: str
    title: str
    anchor: str = ""
    source: str = ""
    """related | section | memory: where the follow-up came from."""

    def as_dict(self) -> dict[str, Any]:
        return {"question": self.question, "article_id": self.article_id, "title": self.title,
                "anchor": self.anchor, "source": self.source}


def reply_brief(tone: ToneProfile | None, language: LanguageGuess | None,
                follow_ups: tuple[FollowUp, ...] = ()) -> str:
    """What the drafting model is told about the customer, one line per fact; "" when the
    agent decided nothing. The tone guide itself travels with the backend (it is the KB's)."""
    lines = []
    if tone is not None:
        lines.append(f"Tone profile: {tone.profile}.")
    if language is not None and language.code:
        lines.append(f"Reply in the customer's language: {language.code}.")
    for follow_up in follow_ups:  # KB titles only: a question taken from past tickets is customer text
        lines.append(f"Likely follow-up topic (mention it if the sources cover it): {follow_up.title}")
    return "\n".join(lines)
