"""Prompt-injection markers: fake role headers, "ignore previous instructions", hidden
comments, and text smuggled as base64, Unicode tags, zero-width or mixed scripts."""

from __future__ import annotations

import base64
import binascii
import re

from .normalise import TAG_CHARS_RE, first_match

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
_ZERO_WIDTH_INWORD_RE = re.compile("[A-Za-z][\u200b-\u200d\u2060\ufeff]+[A-Za-z]")
_BIDI_RE = re.compile("[\u202a-\u202e\u2066-\u2069]")
_MIXED_SCRIPT_RE = re.compile(r"\b(?=\w*[A-Za-z])(?=\w*[\u0370-\u03ff\u0400-\u04ff])\w+\b")
_BASE64_RE = re.compile(r"(?<![\w+/=-])[A-Za-z0-9+/_-]{24,}={0,2}(?![\w+/=-])")


def injection_markers(raw: str, plain: str, obfuscated: list[str]) -> dict[str, str]:
    """Marker name -> matched text, for every injection pattern found in the ticket."""
    markers: dict[str, str] = {}
    texts = [plain, *obfuscated]
    for name, pattern in _INJECTION_RES:
        if hit := first_match([pattern], texts):
            markers[name] = hit.strip()
    if "role-header" not in markers and (match := _UPPER_HEADER_RE.search(raw)):
        markers["role-header"] = match.group(0)
    for name, pattern in (
        ("zero-width", _ZERO_WIDTH_INWORD_RE),
        ("bidi-control", _BIDI_RE),
        ("mixed-script", _MIXED_SCRIPT_RE),
    ):
        if match := pattern.search(raw):
            markers[name] = match.group(0).encode("unicode_escape").decode("ascii")
    return markers


def hidden_payloads(raw: str) -> dict[str, str]:
    """Text smuggled as base64 or Unicode tag characters, decoded so the gates see it."""
    found: dict[str, str] = {}
    decoded_blobs = [d for m in _BASE64_RE.finditer(raw) if (d := _decode_base64(m.group(0)))]
    if decoded_blobs:
        found["base64"] = " ".join(decoded_blobs)
    tags = "".join(
        chr(ord(ch) - 0xE0000)
        for run in TAG_CHARS_RE.findall(raw)
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
