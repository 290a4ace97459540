"""Promises in a reply that only a human may keep: "I have issued your refund", "your
account has been deleted", "two-factor is now off", "we've added a $20 credit".

A reply is checked after any backend drafted it (offline or Claude), in every language
the risk gates know (English, Spanish, German, French, Italian), over the same
normalised text and de-obfuscated variants as the ticket gates. Only statements that an
action was or will be taken count: "we issue refunds within 14 days of purchase" is
policy text a KB may quote, "we have issued your refund" is a promise.
"""

from __future__ import annotations

import re

from .normalise import first_match, normalise, variants

_DID = r"(?:i|we)(?:'ve| have| had)?(?: just| now| already| also)? "
"""The speaker did it ("we have issued"); present tense ("we issue refunds when...") is policy text."""
_WILL = r"(?:i|we)(?:'ll| will| am going to| are going to|'m going to|'re going to)(?: now| immediately| also| go ahead and)? "
"""The speaker will do it ("I'll process your refund")."""

PROMISE_PATTERNS: dict[str, tuple[str, ...]] = {
    "refund": (
        rf"\b(?:{_DID}(?:issued|processed|approved|initiated|granted|sent)|{_WILL}(?:issue|process|approve|initiate|grant|send)) "
        r"(?:you |it )?(?:a |an |the |your |this )?(?:full |partial |pro-?rated )?refund",
        rf"\b(?:{_DID}(?:refunded|reimbursed|reversed the charge|returned (?:the|your) (?:money|payment|charge))"
        rf"|{_WILL}(?:refund|reimburse|reverse the charge|return (?:the|your) (?:money|payment|charge)))",
        r"\brefund (?:has been|was|have been|is being|will be|is now) (?:approved|issued|processed|initiated|granted|completed|sent)",
        r"\brefunds? (?:is |are )?(?:approved|confirmed|granted|on (?:its|their) way)\b",
        r"\b(?:money|amount|charge|payment|difference|\$\s?\d+|€\s?\d+|\d+ ?(?:usd|eur|dollars|euros)) (?:has been|was|have been|will be|is being) "
        r"(?:returned|refunded|credited|reversed|paid back|put back)",
        # es / de / fr / it
        r"\b(?:hemos|he|se ha|se han|ya) (?:\w+ )?(?:procesado|emitido|aprobado|realizado|tramitado|efectuado) (?:el |su |tu |un )?reembolso",
        r"\b(?:su|tu|el) reembolso (?:ha sido|fue|está|ya está) (?:procesado|aprobado|emitido|realizado|en camino)",
        r"\b(?:ihre|deine|die) (?:r(?:ü|ue)ck)?erstattung (?:wurde|ist|wird) (?:\w+ )?(?:veranlasst|bearbeitet|genehmigt|ausgef(?:ü|ue)hrt|(?:ü|ue)berwiesen)",
        r"\b(?:wir|ich) (?:haben|habe) (?:ihnen |dir )?(?:\w+ )?(?:zur(?:ü|ue)ckerstattet|erstattet|zur(?:ü|ue)ck(?:ü|ue)berwiesen)",
        r"\b(?:nous avons|j'ai|nous allons|je vais) (?:\w+ )?(?:effectu[ée]|proc[ée]d[ée]|[ée]mis|rembours[ée]|approuv[ée]) (?:le |votre |au |un )?(?:remboursement)?",
        r"\b(?:votre|le) remboursement (?:a [ée]t[ée]|est|sera) (?:effectu[ée]|approuv[ée]|[ée]mis|trait[ée]|valid[ée])",
        r"\b(?:abbiamo|ho) (?:\w+ )?(?:emesso|effettuato|approvato|elaborato|rimborsato) (?:il |un |tuo |suo )?(?:rimborso)?",
        r"\b(?:il (?:tuo|suo) )?rimborso (?:è stato|e stato|sarà) (?:emesso|effettuato|approvato|elaborato)",
    ),
    "credit": (
        rf"\b(?:{_DID}(?:added|applied|credited|given|granted|issued)|{_WILL}(?:add|apply|credit|give|grant|issue)) (?:you )?(?:a |an |the )?"
        r"(?:\$\s?\d+ |€\s?\d+ |\d+% |one[- ]month |free )?(?:goodwill |account |service )?(?:credit|discount|voucher|coupon|free month)",
        r"\b(?:a |the |your )?(?:goodwill |account )?(?:credit|discount|voucher|coupon) (?:of [^.]{1,20} )?(?:has been|was|will be|is now) "
        r"(?:added|applied|credited|issued|granted)",
        r"\b(?:next|this) (?:month|invoice|bill) (?:is|will be) (?:on us|free)\b",
    ),
    "account-deletion": (
        r"\b(?:your|the) (?:account|workspace|profile|data)(?: and (?:all )?(?:of )?(?:your |its |the |their )?"
        r"(?:data|files|projects|tasks|content))? (?:has|have) (?:now )?been "
        r"(?:deleted|removed|erased|closed|wiped|purged)",
        rf"\b(?:{_DID}(?:deleted|closed|erased|removed|wiped|purged)|{_WILL}(?:delete|close|erase|remove|wipe)) "
        r"(?:your|the) (?:account|workspace|profile|data)",
        r"\b(?:account|workspace|profile) (?:is|was) (?:now )?(?:deleted|closed|erased)",
        r"\b(?:su|tu) cuenta (?:ha sido|fue) (?:eliminada|borrada|cerrada)",
        r"\b(?:ihr|dein) (?:konto|account) wurde (?:\w+ )?gel(?:ö|oe)scht",
        r"\bvotre compte (?:a [ée]t[ée]|est) (?:supprim[ée]|ferm[ée])",
        r"\bil (?:tuo|suo) account (?:è stato|e stato) (?:eliminato|cancellato|chiuso)",
    ),
    "account-change": (
        r"\bownership (?:has been|was|is now|have been) (?:transferred|changed|moved|updated)",
        rf"\b(?:{_DID}(?:transferred|changed|moved)|{_WILL}(?:transfer|change|move)) (?:the )?(?:workspace |account )?ownership",
        r"\b(?:you are|you're) now the (?:workspace |account )?owner",
        rf"\b(?:{_DID}made|{_WILL}make) you (?:the )?(?:workspace |account )?(?:owner|admin)",
        r"\b(?:2fa|two[- ]factor(?: authentication)?|mfa|multi[- ]factor(?: authentication)?) (?:has been|was|is now|have been) "
        r"(?:disabled|removed|reset|turned off|switched off|deactivated)",
        rf"\b(?:{_DID}(?:disabled|removed|reset|turned off|switched off|deactivated|bypassed)"
        rf"|{_WILL}(?:disable|remove|reset|turn off|switch off|deactivate|bypass)) (?:your |the )?"
        r"(?:2fa|two[- ]factor(?: authentication)?|mfa|multi[- ]factor)",
        r"\b(?:account |login |your )?email (?:address )?(?:has been|was|is now) (?:changed|updated|switched)",
        rf"\b(?:{_DID}(?:changed|updated|reset)|{_WILL}(?:change|update|reset)) (?:your |the )?(?:account |login )?"
        r"(?:email(?: address)?|password)",
        r"\b(?:your )?password (?:has been|was) (?:reset|changed)\b",
        r"\b(?:hemos|he) (?:cambiado|desactivado|transferido) (?:el |su |tu |la )?(?:propietario|correo|autenticaci[óo]n|2fa)",
        r"\b(?:wir haben|ich habe) (?:\w+ )?(?:deaktiviert|ge(?:ä|ae)ndert|(?:ü|ue)bertragen)",
        r"\b(?:nous avons|j'ai) (?:\w+ )?(?:d[ée]sactiv[ée]|chang[ée]|transf[ée]r[ée]) (?:la |le |votre )?(?:double|2fa|propri|e-?mail|adresse)",
        r"\b(?:abbiamo|ho) (?:\w+ )?(?:disattivato|cambiato|trasferito) (?:la |il |l')?(?:verifica|2fa|propriet|email|indirizzo)",
    ),
    "cancellation": (
        r"\b(?:your |the )?(?:subscription|plan|contract) (?:has been|was|is now) (?:cancell?ed|terminated|downgraded)",
        rf"\b(?:{_DID}(?:cancell?ed|terminated|downgraded)|{_WILL}(?:cancel|terminate|downgrade)) "
        r"(?:your |the )?(?:subscription|plan|contract)",
    ),
}
"""Promise kind -> regular expressions over the normalised reply (lowercase, one line)."""

_COMPILED = {kind: tuple(re.compile(p) for p in patterns) for kind, patterns in PROMISE_PATTERNS.items()}


def unsafe_promises(reply: str) -> dict[str, str]:
    """Actions the reply claims were or will be taken that only a human may take:
    kind -> the phrase that says so."""
    flat, obfuscated, _, _ = variants(normalise(reply))
    found: dict[str, str] = {}
    for kind, patterns in _COMPILED.items():
        if hit := first_match(patterns, [flat, *obfuscated]):
            found[kind] = hit
    return found
