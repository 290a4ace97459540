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
    assert reasons[0].startswith("frustration score ")


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


@pytest.mark.parametrize("text", [
    "This is the third time I write about the same invoice. Nobody has replied.",
    "I keep telling you the VAT number is missing. I'm losing patience.",
    "We are losing sales every hour the checkout is down. Fix it or we'll dispute the charge.",
    "Estou muito irritada, o app apaga minhas notas e ninguém responde.",
    "Ik ben het zat. Derde keer dat de app crasht en niemand helpt.",
    "Ich bin es leid, niemand antwortet auf meine Mails.",
])
def test_repeat_failure_being_ignored_and_threats_are_frustration(text: str) -> None:
    profile, reasons = profile_of(text)
    assert profile == "frustrated", reasons


def test_a_mild_cue_is_an_aside_two_or_a_shouted_one_a_complaint() -> None:
    assert profile_of("Can you send the invoice again? I deleted the email by mistake.")[0] == "neutral"
    assert profile_of("L'ordine non è ancora arrivato, potete controllare?")[0] == "neutral"
    assert profile_of("Encore une fois la synchro plante, et toujours pas de réponse.")[0] == "frustrated"
    profile, reasons = profile_of("Sync broken AGAIN. Still nothing from your team.")
    assert profile == "frustrated" and "shouted AGAIN" in reasons[0]


@pytest.mark.parametrize("text", [
    "Is there a second email field for billing contacts?",
    "How can we stop losing customers at checkout? Any tips for the cart page?",
    "How do chargebacks work for my shop's customers?",
    "Recibimos 400 pedidos al día, ¿hay un plan con más capacidad?",
    "Ich möchte mein Abo wieder aktivieren. Geht das?",
    "Am 3.11.26 habe ich die Rechnung bezahlt, bitte bestätigen.",
])
def test_look_alikes_stay_neutral(text: str) -> None:
    profile, reasons = profile_of(text, tier="business")
    assert profile == "neutral", reasons


@pytest.mark.parametrize("text", [
    "Sorry for the silly question, what is a webhook and do I need one? The docs say POST /v1/hooks.",
    "I'm not technical at all. The guide mentions an API token and a JSON file, where do I find those?",
    "Entschuldigen Sie die dumme Frage: was ist ein Webhook und brauche ich einen API-Token?",
    "Desculpem, não sou técnico: o que é uma chave de API e um webhook?",
])
def test_a_self_described_beginner_wins_over_copied_technical_words(text: str) -> None:
    profile, reasons = profile_of(text, tier="enterprise")
    assert profile == "new_user", reasons
    assert reasons[0].startswith("self-described beginner (")


@pytest.mark.parametrize("text, shape", [
    ("kbctl sync --dry-run exits 0 but prints a ValueError traceback. Version 2.1.0.", "--dry-run"),
    ("Does the bucket policy need s3:GetObject on the prefix, or also s3:ListBucket?", "s3:GetObject"),
    ("Upload fails with 'EntityTooLarge' above 5 GB; do you switch to multipart?", "EntityTooLarge"),
    ("Is the cursor ordered by updated_at? We see page=3 repeat rows.", "updated_at"),
])
def test_technical_shapes_make_a_power_user(text: str, shape: str) -> None:
    profile, reasons = profile_of(text)
    assert profile == "power_user", reasons
    assert any(reason.startswith("technical shapes (") and shape in reason for reason in reasons)


def test_an_expert_new_to_the_product_is_a_power_user() -> None:
    recent = CustomerFacts(since=date(2026, 3, 9), opened=date(2026, 3, 11))
    text = "Setting up SAML with Keycloak: do you accept signed AuthnRequests, and which entityID goes in the SP metadata?"
    assert profile_of(text, tier="enterprise", facts=recent)[0] == "power_user"
    assert profile_of("How do I add a task to a board?", facts=recent)[0] == "new_user"


def test_tags_match_with_hyphen_or_underscore() -> None:
    profile, reasons = profile_of("How do I add a teammate?", facts=CustomerFacts(tags=("first-contact",)))
    assert (profile, reasons) == ("new_user", ("tag first-contact",))


def test_new_cue_lists_are_configurable() -> None:
    settings = Settings(agent={"tone_novice_cues": [r"no clue"], "tone_power_user_shapes": [r"\bZX-\d+\b"],
                               "tone_frustrated_mild_cues": [r"meh"]})
    assert profile_of("No clue what an API key is, our webhook says 401", settings=settings)[0] == "new_user"
    assert profile_of("Device ZX-200 on our business plan", tier="business", settings=settings)[0] == "power_user"
    assert profile_of("Sync broken AGAIN", settings=settings)[0] == "neutral"  # the defaults were replaced
    assert profile_of("MEH. The export is empty.", settings=settings)[0] == "frustrated"
    with pytest.raises(ValueError, match="not a valid regular expression"):
        Settings(agent={"tone_power_user_shapes": ["[a-"]})
