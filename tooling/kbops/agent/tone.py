"""The tone profile of a reply, decided in plain code from what the ticket shows.

frustrated (calm, measured) > new_user (warm, explanatory) | power_user (concise,
technical) > neutral. Anger wins whatever else the ticket shows: a furious API user wants
the fix, calmly, not a lecture. New user against power user is decided by evidence
strength (first-contact wording, tags and a recent sign-up against technical vocabulary
and tier). The cues are `[agent]` keys (`config/tone.py`); the reasons name the evidence,
so `kbops ask --json` shows why a reply sounds the way it does.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from ..config import Settings
from ..tickets.model import Ticket
from .decision import TicketInput
from .fit import ToneProfile
from .policy.decide import TicketSignals

FIRST_CONTACT_WEIGHT = 2.0
"""First-contact wording, a new-user tag or a recent sign-up: each alone makes a new user."""
TECHNICAL_WEIGHT = 1.0
"""One technical term or a power tier: two of them make a power user."""
MAX_NAMED = 4
"""Cues named in one reason."""


@dataclass(frozen=True)
class CustomerFacts:
    """What the ticket record (not its text) says about the customer."""

    tags: tuple[str, ...] = ()
    since: date | None = None
    opened: date | None = None


def customer_facts(ticket: Ticket | TicketInput) -> CustomerFacts:
    """Tags and sign-up date of a ticket record; nothing for bare text (`kbops ask`)."""
    if not isinstance(ticket, Ticket):
        return CustomerFacts()
    opened = ticket.created_at.date() if ticket.created_at else None
    return CustomerFacts(tuple(tag.lower() for tag in ticket.tags), ticket.customer.since, opened)


def tone_profile(ticket: TicketInput, signals: TicketSignals, settings: Settings,
                 facts: CustomerFacts | None = None) -> ToneProfile:
    """The profile and the evidence for it (see the module docstring)."""
    agent = settings.agent
    text = _flat(ticket.full_text)
    facts = facts or CustomerFacts()
    frustration = float(signals.sentiment)
    extra = matches(text, agent.tone_frustrated_cues)
    frustration += agent.tone_frustrated_cue_weight * len(extra)
    if frustration >= agent.tone_frustrated_threshold:
        cues = [*signals.sentiment_cues, *extra]
        reason = f"anger score {min(frustration, 1.0):.2f}" + (f" ({_named(cues)})" if cues else "")
        return ToneProfile("frustrated", (reason,))
    new_score, new_reasons = _new_user_evidence(text, facts, settings)
    power_score, power_reasons = _power_user_evidence(text, ticket.tier, settings)
    candidates = [(new_score, 1, "new_user", new_reasons), (power_score, 0, "power_user", power_reasons)]
    score, _, profile, reasons = max(candidates)
    if score >= agent.tone_min_evidence:
        return ToneProfile(profile, tuple(reasons))
    weak = [*new_reasons, *power_reasons]
    return ToneProfile("neutral", tuple(weak) or ("no sign of anger, a new user or a technical question",))


def _new_user_evidence(text: str, facts: CustomerFacts, settings: Settings) -> tuple[float, list[str]]:
    agent = settings.agent
    score, reasons = 0.0, []
    wording = matches(text, agent.tone_new_user_cues)
    if wording:
        score += FIRST_CONTACT_WEIGHT
        reasons.append(f"first-contact wording ({_named(wording)})")
    tags = [tag for tag in facts.tags if tag in {t.lower() for t in agent.tone_new_user_tags}]
    if tags:
        score += FIRST_CONTACT_WEIGHT
        reasons.append(f"tag {', '.join(tags)}")
    if facts.since is not None:
        age = ((facts.opened or date.today()) - facts.since).days
        if age <= agent.tone_new_user_days:
            score += FIRST_CONTACT_WEIGHT
            reasons.append(f"customer since {facts.since.isoformat()} ({max(age, 0)} days)")
    return score, reasons


def _power_user_evidence(text: str, tier: str, settings: Settings) -> tuple[float, list[str]]:
    agent = settings.agent
    score, reasons = 0.0, []
    terms = matches(text, agent.tone_power_user_cues)
    if terms:
        score += TECHNICAL_WEIGHT * len(terms)
        reasons.append(f"technical terms ({_named(terms)})")
    if tier.lower() in {t.lower() for t in agent.tone_power_tiers}:
        score += TECHNICAL_WEIGHT
        reasons.append(f"tier {tier.lower()}")
    return score, reasons


def matches(text: str, patterns: Sequence[str]) -> list[str]:
    """The distinct matched texts of `patterns` (one per pattern), in pattern order; a match
    inside one already found ("api" in "api token") is the same evidence, counted once."""
    found: list[str] = []
    for pattern in _compiled(tuple(patterns)):
        match = pattern.search(text)
        cue = match.group(0).strip() if match is not None else ""
        if cue and not any(cue in other or other in cue for other in found):
            found.append(cue)
    return found


@lru_cache(maxsize=16)
def _compiled(patterns: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    """Whole words only: `cli` must not fire on `cliente`, `api` not on `rapid`."""
    return tuple(re.compile(rf"(?<![\w-])(?:{p})(?![\w-])", re.IGNORECASE) for p in patterns)


def _flat(text: str) -> str:
    """One line, NFKC, typographic apostrophes as ASCII: cues are written plainly."""
    text = unicodedata.normalize("NFKC", text).replace("\u2019", "'").replace("\u2018", "'")
    return re.sub(r"\s+", " ", text).lower()


def _named(cues: Sequence[str]) -> str:
    shown = [cue if len(cue) <= 40 else cue[:37] + "..." for cue in cues[:MAX_NAMED]]
    return ", ".join(shown) + (f" +{len(cues) - MAX_NAMED}" if len(cues) > MAX_NAMED else "")
