"""Severity P1-P4 from business impact, with the reasons that produced it.

Points add up from who is affected (customer tier, monthly revenue at risk), how many
(similar tickets in the last 24 h) and what happened (outage, data loss, security, a
blocked customer, anger). Each point comes with a reason a team lead can check. The text
is untrusted: signals are read from `visible_text` only, so hidden payloads and lines that
give orders ("SYSTEM: set severity P1", "priority: urgent") add nothing, and no severity
is ever read from the text itself.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from ..agent.policy.customer import NEGATOR_RE, anger_score
from ..agent.policy.normalise import normalise, variants
from ..config import TriageSettings
from .visible import visible_text

ANGER_THRESHOLD = 0.6
"""Anger score (agent.policy.customer) at which a ticket counts as angry: the escalation
policy's default, where two independent signs of anger meet."""
NEGATIVE_SENTIMENT = -0.5
"""A stored sentiment (-1..1, history) at or below this counts as angry."""

_SYSTEM = (r"(?:app|application|site|website|web ?app|service|platform|dashboard|api|server|system|product|tasklane"
           r"|workspace|login|portal|page|network|database|instance|backend|sync)")
"""What can be down: a down whose subject is a person, a price or a count is something else."""
_DOWN = (r"(?<!-)down(?!-|\s+(?:to|below|under|arrow|key|button|menu|payment|the (?:page|list|line|road|screen"
         r"|menu|hall))(?!\w))")
"""`down` as a state: not a drop-down, a down-vote, "down to 40 dollars", "down below" or the down arrow."""
_AUXILIARY = (r"(?:(?:is|are|was|were|has|have|had|been|being|seems?|seemed|appears?|to be|keeps?|kept|going|gone"
              r"|went|goes|go|still|again|back|now|completely|totally|fully|entirely|all|just|also|too) ){0,3}")
_SIGNAL_PHRASES: dict[str, tuple[str, ...]] = {
    "outage": (
        r"outages?",
        rf"(?:{_SYSTEM}(?:'?s)?|everything(?:'?s)?|it(?:'?s)?) {_AUXILIARY}{_DOWN}",
        rf"(?:is|are|was|were|has been|have been|had been|went|goes|keeps going) (?:(?:completely|totally|still"
        rf"|again|all) )?{_DOWN} (?:for (?:everyone|everybody|all|us|me too|hours|days|the whole|our whole|the entire"
        rf"|our entire|\d+)|since|again|all day|right now|everywhere|globally|worldwide|across)",
        rf"(?:^|(?<=[.!?:;] )){_DOWN} (?:since|again|for (?:hours|everyone|everybody|all)|all day|right now)",
        r"service (?:is )?unavailable", r"bad gateway", r"gateway time-?out", r"internal server error",
        r"(?:error|status|http|code|returns?|returning|returned|got|getting|gets?|gives?|giving|throws?|throwing|an?) "
        r"50[234]",
        r"50[234] (?:errors?|bad gateway|service unavailable|gateway|for|on|when|everywhere|responses?|status)",
        r"(?:nobody|no one|none of us|everyone|everybody|all (?:of )?(?:our |my )?(?:users|team|staff|employees)) "
        r"(?:can't|cannot|can not|is unable to|are unable to|is not able to|are not able to) (?:log ?in|sign ?in|access|use|open|load)",
        rf"{_SYSTEM}(?:'?s)? (?:(?:is|are|was|were|has been|have been|went|seems|seem) (?:completely |totally )?)?"
        r"(?:not (?:loading|responding|working) (?:at all|for anyone|for everyone)|unreachable|completely broken|unusable)",
        rf"{_SYSTEM}(?:'?s)? (?:is|are|was|were|has been|have been|went|seems|seem) (?:completely |totally )?offline",
        r"(?:whole|entire) (?:app|site|platform|service|system|workspace) (?:is |are |was |went )?(?:offline|unusable|broken)",
        r"(?:whole|entire) (?:team|company|office|staff|organi[sz]ation) (?:is |are |was |were |got |has been )?locked out",
    ),
    "data_loss": (
        r"data loss",
        r"(?:lost|losing|lose) (?:all |most |some |half |a lot )?(?:of )?(?:my |our |the |their |its )?(?:\w+ )?"
        r"(?:data|files?|tasks?|projects?|work|records?|history|attachments?|comments?|boards?|dependencies|documents?"
        r"|changes|content|entries|subtasks)",
        r"(?:data|files|tasks|projects|records|attachments|comments|boards|dependencies|documents|entries|history"
        r"|everything|all of it) "
        r"(?:is |are |was |were |has |have |got |just )?(?:been )?(?:gone|missing|deleted|disappeared|vanished|wiped|erased|lost|corrupted)",
        r"corrupt(?:ed|ion)", r"wiped (?:out|clean)", r"everything (?:is |was )?gone",
    ),
    "security": (
        r"hack(?:ed|er|ers)(?! (?:together|around|up|a (?:fix|workaround)))",
        r"(?<!sla )(?<!contract )(?:data |security |privacy )?breach(?:ed|es)?(?! of (?:the |our |your )?(?:sla|contract|terms))",
        r"compromised", r"phishing", r"(?<!memory )(?<!resource )leak(?:ed|ing)?",
        r"unauthori[sz]ed (?:access|logins?|charges?|users?)", r"suspicious (?:logins?|activity|sign-?ins?)",
        r"(?:someone|somebody|a stranger) (?:else )?(?:has |had )?(?:logged|signed|got|broke|gained access) ?(?:in|into)?",
        r"account takeover", r"stolen (?:password|credentials|account|card)", r"vulnerabilit(?:y|ies)",
        r"exposed (?:data|passwords?|api keys?)", r"security (?:incident|issue|hole)",
    ),
    "blocked": (
        r"blocked", r"blocking us", r"(?<!ad )blocker", r"locked out", r"stuck",
        r"(?:can't|cannot|unable to) (?:work|do anything|get any work done|proceed|continue)",
        r"(?:stops|stopping|prevents|preventing) (?:us|me|our team) from", r"(?:whole|entire) team is waiting",
        r"(?:missed|miss|missing) (?:a |our |the )?deadline", r"production is (?:stopped|halted)",
    ),
}
"""Phrases of each impact signal, matched as whole words in the normalised text."""
_SIGNAL_PATTERNS = {
    name: re.compile(r"(?<!\w)(?:" + "|".join(phrases) + r")(?!\w)") for name, phrases in _SIGNAL_PHRASES.items()
}
_ORDER = ("outage", "data_loss", "security", "blocked", "angry")
_PARTICLE_VERB = (
    r"slow(?:s|ed|ing)?|let(?:s|ting)?|scroll(?:s|ed|ing)?|drag(?:s|ged|ging)?|weigh(?:s|ed|ing)?|bog(?:s|ged|ging)?"
    r"|narrow(?:s|ed|ing)?|pull(?:s|ed|ing)?|push(?:es|ed|ing)?|press(?:es|ed|ing)?|hold(?:s|ing)?|held"
    r"|turn(?:s|ed|ing)?|ton(?:e|es|ed|ing)|water(?:s|ed|ing)?|cut(?:s|ting)?|scal(?:e|es|ed|ing)|calm(?:s|ed|ing)?"
    r"|cool(?:s|ed|ing)?|writ(?:e|es|ing|ten)|wrote|not(?:e|es|ed|ing)|jot(?:s|ted|ting)?|break(?:s|ing)?|broken?"
    r"|count(?:s|ed|ing)?|track(?:s|ed|ing)?|pin(?:s|ned|ning)?|hunt(?:s|ed|ing)?|t(?:ie|ies|ied|ying)"
    r"|mark(?:s|ed|ing)?|put(?:s|ting)?|settl(?:e|es|ed|ing)|step(?:s|ped|ping)?|shut(?:s|ting)?|boil(?:s|ed|ing)?"
    r"|dumb(?:s|ed|ing)?|nail(?:s|ed|ing)?|trim(?:s|med|ming)?|strip(?:s|ped|ping)?|whittl(?:e|es|ed|ing)"
    r"|keep(?:s|ing)?|kept|wear(?:s|ing)?|wore|worn|round(?:s|ed|ing)?|play(?:s|ed|ing)?|talk(?:s|ed|ing)?"
)
_FALLING = (r"prices?|costs?|usage|sales|numbers?|counts?|scores?|ratings?|traffic|revenue|bills?|rates?|volumes?"
            r"|spend(?:ing)?|sign-?ups|temperature|load|activity|engagement|conversions?|margins?|balance|fees?|amounts?")
_DOWN_ELSEWHERE_RE = re.compile(rf"(?<!\w)(?:(?:{_PARTICLE_VERB})(?: [\w']+){{0,3}}|(?P<falling>{_FALLING})(?: [\w']+)?) $")
"""What makes a `down` not an outage, just before the phrase: a verb it belongs to ("slowing the
whole team down", "narrow it down", "let us down") or, before a bare verb ("went down for
everyone"), something that falls ("the price")."""


@dataclass(frozen=True)
class Severity:
    level: str
    """P1 (most urgent) .. P4."""
    points: int
    reasons: tuple[str, ...]
    """One per contribution, e.g. "enterprise tier (+2)", "outage: 'is down' (+3)"."""


def impact_signals(text: str, sentiment: float | None = None) -> dict[str, str]:
    """Signal name (outage, data_loss, security, blocked, angry) -> the phrase that matched,
    read from the visible, order-free part of `text` (negated phrases do not count:
    "no data was lost", "not an outage"). `sentiment` (-1..1, when the history has one)
    counts as anger at or below -0.5."""
    return visible_signals(visible_text(text), sentiment)


def visible_signals(shown: str, sentiment: float | None = None) -> dict[str, str]:
    """`impact_signals` of text that is already `visible_text`'s output (triage reads each
    ticket's visible text once, for its vector and its signals)."""
    plain = normalise(shown)
    flat, obfuscated, _, _ = variants(plain)
    found: dict[str, str] = {}
    for name, pattern in _SIGNAL_PATTERNS.items():
        if hit := _unnegated(pattern, [flat, *obfuscated], down_is_outage=name == "outage"):
            found[name] = hit
    anger, cues = anger_score(shown, flat)
    if anger >= ANGER_THRESHOLD:
        found["angry"] = f"anger {anger:.2f} ({', '.join(cues[:3])})"
    elif sentiment is not None and sentiment <= NEGATIVE_SENTIMENT:
        found["angry"] = f"sentiment {sentiment:+.2f}"
    return {name: found[name] for name in _ORDER if name in found}


def assess_severity(settings: TriageSettings, *, text: str, tier: str, monthly_revenue: float | None,
                    similar_24h: int, sentiment: float | None = None,
                    signals: Mapping[str, str] | None = None) -> Severity:
    """Add the points of tier, revenue, scope and impact signals; the level is the highest
    severity whose points threshold (`severity_points`) the total reaches, else P4.
    `signals` are the text's `impact_signals` when the caller has read them already."""
    reasons: list[str] = []
    points = 0

    def add(gained: int, why: str) -> None:
        nonlocal points
        if gained:
            points += gained
            reasons.append(f"{why} ({gained:+d})")

    tier = str(tier).lower()
    add(settings.tier_points.get(tier, 0), f"{tier} tier")
    if monthly_revenue is not None:
        step, gained = _step(settings.revenue_points, monthly_revenue)
        add(gained, f"monthly revenue {monthly_revenue:,.0f} >= {step:,.0f}")
    step, gained = _step(settings.scope_points, similar_24h)
    add(gained, f"{similar_24h} similar ticket{'s' if similar_24h != 1 else ''} in 24 h")
    for name, phrase in (impact_signals(text, sentiment) if signals is None else signals).items():
        shown = phrase if phrase.startswith(("anger ", "sentiment ")) else repr(phrase)
        add(settings.signal_points.get(name, 0), f"{name.replace('_', ' ')}: {shown}")
    level = next((lvl for lvl, need in sorted(settings.severity_points.items()) if points >= need), "P4")
    if not reasons:
        reasons.append("no business-impact signal (0 points)")
    return Severity(level, points, tuple(reasons))


def _step(table: Mapping[str, int], value: float) -> tuple[float, int]:
    """The points of the largest threshold `value` reaches (thresholds are the keys)."""
    reached = [(float(key), points) for key, points in table.items() if value >= float(key)]
    return max(reached, default=(0.0, 0))


def _unnegated(pattern: re.Pattern[str], texts: list[str], *, down_is_outage: bool = False) -> str:
    """The first match not preceded by a negation ("we have not lost any data"), nor, for an
    outage, a `down` that belongs to another phrase (`_DOWN_ELSEWHERE_RE`)."""
    for text in texts:
        for match in pattern.finditer(text):
            before = text[max(0, match.start() - 40) : match.start()]
            if NEGATOR_RE.search(before):
                continue
            if down_is_outage and _down_elsewhere(match.group(0), before):
                continue
            return match.group(0)
    return ""


def _down_elsewhere(phrase: str, before: str) -> bool:
    if not re.search(r"(?<!\w)down(?!\w)", phrase):
        return False
    found = _DOWN_ELSEWHERE_RE.search(before)
    if found is None:
        return False
    return not found.group("falling") or phrase.split()[0] in _BARE_VERBS


_BARE_VERBS = frozenset({"is", "are", "was", "were", "has", "have", "had", "went", "goes", "keeps"})
"""Words an outage phrase starts with when it names no subject (then the word before is the subject)."""

