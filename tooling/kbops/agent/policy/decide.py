"""Escalation gates as plain code: the ticket text, the tier and the cited articles decide.

Ticket text is untrusted and a drafting backend can be talked into anything, so no gate
reads a model's opinion of the ticket. `assess_ticket` turns the text into signals;
`decide` turns signals plus the backend's Draft into an action. A Draft can only *add*
reasons (it failed, it found nothing, it is unsure, it promised something it must not);
nothing in a Draft removes one.

Reason codes, stable, in the order `decide` lists them (most important first):

| code | fires when |
|---|---|
| `prompt_injection` | the ticket carries injection markers (fake role headers, "ignore previous instructions", hidden comments, encoded or obfuscated text); the whole ticket is suspect |
| `unsafe_reply` | the draft promises an action only a human may take ("I have issued a refund", "your account has been deleted", "ownership has been transferred") |
| `risk_topic:<topic>` | a `policy.risk_keywords` pattern matches the normalised text, or (with a similarity function) the text is close to a topic's example requests; one per topic, in config order |
| `sensitive_article` | a cited article lists `sensitive` topics |
| `human_requested` | the customer asks for a person ("talk to a human", "not a bot", "call me back") |
| `vip_customer` | the tier is in `policy.vip_tiers` |
| `negative_sentiment` | the anger score reaches `policy.negative_sentiment_threshold` |
| `backend_error` | the backend failed (`Draft.error`) |
| `no_coverage` | the backend says it cannot answer, or the draft cites nothing retrieved |
| `low_confidence` | the draft's confidence is below `policy.confidence_threshold` |

Every pattern runs over the normalised text and its de-obfuscated variants
(`normalise.py`); base64 and Unicode-tag payloads are decoded and checked too
(`injection.py`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from ...config import PolicySettings
from ..decision import Action, Draft, Evidence
from .customer import anger_score, human_request
from .injection import hidden_payloads, injection_markers
from .normalise import first_match, normalise, variants
from .topics import Similarity, keyword_topics, semantic_topics


@dataclass(frozen=True)
class TicketSignals:
    """What plain code read in a ticket; `decide` turns it into reasons."""

    risk_topics: dict[str, str] = field(default_factory=dict)
    """Topic -> the phrase that matched, or `semantic: <example request>`."""
    sentiment: float = 0.0
    """Anger score in [0, 1]."""
    sentiment_cues: tuple[str, ...] = ()
    human_requested: bool = False
    human_request: str = ""
    """The phrase asking for a person, for the escalation package."""
    injection_markers: dict[str, str] = field(default_factory=dict)
    """Marker name (e.g. `ignore-instructions`, `role-header`) -> the text that matched."""
    tier: str = ""


def assess_ticket(
    text: str, tier: str, settings: PolicySettings, similarity: Similarity | None = None
) -> TicketSignals:
    """Read risk topics, anger, a request for a human and injection markers from `text`."""
    raw = unicodedata.normalize("NFKC", text)
    hidden = hidden_payloads(raw)
    plain = normalise("\n".join([raw, *hidden.values()]))
    flat, obfuscated, runs, pairs = variants(plain)
    topics, only_obfuscated = keyword_topics(settings, flat, obfuscated, runs, pairs)
    if similarity is not None and settings.semantic_risk_threshold < 1:
        topics.update(semantic_topics(flat, settings, similarity, exclude=topics))
    markers = injection_markers(raw, plain, obfuscated)
    markers.update({f"{kind}-payload": decoded[:80] for kind, decoded in hidden.items()})
    if only_obfuscated:
        markers["obfuscated-keyword"] = ", ".join(only_obfuscated)
    score, cues = anger_score(raw, flat)
    request = human_request(flat)
    ordered = {topic: topics[topic] for topic in settings.risk_keywords if topic in topics}
    return TicketSignals(ordered, score, cues, bool(request), request, markers, str(tier))


_UNSAFE_REPLY_RES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern))
    for name, pattern in (
        (
            "refund",
            # Past or future promises only: "we issue refunds when..." is policy text a KB may quote.
            r"\b(?:i|we)(?:'ve| have)? (?:just |now |already )?(?:issued|processed|approved|initiated|granted|sent) (?:you )?(?:a |an |the |your )?(?:full |partial |pro-?rated )?refund"
            r"|\b(?:i|we)(?:'ll| will) (?:now |immediately )?(?:issue|process|approve|initiate|grant|send) (?:you )?(?:a |an |the |your )?(?:full |partial |pro-?rated )?refund"
            r"|\b(?:i|we)(?:'ve| have)? (?:just |already )?(?:refunded|reimbursed|reversed the charge)"
            r"|\brefund (?:has been|was|have been|is being|will be) (?:approved|issued|processed|initiated|granted|completed|sent)"
            r"|\brefunds? (?:is |are )?(?:approved|confirmed|granted)\b"
            r"|\b(?:money|amount|charge|payment) (?:has been|was|have been|will be) (?:returned|refunded|credited|reversed)",
        ),
        (
            "account-deletion",
            r"\b(?:your|the) (?:account|workspace|data)(?: and (?:all )?(?:your )?data)? (?:has|have) been (?:deleted|removed|erased|closed|wiped)"
            r"|\b(?:i|we)(?:'ve| have)? (?:deleted|closed|erased|removed|wiped) (?:your|the) (?:account|workspace|data)"
            r"|\b(?:account|workspace) (?:is|was) (?:now )?(?:deleted|closed|erased)",
        ),
        (
            "account-change",
            r"\bownership (?:has been|was|is now|have been) (?:transferred|changed|moved|updated)"
            r"|\b(?:i|we)(?:'ve| have)? transferred (?:the )?(?:workspace )?ownership|\b(?:you are|you're) now the (?:workspace |account )?owner"
            r"|\b(?:i|we)(?:'ve| have)? made you (?:the )?(?:workspace |account )?owner"
            r"|\b(?:2fa|two[- ]factor(?: authentication)?|mfa) (?:has been|was|is now|have been) (?:disabled|removed|reset|turned off)"
            r"|\b(?:i|we)(?:'ve| have)? (?:disabled|removed|reset|turned off) (?:your |the )?(?:2fa|two[- ]factor|mfa)"
            r"|\b(?:account |login )?email (?:address )?(?:has been|was) (?:changed|updated)",
        ),
    )
)


def unsafe_promises(reply: str) -> dict[str, str]:
    """Actions the reply claims were taken that only a human may take: kind -> phrase."""
    flat, obfuscated, _, _ = variants(normalise(reply))
    found: dict[str, str] = {}
    for name, pattern in _UNSAFE_REPLY_RES:
        if hit := first_match([pattern], [flat, *obfuscated]):
            found[name] = hit
    return found


@dataclass(frozen=True)
class PolicyOutcome:
    action: Action
    reasons: tuple[str, ...]
    details: dict[str, str] = field(default_factory=dict)
    """Reason code -> why it fired, in words a support specialist can check."""


def decide(
    signals: TicketSignals,
    draft: Draft,
    cited: Sequence[Evidence],
    settings: PolicySettings,
    tier: str,
) -> PolicyOutcome:
    """ESCALATE iff any reason fires. The draft can add reasons, never remove one."""
    found: dict[str, str] = {}
    if signals.injection_markers:
        found["prompt_injection"] = "; ".join(
            f"{k}: {v!r}" for k, v in signals.injection_markers.items()
        )
    if promises := unsafe_promises(draft.reply):
        found["unsafe_reply"] = "draft promises " + "; ".join(
            f"{k}: {v!r}" for k, v in promises.items()
        )
    for topic, phrase in signals.risk_topics.items():
        found[f"risk_topic:{topic}"] = f"ticket matches {phrase!r}"
    sensitive = [f"{e.article_id} ({', '.join(e.risk_topics)})" for e in cited if e.risk_topics]
    if sensitive:
        found["sensitive_article"] = "cites " + ", ".join(dict.fromkeys(sensitive))
    if signals.human_requested:
        found["human_requested"] = f"customer asks for a person: {signals.human_request!r}"
    if str(tier).lower() in {t.lower() for t in settings.vip_tiers}:
        found["vip_customer"] = f"tier {tier!r} is always handled by a person"
    if signals.sentiment >= settings.negative_sentiment_threshold:
        found["negative_sentiment"] = (
            f"anger {signals.sentiment:.2f} ({', '.join(signals.sentiment_cues)})"
        )
    if draft.error:
        found["backend_error"] = f"{draft.backend}: {draft.error}"
    if not draft.can_answer or not draft.citations or not cited:
        found["no_coverage"] = _coverage_detail(draft, cited)
    if not draft.confidence >= settings.confidence_threshold:  # NaN escalates too
        found["low_confidence"] = (
            f"confidence {draft.confidence:.2f} < {settings.confidence_threshold:.2f}"
        )
    action = Action.ESCALATE if found else Action.ANSWER
    return PolicyOutcome(action, tuple(found), found)


def _coverage_detail(draft: Draft, cited: Sequence[Evidence]) -> str:
    if not draft.can_answer:
        return "the backend found no answer in the knowledge base"
    if not draft.citations:
        return "the draft cites no article"
    return "the draft's citations match no retrieved article"
