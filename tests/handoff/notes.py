"""Hand-off notes for the tests, built from real parts (the agent's package, the account's
context over a small history) without an index."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from kbops.agent.decision import Action, TicketInput
from kbops.agent.package import escalation_package
from kbops.config import Settings
from kbops.handoff.build import HandoffNote, Receiver, build_note
from kbops.handoff.context import AffectedAccount, customer_context
from kbops.tickets.model import Customer, Ticket, TicketStatus
from tests.factories import decision, evidence

T0 = datetime(2026, 11, 20, 9, tzinfo=UTC)
SETTINGS = Settings(root=Path("."))


def history_ticket(ticket_id: str, body: str, *, days_before: float = 0, account: str = "acme",
                   tier: str = "business", revenue: float | None = 1200.0, status: str = "resolved_by_specialist",
                   sentiment: float | None = None, csat: float | None = None, subject: str = "") -> Ticket:
    return Ticket(id=ticket_id, created_at=T0 - timedelta(days=days_before), subject=subject, body=body,
                  customer=Customer(id=account, tier=tier, monthly_revenue=revenue), status=TicketStatus(status),
                  sentiment=sentiment, csat=csat, category="bug report", severity="P2", channel="email")


def note_for(ticket: Ticket, to: Receiver, *, window: Sequence[Ticket] = (), answered: bool = False,
             affected: Sequence[AffectedAccount] | None = None) -> HandoffNote:
    """The note as `prepare_handoff` builds it, with the agent's decision made up."""
    action = Action.ANSWER if answered else Action.ESCALATE
    made = decision(action, *(() if answered else ("low_confidence",)), ticket_id=ticket.id,
                    reply="Open Settings > Cache and clear it.", evidence=[evidence(article_score=0.61)],
                    confidence=0.42)
    prepared = TicketInput(text=ticket.text, subject=ticket.subject, tier=str(ticket.customer.tier),
                           ticket_id=ticket.id)
    package = escalation_package(replace(made, action=Action.ESCALATE), prepared)
    assert package is not None
    window = [*window, ticket]
    customer = customer_context(ticket, window, (), SETTINGS, T0 + timedelta(seconds=1))
    if affected is None:
        affected = (AffectedAccount(ticket.customer.id, str(ticket.customer.tier), 1, (ticket.id,), True),)
    return build_note(ticket, to, package, answered=answered, affected=affected, customer=customer)
