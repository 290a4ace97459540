"""Hand-made ticket histories and review logs with answers a reader can count on their fingers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from kbops.tickets.model import Ticket, TicketStatus
from kbops.tickets.reviews import Review, ReviewVerdict
from tests.factories import ticket


def history_ticket(ticket_id: str, status: TicketStatus | str | None, *, day: str = "2026-11-10",
                   reasons: Sequence[str] = (), csat: float | None = None, cited: Sequence[str] = (),
                   confidence: float | None = 0.7) -> Ticket:
    return ticket(ticket_id).model_copy(update={
        "created_at": datetime.fromisoformat(f"{day}T10:00:00+00:00"),
        "status": TicketStatus(status) if status else None, "escalation_reasons": tuple(reasons), "csat": csat,
        "cited_article_ids": tuple(cited), "agent_confidence": confidence})


def november() -> list[Ticket]:
    """10 tickets in November 2026: 6 deflected, 1 reopened, 2 escalated, 1 open; and one
    October ticket that must not count."""
    s = TicketStatus
    return [
        *(history_ticket(f"D-{n}", s.RESOLVED_BY_AGENT, csat=5 if n < 2 else None, cited=("export-csv",))
          for n in range(6)),
        history_ticket("R-1", s.REOPENED, csat=2),
        history_ticket("E-1", s.ESCALATED, reasons=("low_confidence", "vip_customer"), csat=3),
        history_ticket("E-2", s.RESOLVED_BY_SPECIALIST),
        history_ticket("O-1", s.OPEN),
        history_ticket("X-1", s.RESOLVED_BY_AGENT, day="2026-10-31"),
    ]


def review(ticket_id: str, verdict: ReviewVerdict, at: str = "2026-11-20") -> Review:
    escalation = verdict in (ReviewVerdict.CORRECTLY_ESCALATED, ReviewVerdict.SHOULD_HAVE_ANSWERED)
    return Review(ticket_id=ticket_id, verdict=verdict, reviewed_at=datetime.fromisoformat(f"{at}T09:00:00").replace(
        tzinfo=UTC), agent_action="escalate" if escalation else "answer", ticket=ticket(ticket_id))
