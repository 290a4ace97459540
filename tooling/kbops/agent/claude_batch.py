"""The Claude backend split in two for Message Batches: first record what each ticket would
send, then answer from the batch's results.

The agent runs in full both times (redaction, risk assessment, retrieval, policy, output
guard), only the drafting call is deferred: so a gated ticket is gated whatever the batch
returns, and a batch result is validated exactly like a live reply (`draft_from`). The
second pass checks that a ticket would send the very request that was batched (same
evidence, same prompt): a result is never matched to a question it did not answer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..llm.batches import request_hash
from ..llm.claude import RequestFailure
from .claude import ClaudeAnswerer
from .decision import Draft, Evidence, TicketInput

NOT_IN_BATCH = RequestFailure("no result for this ticket in the Message Batch")
REQUEST_CHANGED = RequestFailure("the ticket's request changed since the Message Batch was submitted")


class CollectingAnswerer:
    """Records each ticket's request by ticket id and drafts nothing (the decisions of this
    pass are thrown away)."""

    def __init__(self, backend: ClaudeAnswerer) -> None:
        self.backend = backend
        self.name = backend.name
        self.requests: dict[str, dict[str, Any]] = {}

    def answer(self, ticket: TicketInput, evidence: Sequence[Evidence]) -> Draft:
        request = self.backend.request_for(ticket, evidence)
        if request is not None:
            self.requests[ticket.ticket_id] = request
        return Draft(reply="", citations=(), confidence=0.0, can_answer=False, backend=self.name,
                     notes="request collected for a Message Batch")


class BatchResultsAnswerer:
    """Answers from a batch's outcomes (ticket id -> parsed message or RequestFailure),
    through the backend's own validation."""

    def __init__(self, backend: ClaudeAnswerer, outcomes: Mapping[str, Any], hashes: Mapping[str, str]) -> None:
        self.backend = backend
        self.name = backend.name
        self.outcomes = outcomes
        self.hashes = hashes
        """Ticket id -> `request_hash` of the request that was batched for it."""

    def answer(self, ticket: TicketInput, evidence: Sequence[Evidence]) -> Draft:
        request = self.backend.request_for(ticket, evidence)
        if request is None:
            return self.backend.draft_from(None, evidence, attempts=0)
        if self.hashes.get(ticket.ticket_id) != request_hash(request):
            return self.backend.draft_from(REQUEST_CHANGED, evidence)
        return self.backend.draft_from(self.outcomes.get(ticket.ticket_id, NOT_IN_BATCH), evidence, ticket=ticket)
