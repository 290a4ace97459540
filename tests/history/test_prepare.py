"""What import does to a ticket before storing it: the content hash that decides an upsert,
and a sentiment equal to the escalation policy's anger, negated."""

from __future__ import annotations

import pytest

from kbops.agent.policy.decide import assess_ticket
from kbops.agent.policy.normalise import normalise, one_line
from kbops.config import PolicySettings
from kbops.history.prepare import (
    content_hash,
    normalised_flat,
    prepare_texts,
    sentiment_of,
    stored_id,
)
from kbops.tickets.jsonl import read_jsonl
from kbops.tickets.model import Ticket
from tests.conftest import REPO
from tests.injection_cases import INJECTION_CASES

DEMO = read_jsonl(REPO / "evals" / "tickets.jsonl").tickets
TRICKY = [
    "Plain ASCII, with   spaces\n\nand\tTABS!!!", "R&amp;D &#114;efund", "ｒｅｆｕｎｄ fullwidth", "rеfund (Cyrillic е)",
    "soft\u00adhyphen", "zero\u200bwidth", "Ünïcödé ÀÇÇÉNTS", "“quotes” ‘too’", "", "   ",
]


@pytest.mark.parametrize("text", [t.text for t in DEMO] + [c.text for c in INJECTION_CASES] + TRICKY)
def test_the_ascii_shortcut_is_what_normalise_gives(text: str) -> None:
    assert normalised_flat(text) == one_line(normalise(text))


def test_sentiment_is_minus_the_policy_anger_on_the_same_text() -> None:
    for text in [t.text for t in DEMO] + [c.text for c in INJECTION_CASES]:
        anger = assess_ticket(text, "pro", PolicySettings()).sentiment
        assert sentiment_of(text) == -round(anger, 4) + 0.0
    assert sentiment_of("Thanks a lot, no rush.") == 0.0
    assert -1.0 <= sentiment_of("THIS IS THE WORST!!! Unacceptable, I'm cancelling my subscription, f***ing joke") < -0.9


def test_the_content_hash_follows_content_and_redaction() -> None:
    ticket = DEMO[0]
    assert content_hash(ticket, True) == content_hash(ticket.model_copy(), True)
    assert content_hash(ticket, True) != content_hash(Ticket.model_validate({**ticket.model_dump(), "status": "escalated"}), True)
    assert content_hash(ticket, True) != content_hash(ticket, False)  # stored text differs, so the hash does


def test_ids_and_accounts_holding_personal_data_are_pseudonymised_stably() -> None:
    ticket = Ticket.model_validate({"id": "jane@example.com", "body": "Hi", "customer": {"id": "jane@example.com"}})
    assert stored_id(ticket, True) == stored_id(ticket, True) != "jane@example.com"
    assert stored_id(ticket, True).startswith("ticket-")
    assert stored_id(ticket, False) == "jane@example.com"
    assert stored_id(DEMO[0], True) == DEMO[0].id
    (redacted,) = prepare_texts([ticket], True)
    assert redacted.account_id.startswith("customer-")
    (kept,) = prepare_texts([ticket], False)
    assert (kept.account_id, kept.body) == ("jane@example.com", "Hi")
