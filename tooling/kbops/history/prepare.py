"""What a ticket becomes before it enters the history: its text redacted, its sentiment
filled in when the export had none, and a content hash that says whether the stored copy
is already this one.

The hash is taken from the record as read (plus whether it is redacted and
`PREPARATION_VERSION`), before the costly part: a re-import of an unchanged export hashes
and compares, and redacts nothing. Redaction and sentiment are regular-expression work
(about 0.5 ms a ticket), so a large import spreads them over worker processes.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import unicodedata
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from ..agent.policy.customer import anger_score
from ..agent.policy.normalise import normalise, one_line
from ..redact import pseudonym, redacted
from ..tickets.model import Ticket
from .schema import PREPARATION_VERSION

PARALLEL_FROM = 4_000
"""Tickets to prepare before worker processes pay for themselves."""
CHUNK = 1_000


def stored_id(ticket: Ticket, redact: bool) -> str:
    """The id a ticket is stored under: a pseudonym when the id itself is personal data."""
    return pseudonym(ticket.id, "ticket") if redact else ticket.id


def content_hash(ticket: Ticket, redact: bool) -> str:
    """Identifies what import would store for this record (see the module docstring)."""
    payload = f"{ticket.model_dump_json()}\x00redact={redact}\x00prepared={PREPARATION_VERSION}"
    return hashlib.sha256(payload.encode("utf-8", "surrogatepass")).hexdigest()


def sentiment_of(text: str) -> float:
    """Minus the anger score the escalation policy computes (`agent.policy.decide.assess_ticket`:
    the NFKC text and its normalised one-line form), so in [-1, 0]: the policy knows anger,
    not delight. Text hidden in the ticket (base64, HTML comments) is not read here."""
    score, _ = anger_score(unicodedata.normalize("NFKC", text), normalised_flat(text))
    return -round(score, 4) + 0.0  # + 0.0: no -0.0 in the store


def normalised_flat(text: str) -> str:
    """`one_line(normalise(text))`. Plain ASCII without character references has no look-alike,
    invisible or compatibility character to fold, so there it is lowercasing and collapsing
    whitespace; the shortcut halves the cost of sentiment on a large import, and a test holds
    it equal to `normalise` on the demo tickets and the injection cases."""
    if text.isascii() and "&" not in text:
        return " ".join(text.lower().split())
    return one_line(normalise(text))


@dataclass(frozen=True)
class PreparedText:
    """The parts of a ticket import rewrites."""

    subject: str
    body: str
    resolution: str
    account_id: str
    sentiment: float | None
    """Computed sentiment, or None when the record had its own."""


_Job = tuple[str, str, str, str, bool, bool]
"""(subject, body, resolution, account id, needs sentiment, redact): picklable and small."""


def prepare_texts(tickets: Sequence[Ticket], redact: bool) -> list[PreparedText]:
    """Each ticket's stored text and computed sentiment, in order; in worker processes when
    there are many (the result is the same either way)."""
    jobs = [(t.subject, t.body, t.resolution, t.customer.id, t.sentiment is None, redact) for t in tickets]
    workers = min(os.cpu_count() or 1, 8)
    if len(jobs) < PARALLEL_FROM or workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return _prepare_chunk(jobs)
    # fork, not spawn: spawn re-runs the caller's main module in each worker (a script without
    # an `if __name__ == "__main__"` guard would run twice). The children only run the regex
    # work below on the data they are handed; its lazy tables are loaded here, before the fork.
    sentiment_of("ѕсаm!")
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        return [item for chunk in pool.map(_prepare_chunk, _chunks(jobs)) for item in chunk]


def _chunks(jobs: list[_Job]) -> Iterator[list[_Job]]:
    for start in range(0, len(jobs), CHUNK):
        yield jobs[start : start + CHUNK]


def _prepare_chunk(jobs: list[_Job]) -> list[PreparedText]:
    cache: dict[str, str] = {}  # support macros repeat: the same resolution is redacted once
    accounts: dict[str, str] = {}

    def clean(text: str, redact: bool) -> str:
        if not redact or not text:
            return text
        if text not in cache:
            cache[text] = redacted(text)
        return cache[text]

    def account(account_id: str, redact: bool) -> str:
        if not redact:
            return account_id
        if account_id not in accounts:
            accounts[account_id] = pseudonym(account_id, "customer")
        return accounts[account_id]

    prepared = []
    for subject, body, resolution, account_id, needs_sentiment, redact in jobs:
        subject, body = clean(subject, redact), clean(body, redact)
        text = f"{subject}\n{body}".strip() if subject else body
        prepared.append(PreparedText(
            subject, body, clean(resolution, redact), account(account_id, redact),
            sentiment_of(text) if needs_sentiment else None,
        ))
    return prepared

