"""Prompt-injection markers: fake role headers and agent turns, "ignore previous
instructions", notes addressed to the model, hidden comments, and text smuggled as base64,
Unicode tags, zero-width or mixed scripts (what is hidden is found by `hidden.py`)."""

from __future__ import annotations

import re
import unicodedata

from .normalise import WORD_RE, first_match, latin_double

_DIRECTIVE = (
    r"(?:\byou\b|ignore|approv|verifi|authori[sz]|escal|eskal|proceed|must|always|never|do not|don't"
    r"|instruction|polic|override|grant|allow|disable|transfer|refund|delete)"
)
"""Words a fake "System:" line uses; a pasted "System: Windows 11" has none of them."""
_MACHINE = r"(?:ai|a\.i\.|ai agent|ai assistant|assistant|bot|chat ?bot|support bot|model|llm|language model|gpt|chatgpt|claude)\b"
"""Whoever reads the ticket when it is not a person; a plain "agent" may be a colleague."""
_ORDER = (
    r"approve|confirm|say|reply|respond|answer|tell|mark|refund|delete|transfer|ignore|disregard|process|grant|issue"
    r"|close|disable|escalate|do not|don't|never|always|you (?:must|should|may|can|are)"
)
"""What a line addressed to the model goes on to demand."""

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
            "note-to-model",
            rf"\b(?:note|message|instructions?|memo|reminder|p\.? ?s\.?|hint|context|notice|request)\s*(?:for|to)\s+(?:the |any |our |your |an? )?{_MACHINE}"
            rf"|\b(?:if|when|since|as) you(?:'re| are) (?:an? |the )?(?:ai|a\.i\.|assistant|bot|chat ?bot|(?:large )?language model|llm|automated \w+|gpt|chatgpt|claude)\b"
            rf"|(?:^|[\n.!?(\[>*]\s*)(?:dear|hey|hi|hello|attention|attn:?|to)\s+(?:the )?{_MACHINE}\s*[,:]"
            rf"|(?:^|[\n.!?(\[>*\"']\s*){_MACHINE}\s*[,:]\s*(?:please\s+)?(?:{_ORDER})",
        ),
        (
            "fake-agent-turn",
            r"(?:^|\n)[\s>*_]*(?:assistant|agent|support(?: agent| team| rep(?:resentative)?)?|tasklane(?: support| agent| team| bot)?"
            r"|bot|ai|chat ?bot|operator|representative|rep|admin|moderator|customer service|help ?desk)[*_ ]*:"
            r"[^\n]{0,200}?\b(?:approv\w*|confirm\w*|processed|refund\w*|reimburs\w*|delet\w*|cancel+ed|verified|granted|done|completed"
            r"|issued|changed|transferred|disabled|reset|removed|escalat\w*|ignore|authori[sz]\w*|credited)\b",
        ),
        (
            "code-fence-role",
            r"```\s*(?:system|assistant|developer|instructions?|prompt|policy|override)\b",
        ),
        (
            "no-human-review",
            r"\bno human (?:review|involvement|needed|check|approval|in the loop)\b|\bwithout (?:a |any )?human (?:review|involvement|check|approval)\b"
            r"|\b(?:escalation|human review|the policy|the gates?|the checks?|escalations) (?:is|are) (?:now )?(?:off|disabled|turned off|not needed|suspended)\b"
            r"|\byou (?:may|can|are allowed to|are permitted to) (?:now )?(?:approve|issue|grant|process|refund|delete|transfer|disable)\b"
            r"|\bmark (?:this|the|my) (?:request|ticket|customer|user|account) (?:as )?(?:verified|approved|resolved|authori[sz]ed)\b",
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


def injection_markers(raw: str, plain: str, obfuscated: list[str]) -> dict[str, str]:
    """Marker name -> matched text, for every injection pattern found in the ticket."""
    markers: dict[str, str] = {}
    texts = [plain, *obfuscated]
    for name, pattern in _INJECTION_RES:
        if hit := first_match([pattern], texts):
            markers[name] = hit.strip()
    if "role-header" not in markers and (match := _UPPER_HEADER_RE.search(raw)):
        markers["role-header"] = match.group(0)
    for name, pattern in (("zero-width", _ZERO_WIDTH_INWORD_RE), ("bidi-control", _BIDI_RE)):
        if match := pattern.search(raw):
            markers[name] = match.group(0).encode("unicode_escape").decode("ascii")
    if word := mixed_script_word(raw):
        markers["mixed-script"] = word.encode("unicode_escape").decode("ascii")
    return markers


def mixed_script_word(raw: str) -> str:
    """The first word that mixes Latin letters with look-alikes from another script
    (`rеfund` with a Cyrillic е, `refսnd` with an Armenian ս): nobody types that by
    accident. Latin letters (`política`, `Straße`, a Turkish `ı`) are not look-alikes."""
    for match in WORD_RE.finditer(raw):
        word = match.group(0)
        if not word.isascii() and any(ch.isascii() for ch in word) and any(_foreign_double(ch) for ch in word):
            return word
    return ""


def _foreign_double(ch: str) -> bool:
    return bool(latin_double(ch)) and not unicodedata.name(ch, "").startswith("LATIN")
