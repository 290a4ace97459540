"""`[agent]` keys of the reply's tone (issue 17): the cues that pick a tone profile and where
the KB keeps its voice guide. A mixin of `AgentSettings`, kept here so schema.py stays small.

Cues are regular expressions matched, case-insensitively, against the ticket's subject and
text. The defaults cover English, Spanish, German, French, Italian, Portuguese and Dutch; a team adds its own
wording (or product terms) by listing patterns, which replace the defaults of that key.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator

DEFAULT_NEW_USER_CUES: tuple[str, ...] = (
    # en
    r"just (?:signed up|registered|joined|started(?: using)?|created (?:my|an|our) account)",
    r"(?:i'?m|i am|we'?re|we are) new (?:to|here|user)", r"new (?:user|customer|account) here", r"new to tasklane",
    r"(?:my|our) first (?:day|week|project)", r"(?:using|use|try(?:ing)?) \w+ for the first time",
    r"first time (?:using|user|here|with)",
    r"(?:free )?trial", r"how do (?:i|we) (?:get )?start(?:ed)?", r"getting started", r"where do (?:i|we) (?:begin|start)",
    r"beginner", r"newbie", r"never used", r"new here",
    # es
    r"acabo de (?:registrarme|empezar|crear (?:mi|una) cuenta|unirme|darme de alta)", r"soy nuev[oa]",
    r"primera vez que (?:uso|usamos|utilizo)", r"prueba gratuita", r"per[ií]odo de prueba", r"c[oó]mo (?:puedo )?empie(?:zo|zar)",
    r"nuev[oa] aqu[ií]",
    # de
    r"(?:gerade|eben|erst) (?:registriert|angemeldet|angefangen)", r"(?:ich bin|wir sind) neu", r"neu bei tasklane",
    r"(?:benutze|nutze|verwende)n? \w+ zum ersten mal", r"zum ersten mal (?:mit|bei)", r"testversion", r"testphase", r"probezeitraum", r"wie fange ich an",
    r"wie starte ich", r"neu hier",
    # fr
    r"je viens de (?:m'inscrire|m’inscrire|commencer|créer (?:mon|un) compte|m'abonner)", r"je suis nouvel(?:le)?",
    r"je suis nouveau", r"nouvel utilisateur", r"nouvelle utilisatrice", r"première fois que j'utilise", r"utilise \w+ pour la première fois", r"essai gratuit",
    r"période d'essai", r"comment (?:je )?commence[rz]?", r"par où commencer", r"nouvel(?:le)? ici", r"nouveau ici",
    # it
    r"mi sono appena (?:iscritt[oa]|registrat[oa])", r"sono nuov[oa]", r"prima volta che (?:uso|utilizzo)", r"uso \w+ per la prima volta", r"prova gratuita",
    r"periodo di prova", r"come (?:si )?inizi(?:a|o|are)", r"nuov[oa] qui",
    # pt
    r"acabei de (?:me registar|me registrar|me inscrever|criar (?:a minha|minha|uma) conta)", r"sou nov[oa]", r"nov[oa] aqui",
    r"primeira vez que (?:uso|usamos)", r"per[ií]odo de (?:teste|avalia[çc][ãa]o)", r"teste gr[áa]tis", r"por onde come[çc]o",
    # nl
    r"(?:net|pas) (?:aangemeld|geregistreerd|begonnen)", r"(?:ik ben|wij zijn|we zijn) nieuw", r"nieuw hier",
    r"(?:de )?eerste keer dat (?:ik|we)", r"proefperiode", r"gratis proef", r"waar (?:begin|start) ik", r"waar moet ik beginnen",
)
"""First-contact wording: a new user, who gets a warm, explanatory reply."""

DEFAULT_POWER_USER_CUES: tuple[str, ...] = (
    r"api", r"rest api", r"webhooks?", r"endpoints?", r"sso", r"saml", r"scim", r"oauth2?", r"oidc", r"idp",
    r"okta", r"azure ad", r"entra id", r"regexp?", r"regular expressions?", r"cli", r"json", r"yaml", r"graphql",
    r"sdk", r"curl", r"bearer", r"api (?:key|token)s?", r"rate.?limit(?:s|ed|ing)?", r"pagination",
    r"payload", r"terraform", r"dns", r"cname", r"tls", r"stack ?trace", r"traceback",
    r"(?:get|post|put|patch|delete) /[\w/{}:.-]*[\w}]", r"/v\d+/[\w/{}:.-]*[\w}]", r"[45]\d\d (?:error|status|response|unauthorized|forbidden"
    r"|not found|too many requests)", r"(?:status|error|code|returns?|returned|gets?|got|getting) (?:code )?[45]\d\d",
    r"`[^`\n]+`", r"[a-z]+(?:_[a-z0-9]+)+ ?[=:]", r"exception",
    r"hmac(?:-sha-?\d+)?", r"(?:rsa-)?sha-?(?:1|256|384|512)", r"utf-?8", r"ascii", r"mqtt", r"pcre", r"re2", r"etl",
    r"idempoten\w+", r"multipart", r"s3", r"acls?", r"keycloak", r"ldap", r"ssh", r"sftp", r"smtp", r"imap", r"docker",
    r"kubernetes", r"etag", r"retry-after", r"if-(?:none-)?match", r"x-[a-z]+(?:-[a-z]+)*(?= ?(?:header|cabecera|en-tête|:))",
    r"(?:recibimos|devuelve|devolve|renvoie|restituisce|riceviamo|bekommen wir|liefert|krijgen we|geeft|recebemos|retorna)"
    r" (?:un |une |el |o |een |den )?(?:error |erreur |errore |erro |fehler |fout |status )?(?:http )?[45]\d\d"
    r"(?= ?(?:[,.;:()]|$| (?:with|con|mit|avec|com|met|when|cuando|wenn|quand|quando|als|above|über|a partir|à partir|acima)\b))",
    r"http [1-5]\d\d", r"[45]xx", r"[45]\d\d (?:with|con|mit|avec|com|met) retry-after",
)
"""Technical vocabulary: a power user, who gets a concise, technical reply."""

DEFAULT_POWER_USER_SHAPES: tuple[str, ...] = (
    r"(?<![\w-])--[a-z][\w-]+",
    r"\b[a-z][a-z0-9]*:[A-Z][A-Za-z]+\b",
    r"\b[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]+){2,}\b",
    r"\b[a-z]{2,}[A-Z](?!S\b)[A-Za-z0-9]*\b",
    r"(?<![\w@.])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w@])",
    r"\b[A-Za-z_]+=[\w.\"'-]+",
    r"(?:\bv|\b(?i:version|versión|versione|versão|versie|release|cli|sdk|api|firmware|plugin|build) v?)\d+\.\d+(?:\.\d+)*\b",
    r"(?<![\w.])\d{1,2}\.\d{1,3}\.x\b",
    r"\bX-[A-Z][A-Za-z]+(?:-[A-Z][A-Za-z]+)*",
    r"File \"[^\"]+\", line \d+", r"\bat [\w$.]+\([\w$.]+:\d+\)", r"\b[A-Z]\w+(?:Error|Exception)\b",
)
"""Shapes of technical text, whatever the language (case-sensitive, on the ticket as written):
a CLI flag (`--parallel`), a permission (`s3:PutObject`), an error or type name in CamelCase
(`EntityTooLarge`, `entityID`), a snake_case key (`updated_at`), key=value, a version (`3.4.1`),
a header (`X-Signature`), a stack-trace line. Each kind found counts like a technical term."""

DEFAULT_FRUSTRATED_CUES: tuple[str, ...] = (
    # en: what the policy's anger score does not read (repeat failure, being ignored, threats, a cost)
    r"(?:third|fourth|fifth|sixth|3rd|4th|5th|6th|umpteenth) (?:time|ticket|email|message|request|reminder|complaint|outage)s?",
    r"(?:nobody|no one|no-one) (?:has )?(?:answers|answered|replies|replied|responds|responded|bothered|gets back|called back)",
    r"(?:i|we) keep (?:telling|asking|explaining|reporting)", r"losing (?:my |our )?patience", r"not good enough",
    r"(?:extremely|very|really|so|incredibly|deeply|absolutely|totally|this) (?:annoyed|frustrated|upset|angry|disappointed"
    r"|unhappy)", r"legal (?:advice|action|steps)",
    r"(?:talk|speak) to (?:my|our) lawyers?", r"(?:file|filing|do|doing|open|opening|request|requesting) (?:a )?charge ?back",
    r"(?:or (?:i|we)(?:'ll| will|'m| am)?|(?:i|we)(?:'ll| will| am going to|'m going to| are going to)) (?:\w+ )?"
    r"(?:disput\w*|charge ?back|call (?:my|our) bank)", r"(?:sent|sending|going|went|run(?:ning)?) (?:me |us )?"
    r"(?:round |around )?in circles", r"canned (?:reply|replies|response|responses|answers?)",
    r"(?:we'?re|we are|i'?m|i am) losing (?:\w+ )?(?:orders|money|sales|customers|clients|revenue|business)",
    r"(?:we|i) (?:have |'ve )?lost (?:a day of |\w+ (?:days|hours) of )?(?:sales|revenue|orders)",
    # es
    r"inaceptable", r"rid[ií]cul[oa]", r"(?:estoy|estamos) hart[oa]s?", r"vergüenza", r"p[ée]sim[oa]", r"indignad[oa]",
    r"furios[oa]", r"es una estafa", r"(?:tercer|cuart|quint)[oa]? (?:vez|correo|mensaje|reclamo)",
    r"nadie (?:me |nos )?(?:responde|contesta|ha respondido|ha contestado|hace caso)",
    r"(?:nos vamos|me voy|nos pasamos|me paso) a (?:la|otra) competencia", r"reclam\w* (?:al|con el|en el|a mi) banco",
    r"estamos perdiendo (?:\w+ )?(?:pedidos|dinero|clientes|ventas)", r"quiero mi dinero",
    r"(?:o|si no) (?:cancelo|me doy de baja|nos damos de baja|nos vamos)",
    # de
    r"inakzeptabel", r"unverschämt", r"frechheit", r"lächerlich", r"katastroph\w*", r"verärgert", r"unzumutbar",
    r"stinksauer", r"eine zumutung", r"(?:ich|wir) habe[n]? (?:es )?satt", r"(?:die )?nase (?:gestrichen )?voll",
    r"(?:ich bin|wir sind) es leid", r"(?:zwei|drei|vier|fünf)mal (?:gemeldet|geschrieben|angerufen|nachgefragt)",
    r"zum (?:dritten|vierten|fünften|x-ten|wiederholten) mal", r"(?:niemand|keiner) (?:antwortet|meldet sich|reagiert|hilft)",
    r"wir verlieren (?:\w+ ){0,2}(?:aufträge|kunden|geld|umsatz|bestellungen)",
    r"(?:sonst|andernfalls) (?:kündige|kündigen|wechseln|gehen) (?:ich|wir)", r"textbaustein\w*", r"rechtliche schritte",
    r"(?:sehr|extrem|total|wirklich|echt) (?:enttäuscht|verärgert|genervt|sauer)",
    # fr
    r"inacceptable", r"inadmissible", r"scandaleu(?:x|se)", r"furieu(?:x|se)", r"honteu(?:x|se)", r"n'importe quoi",
    r"j'en ai (?:vraiment |plus qu')?marre", r"ras[- ]le[- ]bol", r"lamentable", r"j'abandonne",
    r"(?:troisième|quatrième|énième) (?:fois|panne|relance|ticket|mail|message)",
    r"(?:sinon|ou) (?:je résilie|nous résilions|je pars|on part|nous partons)",
    r"personne ne (?:me |nous )?(?:répond|réagit|rappelle)", r"(?:passe|passons|partons|pars) (?:chez|à) la concurrence",
    r"nous perdons (?:des |de l')?(?:commandes|clients|argent|ventes)",
    r"(?:vraiment|très|extrêmement) (?:déçue?|agacée?|énervée?|en colère)",
    # it
    r"inaccettabile", r"inammissibile", r"ridicol[oa]", r"vergognos[oa]", r"assurd[oa]", r"pessim[oa]",
    r"arrabbiat[oa]", r"sono stuf[oa]", r"una truffa", r"non se ne può più",
    r"(?:terz|quart|quint)[oa] (?:volta|segnalazione|richiesta)",
    r"(?:altrimenti|o) (?:disdico|disdiciamo|me ne vado|ce ne andiamo)",
    r"nessuno (?:mi |ci )?(?:risponde|ha risposto|richiama)", r"(?:passiamo|passo|andiamo) (?:alla|a un) concorren(?:za|te)",
    r"(?:stiamo perdendo|perdiamo) (?:\w+ )?(?:ordini|clienti|soldi|vendite)", r"contest\w* l'addebito",
    r"(?:molto|davvero|estremamente) (?:delus[oa]|arrabbiat[oa]|seccat[oa])",
    # pt
    r"absurdo", r"inaceit[áa]vel", r"rid[ií]cul[oa]", r"vergonh(?:a|os[oa])", r"p[ée]ssim[oa]",
    r"(?:estou|estamos) fart[oa]s?", r"ningu[ée]m (?:me |nos )?(?:responde|respondeu|atende)",
    r"(?:sen[ãa]o|ou) (?:cancelo|vou cancelar|vamos cancelar)", r"(?:terceir|quart)[oa] (?:vez|reclamação|mensagem)",
    r"(?:vamos|vou) (?:para|mudar para) a concorr[êe]ncia", r"estamos perdendo (?:\w+ )?(?:pedidos|clientes|dinheiro|vendas)",
    r"(?:muito|extremamente) (?:irritad[oa]|chatead[oa]|decepcionad[oa])",
    # nl
    r"belachelijk", r"onacceptabel", r"schandalig", r"waardeloos", r"(?:ik ben|we zijn) er klaar mee",
    r"(?:ik ben|we zijn) het (?:zat|beu)", r"niemand (?:reageert|antwoordt|belt terug|helpt)",
    r"(?:derde|vierde|vijfde) (?:keer|melding|ticket|mail)", r"storneer\w*", r"anders zeg(?:gen)? (?:ik|we) (?:\w+ )?op",
    r"(?:stappen|gaan) (?:we |ik )?over naar (?:de |een )?concurrent\w*", r"we verliezen (?:\w+ )?(?:orders|bestellingen|klanten|omzet)",
    r"(?:erg|zeer|heel|echt) (?:teleurgesteld|boos|geïrriteerd|gefrustreerd)",
)
"""Anger wording the policy's anger score does not read (the policy reads English insults and
threats; these add repeat failure, being ignored, threats and a cost, in seven languages);
each adds `tone_frustrated_cue_weight` to it for the tone profile only (never for a gate)."""

DEFAULT_FRUSTRATED_MILD_CUES: tuple[str, ...] = (
    r"again", r"still (?:nothing|comes|doesn't|isn't|won't|can't|fails)", r"re: ?re:", r"seriously\??", r"not (?:happy|impressed)",
    r"second time", r"in a row", r"segunda vez", r"(?:mes|semana|vez|día)(?:es)? seguid[oa]s?", r"zum zweiten mal",
    r"deuxième (?:fois|panne|relance)", r"seconda volta", r"tweede keer",
    r"it's been \d+ (?:days|weeks)", r"otra vez", r"de nuevo", r"todav[ií]a no", r"sigue sin", r"(?:schon )?wieder",
    r"immer noch (?:nicht|kein\w*)", r"seit wochen", r"encore une fois", r"toujours pas", r"à nouveau", r"soi-disant",
    r"ancora", r"di nuovo", r"di fila", r"de novo", r"outra vez", r"ainda não", r"mais uma vez", r"w[eé][eé]r", r"alweer",
    r"opnieuw", r"nog steeds (?:niet|geen)", r"op rij",
)
"""Weak signs of exasperation ("again", "still not", "Re: Re:"): each adds
`tone_frustrated_mild_cue_weight`, so one alone is an aside and two make a complaint. Written in
capitals ("AGAIN", "OTRA VEZ") a mild cue is shouted and counts as a strong one."""

DEFAULT_NOVICE_CUES: tuple[str, ...] = (
    # en
    r"(?:stupid|silly|dumb|beginner'?s?|newbie) question", r"(?:i'?m|i am|we'?re|we are) not (?:very |at all |really )?"
    r"(?:technical|tech-savvy|a developer|a programmer)", r"non-technical", r"not a (?:developer|programmer|techie|tech person)",
    r"(?:i'?ve|i have|we'?ve|we have) never (?:done|used|set up|worked with)", r"never done (?:this|that|anything like)",
    r"no idea what (?:that|this|it) means", r"where do i even (?:start|begin)",
    # de
    r"(?:dumme|blöde|naive) frage", r"(?:überhaupt |gar |ganz )?nicht technisch", r"kenne mich (?:\w+ ){0,3}nicht aus",
    r"noch nie (?:gemacht|benutzt|verwendet)",
    # es
    r"pregunta (?:tonta|de novat[oa])", r"no s[ée] nada de (?:tecnolog[ií]a|inform[áa]tica|esto)",
    r"no soy (?:nada )?t[ée]cnic[oa]", r"nunca he (?:hecho|usado|utilizado)",
    # fr
    r"question (?:est )?(?:bête|idiote|stupide|de débutante?)", r"(?:pas du tout|pas) techni(?:que|cienne|cien)",
    r"je débute", r"jamais (?:fait|utilisé)",
    # it
    r"domanda (?:stupida|banale|sciocca)", r"non sono (?:per niente |affatto )?(?:un[oa]? )?(?:tecnic[oa]|espert[oa])",
    r"non ho mai (?:fatto|usato)",
    # pt
    r"pergunta (?:é )?(?:boba|burra|idiota)", r"n[ãa]o entendo nada de", r"n[ãa]o sou t[ée]cnic[oa]",
    r"nunca (?:fiz|usei)",
    # nl
    r"domme vraag", r"(?:helemaal )?niet technisch", r"nog nooit (?:gedaan|gebruikt)",
)
"""Self-described inexperience with the task ("I'm not technical", "sorry if this is a stupid
question", "never done this before"): a new user whatever technical words the ticket copies from
the docs or an error message."""

class ToneSettings(BaseModel):
    """Mixed into `AgentSettings`: these are `[agent]` keys."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    voice_guide: str = Field(
        "_style/voice.md", description="The team's voice guide (per-profile openings, closings, examples and rules), "
        "relative to the KB folder; never an article, never published; missing = plain replies (docs/tone.md)."
    )
    tone_frustrated_threshold: float = Field(
        0.3, ge=0, le=1, description="Anger score (the policy's, plus `tone_frustrated_cues`) from which a reply "
        "takes the calm, measured `frustrated` tone; lower than the escalation threshold on purpose."
    )
    tone_frustrated_cues: tuple[str, ...] = Field(
        DEFAULT_FRUSTRATED_CUES, description="Extra anger wording (regular expressions, seven languages by default: "
        "repeat failure, being ignored, threats to leave or charge back, a cost) that counts toward the `frustrated` tone."
    )
    tone_frustrated_cue_weight: float = Field(
        0.35, ge=0, le=1, description="What each `tone_frustrated_cues` match adds to the anger score."
    )
    tone_frustrated_mild_cues: tuple[str, ...] = Field(
        DEFAULT_FRUSTRATED_MILD_CUES, description="Weak signs of exasperation (regular expressions: \"again\", \"still "
        "not\", \"Re: Re:\", seven languages by default): one alone is an aside, two make a complaint; written in "
        "capitals (shouted) one counts like a `tone_frustrated_cues` match."
    )
    tone_frustrated_mild_cue_weight: float = Field(
        0.15, ge=0, le=1, description="What each `tone_frustrated_mild_cues` match adds to the anger score."
    )
    tone_new_user_cues: tuple[str, ...] = Field(
        DEFAULT_NEW_USER_CUES, description="First-contact wording (regular expressions, seven languages by default) "
        "that marks a new user: warm, explanatory replies."
    )
    tone_novice_cues: tuple[str, ...] = Field(
        DEFAULT_NOVICE_CUES, description="Self-described inexperience (regular expressions: \"I'm not technical\", "
        "\"sorry if this is a stupid question\", \"never done this before\", seven languages by default): a new user "
        "whatever technical words the ticket copies from the docs."
    )
    tone_new_user_tags: tuple[str, ...] = Field(
        ("new_user", "first_contact", "onboarding", "trial"), description="Ticket tags that mark a new user."
    )
    tone_new_user_days: int = Field(
        30, ge=0, description="A customer whose `customer.since` is at most this many days before the ticket is a new user."
    )
    tone_power_user_cues: tuple[str, ...] = Field(
        DEFAULT_POWER_USER_CUES, description="Technical vocabulary (regular expressions: API, webhook, SSO/SAML, "
        "regex, CLI, JSON, HMAC, UTF-8, HTTP status codes and headers, stack traces, code in backticks, config keys) "
        "that marks a power user."
    )
    tone_power_user_shapes: tuple[str, ...] = Field(
        DEFAULT_POWER_USER_SHAPES, description="Shapes of technical text (case-sensitive regular expressions: a CLI "
        "flag, a permission like s3:PutObject, a CamelCase error name, a snake_case key, key=value, a version, a "
        "header, a stack-trace line); each kind found counts like a technical term."
    )
    tone_power_tiers: tuple[str, ...] = Field(
        ("business", "enterprise"), description="Tiers that add weight toward the `power_user` tone."
    )
    tone_min_evidence: float = Field(
        2.0, gt=0, description="Evidence a `new_user` or `power_user` profile needs (a technical term, a kind of "
        "technical shape or a power tier counts 1; first-contact wording, a new-user tag or a recent `customer.since` "
        "counts 2); the stronger one wins, a tie goes to `new_user`, else `neutral`. A self-described beginner "
        "(`tone_novice_cues`) is `new_user` without weighing."
    )

    @field_validator("tone_frustrated_cues", "tone_frustrated_mild_cues", "tone_new_user_cues", "tone_novice_cues",
                     "tone_power_user_cues", "tone_power_user_shapes")
    @classmethod
    def _cues_compile(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        """A typo in a cue must stop the run, not silently never match."""
        bad = []
        for pattern in value:
            try:
                re.compile(pattern)
            except re.error as exc:
                bad.append(f"{pattern!r} ({exc})")
        if bad:
            raise ValueError("not a valid regular expression: " + "; ".join(bad))
        return value
