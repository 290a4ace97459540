"""Default values too long to sit in the settings models: categories, risk topics, the
risk keywords that gate tickets, and the metrics an eval can compute."""

from __future__ import annotations

DEFAULT_CATEGORIES = (
    "billing",
    "account",
    "technical",
    "integrations",
    "security",
    "getting-started",
    "feature-request",
    "bug",
)
DEFAULT_RISK_TOPICS = (
    "refund",
    "account-change",
    "account-deletion",
    "legal",
    "security-incident",
    "billing-dispute",
)


DEFAULT_RISK_KEYWORDS: dict[str, tuple[str, ...]] = {
    "refund": (
        r"refund(?:s|ed|ing)?", "money back", r"reimburs(?:e|ed|ement|ing)", "credit back",
        "return the charge", "cancel and refund", r"pay(?:ing)? (?:me|us) back",
        # es / pt / fr / de / it / nl
        r"reembols(?:o|os|ar|en|e|ame|arme)", r"devu[eé]lv(?:a|an|e)n?(?:me)? (?:el|mi|nuestro) dinero",
        r"rembourse(?:ment|r|z)?", r"r(?:ü|ue|u)ckerstattung\w*", r"erstattung\w*",
        r"(?:zur(?:ü|ue|u)ck)?erstatten", r"geld zur(?:ü|ue|u)ck", r"rimbors(?:o|are)", "terugbetaling",
    ),
    "billing-dispute": (
        r"charged (?:me |us )?(?:twice|two times|three times|3 times|multiple times)",
        r"double[- ]?charge[ds]?", "overcharged", r"charge ?backs?", r"disput(?:e|ed|ing)",
        r"unauthori[sz]ed (?:charge|payment|debit)s?", "wrong amount",
        r"you still (?:charged|billed|took|debited|charge|bill)", r"(?:kept|keep|still) (?:charging|billing) (?:me|us)", r"charged (?:me |us )?after (?:i |we )?(?:cancel|downgrad)\w*",
        r"(?:this|that|it) is (?:fraud|theft|a scam|stealing)", r"call(?:ing)? (?:my|our) bank",
        r"(?:cobro|cargo) (?:duplicado|doble)", r"doppelt (?:abgebucht|berechnet)", r"zweimal (?:abgebucht|berechnet)",
        r"(?:factur[ée]|d[ée]bit[ée]) deux fois",
    ),
    "account-change": (
        r"(?:chang(?:e|ing)|transfer(?:ring)?|hand(?:ing)? over|reassign(?:ing)?|switch(?:ing)?) (?:the |our |my )?(?:workspace |account )?owner(?:ship)?",
        r"ownership (?:transfer|change)", r"make me (?:the )?(?:new )?owner", r"make me \([^)]{0,40}\) the owner",
        r"change (?:my|our) (?:account |login )?email(?: address)?(?! (?:notification|setting|preference|digest|alert)s?)",
        r"change (?:the )?(?:account|login) email(?: address)?",
        r"(?:change|update) (?:the )?email(?: address)? (?:on|of) (?:my|our|the) (?:account|login|profile)",
        r"(?:switch|move|change|update) (?:my |our |the )?(?:account|login)(?: email)? (?:over )?to (?:\[email\]|\S+@\S+|(?:a |my )?(?:new|different|personal|work) (?:email|address))",
        r"(?:remove|disable|reset|turn off|switch off|bypass|deactivate) (?:the |my |our |their |his |her )?(?:2fa|two[- ]?factor(?: authentication)?|mfa|multi[- ]?factor(?: authentication)?)",
        r"lost (?:my|our|their|his|her|the) (?:phone|authenticator|2fa device|security key|yubikey)",
        r"(?:no|without|lost (?:my|our|their|the)) (?:backup|recovery) codes",
        r"(?:cambiar|transferir) (?:el )?propietario", r"(?:besitzer|inhaber) (?:ändern|wechseln)",
        r"changer (?:le )?propri[ée]taire",
    ),
    "account-deletion": (
        r"(?:delete|close|remove|erase|cancel and delete|terminate) (?:my|our) (?:whole |entire )?(?:account|workspace)",
        r"(?:delete|close|erase) account",
        r"(?:delete|erase|remove|wipe) all (?:of )?(?:my|our) (?:personal )?data", r"(?:delete|erase|wipe) (?:my|our) (?:personal )?data",
        r"erasure (?:of )?(?:all )?(?:my |our )?(?:personal )?(?:data|information)", r"right to (?:be forgotten|erasure)",
        r"(?:eliminar|borrar|cerrar) (?:mi|nuestra) cuenta", r"(?:eliminen|borren|elimine|borre|cierren) (?:mi|nuestra) cuenta",
        r"(?:konto|account|benutzerkonto|daten) (?:\w+ ){0,2}l(?:ö|oe|o)sch(?:en|ung)", r"l(?:ö|oe|o)sch\w* (?:\w+ ){0,2}(?:konto|account|daten)",
        r"supprim(?:er|ez) (?:mon|notre) compte", r"suppression de (?:mon|notre) compte", r"fermer (?:mon|notre) compte",
        r"cancellare il mio account",
    ),
    "legal": (
        "lawyer", "attorney", "legal action", "lawsuit", "sue you", "gdpr", "subpoena",
        "data protection authority", "court", "dsgvo", "rgpd", "abogado", "anwalt", "avocat",
    ),
    "security-incident": (
        "hacked", r"(?:data|security|privacy) breach(?:es)?", r"(?:was|were|been|got) breached", "compromised", r"unauthori[sz]ed (?:access|login)", "phishing",
        r"someone (?:else )?(?:logged|got) into", "leaked",
    ),
}
"""Gates by phrase. Words are matched whole (`refund` does not fire on `prefunding`), so
inflections are spelled out. German words are tied to an object (`konto löschen`, not bare
`löschen`) so that "eine Aufgabe löschen" (delete a task) stays a how-to question."""


RAGAS_METRICS = (
    "context_recall_ids", "context_precision_ids", "context_recall", "context_precision",
    "rouge_l", "string_similarity", "semantic_similarity",
    "factual_correctness", "answer_relevancy", "faithfulness",
)
"""Every metric `kbops eval` can add per ticket (docs/evals.md says what each means)."""
RAGAS_LLM_METRICS = ("factual_correctness", "answer_relevancy", "faithfulness")
"""The ones judged by Claude: computed only when `ragas.llm_metrics` allows it."""
