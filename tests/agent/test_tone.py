"""The tone profile, decided in code: each profile from realistic tickets in several
languages, anger before anything else, new user against power user by evidence, and
reasons that name the evidence."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from kbops.agent.decision import TicketInput
from kbops.agent.policy import assess_ticket
from kbops.agent.tone import CustomerFacts, customer_facts, tone_profile
from kbops.config import Settings
from kbops.tickets.model import Ticket

SETTINGS = Settings()


def profile_of(text: str, tier: str = "pro", facts: CustomerFacts | None = None,
               settings: Settings = SETTINGS) -> tuple[str, tuple[str, ...]]:
    ticket = TicketInput(text=text, tier=tier)
    signals = assess_ticket(ticket.full_text, tier, settings.policy)
    tone = tone_profile(ticket, signals, settings, facts)
    return tone.profile, tone.reasons


@pytest.mark.parametrize("text", [
    "This is ridiculous. The export has failed three times today and I am fed up!!!",
    "WHY IS THE BOARD STILL BROKEN?? I have lost all of my work.",
    "Das ist eine Frechheit. Die Rechnung kam doppelt, völlig inakzeptabel.",
    "Es inaceptable, llevo una semana esperando una respuesta. Estoy harto.",
    "C'est scandaleux, j'en ai marre de ces bugs.",
    "È inaccettabile, sono stufo di questo servizio.",
])
def test_frustrated(text: str) -> None:
    profile, reasons = profile_of(text)
    assert profile == "frustrated"
    assert reasons[0].startswith("anger score ")


@pytest.mark.parametrize("text", [
    "Hi, I just signed up for the free trial. How do I create my first project?",
    "We're new to Tasklane and not sure where to begin with boards.",
    "Hola, acabo de registrarme y no sé cómo invitar a mi equipo.",
    "Hallo, ich bin neu bei Tasklane. Wie fange ich an?",
    "Bonjour, je suis nouveau sur Tasklane, par où commencer ?",
    "Ciao, mi sono appena iscritto: come si inizia un progetto?",
])
def test_new_user(text: str) -> None:
    profile, reasons = profile_of(text, tier="free")
    assert profile == "new_user"
    assert reasons[0].startswith("first-contact wording (")


@pytest.mark.parametrize("text, tier", [
    ("Our webhook gets 429 Too Many Requests from POST /v1/tasks; is the rate limit per token?", "pro"),
    ("SAML SSO with Okta fails: the IdP says audience mismatch.", "free"),
    ("The CLI prints a stack trace when `export_format: json` is set in the config.", "pro"),
    ("Nuestra integración con la API devuelve error 401 con el token nuevo.", "pro"),
    ("Unser Webhook liefert JSON ohne das Feld due_date.", "pro"),
    ("Our API token stopped working this morning.", "enterprise"),
])
def test_power_user(text: str, tier: str) -> None:
    profile, reasons = profile_of(text, tier)
    assert profile == "power_user"
    assert any(reason.startswith("technical terms (") for reason in reasons)


@pytest.mark.parametrize("text", [
    "How do I export a project to CSV?",
    "Can I change the colour of a board column?",
    "¿Cómo exporto un proyecto a PDF?",
    "Wie ändere ich meine E-Mail-Adresse?",
    "This is the first time the export failed for me, can you check?",
    "My client asked for a recurring task every Monday.",
])
def test_neutral(text: str) -> None:
    profile, reasons = profile_of(text)
    assert profile == "neutral", reasons


def test_anger_wins_over_a_power_user_and_a_new_user() -> None:
    profile, reasons = profile_of("This is unacceptable: our webhook returns 500 on every POST /v1/tasks and the "
                                  "API docs are useless.", tier="enterprise")
    assert profile == "frustrated"
    assert "unacceptable" in reasons[0] and "useless" in reasons[0]
    assert profile_of("I just signed up and this is a disgrace, nothing works!!!")[0] == "frustrated"


def test_mild_annoyance_alone_is_not_frustration() -> None:
    assert profile_of("Slightly annoying: the export button moved. Where is it now?")[0] == "neutral"


def test_new_user_against_power_user_by_evidence() -> None:
    # one technical term does not outweigh first-contact wording ...
    assert profile_of("I just signed up. Is there an API?", tier="free")[0] == "new_user"
    # ... three do
    assert profile_of("Just signed up: our webhook posts JSON to an endpoint that returns 401.",
                      tier="free")[0] == "power_user"


def test_tags_and_sign_up_date_mark_a_new_user() -> None:
    text = "How do I add a task to a board?"
    assert profile_of(text, facts=CustomerFacts(tags=("first_contact",))) == ("new_user", ("tag first_contact",))
    recent = CustomerFacts(since=date(2026, 3, 1), opened=date(2026, 3, 11))
    assert profile_of(text, facts=recent) == ("new_user", ("customer since 2026-03-01 (10 days)",))
    long_ago = CustomerFacts(since=date(2024, 3, 1), opened=date(2026, 3, 11))
    assert profile_of(text, facts=long_ago)[0] == "neutral"


def test_customer_facts_come_from_the_ticket_record() -> None:
    ticket = Ticket.model_validate({
        "id": "T-1", "body": "How do I add a task?", "tags": ["New_User"],
        "created_at": datetime(2026, 3, 11, 9, tzinfo=UTC).isoformat(),
        "customer": {"id": "c-1", "tier": "pro", "since": "2026-03-01"},
    })
    assert customer_facts(ticket) == CustomerFacts(("new_user",), date(2026, 3, 1), date(2026, 3, 11))
    assert customer_facts(TicketInput(text="x")) == CustomerFacts()


def test_reasons_name_the_evidence() -> None:
    profile, reasons = profile_of("SAML SSO via Okta: the IdP returns 403.", tier="business")
    assert profile == "power_user"
    assert reasons == ("technical terms (sso, saml, idp, okta +1)", "tier business")


def test_cues_are_configurable() -> None:
    settings = Settings(agent={"tone_new_user_cues": [r"onboarding call"], "tone_power_user_cues": [r"zapier"],
                               "tone_min_evidence": 1.0})
    assert profile_of("After our onboarding call, how do I add tasks?", settings=settings)[0] == "new_user"
    assert profile_of("I just signed up", settings=settings)[0] == "neutral"  # the defaults were replaced
    assert profile_of("Zapier stopped syncing tasks", settings=settings)[0] == "power_user"


def test_a_bad_cue_is_a_config_error() -> None:
    with pytest.raises(ValueError, match="not a valid regular expression"):
        Settings(agent={"tone_power_user_cues": ["(unclosed"]})


def test_words_match_whole_only() -> None:
    assert profile_of("Mi cliente quiere exportar a PDF, ¿cómo se hace?")[0] == "neutral"  # `cli` is not in `cliente`
