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

Normalisation runs before any pattern so that obfuscation does not open a gate: NFKC,
invisible characters removed, Cyrillic/Greek look-alikes mapped to Latin, lowercase,
whitespace collapsed; then variants with intra-word punctuation removed (`ref*und`),
leetspeak undone (`r3fund`), spaced letters joined (`r e f u n d`) and split words
rejoined (`re fund`). Base64 and Unicode-tag payloads are decoded and checked too.
"""

from __future__ import annotations

import base64
import binascii
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from ..config import PolicySettings
from .decision import Action, Draft, Evidence

Similarity = Callable[[str, Sequence[str]], float]
"""(ticket text, example requests) -> the highest cosine similarity to any of them.

Called once per topic with all its examples; only for a topic over the threshold is it
called again per example, to name the closest one. Implementations should cache the
ticket's embedding (the same text is passed every time)."""

# --------------------------------------------------------------------------- normalising

_INVISIBLE_RE = re.compile(
    "[\u00ad\u034f\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
)
_TAG_CHARS_RE = re.compile("[\U000e0000-\U000e007f]+")
_HOMOGLYPHS = str.maketrans(
    "аеорсухіјѕԁһӏԛԝАВЕКМНОРСТУХІЈЅαεορτυνικχΑΒΕΗΙΚΜΝΟΡΤΥΧ‘’‚‛“”„",
    "aeopcyxijsdhlqwABEKMHOPCTYXIJSaeoptuvikxABEHIKMNOPTYX''''\"\"\"",
)
_LEET_I = str.maketrans("4@3€1!|0$57", "aaeeiiiosst")
_LEET_L = str.maketrans("4@3€1!|0$57", "aaeelilosst")
_INTRA_WORD_PUNCT_RE = re.compile(r"(?<=[^\W_])[*_.·~^'`\-]+(?=[^\W_])")
_LEET_TOKEN_RE = re.compile(r"[\w@$€!|]+")
_SPACED_LETTERS_RE = re.compile(r"(?<!\w)\w(?:[\s._*·-]+\w(?!\w)){3,}")
_WORD_RE = re.compile(r"[^\W\d_]+")


def normalise(text: str) -> str:
    """Canonical form for matching: the same words however they were typed."""
    text = unicodedata.normalize("NFKC", text)
    text = _TAG_CHARS_RE.sub("", _INVISIBLE_RE.sub("", text)).translate(_HOMOGLYPHS).lower()
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def _flat(text: str) -> str:
    return text.replace("\n", " ")


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _deleet(text: str, table: dict[int, int]) -> str:
    """Undo leetspeak only inside tokens that also hold letters, so prices stay numbers."""

    def token(match: re.Match[str]) -> str:
        word = match.group(0)
        core = word.rstrip("!|")
        if not any(ch.isalpha() for ch in core):
            return word
        return core.translate(table) + word[len(core) :]

    return _LEET_TOKEN_RE.sub(token, text)


def _variants(plain: str) -> tuple[str, list[str], str, str]:
    """(flat plain text, de-obfuscated variants, spaced-letter runs, rejoined word pairs)."""
    flat = _flat(plain)
    compact = _INTRA_WORD_PUNCT_RE.sub("", _strip_marks(flat))
    obfuscated = [compact, _deleet(compact, _LEET_I), _deleet(compact, _LEET_L)]
    runs = " ".join(
        re.sub(r"[\s._*·-]", "", m.group(0))
        for v in obfuscated
        for m in _SPACED_LETTERS_RE.finditer(v)
    )
    words = _WORD_RE.findall(flat)
    pairs = " ".join(a + b for a, b in zip(words, words[1:], strict=False))
    return flat, [v for v in dict.fromkeys(obfuscated) if v != flat], runs, pairs


# ------------------------------------------------------------------------------- signals


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
    hidden = _hidden_payloads(raw)
    plain = normalise("\n".join([raw, *hidden.values()]))
    flat, obfuscated, runs, pairs = _variants(plain)
    topics, only_obfuscated = _keyword_topics(settings, flat, obfuscated, runs, pairs)
    if similarity is not None and settings.semantic_risk_threshold < 1:
        topics.update(_semantic_topics(flat, settings, similarity, exclude=topics))
    markers = _injection_markers(raw, plain, obfuscated)
    markers.update({f"{kind}-payload": decoded[:80] for kind, decoded in hidden.items()})
    if only_obfuscated:
        markers["obfuscated-keyword"] = ", ".join(only_obfuscated)
    score, cues = anger_score(raw, flat)
    request = _human_request(flat)
    ordered = {topic: topics[topic] for topic in settings.risk_keywords if topic in topics}
    return TicketSignals(ordered, score, cues, bool(request), request, markers, str(tier))


def _first_match(patterns: Iterable[re.Pattern[str]], texts: Iterable[str]) -> str:
    texts = list(texts)
    for pattern in patterns:
        for text in texts:
            if match := pattern.search(text):
                return match.group(0)
    return ""


# ----------------------------------------------------------------------------- risk topics


@lru_cache(maxsize=8)
def _topic_patterns(
    keywords: tuple[tuple[str, tuple[str, ...]], ...],
) -> tuple[tuple[str, re.Pattern[str], re.Pattern[str]], ...]:
    """Per topic: the word-bounded pattern, and an unbounded one for joined letter runs."""
    compiled: list[tuple[str, re.Pattern[str], re.Pattern[str]]] = []
    for topic, patterns in keywords:
        if not patterns:
            continue
        either = "|".join(f"(?:{p})" for p in patterns)
        bounded = re.compile(rf"(?<!\w)(?:{either})(?!\w)", re.IGNORECASE)
        compiled.append((topic, bounded, re.compile(either, re.IGNORECASE)))
    return tuple(compiled)


def _keyword_topics(
    settings: PolicySettings, flat: str, obfuscated: list[str], runs: str, pairs: str
) -> tuple[dict[str, str], list[str]]:
    """Topics hit, and the phrases that only matched after de-obfuscation."""
    keywords = tuple((t, tuple(p)) for t, p in settings.risk_keywords.items())
    topics: dict[str, str] = {}
    hidden: list[str] = []
    for topic, bounded, unbounded in _topic_patterns(keywords):
        if match := bounded.search(flat):
            topics[topic] = match.group(0)
            continue
        found = next((m for v in obfuscated if (m := bounded.search(v))), None)
        found = found or (unbounded.search(runs) if runs else None)
        if found:
            topics[topic] = found.group(0)
            hidden.append(found.group(0))
        elif pairs and (match := bounded.search(pairs)):
            topics[topic] = match.group(0)  # "re fund" is as often a typo as a trick
    return topics, hidden


SEMANTIC_EXAMPLES: dict[str, tuple[str, ...]] = {
    "refund": (
        "I want my money back for last month's charge",
        "Please refund the unused part of our annual plan",
        "Can you reverse the payment you took from my card",
        "We cancelled, so return what we paid",
    ),
    "billing-dispute": (
        "You charged me twice this month",
        "I was billed after I cancelled my subscription",
        "This charge on my card is wrong, I never authorised it",
        "I am disputing this payment with my bank",
    ),
    "account-change": (
        "Please make me the owner of our workspace",
        "Change the email address on my account to a new one",
        "Turn off two-factor authentication on my account",
        "I lost my phone with the authenticator app and cannot sign in",
    ),
    "account-deletion": (
        "Delete my account and all of my data",
        "Close our account permanently and erase everything",
        "I want you to remove every trace of me from your system",
    ),
    "legal": (
        "My lawyer will be in touch about this",
        "We are taking legal action against your company",
        "This is a formal data protection request under the law",
    ),
    "security-incident": (
        "Someone else logged into my account without permission",
        "I think our workspace was hacked",
        "Our data has been leaked to people outside the company",
    ),
}
"""A few requests per topic, phrased unlike the keywords, for paraphrase detection."""


def _semantic_topics(
    text: str, settings: PolicySettings, similarity: Similarity, exclude: dict[str, str]
) -> dict[str, str]:
    """Topics whose example requests the ticket paraphrases (one call per topic)."""
    found: dict[str, str] = {}
    for topic in settings.risk_keywords:
        examples = SEMANTIC_EXAMPLES.get(topic, ())
        if topic in exclude or not examples:
            continue
        if similarity(text, examples) >= settings.semantic_risk_threshold:
            best = max(examples, key=lambda example: similarity(text, (example,)))
            found[topic] = f"semantic: {best}"
    return found


# ------------------------------------------------------------------------------ injection

_DIRECTIVE = (
    r"(?:\byou\b|ignore|approv|verifi|authori[sz]|escal|eskal|proceed|must|always|never|do not|don't"
    r"|instruction|polic|override|grant|allow|disable|transfer|refund|delete)"
)
"""Words a fake "System:" line uses; a pasted "System: Windows 11" has none of them."""

_INJECTION_RES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern, re.MULTILINE))
    for name, pattern in (
        (
            "ignore-instructions",
            r"\b(?:ignore|disregard|forget|override|bypass)\s+(?:(?:the|of|these|those)\s+)*"
            r"(?:all|any|your|previous|prior|above|earlier|preceding|original|existing|system|initial)\s+"
            r"(?:(?:the|of|previous|prior|above|earlier|system|original|initial)\s+){0,2}"
            r"(?:instructions?|prompts?|guidelines|directives|guardrails|programming|rules)\b"
            r"|\b(?:ignore|disregard|forget)\s+(?:all\s+|everything\s+)?(?:of\s+)?(?:the\s+|what'?s?\s+)?(?:above|previous|prior|preceding)\b"
            r"(?!\s+(?:message|email|e-mail|ticket|mail|comment|note|request|reply|one)s?\b)"
            r"|\bignora\w* (?:\w+ ){0,3}instrucciones|\bignorier\w* (?:\w+ ){0,3}(?:anweisungen|instruktionen|regeln)"
            r"|\bignor(?:e|ez|er) (?:\w+ ){0,3}(?:instructions|consignes|règles)",
        ),
        (
            "role-change",
            r"\byou are now (?:a|an|the|in|my|acting|operating|free|unrestricted|dan|jailbroken)\b"
            r"|\bfrom now on,? you (?:are|act|will act|will respond|respond|will answer|answer)\b"
            r"|\bpretend (?:that )?(?:you are|you're|to be)\b|\bact as (?:if|though) you\b|\brole[- ]?play"
            r"|\blet'?s play a game\b|\bimagine you are\b|\byou (?:will|must) (?:now )?act as\b",
        ),
        (
            "role-header",
            r"(?:^|[.!?]\s+|<!--\s*|[\[({]\s*)(?:assistant|(?:system|developer)(?=[^\n]{0,200}?"
            + _DIRECTIVE
            + r"))"
            r"(?: (?:message|prompt|note|override|instructions?))?\s*:"
            r"|^\s*#{1,6}\s*(?:system|assistant|developer)\b|[\[<]\s*/?\s*(?:system|assistant|developer)(?: ?(?:message|prompt))?\s*[\]>]",
        ),
        (
            "chat-template",
            r"<\|(?:im_start|im_end|system|user|assistant|endoftext)\|>|\[/?inst\]|<</?sys>>|begin (?:system )?prompt",
        ),
        (
            "developer-mode",
            r"\b(?:developer|god|unrestricted|sudo) mode\b|\bjailbr[eo]a?k\w*|\bdo anything now\b|\bdan mode\b|\byou are dan\b",
        ),
        (
            "policy-override",
            r"\boverride (?:the |your |all |any |this )?(?:policy|policies|rules|safety|gates?|escalation|checks?)\b"
            r"|\bpolic(?:y|ies) (?:was|were|has been|have been|is now|are now|got) (?:updated|changed|amended|revised)\b"
            r"[^.\n]{0,40}?(?::|\b(?:you|agents?|assistants?|refunds?|requests?) (?:are|is|can|may|must|should|no longer)\b)"
            r"|\bnew (?:refund |support |escalation )?policy\s*:|\bpre-?approved\b"
            r"|\b(?:refunds?|requests?|credits?|changes?|deletions?) (?:under|below|up to|of less than|less than)[^.\n]{0,25}? (?:are|is) (?:now )?auto(?:matically)?[- ]?approved\b"
            r"|\bapproved by (?:a |the |your |tasklane )?(?:manager|supervisor|admin\w*|support|finance|ceo|cto|legal|security)\b",
        ),
        (
            "fake-authority",
            r"\b(?:customer|requester|identity|caller|sender) (?:is|has been|was|is already|has already been) (?:fully )?(?:verified|authenticated|authori[sz]ed|approved)\b"
            r"|\b(?:identity|security|verification|kyc) checks? (?:have|has) (?:already )?been (?:completed|done|passed|performed)\b"
            r"|\byou (?:are|have been) (?:now )?(?:authori[sz]ed|permitted|allowed|cleared) to\b|\byou have (?:my |full )?(?:permission|authori[sz]ation|clearance) to\b"
            r"|\b(?:i am|i'm|this is) (?:the |a )?(?:ceo|cto|founder|owner|admin\w*|head|engineer|employee|staff|member of staff)(?: \w+){0,2} (?:of|at) tasklane\b"
            r"|\b(?:i am|i'm|this is) (?:from |with )?tasklane (?:staff|support|security|engineering|management|admin)\b",
        ),
        (
            "no-escalation",
            r"\b(?:do not|don't|dont|never|no need to) escalate\b|\bwithout (?:any )?escalat\w*"
            r"|\b(?:do not|don't|dont|never) (?:forward|transfer|hand|pass|send|route) (?:this|it|me|my (?:ticket|request|case))(?: over)? to (?:a |an |the )?(?:human|person|agent|manager|specialist|supervisor|staff)\b"
            r"|\b(?:do not|don't|dont) (?:involve|loop in) (?:a |any )?(?:human|person|manager|supervisor)\b"
            r"|\bwithout (?:further |any |additional )?(?:questions|verification|checks)\b|\bno questions asked\b"
            r"|\bskip (?:the |any )?(?:verification|identity checks?|security checks?|escalation)\b"
            r"|\bsin escalar\b|\bno (?:lo )?escales\b|\bnicht eskalieren\b|\bohne (?:zu )?eskalieren\b|\bsans escalade\b"
            r"|\bne (?:le )?(?:transf[ée]r\w*|transmet\w*) pas\b",
        ),
        (
            "output-control",
            r"\b(?:respond|reply|answer|say) (?:only |just )?(?:with|exactly)\b(?: only)?\s*[:\"']"
            r"|\b(?:respond|reply|answer) only with\b"
            r"|\b(?:print|reveal|show|repeat|output|tell me|share) (?:me )?(?:your |the )?(?:hidden |internal |system |initial |original )+(?:instructions|prompt|notes|rules|configuration)"
            r"|\bsystem prompt\b",
        ),
        (
            "structured-override",
            r"[\"']?\b(?:action|decision|escalate|escalation|should_escalate|needs_human|requires_human|human_review|can_answer|confidence|auto_approve|refund_approved|skip_escalation|verified)\b[\"']?\s*[:=]\s*[\"']?"
            r"(?:answer|approve|approved|true|false|none|no|yes|skip|0?\.\d+|1(?:\.0+)?)\b",
        ),
        (
            "hidden-comment",
            r"<!--(?:(?!-->)[\s\S]){0,2000}?\b(?:ignore|instructions?|system|assistant|developer|escalat\w*|approve\w*|refund\w*|delete|transfer|you are|you must|do not|don't|reveal|print|prompt|policy|override)\b"
            r"|^\s*\[(?://|comment)\]:\s*(?:#|<>)",
        ),
    )
)
_UPPER_HEADER_RE = re.compile(
    r"\b(?:SYSTEM|ASSISTANT|DEVELOPER)(?: (?:MESSAGE|PROMPT|NOTE|OVERRIDE))?\s*:"
)
_ZERO_WIDTH_IN_WORD_RE = re.compile("[A-Za-z][\u200b-\u200d\u2060\ufeff]+[A-Za-z]")
_BIDI_RE = re.compile("[\u202a-\u202e\u2066-\u2069]")
_MIXED_SCRIPT_RE = re.compile(r"\b(?=\w*[A-Za-z])(?=\w*[\u0370-\u03ff\u0400-\u04ff])\w+\b")
_BASE64_RE = re.compile(r"(?<![\w+/=-])[A-Za-z0-9+/_-]{24,}={0,2}(?![\w+/=-])")


def _injection_markers(raw: str, plain: str, obfuscated: list[str]) -> dict[str, str]:
    """Marker name -> matched text, for every injection pattern found in the ticket."""
    markers: dict[str, str] = {}
    texts = [plain, *obfuscated]
    for name, pattern in _INJECTION_RES:
        if hit := _first_match([pattern], texts):
            markers[name] = hit.strip()
    if "role-header" not in markers and (match := _UPPER_HEADER_RE.search(raw)):
        markers["role-header"] = match.group(0)
    for name, pattern in (
        ("zero-width", _ZERO_WIDTH_IN_WORD_RE),
        ("bidi-control", _BIDI_RE),
        ("mixed-script", _MIXED_SCRIPT_RE),
    ):
        if match := pattern.search(raw):
            markers[name] = match.group(0).encode("unicode_escape").decode("ascii")
    return markers


def _hidden_payloads(raw: str) -> dict[str, str]:
    """Text smuggled as base64 or Unicode tag characters, decoded so the gates see it."""
    found: dict[str, str] = {}
    decoded_blobs = [d for m in _BASE64_RE.finditer(raw) if (d := _decode_base64(m.group(0)))]
    if decoded_blobs:
        found["base64"] = " ".join(decoded_blobs)
    tags = "".join(
        chr(ord(ch) - 0xE0000)
        for run in _TAG_CHARS_RE.findall(raw)
        for ch in run
        if 0x20 <= ord(ch) - 0xE0000 < 0x7F
    )
    if tags.strip():
        found["unicode-tag"] = tags
    return found


def _decode_base64(blob: str) -> str:
    """The blob as text if it decodes to readable words; ids, hashes and keys do not."""
    padded = blob + "=" * (-len(blob) % 4)
    try:
        data = base64.b64decode(padded.replace("-", "+").replace("_", "/"), validate=True)
        text = data.decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return ""
    wordy = sum(ch.isalpha() or ch.isspace() for ch in text)
    if not text or wordy / len(text) < 0.8 or len(text.split()) < 3:
        return ""
    return text


# ------------------------------------------------------------------------------ sentiment

_NEGATOR_RE = re.compile(
    r"(?:\b(?:not|no|never|nothing|hardly|without|isn't|wasn't|aren't|don't|doesn't)|n't)\s+(?:\w+\s+){0,2}$"
)
_ANGER_CUES: tuple[tuple[float, bool, re.Pattern[str]], ...] = tuple(
    (weight, negatable, re.compile(rf"(?<!\w)(?:{pattern})(?!\w)"))
    for weight, negatable, pattern in (
        (
            0.35,
            True,
            r"unacceptable|ridiculous|outrageous|absurd|pathetic|useless|worthless|garbage|rubbish|trash|horrible|terrible"
            r"|awful|worst|disaster|disgrace\w*|disgusting|shameful|incompetent\w*|furious|outraged|livid|fraud\w*|scam\w*"
            r"|thie(?:f|ves)|stealing|robbery|nightmare|insane|a joke|fed up|sick (?:and tired )?of|waste of (?:my |our )?(?:time|money)"
            r"|what am i (?:even |actually )?paying for|are you (?:kidding|serious)|how hard (?:can|is) it"
            r"|lost (?:all )?(?:of )?(?:our|my) (?:files|data|work)",
        ),
        (
            0.15,
            True,
            r"annoy\w*|frustrat\w*|disappoint\w*|upset|angry|mad at|unhappy|regret\w*|stupid|immediately|asap|right now"
            r"|still (?:not|no|broken|waiting)|(?:second|third|fourth|fifth) time|every single time|again\?+|missing|nobody",
        ),
        (
            0.4,
            False,
            r"cancel(?:l?ing|l?ed)? (?:my |our |the )?(?:whole |entire )?(?:team'?s? )?(?:subscription|account|plan|contract)"
            r"|(?:i|we)(?:'ll| will| am going to|'m going to| are going to|'re going to) (?:cancel|leave|switch)\w*"
            r"|(?:moving|switching|going|move|switch|go) to (?:a |another )?(?:competitor|different (?:tool|provider|vendor))"
            r"|(?:or|else) (?:we're|i'm|we are|i am|we'll be|i'll be) (?:out|leaving|gone|done)|(?:i'm|i am|we're|we are) done with"
            r"|leav(?:e|ing) (?:a )?(?:bad |terrible |negative |1[- ]star |one[- ]star )?reviews?|reviews? everywhere"
            r"|call(?:ing)? (?:my|our) bank|report(?:ing)? you|never (?:recommend|use) (?:you|tasklane)|regretting (?:switching|choosing|signing)",
        ),
        (
            0.45,
            False,
            r"fuck\w*|f[*#@$!]{2,}(?:k|ck|in[g']?)?\w*|f\*+k\w*|sh[*#!]t\w*|shit\w*|bullshit|crap\w*|damn\w*|wtf|ffs|goddamn|bloody|pissed|screw (?:you|this)"
            r"|what the hell|idiot\w*|moron\w*",
        ),
    )
)
_EXCLAIM_RE = re.compile(r"[!?]*![!?]+|\?{2,}")
_POLITE_RE = re.compile(r"\b(?:thanks|thank you|thx|cheers|appreciate\w*|kind regards|no rush)\b")
_PLACEHOLDER_RE = re.compile(r"\[[A-Z_]+\]")
_ACRONYMS = frozenset(
    "API CSV PDF SSO URL VAT IT ID HTTP HTTPS CEO CTO CFO GDPR IP US UK EU MFA PR PRS AWS USB IOS OK FAQ CNAME "
    "SAML SCIM IDP UTF XLSX JSON XML MS CRM HR MWST SLA SMS DNS SQL UI UX QA PM AM EST CET UTC GMBH LLC INC "
    "USD EUR GBP IBAN BIC OKTA TLS SSL".split()
)


def anger_score(raw: str, flat: str) -> tuple[float, tuple[str, ...]]:
    """Lexicon cues, shouting and !!!/??? runs, softened by thanks; capped to [0, 1].

    Negation-aware for the lexicon ("not terrible", "no problem"), never for profanity
    or threats to cancel. Weights were set so that one strong word alone stays below the
    default threshold (0.6) and two independent signs of anger reach it.
    """
    score = 0.0
    cues: list[str] = []
    for weight, negatable, pattern in _ANGER_CUES:
        for match in pattern.finditer(flat):
            if negatable and _NEGATOR_RE.search(flat[max(0, match.start() - 40) : match.start()]):
                continue
            if match.group(0) not in cues:
                cues.append(match.group(0))
                score += weight
    caps = _caps_ratio(raw)
    if caps:
        cues.append(f"caps {caps:.0%}")
        score += min(0.5, 1.5 * caps)
    runs = _EXCLAIM_RE.findall(raw)
    if runs:
        cues.append(runs[0])
        score += min(0.24, 0.12 * len(runs))
    if _POLITE_RE.search(flat):
        score -= 0.1
    return round(min(1.0, max(0.0, score)), 3), tuple(cues)


def _caps_ratio(raw: str) -> float:
    """Share of shouted words; 0 below two of them (one caps word is emphasis or a name)."""
    words = _WORD_RE.findall(_PLACEHOLDER_RE.sub(" ", raw))
    words = [w for w in words if len(w) > 1]
    shouted = [w for w in words if w.isupper() and w not in _ACRONYMS]
    if len(shouted) < 2 or len(words) < 3:
        return 0.0
    return len(shouted) / len(words)


# ---------------------------------------------------------------------------- human asked

_WHO = r"(?:human(?: being)?s?|person|people|agent|representative|rep|supervisor|manager|someone|somebody|staff|employee)"
_HUMAN_REQUEST_RES = tuple(
    re.compile(pattern)
    for pattern in (
        rf"\b(?:talk|speak|chat|get through) (?:to|with) (?:a |an |some |your |the )?(?:real |actual |live |human |proper )*{_WHO}\b"
        r"(?! (?:in|on|from|at|of) (?:my|our)\b)",
        r"\b(?:real|actual|live|human) (?:person|human|agent|being|support)\b",
        r"\bnot (?:a |another |some |an )?(?:bot|robot|chatbot|machine|ai)\b",
        r"\b(?:stop|quit|enough with) (?:sending me |the |these )?(?:bots?|chatbots?|automated \w+|canned \w+|articles)\b",
        r"\b(?:don't|do not|no more) (?:want )?(?:another |more |any )?(?:automated|canned|bot|robot) (?:answers?|repl(?:y|ies)|responses?|messages?)\b",
        r"\b(?:asked|asking|ask) for (?:a |an )?(?:human|person|manager|supervisor|real person)\b",
        r"\b(?:want|need|get me|request(?:ing)?|give me) (?:a |an |to a )?(?:human|supervisor|real person|live agent|human agent)\b",
        r"\b(?:escalate|transfer|forward|pass|hand) (?:this |me |it |my (?:ticket|case|request) )?(?:to|over to) (?:a |an |the |your )?(?:human|person|manager|supervisor|real person)\b",
        r"\b(?:please|can you|could you|can someone|could someone|someone) (?:call|phone|ring) (?:me|us)\b"
        r"|\b(?:call|phone|ring) (?:me|us) (?:back|asap|today|tomorrow|now|please|at|on)\b|\bgive (?:me|us) a (?:call|ring)\b|\bphone me\b"
        r"|\bcall ?back (?:number|request|please)\b",
        r"\bhablar con (?:una persona|un humano|alguien|un agente)\b|\bmit einem (?:menschen|mitarbeiter) sprechen\b"
        r"|\bparler (?:à|a) (?:un humain|une personne|quelqu'un)\b",
    )
)


def _human_request(flat: str) -> str:
    """The first un-negated request for a person ("no longer need a human" is not one)."""
    for pattern in _HUMAN_REQUEST_RES:
        for match in pattern.finditer(flat):
            if not _NEGATOR_RE.search(flat[max(0, match.start() - 40) : match.start()]):
                return match.group(0)
    return ""


# ------------------------------------------------------------------------------- decision

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
    flat, obfuscated, _, _ = _variants(normalise(reply))
    found: dict[str, str] = {}
    for name, pattern in _UNSAFE_REPLY_RES:
        if hit := _first_match([pattern], [flat, *obfuscated]):
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
