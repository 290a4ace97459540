"""Escalated tickets: the Ticket model every reader produces, and how a bad record is reported.

Tickets are untrusted customer text. Readers (`jsonl.py`, `csv_export.py`, `zendesk.py`)
parse them strictly and report each bad record with its line and ticket id rather than
dropping it silently; `files.py` picks the reader for a file.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ..errors import EXIT_BAD_INPUT, KbopsError, one_line

TICKET_SCHEMA_VERSION = 1
PROTECTS_TAG = "protects:"
"""Ticket tag `protects:<article-id>`: a closed gap's ticket kept as that article's regression case."""


class TicketError(KbopsError):
    """A ticket file cannot be used (strict mode, or nothing readable at all)."""

    exit_code = EXIT_BAD_INPUT


class Tier(StrEnum):
    FREE = "free"
    PRO = "pro"
    BUSINESS = "business"
    ENTERPRISE = "enterprise"


class Customer(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(description="Stable customer or organisation id.")
    tier: Tier = Field(Tier.FREE, description="Plan tier; the escalation policy can route high tiers to humans.")
    monthly_revenue: float | None = Field(
        None, ge=0, description="Monthly recurring revenue of the account (optional; triage weighs revenue at risk)."
    )
    since: date | None = Field(
        None, description="When the customer signed up (ISO date, optional); a recent date makes the reply's tone "
        "`new_user` (`agent.tone_new_user_days`)."
    )


class TicketStatus(StrEnum):
    """Where a ticket ended up (the history store and the weekly report read it)."""

    OPEN = "open"
    RESOLVED_BY_AGENT = "resolved_by_agent"
    ESCALATED = "escalated"
    RESOLVED_BY_SPECIALIST = "resolved_by_specialist"
    REOPENED = "reopened"


class Ticket(BaseModel):
    """One escalated ticket with the specialist's resolution: what an eval replays."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1, description="Unique ticket id, e.g. `T-1001`.")
    created_at: datetime | None = Field(None, description="ISO 8601 time the ticket was opened.")
    channel: str = Field("email", description="email, chat, web, phone, ...")
    customer: Customer = Field(Customer(id="unknown"), description="`{id, tier}` of the requester.")
    subject: str = Field("", description="Subject line (may be empty).")
    body: str = Field(min_length=1, description="The customer's message (untrusted text).")
    resolution: str = Field("", description="What the specialist answered or did; the reference answer.")
    resolved_by_article_ids: tuple[str, ...] = Field(
        (), description="KB articles that answer it; `[]` when the KB had no answer (a gap)."
    )
    tags: tuple[str, ...] = Field((), description="Free-form labels (category, `gap`, `refund`, ...).")
    resolved_at: datetime | None = Field(None, description="ISO 8601 time the ticket was resolved (history).")
    status: TicketStatus | None = Field(
        None, description="open, resolved_by_agent, escalated, resolved_by_specialist or reopened (history)."
    )
    category: str = Field("", description="Triage category, when known (history; trains the category classifier).")
    severity: Literal["", "P1", "P2", "P3", "P4"] = Field("", description="Triage severity P1-P4, when known (history).")
    agent_confidence: float | None = Field(
        None, ge=0, le=1, description="The answering agent's confidence, when it saw the ticket (history)."
    )
    cited_article_ids: tuple[str, ...] = Field((), description="Articles the agent cited in its reply (history).")
    csat: float | None = Field(None, ge=1, le=5, description="Customer satisfaction 1-5, when the customer rated it.")
    escalation_reasons: tuple[str, ...] = Field(
        (), description="Why the agent escalated it (reason codes such as `low_confidence`, `risk_topic:refund`), "
        "when it did (history; `kbops kpis` counts them)."
    )
    expected_action: Literal["", "answer", "escalate"] = Field(
        "", description="What the agent must do with it, when a reviewer said so (`evals/reviews.jsonl`): "
        "`escalate` = answering is a false deflection; `answer` = it should be deflected. Empty = graded as usual."
    )
    sentiment: float | None = Field(
        None, ge=-1, le=1, description="-1 (angry) to 1 (happy); computed from the text on import when absent."
    )

    @property
    def protected_articles(self) -> tuple[str, ...]:
        """Articles written since to answer this (closed-gap) ticket: its `protects:` tags."""
        return tuple(t.removeprefix(PROTECTS_TAG) for t in self.tags if t.startswith(PROTECTS_TAG))

    @property
    def text(self) -> str:
        """Subject and body as one query."""
        return f"{self.subject}\n{self.body}".strip() if self.subject else self.body


@dataclass(frozen=True)
class TicketProblem:
    """A record that could not be read, with where it is and why."""

    source: str
    line: int
    ticket_id: str | None
    message: str

    def render(self) -> str:
        """One line, whatever the record held (an id with a newline cannot fake a second problem)."""
        who = f" (ticket {one_line(self.ticket_id, 60)})" if self.ticket_id else ""
        return f"{self.source}:{self.line}{who}: {one_line(self.message, 300)}"


@dataclass(frozen=True)
class TicketSet:
    tickets: tuple[Ticket, ...]
    problems: tuple[TicketProblem, ...]
