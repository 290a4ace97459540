"""What a ticket says about the customer's state: how angry they are, and whether they
asked for a person."""

from __future__ import annotations

import re

from .normalise import WORD_RE

NEGATOR_RE = re.compile(
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
            if negatable and NEGATOR_RE.search(flat[max(0, match.start() - 40) : match.start()]):
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
    words = WORD_RE.findall(_PLACEHOLDER_RE.sub(" ", raw))
    words = [w for w in words if len(w) > 1]
    shouted = [w for w in words if w.isupper() and w not in _ACRONYMS]
    if len(shouted) < 2 or len(words) < 3:
        return 0.0
    return len(shouted) / len(words)


_WHO = r"(?:human(?: being)?s?|person|people|agent|representative|rep|supervisor|manager|someone|somebody|staff|employee)"
_PERSON = (
    r"(?:a |an |any |some |one of your |your |the )?(?:real |actual |live |human |proper |genuine |support |customer service )*"
    r"(?:human(?: being)?|person|agent|representative|rep|member of (?:your |the )?(?:staff|team|support(?: team)?)|staff member|employee"
    r"|(?:some|any)(?:one|body) (?:real|from (?:your|the|tasklane)|at (?:your|tasklane)|on your (?:team|end|side)|in (?:your )?support|who works (?:there|at))"
    r"|operator|advisor|consultant)"
)
"""Who a customer asks for: a person, or someone from the company (not "my manager")."""
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
        rf"\b(?:talk|speak|chat|deal|get in touch|reach|contact) (?:to |with )?{_PERSON}\b",
        rf"\b{_PERSON} (?:(?:that|who) )?(?:i|we) (?:can|could|may) (?:talk|speak|chat|write) (?:to|with)\b",
        rf"\b(?:can|could|will|would) {_PERSON} (?:please )?(?:look at|check|review|handle|call|phone|contact|email|e-mail|help|read|get back|reply)",
        rf"\b(?:connect|transfer|put|pass|forward|escalate|hand|route|send) (?:me|us|this|it|my (?:ticket|case|request)) (?:through |over )?(?:to|with) {_PERSON}\b",
        r"\b(?:is|are) (?:there )?(?:anyone|anybody|someone|somebody|a human|a person|any humans?) (?:real|actually|there|human|alive|reading|at (?:tasklane|your end))\b",
        rf"\b(?:have|get) {_PERSON} (?:to )?(?:call|phone|email|e-mail|contact|reply|write|get back|look)",
        r"\b(?:someone|somebody|a person|a human|an agent) on the phone\b|\bon the phone with (?:a |an |some)",
        r"\bhablar con (?:una persona|un humano|alguien|un agente|un operador|un asesor|un representante)\b|\bpersona (?:de verdad|real)\b"
        r"|\b(?:alguien|una persona|un agente|un humano) con (?:quien|quién|el que|la que) (?:pueda|podamos|puedo|hablar)\b"
        r"|\batender (?:\w+ )?(?:una persona|un humano)\b|\batenci[oó]n humana\b",
        r"\bmit (?:einem|einer) (?:echten |richtigen |menschlichen )?(?:menschen|mitarbeiter\w*|person|berater\w*|agenten)\b"
        r"|\bmit jemandem\b(?: \S+){0,8} (?:sprechen|reden|telefonieren)\b|\b(?:echten|richtigen) menschen\b"
        r"|\b(?:einen|eine) (?:echten |richtigen )?(?:menschen|mitarbeiter\w*|person|berater\w*|ansprechpartner\w*)(?: \S+){0,4} (?:sprechen|erreichen)\b",
        r"\bparler (?:à|a|avec) (?:quelqu'un|un humain|une personne|un conseiller|une conseill[eè]re|un agent|une vraie personne|un vrai humain)\b"
        r"|\b(?:vrai humain|vraie personne|personne r[ée]elle)\b|\bmise? en (?:relation|contact) avec (?:un|une|quelqu'un)\b"
        r"|\bquelqu'un (?:à qui|a qui|avec qui) (?:je peux|je pourrais|on peut|parler)\b",
        r"\bparlare con (?:qualcuno|una persona|un operatore|un umano|un essere umano|un consulente)\b|\b(?:persona vera|persona reale|operatore umano)\b"
        r"|\bqualcuno con cui (?:posso|possiamo|potrei|poter) parlare\b|\bmettermi in contatto con (?:un|una|qualcuno)\b",
    )
)


def human_request(flat: str) -> str:
    """The first un-negated request for a person ("no longer need a human" is not one)."""
    for pattern in _HUMAN_REQUEST_RES:
        for match in pattern.finditer(flat):
            if not NEGATOR_RE.search(flat[max(0, match.start() - 40) : match.start()]):
                return match.group(0)
    return ""
