"""The ticket's language (agent/language.py): detection on short support tickets, the KB's
language assumed when unsure, which languages count as supported, the notice line, and the
`language` escalation — which adds to the risk gates and never replaces one."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from kbops.agent.decision import Action
from kbops.agent.fit import LanguageGuess
from kbops.agent.language import (
    candidate_languages,
    detect_language,
    is_supported,
    letter_count,
    notice_line,
    unsupported_language,
)
from kbops.agent.policy import assess_ticket, decide
from kbops.config import AgentSettings, PolicySettings, Settings
from kbops.errors import ConfigError
from kbops.evals.replay import classify
from kbops.evals.runs import Verdict
from tests.factories import decision, draft, evidence

NOTICES = {"de": "Wir antworten auf Englisch.", "es": "Respondemos en inglés."}


def settings(**agent: object) -> Settings:
    return Settings(agent=AgentSettings(**agent))


DEFAULT = settings()
WITH_NOTICES = settings(language_notices=NOTICES)
ESCALATING = settings(language_notices=NOTICES, unsupported_language="escalate")

SHORT_TICKETS = [
    ("en", "I can't log in since this morning"),
    ("en", "Where can I download my invoices?"),
    ("de", "Ich kann mich seit heute Morgen nicht mehr anmelden"),
    ("de", "Wo finde ich meine Rechnungen?"),
    ("es", "No puedo iniciar sesión desde esta mañana"),
    ("es", "¿Dónde puedo descargar mis facturas?"),
    ("fr", "Je n'arrive plus à me connecter depuis ce matin"),
    ("fr", "Où puis-je télécharger mes factures ?"),
    ("it", "Non riesco ad accedere da stamattina"),
    ("it", "Dove posso scaricare le mie fatture?"),
    ("pt", "Não consigo entrar desde hoje de manhã"),
    ("pt", "Onde posso baixar minhas faturas?"),
    ("nl", "Ik kan sinds vanochtend niet meer inloggen"),
    ("nl", "Waar kan ik mijn facturen downloaden?"),
    ("pl", "Nie mogę się zalogować od rana"),
    ("ja", "パスワードを忘れました"),
]


@pytest.mark.parametrize(("code", "text"), SHORT_TICKETS)
def test_short_tickets_are_told_apart(code: str, text: str) -> None:
    guess = detect_language(text, DEFAULT)
    assert guess.code == code
    assert guess.confidence >= DEFAULT.agent.language_min_confidence


def test_product_words_and_ids_do_not_make_a_german_ticket_english() -> None:
    text = "Mein Webhook liefert seit dem Update 502, Ticket TL-4821, siehe https://status.example.com/api/v2"
    assert detect_language(text, DEFAULT).code == "de"


def test_redaction_placeholders_are_not_read_as_english() -> None:
    text = "Bitte ändern Sie die E-Mail [EMAIL] auf meinem Konto, Telefon [PHONE]"
    assert detect_language(text, DEFAULT).code == "de"


@pytest.mark.parametrize("text", ["", "ok", "Hi", "Danke", "Merci!", "???", "API 401", "TL-4821 500 502"])
def test_too_short_to_tell_is_the_kb_language(text: str) -> None:
    guess = detect_language(text, DEFAULT)
    assert guess == LanguageGuess("", 0.0, supported=True)


def test_an_unsure_guess_is_dropped_for_the_kb_language() -> None:
    text = "Existe modo escuro?"  # Portuguese or Spanish: the detector cannot tell
    sure = detect_language(text, settings(language_min_confidence=0.0))
    unsure = detect_language(text, settings(language_min_confidence=0.99))
    assert sure.code in {"pt", "es"}
    assert unsure.code == "" and unsure.supported and unsure.confidence == pytest.approx(sure.confidence)


def test_a_language_outside_the_candidates_is_not_guessed() -> None:
    only_english = settings(detect_languages=("en", "fr"))
    assert candidate_languages(only_english) == ("en", "fr")
    assert detect_language("Ich kann mich seit heute Morgen nicht mehr anmelden", only_english).code != "de"


def test_the_kb_language_and_notice_languages_are_always_candidates() -> None:
    narrow = settings(detect_languages=("fr",), kb_language="en", language_notices={"de": "Englisch."})
    assert candidate_languages(narrow) == ("de", "en", "fr")
    assert detect_language("Wo finde ich meine Rechnungen?", narrow).code == "de"


def test_a_code_the_detector_does_not_know_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="does not know xx"):
        detect_language("Where can I download my invoices?", settings(detect_languages=("en", "xx")))


@pytest.mark.parametrize("agent", [{"kb_language": "EN"}, {"detect_languages": ("en", "deu")},
                                   {"language_notices": {"German": "Englisch."}},
                                   {"language_notices": {"de": "two\nlines"}}, {"language_notices": {"de": " "}}])
def test_malformed_language_settings_are_refused(agent: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        AgentSettings(**agent)


def test_letters_count_dense_scripts_as_words() -> None:
    assert letter_count("TL-4821 ok!") == 4
    assert letter_count("密码") == 6


def test_supported_is_the_kb_language_or_a_notice_language() -> None:
    assert is_supported("en", WITH_NOTICES) and is_supported("de", WITH_NOTICES) and is_supported("", WITH_NOTICES)
    assert not is_supported("fr", WITH_NOTICES)
    assert detect_language("Wo finde ich meine Rechnungen?", WITH_NOTICES).supported
    assert not detect_language("Où puis-je télécharger mes factures ?", WITH_NOTICES).supported
    assert not detect_language("Wo finde ich meine Rechnungen?", DEFAULT).supported


def test_notice_line_is_the_customers_language_line_or_nothing() -> None:
    german = LanguageGuess("de", 0.99, True)
    assert notice_line(german, WITH_NOTICES) == "Wir antworten auf Englisch."
    assert notice_line(german, DEFAULT) == ""
    assert notice_line(LanguageGuess("fr", 0.99, False), WITH_NOTICES) == ""
    assert notice_line(LanguageGuess("", 0.1, True), WITH_NOTICES) == ""
    assert notice_line(None, WITH_NOTICES) == ""
    in_kb_language = settings(kb_language="de", language_notices={"de": "Wir antworten auf Deutsch."})
    assert notice_line(german, in_kb_language) == ""


def test_unsupported_language_escalates_only_when_the_team_says_so() -> None:
    french = detect_language("Je n'arrive plus à me connecter depuis ce matin", ESCALATING)
    assert not french.supported
    detail = unsupported_language(french, ESCALATING)
    assert "French (fr" in detail and "agent.unsupported_language = escalate" in detail
    assert unsupported_language(french, settings(language_notices=NOTICES)) == ""  # answer_in_kb_language
    assert unsupported_language(detect_language("Wo finde ich meine Rechnungen?", ESCALATING), ESCALATING) == ""
    assert unsupported_language(detect_language("ok", ESCALATING), ESCALATING) == ""
    assert unsupported_language(None, ESCALATING) == ""


def test_decide_adds_the_language_reason_to_an_otherwise_answerable_ticket() -> None:
    text = "Où puis-je télécharger mes factures ?"
    signals = assess_ticket(text, "free", PolicySettings())
    detail = unsupported_language(detect_language(text, ESCALATING), ESCALATING)
    escalated = decide(signals, draft(), [evidence()], PolicySettings(), "free", {}, detail)
    assert escalated.action is Action.ESCALATE
    assert escalated.reasons == ("language",) and escalated.details["language"] == detail
    answered = decide(signals, draft(), [evidence()], PolicySettings(), "free", {})
    assert answered.action is Action.ANSWER


@pytest.mark.parametrize("config", [WITH_NOTICES, ESCALATING, settings(unsupported_language="escalate")])
def test_a_german_refund_request_still_gates_as_refund(config: Settings) -> None:
    text = "Ich möchte eine Rückerstattung für den Jahresplan, bitte."
    language = detect_language(text, config)
    assert language.code == "de"
    signals = assess_ticket(text, "free", PolicySettings())
    outcome = decide(signals, draft(), [evidence()], PolicySettings(), "free", {},
                     unsupported_language(language, config))
    assert outcome.action is Action.ESCALATE
    assert "risk_topic:refund" in outcome.reasons
    assert ("language" in outcome.reasons) == (not language.supported and config.agent.unsupported_language == "escalate")


def test_a_language_escalation_is_a_policy_gate_not_a_kb_gap() -> None:
    assert classify(decision(Action.ESCALATE, "language"), None) is Verdict.GATED
    assert classify(decision(Action.ESCALATE, "language", "low_confidence"), None) is Verdict.GATED
