"""Settings of replies that fit the customer (issue 17): follow-up questions, and the tone
and language keys the agent adds to `[agent]`. Kept out of `schema.py` (near its size
limit); `AgentSettings` inherits them, so they are ordinary `agent.*` keys in kbops.toml
and docs/configuration.md. Same rules as `schema.py`: frozen, unknown keys are an error."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

LANGUAGE_SET = ("en", "de", "fr", "es", "it", "pt", "nl", "pl", "sv", "da", "fi", "cs", "ro", "hu", "el",
                "ru", "tr", "ja", "zh", "ko", "ar")
"""Languages the detector chooses among by default: the EU's most spoken and a few more."""


class ReplyFitSettings(BaseModel):
    """The `[agent]` keys of reply fit (tone, follow-ups, language)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_follow_ups: int = Field(
        2, ge=0, le=5, description="Likely next questions a reply ends with, each linking the public article "
        "(section) that answers it (docs/follow-ups.md); 0 = none."
    )

    kb_language: str = Field(
        "en", description="ISO 639-1 code of the KB's language: a ticket in it (or too short to tell) needs no "
        "notice (docs/language.md)."
    )
    unsupported_language: Literal["answer_in_kb_language", "escalate"] = Field(
        "answer_in_kb_language", description="A ticket in a language that is neither `kb_language` nor one of "
        "`language_notices`: `answer_in_kb_language` replies in the KB's language, `escalate` hands it to a "
        "person (`language`)."
    )
    language_notices: dict[str, str] = Field(
        {}, description="Language code -> the one line the offline reply opens with in that language, e.g. "
        "`{de = \"Wir antworten auf Englisch ...\"}`; a language listed here is supported."
    )
    detect_languages: tuple[str, ...] = Field(
        LANGUAGE_SET, description="ISO 639-1 codes the language detector chooses among (fewer is more accurate on "
        "short tickets); `kb_language` and the notice languages are always added."
    )
    language_min_confidence: float = Field(
        0.5, ge=0, le=1, description="Below this detector confidence the ticket is taken to be in `kb_language`."
    )
    language_min_letters: int = Field(
        10, ge=0, description="Tickets with fewer letters are taken to be in `kb_language` (too short to tell)."
    )

    @field_validator("kb_language", "detect_languages", "language_notices")
    @classmethod
    def _language_codes(cls, value: str | tuple[str, ...] | dict[str, str]) -> object:
        """A typo in a language code would silently never match: ISO 639-1 is two small letters."""
        codes = [value] if isinstance(value, str) else list(value)
        bad = [code for code in codes if not re.fullmatch(r"[a-z]{2}", code)]
        if bad:
            raise ValueError(f"not an ISO 639-1 code (two lowercase letters, e.g. de): {', '.join(map(repr, bad))}")
        blank = [code for code, line in value.items() if not line.strip() or "\n" in line.strip()] if isinstance(value, dict) else []
        if blank:
            raise ValueError(f"the notice of {', '.join(blank)} must be one non-empty line")
        return value
