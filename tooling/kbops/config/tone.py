"""`[agent]` keys of the reply's tone (issue 17): the cues that pick a tone profile and where
the KB keeps its voice guide. A mixin of `AgentSettings`, kept here so schema.py stays small.

Cues are regular expressions matched, case-insensitively, against the ticket's subject and
text. The defaults cover English, Spanish, German, French and Italian; a team adds its own
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
    r"beginner", r"newbie", r"never used",
    # es
    r"acabo de (?:registrarme|empezar|crear (?:mi|una) cuenta|unirme|darme de alta)", r"soy nuev[oa]",
    r"primera vez que (?:uso|usamos|utilizo)", r"prueba gratuita", r"per[ií]odo de prueba", r"c[oó]mo (?:puedo )?empie(?:zo|zar)",
    # de
    r"(?:gerade|eben|erst) (?:registriert|angemeldet|angefangen)", r"(?:ich bin|wir sind) neu", r"neu bei tasklane",
    r"(?:benutze|nutze|verwende)n? \w+ zum ersten mal", r"zum ersten mal (?:mit|bei)", r"testversion", r"testphase", r"probezeitraum", r"wie fange ich an",
    r"wie starte ich",
    # fr
    r"je viens de (?:m'inscrire|m’inscrire|commencer|créer (?:mon|un) compte|m'abonner)", r"je suis nouvel(?:le)?",
    r"je suis nouveau", r"nouvel utilisateur", r"nouvelle utilisatrice", r"première fois que j'utilise", r"utilise \w+ pour la première fois", r"essai gratuit",
    r"période d'essai", r"comment (?:je )?commence[rz]?", r"par où commencer",
    # it
    r"mi sono appena (?:iscritt[oa]|registrat[oa])", r"sono nuov[oa]", r"prima volta che (?:uso|utilizzo)", r"uso \w+ per la prima volta", r"prova gratuita",
    r"periodo di prova", r"come (?:si )?inizi(?:a|o|are)",
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
)
"""Technical vocabulary: a power user, who gets a concise, technical reply."""

DEFAULT_FRUSTRATED_CUES: tuple[str, ...] = (
    # es
    r"inaceptable", r"rid[ií]cul[oa]", r"estoy hart[oa]", r"vergüenza", r"p[ée]sim[oa]", r"indignad[oa]",
    r"furios[oa]", r"es una estafa",
    # de
    r"inakzeptabel", r"unverschämt", r"frechheit", r"lächerlich", r"katastroph\w*", r"verärgert",
    r"stinksauer", r"eine zumutung", r"(?:ich|wir) habe[n]? (?:es )?satt",
    # fr
    r"inacceptable", r"scandaleu(?:x|se)", r"furieu(?:x|se)", r"honteu(?:x|se)", r"n'importe quoi",
    r"j'en ai marre", r"ras le bol", r"lamentable",
    # it
    r"inaccettabile", r"ridicol[oa]", r"vergognos[oa]", r"assurd[oa]", r"pessim[oa]", r"arrabbiat[oa]",
    r"sono stuf[oa]", r"una truffa",
)
"""Anger wording the policy's (English) anger score does not read; each adds
`tone_frustrated_cue_weight` to it for the tone profile only (never for a gate)."""


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
        DEFAULT_FRUSTRATED_CUES, description="Extra anger wording (regular expressions; Spanish, German, French and "
        "Italian by default) that counts toward the `frustrated` tone."
    )
    tone_frustrated_cue_weight: float = Field(
        0.35, ge=0, le=1, description="What each `tone_frustrated_cues` match adds to the anger score."
    )
    tone_new_user_cues: tuple[str, ...] = Field(
        DEFAULT_NEW_USER_CUES, description="First-contact wording (regular expressions, five languages by default) "
        "that marks a new user: warm, explanatory replies."
    )
    tone_new_user_tags: tuple[str, ...] = Field(
        ("new_user", "first_contact", "onboarding", "trial"), description="Ticket tags that mark a new user."
    )
    tone_new_user_days: int = Field(
        30, ge=0, description="A customer whose `customer.since` is at most this many days before the ticket is a new user."
    )
    tone_power_user_cues: tuple[str, ...] = Field(
        DEFAULT_POWER_USER_CUES, description="Technical vocabulary (regular expressions: API, webhook, SSO/SAML, "
        "regex, CLI, JSON, HTTP status codes, stack traces, code in backticks, config keys) that marks a power user."
    )
    tone_power_tiers: tuple[str, ...] = Field(
        ("business", "enterprise"), description="Tiers that add weight toward the `power_user` tone."
    )
    tone_min_evidence: float = Field(
        2.0, gt=0, description="Evidence a `new_user` or `power_user` profile needs (a technical term or a power "
        "tier counts 1; first-contact wording, a new-user tag or a recent `customer.since` counts 2); the stronger "
        "one wins, else `neutral`."
    )

    @field_validator("tone_frustrated_cues", "tone_new_user_cues", "tone_power_user_cues")
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
