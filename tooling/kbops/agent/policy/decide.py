"""Escalation gates as plain code: the ticket text, the tier and the cited articles decide.

Ticket text is untrusted and a drafting backend can be talked into anything, so no gate
reads a model's opinion of the ticket. `assess_ticket` turns the text into signals;
`decide` turns signals plus the backend's Draft into an action. A Draft can only *add*
reasons (it failed, it found nothing, it is unsure, it promised something it must not);
nothing in a Draft removes one.

Reason codes, stable, in the order `decide` lists them (most important first):

| code | fires when |
|---|---|
| `prompt_injection` | the ticket carries injection markers (fake role headers or agent turns, "ignore previous instructions", notes addressed to the model, text a reader cannot see: hidden HTML, base64, Unicode tags, look-alike letters mixed into a word); the whole ticket is suspect |
| `unsafe_reply` | the reply fails the output guard (`agent/guard.py`): it promises an action only a human may take ("I have issued a refund", "your account has been deleted"), quotes or links an internal article, names an owner, carries HTML, or links an outside host |
| `risk_topic:<topic>` | a `policy.risk_keywords` pattern matches the normalised text outside a routine phrase (`policy.routine_phrases`), or (with a similarity function) a sentence of the ticket is close to a topic's example requests and clearly closer than to any routine question; one per topic, in config order |
| `sensitive_article` | a cited article lists `sensitive` topics |
| `human_requested` | the customer asks for a person ("talk to a human", "is there a person I can talk to", "not a bot", "call me back", in five languages, or a sentence close to such requests) |
| `vip_customer` | the tier is in `policy.vip_tiers` |
| `negative_sentiment` | the anger score reaches `policy.negative_sentiment_threshold` |
| `language` | the ticket is in a language the team does not answer (neither `agent.kb_language` nor one of `agent.language_notices`) and `agent.unsupported_language` is `escalate` (`agent/language.py`) |
| `backend_error` | the backend failed (`Draft.error`) |
| `no_coverage` | the backend says it cannot answer, the draft cites nothing retrieved, its confidence is below `policy.no_coverage_threshold`, or ticket memory finds close paraphrases of tickets the KB could not answer (`policy.known_gap_threshold`) |
| `low_confidence` | the KB may cover it, but the draft's confidence is below `policy.confidence_threshold` |

Every pattern runs over the normalised text (look-alike letters folded by Unicode TR39,
invisible characters removed) and its de-obfuscated variants (`normalise.py`); text hidden
in base64, Unicode tags, undisplayed HTML, alt and title attributes, Markdown titles and
comments is decoded and checked too (`hidden.py`).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ...config import PolicySettings
from ..decision import Action, Draft, Evidence
from .customer import anger_score, human_request
from .hidden import ALWAYS_SUSPECT, hidden_payloads
from .injection import injection_markers
from .normalise import normalise, one_line, variants
from .promises import unsafe_promises
from .topics import Similarity, keyword_topics, semantic_topics, sentences


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
    """Read risk topics, anger, a request for a human and injection markers from `text`.

    Text hidden in the ticket (base64, HTML nobody sees, alt text, comments) is read as
    if it were visible; `similarity` (the multilingual model, `semantic.py`) adds the
    paraphrases no keyword names, sentence by sentence."""
    raw = unicodedata.normalize("NFKC", text)
    hidden = hidden_payloads(raw)
    joined = "\n".join([text, *hidden.values()])  # not NFKC'd yet: `normalise` folds look-alikes first
    plain = normalise(joined)
    spaced = normalise(joined, invisible_as_space=True)
    flat, obfuscated, runs, _ = variants(plain)
    if spaced != plain:
        obfuscated.append(one_line(spaced))
    if "I" in joined:  # TR39 draws capital I and small l alike: "Iawyer"
        obfuscated.append(one_line(normalise(joined.replace("I", "l"))))
    topics, only_obfuscated = keyword_topics(settings, flat, obfuscated, runs)
    request = human_request(flat) or (human_request(one_line(spaced)) if spaced != plain else "")
    if similarity is not None and settings.semantic_model != "off" and settings.semantic_risk_threshold < 1:
        units = sentences(plain) + (sentences(spaced) if spaced != plain else [])
        exclude = {**topics, **({"human": request} if request else {})}
        semantic = semantic_topics(list(dict.fromkeys(units)), settings, similarity, exclude=exclude)
        request = request or semantic.pop("human", "")
        topics.update({topic: why for topic, why in semantic.items() if topic != "human"})
    markers = injection_markers(raw, plain, obfuscated)
    markers.update({f"{kind}-payload": decoded[:80] for kind, decoded in hidden.items() if kind in ALWAYS_SUSPECT})
    if only_obfuscated:
        markers["obfuscated-keyword"] = ", ".join(only_obfuscated)
    score, cues = anger_score(raw, flat)
    ordered = {topic: topics[topic] for topic in settings.risk_keywords if topic in topics}
    return TicketSignals(ordered, score, cues, bool(request), request, markers, str(tier))


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
    reply_problems: Mapping[str, str] | None = None,
    unsupported_language: str = "",
) -> PolicyOutcome:
    """ESCALATE iff any reason fires. The draft can add reasons, never remove one.

    `reply_problems` are the output guard's findings on the reply (`agent/guard.py`); without
    them the reply is still checked for promises of actions only a human may take.
    `unsupported_language` says why the ticket's language escalates (`agent/language.py`), "" if it does not."""
    found: dict[str, str] = {}
    if signals.injection_markers:
        found["prompt_injection"] = "; ".join(
            f"{k}: {v!r}" for k, v in signals.injection_markers.items()
        )
    if reply_problems is None:
        reply_problems = {f"promise:{kind}": repr(phrase) for kind, phrase in unsafe_promises(draft.reply).items()}
    if reply_problems:
        found["unsafe_reply"] = "reply " + "; ".join(f"{k} {v}" for k, v in reply_problems.items())
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
    if unsupported_language:
        found["language"] = unsupported_language
    if draft.error:
        found["backend_error"] = f"{draft.backend}: {draft.error}"
    uncovered = _coverage_detail(draft, cited, settings)
    if uncovered:
        found["no_coverage"] = uncovered
    elif not draft.confidence >= settings.confidence_threshold:  # NaN escalates too
        found["low_confidence"] = (
            f"confidence {draft.confidence:.2f} < {settings.confidence_threshold:.2f}"
        )
    action = Action.ESCALATE if found else Action.ANSWER
    return PolicyOutcome(action, tuple(found), found)


def known_gap(cited: Sequence[Evidence], threshold: float) -> float:
    """How close the ticket is to past tickets the KB could not answer, when that reaches
    `threshold` and outweighs memory's routes to the cited article; 0.0 otherwise."""
    gap = max((e.known_gap for e in cited), default=0.0)
    routed = max((e.memory_score for e in cited), default=0.0)
    return gap if gap >= threshold and gap > routed else 0.0


def _coverage_detail(draft: Draft, cited: Sequence[Evidence], settings: PolicySettings) -> str:
    """Why the KB does not cover the ticket ("" when it may): nothing to cite, a confidence
    too low to be a near miss, or close paraphrases of tickets the KB could not answer."""
    if not draft.can_answer:
        return "the backend found no answer in the knowledge base"
    if not draft.citations:
        return "the draft cites no article"
    if not cited:
        return "the draft's citations match no retrieved article"
    if draft.confidence < settings.no_coverage_threshold:  # NaN is not a verdict on coverage: low_confidence
        return f"confidence {draft.confidence:.2f} < {settings.no_coverage_threshold:.2f}: no article seems to cover it"
    gap = known_gap(cited, settings.known_gap_threshold)
    if gap:
        return f"close to past tickets the KB could not answer (memory {gap:.2f} >= {settings.known_gap_threshold:.2f})"
    return ""
