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
    written = _one_line(ticket.full_text)
    text = written.lower()
    facts = facts or CustomerFacts()
    frustration, cues = _frustration(written, signals, settings)
    if frustration >= agent.tone_frustrated_threshold:
        reason = f"frustration score {min(frustration, 1.0):.2f}" + (f" ({_named(cues)})" if cues else "")
        return ToneProfile("frustrated", (reason,))
    new_score, new_reasons = _new_user_evidence(text, facts, settings)
    novice = matches(text, agent.tone_novice_cues)
    if novice:
        # "I'm not technical": the API words are copied from the docs, not the customer's own tools
        return ToneProfile("new_user", (f"self-described beginner ({_named(novice)})", *new_reasons))
    power_score, power_reasons = _power_user_evidence(written, ticket.tier, settings)
    candidates = [(new_score, 1, "new_user", new_reasons), (power_score, 0, "power_user", power_reasons)]
    score, _, profile, reasons = max(candidates)
    if score >= agent.tone_min_evidence:
        return ToneProfile(profile, tuple(reasons))
    weak = [*new_reasons, *power_reasons]
    return ToneProfile("neutral", tuple(weak) or ("no sign of anger, a new user or a technical question",))


def _frustration(written: str, signals: TicketSignals, settings: Settings) -> tuple[float, list[str]]:
    """The policy's anger score plus the tone-only cues: each strong cue adds its weight, each
    mild one a smaller weight unless it is shouted (in capitals) or the policy already read it."""
    agent = settings.agent
    policy_cues = [cue.lower() for cue in signals.sentiment_cues]
    strong = [cue.lower() for cue in matches(written, agent.tone_frustrated_cues, keep_case=True)]
    score = float(signals.sentiment) + agent.tone_frustrated_cue_weight * len(strong)
    named = [*signals.sentiment_cues, *strong]
    for cue in matches(written, agent.tone_frustrated_mild_cues, keep_case=True):
        quiet = cue.lower()
        if any(quiet in other or other in quiet for other in [*policy_cues, *strong]):
            continue
        shouted = cue.isupper() and sum(ch.isalpha() for ch in cue) >= 3
        score += agent.tone_frustrated_cue_weight if shouted else agent.tone_frustrated_mild_cue_weight
        named.append(f"shouted {cue}" if shouted else quiet)
    shown = [cue for cue in dict.fromkeys(named) if not any(cue != other and cue in other for other in named)]
    return round(score, 3), shown


def _new_user_evidence(text: str, facts: CustomerFacts, settings: Settings) -> tuple[float, list[str]]:
    agent = settings.agent
    score, reasons = 0.0, []
    wording = matches(text, agent.tone_new_user_cues)
    if wording:
        score += FIRST_CONTACT_WEIGHT
        reasons.append(f"first-contact wording ({_named(wording)})")
    wanted = {_tag(t) for t in agent.tone_new_user_tags}
    tags = [tag for tag in facts.tags if _tag(tag) in wanted]
    if tags:
        score += FIRST_CONTACT_WEIGHT
        reasons.append(f"tag {', '.join(tags)}")
    if facts.since is not None:
        age = ((facts.opened or date.today()) - facts.since).days
        if age <= agent.tone_new_user_days:
            score += FIRST_CONTACT_WEIGHT
            reasons.append(f"customer since {facts.since.isoformat()} ({max(age, 0)} days)")
    return score, reasons


def _power_user_evidence(written: str, tier: str, settings: Settings) -> tuple[float, list[str]]:
    """Technical words and technical shapes (a flag, a permission, a CamelCase error name...),
    each distinct one counting; the shapes need the text as written (case tells them apart)."""
    agent = settings.agent
    score, reasons = 0.0, []
    terms = matches(written.lower(), agent.tone_power_user_cues)
    if terms:
        score += TECHNICAL_WEIGHT * len(terms)
        reasons.append(f"technical terms ({_named(terms)})")
    shapes = [shape for shape in _shapes(written, agent.tone_power_user_shapes)
              if not any(shape.lower() in term for term in terms)]
    if shapes:
        score += TECHNICAL_WEIGHT * len(shapes)
        reasons.append(f"technical shapes ({_named(shapes)})")
    if tier.lower() in {t.lower() for t in agent.tone_power_tiers}:
        score += TECHNICAL_WEIGHT
        reasons.append(f"tier {tier.lower()}")
    return score, reasons


def matches(text: str, patterns: Sequence[str], keep_case: bool = False) -> list[str]:
    """The distinct matched texts of `patterns` (one per pattern), in pattern order; a match
    inside one already found ("api" in "api token") is the same evidence, counted once.
    Matching ignores case; `keep_case` returns the text as written (to see shouting)."""
    found: list[str] = []
    for pattern in _compiled(tuple(patterns)):
        match = pattern.search(text)
        cue = match.group(0).strip() if match is not None else ""
        cue = cue if keep_case else cue.lower()
        if cue and not any(cue.lower() in other.lower() or other.lower() in cue.lower() for other in found):
            found.append(cue)
    return found


def _shapes(written: str, patterns: Sequence[str]) -> list[str]:
    """One example per shape found (case-sensitive: `EntityTooLarge` is a shape, `Tasklane` is not)."""
    found: list[str] = []
    for pattern in _compiled_shapes(tuple(patterns)):
        match = pattern.search(written)
        if match is not None and not any(match.group(0) in other for other in found):
            found.append(match.group(0))
    return found


@lru_cache(maxsize=16)
def _compiled(patterns: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    """Whole words only: `cli` must not fire on `cliente`, `api` not on `rapid`."""
    return tuple(re.compile(rf"(?<![\w-])(?:{p})(?![\w-])", re.IGNORECASE) for p in patterns)


@lru_cache(maxsize=4)
def _compiled_shapes(patterns: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p) for p in patterns)


def _one_line(text: str) -> str:
    """One line, NFKC, typographic apostrophes as ASCII, case kept: cues are written plainly."""
    text = unicodedata.normalize("NFKC", text).replace("\u2019", "'").replace("\u2018", "'")
    return re.sub(r"\s+", " ", text)


def _tag(tag: str) -> str:
    """`first-contact` and `First_Contact` are the same tag."""
    return tag.lower().replace("-", "_")


def _named(cues: Sequence[str]) -> str:
    shown = [cue if len(cue) <= 40 else cue[:37] + "..." for cue in cues[:MAX_NAMED]]
    return ", ".join(shown) + (f" +{len(cues) - MAX_NAMED}" if len(cues) > MAX_NAMED else "")
