"""Default values too long to sit in the settings models: categories, risk topics, the
risk keywords that gate tickets (and the routine phrases that do not), and the metrics an
eval can compute."""

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


_MONEY = (
    r"(?:money|funds|payments?|charges?|fees?|amount|difference|balance|cash|overpayment|deposit|\$\s?\d[\d.,]*|€\s?\d[\d.,]*|£\s?\d[\d.,]*"
    r"|\d[\d.,]*\s?(?:usd|eur|gbp|dollars|euros|pounds|bucks)|what (?:i|we) paid|what (?:i|we) were charged)"
)
"""Words for the money a refund request wants back."""
_MINE = r"(?:my|our)"
_DATA = (
    r"(?:whole |entire |user |personal |customer )?(?:account|workspace|profile|login|user|data|records|information|info|details|history)s?"
    r"(?! (?:picture|photo|image|pic|avatar|name|settings?|page|description|field|view|filter|column|template|tab|preferences?|export|file)s?\b)"
)

DEFAULT_RISK_KEYWORDS: dict[str, tuple[str, ...]] = {
    "refund": (
        r"refund(?:s|ed|ing)?", "money back", r"reimburs(?:e|ed|ement|ing)", "credit back", r"credit(?:ed)? (?:it|that|this|them) back",
        "return the charge", "cancel and refund", r"pay(?:ing)? (?:me|us) back",
        r"(?:give|send|pay|transfer|wire|credit|refund)(?:s|ed|ing)? (?:me |us |it |them )?back\b(?! (?:to (?:me|us) )?(?:about|on|with|when|soon|regarding|later))",
        rf"(?:put|get|give|send|pay|transfer|return|credit|move)(?:s|ed|ing|ting)? (?:me |us )?(?:(?:the|my|our|that|this|all|of|last|those|these|\w+'s)\s+){{0,3}}{_MONEY}\s+(?:\w+\s+){{0,3}}?back\b",
        rf"{_MONEY} (?:\w+ ){{0,6}}?(?:returned|refunded|reversed|reimbursed|paid back|put back|credited back|sent back|given back)",
        rf"return(?:ed|ing)? (?:(?:the|my|our|that|this|all|of)\s+){{0,3}}{_MONEY}",
        r"(?:reverse|undo|void)(?:d)? (?:the|this|that|my|our|last|latest|these|those|both|\$\S+|€\S+)\s+(?:(?:\S+)\s+){0,3}?(?:charge|payment|transaction|debit)s?",
        r"(?:back|returned|refunded|credited) (?:to|on|onto|into) (?:my|our|the) (?:card|credit card|debit card|account|bank(?: account)?|visa|mastercard|amex|paypal)",
        # es / pt / fr / de / it / nl
        r"reembols(?:o|os|ar|en|e|ame|arme|enme|ado|ada|arnos)", r"devu[eé]lv(?:a|an|e|en)(?:me|nos|n)?(?: \w+){0,4} (?:dinero|pago|cargo|importe|cobro|diferencia|d[oó]lares|euros|lo que pagu[eé]|lo que pagamos)",
        r"devoluci[oó]n (?:del? |de mi |de nuestro )?(?:dinero|pago|cargo|importe|cobro)", r"(?:reintegr|regres)\w* (?:\w+ ){0,4}(?:dinero|pago|cargo|importe|d[oó]lares|euros|\d+)",
        r"(?:mi|nuestro) dinero de vuelta",
        r"rembours\w*", r"(?:rend|redonn)(?:ez|re|s)(?:-moi|-nous)? (?:\w+ |l'){0,3}(?:argent|paiement|montant|somme|diff[ée]rence)", r"r[ée]cup[ée]rer (?:mon |notre |l')?argent",
        r"r(?:ü|ue|u)ckerstattung\w*", r"erstattung\w*", r"(?:zur(?:ü|ue|u)ck)?erstatten", r"erstatte\w*", r"geld zur(?:ü|ue|u)ck\w*",
        r"geld (?:\w+ ){0,2}(?:zur(?:ü|ue)ck|wieder)\w*", r"zur(?:ü|ue)ck(?:buch|(?:ü|ue)berweis|zahl)\w*",
        r"rimbors\w*", r"(?:restitu|ridat|rend)\w* (?:\w+ ){0,3}(?:soldi|denaro|pagamento|importo|differenza|somma)", r"restituzione (?:\w+ ){0,3}(?:pagamento|importo|soldi|denaro)",
        r"(?:soldi|denaro) indietro", r"rivoglio (?:\w+ ){0,3}(?:soldi|denaro)", "terugbetaling",
        r"(?:devolv|devu[eé]lv|regres|reintegr|reembols|recuper)\w* (?:\w+ ){0,3}lo que (?:pagu[ée]|pagamos|he pagado|hemos pagado|me cobraron|nos cobraron)",
        r"(?:rend|rembours|r[ée]cup[ée]r|restitu)\w* (?:\w+ ){0,3}ce que (?:j'ai|nous avons|on a) (?:pay[ée]|vers[ée])",
        r"(?:restitu|ridat|rid|riav|rimbors|recuper)\w* (?:\w+ ){0,3}(?:quanto|quello che|ci[òo] che) (?:ho|abbiamo) (?:pagato|versato)",
        r"(?:zur(?:ü|ue)ck|wieder)\w* (?:\w+ ){0,4}was (?:ich|wir) (?:bezahlt|gezahlt)", r"was (?:ich|wir) (?:\w+ ){0,3}(?:bezahlt|gezahlt) (?:\w+ ){0,4}(?:zur(?:ü|ue)ck|wieder)\w*",
    ),
    "billing-dispute": (
        r"charged (?:me |us )?(?:twice|two times|three times|3 times|multiple times)",
        r"double[- ]?charge[ds]?", "overcharged", r"charge ?backs?", r"disput(?:e|ed|ing)",
        r"unauthori[sz]ed (?:charge|payment|debit)s?", "wrong amount",
        r"you still (?:charged|billed|took|debited|charge|bill)", r"(?:kept|keep|still) (?:charging|billing) (?:me|us)",
        r"charged (?:me |us )?after (?:i |we )?(?:cancel|downgrad)\w*",
        r"(?:this|that|it) is (?:fraud|theft|a scam|stealing)", r"call(?:ing)? (?:my|our) bank",
        r"(?:charged|billed|debited|took|taken|withdrew|withdrawn|deducted|collected|pulled|charging|billing)(?: \S+){0,6}? (?:twice|two times|2 times|three times|3 times|double|2x|more than once|multiple times)",
        r"(?:two|three|2|3|duplicate|double|identical|repeated) (?:identical |duplicate |separate |equal )?(?:charges|payments|debits|transactions)",
        r"(?:didn't|did not|never|don't|do not|haven't|have not) (?:\w+ ){0,2}(?:authori[sz]e|agree(?:d)? to|approve|sign(?:ed)? up for|order(?:ed)?|recogni[sz]e)\w* (?:\w+ ){0,3}(?:charge|payment|renewal|transaction|debit|subscription|this|that|it)",
        r"(?:charge|payment|debit|transaction)s? (?:\w+ ){0,4}(?:i|we) (?:don't|do not|didn't|did not|can't|cannot) (?:\w+ )?recogni[sz]e",
        r"(?:still|kept|keep|continue[ds]?) (?:being )?(?:charg|bill|pay)\w* (?:\w+ ){0,3}after (?:i |we )?(?:cancel|clos|downgrad|end)\w*",
        r"(?:bill|charg)\w* (?:me|us) (?:again )?after (?:i|we) (?:had )?(?:cancel|clos|downgrad)\w*",
        r"(?:payment|charge|transaction|debit|purchase)s? (?:\w+ ){0,4}(?:(?:is|are|was|were) )?not (?:mine|ours|from me|from us|by me|made by (?:me|us))",
        r"(?:payment|charge|transaction|debit|purchase)s? (?:that )?(?:i|we) (?:didn't|did not|never) (?:make|made|do|authori[sz]e|buy|order)",
        r"(?:don't|do not|can't|cannot) (?:recall|remember) (?:making|doing|authori[sz]ing|buying|ordering) (?:this |that |the |these |those |a |any )?(?:payment|charge|transaction|purchase)s?",
        r"(?:duplicate[ds]?|repeated) (?:payment|charge|transaction|debit)s?",
        r"(?:charged|billed|debited) (?:\w+ ){0,3}(?:two|2|three|3|several|multiple) (?:separate |different )?times",
        r"(?:payment|charge|transaction|debit)s? (?:\w+ ){0,3}(?:shows?|showing|appears?|appearing|listed|is listed) (?:up )?(?:twice|two times|multiple times|several times|more than once)",
        r"(?:fraud(?:ulent)?|suspicious|unrecogni[sz]ed) (?:\w+ )?(?:charge|payment|transaction|debit)s?",
        r"(?:cobro|cargo) (?:duplicado|doble)", r"(?:cobr|carg)\w* (?:\w+ ){0,3}(?:dos veces|el doble|doble)", r"no (?:he |hemos )?autoric\w* (?:este|ese|el) (?:cargo|cobro|pago)",
        r"(?:doppelt|zweimal|mehrfach) (?:\w+ ){0,2}(?:abgebucht|berechnet|belastet|abgerechnet|eingezogen)",
        r"(?:abgebucht|berechnet|belastet|abgerechnet)\w* (?:\w+ ){0,2}(?:doppelt|zweimal)",
        r"(?:factur|d[ée]bit|pr[ée]lev|charg)\w* (?:\w+ ){0,3}(?:deux fois|en double|(?:à|a) deux reprises)",
        r"(?:addebitat|pagat|prelevat|fatturat)\w* (?:\w+ ){0,3}(?:due volte|il doppio|doppio)",
    ),
    "account-change": (
        r"(?:chang(?:e|ing)|transfer(?:ring)?|hand(?:ing)? over|reassign(?:ing)?|switch(?:ing)?) (?:the |our |my )?(?:workspace |account )?owner(?:ship)?(?! of (?:a|the|this|that|my|our) (?:task|project|board|card|column|list|file|comment)s?\b)",
        r"ownership (?:transfer|change)", r"make me (?:the )?(?:new )?owner", r"make me \([^)]{0,40}\) the owner",
        r"make (?:\w+ ){1,3}(?:the )?(?:new )?(?:workspace |account )?owner(?: of (?:the |our |my )?(?:workspace|account))",
        r"make (?:\w+ ){1,3}(?:the )?(?:new )?(?:workspace|account) owner",
        r"(?:hand|move|pass|give|assign)(?:ing)? (?:over )?(?:the |our |my )?(?:workspace|account)(?: ownership)? (?:over )?to",
        r"(?:workspace |account )?ownership (?:\w+ ){0,3}(?:to me|to my|over to|moved|moving|transferred)",
        r"(?:should no longer|shouldn't|should not) own (?:the|our) (?:workspace|account)",
        r"change (?:my|our) (?:account |login )?email(?: address)?(?! (?:notification|setting|preference|digest|alert)s?)",
        r"change (?:the )?(?:account|login) email(?: address)?",
        r"(?:change|update) (?:the )?email(?: address)? (?:on|of) (?:my|our|the) (?:account|login|profile)",
        r"(?:switch|move|change|update) (?:my |our |the )?(?:account|login)(?: email)? (?:over )?to (?:\[email\]|\S+@\S+|(?:a |my )?(?:new|different|personal|work) (?:email|address))",
        r"(?:change|switch|update|move|replace)\w* (?:the |my |our )?(?:login|sign[- ]in|log[- ]in|account) e-?mail",
        r"(?:as|to be) (?:the|my|our) (?:new )?(?:login|sign[- ]in|account) (?:e-?mail|address)",
        r"(?:remove|disable|reset|turn off|switch off|bypass|deactivate|take off|shut off) (?:the |my |our |their |his |her )?(?:2fa|two[- ]?(?:factor|step)(?: authentication| verification)?|mfa|multi[- ]?factor(?: authentication)?|login codes?|verification codes?|one[- ]time codes?)",
        r"(?:2fa|two[- ]?(?:factor|step)|mfa|login codes?) (?:\w+ ){0,3}(?:turned off|switched off|disabled|removed|reset) (?:for|on) (?:me|us|my|our)",
        r"lost (?:my|our|their|his|her|the) (?:phone|authenticator|2fa device|security key|yubikey)",
        r"(?:no|without|lost (?:my|our|their|the)) (?:backup|recovery) codes",
        r"(?:cambiar|transferir) (?:el )?propietario", r"cambi\w* (?:\w+ ){0,3}(?:correo|e-?mail) (?:de acceso|de inicio de sesi[oó]n|de (?:la|mi|nuestra) cuenta)",
        r"desactiv\w* (?:\w+ ){0,3}(?:verificaci[oó]n en dos pasos|2fa|doble factor|autenticaci[oó]n de dos factores)",
        r"(?:besitzer|inhaber) (?:ändern|wechseln)", r"(?:inhaberschaft|eigent(?:ü|ue)merschaft|besitzer|inhaber|eigent(?:ü|ue)mer)\w* (?:\w+ ){0,4}(?:(?:ü|ue)bertrag|(?:ä|ae)nder|wechsel)\w*",
        r"(?:(?:ü|ue)bertrag|(?:ä|ae)nder|wechsel)\w* (?:\w+ ){0,4}(?:inhaberschaft|eigent(?:ü|ue)merschaft|besitzer|inhaber)\w*",
        r"(?:zwei-?faktor|2fa|zweistufig)\w*(?:-\w+)? (?:\w+ ){0,6}(?:deaktivier|abschalt|ausschalt|entfern|zur(?:ü|ue)cksetz)\w*",
        r"(?:deaktivier|abschalt|ausschalt|entfern|zur(?:ü|ue)cksetz)\w* (?:\w+ ){0,3}(?:zwei-?faktor|2fa|zweistufig)\w*", r"(?:handy|telefon|smartphone) verloren",
        r"(?:login|anmelde)-?(?:e-?mail|adresse)\w* (?:\w+ ){0,3}(?:ä|ae)nder\w*", r"(?:ä|ae)nder\w* (?:\w+ ){0,3}(?:login|anmelde)-?(?:e-?mail|adresse)",
        r"changer (?:le )?propri[ée]taire", r"(?:chang|modifi|transf[ée]r)\w* (?:\w+ ){0,3}propri[ée]t(?:aire|[ée])", r"(?:adresse )?e-?mail de connexion",
        r"d[ée]sactiv\w* (?:\w+ ){0,3}(?:double authentification|authentification (?:à|a) deux facteurs|2fa)",
        r"(?:cambi|modific|trasfer)\w* (?:\w+ ){0,3}propriet(?:à|a|ario)", r"(?:e-?mail|indirizzo) di accesso",
        r"disattiv\w* (?:\w+ ){0,3}(?:autenticazione a due fattori|2fa|verifica in due passaggi)",
    ),
    "account-deletion": (
        r"(?:delete|close|remove|erase|cancel and delete|terminate) (?:my|our) (?:whole |entire )?(?:account|workspace)",
        r"(?:delete|close|erase) account",
        r"(?:delete|erase|remove|wipe) all (?:of )?(?:my|our) (?:personal )?data", r"(?:delete|erase|wipe) (?:my|our) (?:personal )?data",
        r"erasure (?:of )?(?:all )?(?:my |our )?(?:personal )?(?:data|information)", r"right to (?:be forgotten|erasure)",
        rf"(?:delete|close|remove|erase|wipe|nuke|destroy|purge|kill|terminate|scrub|get rid of|deactivate|shut down|obliterate) (?:(?:all|of|every|everything|entire|whole)\s+){{0,2}}{_MINE} {_DATA}",
        r"(?:remove|erase|delete|wipe|scrub|purge) (?:me|us) (?:\w+ ){0,2}from (?:your|the) (?:system|systems|database|databases|servers|records|platform|service)s?",
        r"(?:delete|erase|remove|wipe|purge|scrub|destroy) (?:everything|all|anything|all (?:the )?(?:data|information|info)) (?:\w+ ){0,2}(?:you (?:have|hold|store|keep)|about me|on me|on us|about us)",
        r"(?:take|get|remove|wipe) (?:my|our|all (?:of )?(?:my|our)) (?:data|information|info|details|account|records) (?:off|out of|from) (?:your|the) (?:servers?|systems?|databases?|platform)",
        r"(?:my|our|this) (?:whole |entire )?(?:account|workspace|profile) (?:\w+ ){0,2}(?:deleted|closed|removed|erased|terminated|wiped)",
        r"(?:delete|close|terminate|quit|close out|cancel) (?:this|that) (?:whole )?account", r"close out (?:my|our) account",
        r"(?:eliminar|borrar|cerrar) (?:mi|nuestra) cuenta", r"(?:eliminen|borren|elimine|borre|cierren) (?:mi|nuestra) cuenta",
        r"(?:elimin|borr|cerr|cierr|suprim)\w* (?:\w+ ){0,2}(?:mi|mis|nuestra|nuestras|nuestro|nuestros|toda mi|todos mis|toda nuestra) (?:cuenta|perfil|datos|informaci[oó]n|usuario)",
        r"(?:konto|account|benutzerkonto|daten) (?:\w+ ){0,2}l(?:ö|oe|o)sch(?:en|ung)", r"l(?:ö|oe)sch\w* (?:\w+ ){0,3}(?:konto|account|profil|benutzerkonto|daten|zugang)\w*",
        r"(?:entfern|schlie(?:ß|ss)|deaktivier|vernicht)\w* (?:\w+ ){0,3}(?:mein|unser)\w* (?:konto|account|profil|benutzerkonto|daten|zugang)\w*",
        r"supprim(?:er|ez) (?:mon|notre) compte", r"suppression de (?:mon|notre) compte", r"fermer (?:mon|notre) compte",
        r"(?:supprim|effac|ferm|cl[ôo]tur|d[ée]sactiv|d[ée]trui)\w* (?:\w+ ){0,2}(?:mon|notre|mes|nos) (?:compte|profil|donn[ée]es|informations)",
        r"cancellare il mio account", r"(?:cancell|elimin|chiud|rimuov|disattiv)\w* (?:\w+ ){0,2}(?:il mio|il nostro|i miei|i nostri|mio|nostro) (?:account|profilo|dati|utente)",
    ),
    "legal": (
        r"lawyers?", r"attorneys?", "legal action", r"lawsuits?", r"sue (?:you|tasklane|your company|the company)", "gdpr", "subpoena", "solicitor",
        "data protection authority", "court", "small claims", "dsgvo", "rgpd", r"abogad[oa]s?", r"anw(?:a|ä|ae)lt\w*", r"avocats?",
        r"demand(?:a|ar|aremos|arlos|arles)\b", "acciones legales", r"tribunal(?:es)?", r"verklag\w*", "rechtliche schritte", r"gericht\w*",
        "saisir la justice", "porter plainte", r"poursuites? judiciaires?", r"avvocat[oi]", r"(?:fare|faremo|farò|faccio) causa", "vie legali", "tribunale",
    ),
    "security-incident": (
        "hacked", r"(?:data|security|privacy) breach(?:es)?", r"(?:was|were|been|got) breached", "compromised", r"unauthori[sz]ed (?:access|login)", "phishing",
        r"someone (?:else )?(?:logged|got) into", "leaked",
        r"(?:someone|somebody|an unknown (?:user|person)|a stranger) (?:else )?(?:has |had )?(?:logged|signed|got|broke|gained access|accessed|is using|used|is inside|is in)\b",
        r"(?:but|and) (?:it )?(?:wasn't|was not) (?:me|us|any of us|one of us|anyone (?:here|on (?:my|our) team))\b",
        r"(?:tasks?|logins?|changes?|activity|sessions?|projects?) (?:\w+ ){0,3}(?:i|we) (?:never|didn't|did not) (?:create|make|do|start|recogni[sz]e)\w*",
        r"(?:strange|suspicious|unusual|unknown|unfamiliar) (?:activity|logins?|sign[- ]ins?|sessions?|devices?|access)",
        r"(?:token|password|key|credentials?|api key)s? (?:\w+ ){0,4}(?:leaked|exposed|posted publicly|published|stolen|compromised)",
        r"hacke(?:ad[oa]|aron|o)", r"(?:entr[oó]|accedi[oó]|ingres[oó]) (?:\w+ ){0,2}(?:en )?(?:mi|nuestra) cuenta sin",
        r"gehackt", r"ohne (?:meine |unsere )?(?:erlaubnis|zustimmung|genehmigung)", r"unbefugt\w*",
        r"pirat[ée]e?s?", r"sans (?:mon |notre )?(?:autorisation|accord|permission)",
        r"hackerat\w*", r"(?:è|e) stato violato", r"senza (?:il mio |il nostro )?(?:permesso|autorizzazione)",
    ),
}
"""Gates by phrase. Words are matched whole (`refund` does not fire on `prefunding`), so
inflections are spelled out. Deletions and changes are tied to an object the customer owns
(`delete my account`, `konto löschen`, not bare `delete`) so that "delete a task" stays a
how-to question; money words are tied to a verb that sends them back (`put the
difference back`). Accented letters are spelled both ways (`[ée]`): a match found only
once accents are stripped counts as obfuscation."""

DEFAULT_ROUTINE_PHRASES: tuple[str, ...] = (
    r"refunds? (?:policy|policies|terms|rules|window|period|process|conditions|eligibility|guarantee)",
    r"(?:policy|policies|rules|terms) (?:on|for|about|regarding) refunds?",
    r"how (?:(?:do|does|would|will|are|is|long do|long does) )?(?:the |your |a )?refunds? (?:\w+ ){0,2}(?:work|handled|processed|calculated|issued|take)",
    r"(?:do|does|can|will) (?:you|tasklane) (?:offer|give|provide|do|allow|issue) (?:\w+ )?refunds?",
    r"(?:non-?)?refundable", r"money[- ]back guarantee",
    r"(?:will|would|do|does|can|could|am|are|is) (?:i|we|you|it|my card|our card) (?:be |get )?(?:charged|billed) (?:twice|again|double)",
    r"gdpr[- ](?:complian\w*|ready)|complian\w* with (?:the )?gdpr|(?:are|is) (?:you|tasklane) gdpr",
    r"(?:protect|secure|safe|prevent|avoid|stop)\w* (?:\w+ ){0,4}(?:from )?(?:being |getting )?(?:hacked|compromised|phished)",
    r"pol[ií]tica de reembolsos?", r"(?:ofrecen|dan|hacen|aceptan|tienen) (?:\w+ )?reembolsos?",
    r"(?:r(?:ü|ue|u)ck)?erstattungs(?:richtlinie|bedingungen|politik|regel)\w*", r"geld[- ]zur(?:ü|ue|u)ck[- ]garantie",
    r"politique de remboursement", r"comment fonctionnen?t? (?:le |les )?remboursements?",
    r"politica di rimborso", r"come funziona(?:no)? (?:il |i )?rimbors[oi]",
)
"""Questions about how something works that mention a risk word: a keyword inside one of
these does not gate (one elsewhere in the ticket still does)."""


RAGAS_METRICS = (
    "context_recall_ids", "context_precision_ids", "context_recall", "context_precision",
    "rouge_l", "string_similarity", "semantic_similarity",
    "factual_correctness", "answer_relevancy", "faithfulness",
)
"""Every metric `kbops eval` can add per ticket (docs/evals.md says what each means)."""
RAGAS_LLM_METRICS = ("factual_correctness", "answer_relevancy", "faithfulness")
"""The ones judged by Claude: computed only when `ragas.llm_metrics` allows it."""
