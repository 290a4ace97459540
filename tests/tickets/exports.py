"""The ticket-export fixtures (`tests/fixtures/import/`) and what tests ask of a TicketSet."""

from __future__ import annotations

from kbops.tickets.model import Ticket, TicketSet
from tests.conftest import REPO

FIXTURES = REPO / "tests" / "fixtures" / "import"
HELPDESK_CSV = FIXTURES / "helpdesk_export.csv"
ZENDESK_JSON = FIXTURES / "zendesk_export.json"
ZENDESK_NDJSON = FIXTURES / "zendesk_export.ndjson"
HELPDESK_COLUMNS = {
    "id": "Ticket ID", "created_at": "Opened", "channel": "Source", "customer.id": "Account",
    "customer_tier": "Plan", "subject": "Subject", "body": "Customer message", "resolution": "Agent answer",
    "resolved_by_article_ids": "KB articles", "tags": "Labels",
}
GOOD_ZENDESK = ["ZD-35436", "ZD-35437", "ZD-35438", "ZD-35440", "ZD-35441", "ZD-35443"]


def by_id(tickets: tuple[Ticket, ...]) -> dict[str, Ticket]:
    """Tickets by their id, in file order."""
    return {t.id: t for t in tickets}


def located(ticket_set: TicketSet) -> list[tuple[int, str | None]]:
    """Where each problem is: (line, ticket id)."""
    return [(p.line, p.ticket_id) for p in ticket_set.problems]
