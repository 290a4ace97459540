"""A hand-off note: the escalation package of one ticket, plus what the receiving function
needs to act without asking support again.

Engineering gets the reproduction (steps tried, errors, versions, environment) and how many
accounts have the same problem; Customer Success the account's context and health; Sales
the plan, seats and the opportunity the wording points at. Each gets a next step of its own.

Every text in a note is masked (`diagnostics.mask`: PII and IP addresses) when the note is
built; the Markdown escaping is the renderer's (`render.py`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol

from ..agent.agent import Agent
from ..agent.decision import Action
from ..agent.package import EscalationPackage, ask_agent, escalation_package
from ..config import Settings
from ..index.embed import Embedder
from ..tickets.model import Ticket
from .context import (
    AffectedAccount,
    CustomerContext,
    affected_accounts,
    customer_context,
    window_of,
    with_ticket,
)
from .diagnostics import Diagnostics, diagnostics, mask, opportunity_signals, seats, steps_tried

HANDOFF_VERSION = 1
RATINGS_LOOKBACK_DAYS = 90
"""How far before the window the account's CSAT history is read."""


class Receiver(StrEnum):
    """The function a note goes to."""

    engineering = "engineering"
    success = "success"
    sales = "sales"


class TicketHistory(Protocol):
    """What a hand-off reads of the history (`history.store.HistoryStore` is one)."""

    def tickets(self, since: datetime | None = None, until: datetime | None = None) -> list[Ticket]: ...
    def span(self) -> tuple[datetime, datetime] | None: ...


@dataclass(frozen=True)
class HandoffArticle:
    article_id: str
    title: str
    section: str
    score: float


@dataclass(frozen=True)
class HandoffNote:
    """Everything a template may show; texts masked, not yet escaped."""

    ticket_id: str
    to: Receiver
    problem: str
    ticket_text: str
    """The customer's message, masked (templates show it as a quoted block)."""
    created_at: str
    channel: str
    category: str
    severity: str
    status: str
    agent_action: str
    """`escalate`, or `answer` when the agent would have answered (its draft is not sent)."""
    agent_found: str
    escalation_reasons: tuple[str, ...]
    why: tuple[str, ...]
    draft_reply: str
    steps_tried: tuple[str, ...]
    diagnostics: Diagnostics
    affected_accounts: tuple[AffectedAccount, ...]
    customer: CustomerContext
    seats: int | None
    opportunity: tuple[str, ...]
    support_next_step: str
    """What support itself should do (the escalation package's step)."""
    next_step: str
    """What the receiving function should do."""
    articles: tuple[HandoffArticle, ...]

    @property
    def affected_tickets(self) -> int:
        return sum(a.tickets for a in self.affected_accounts)

    def as_dict(self, markdown: str) -> dict[str, Any]:
        """The `--json` shape: the note's fields and its rendered Markdown."""
        return {
            "version": HANDOFF_VERSION, "ticket_id": self.ticket_id, "to": str(self.to), "problem": self.problem,
            "steps_tried": list(self.steps_tried), "diagnostics": self.diagnostics.as_dict(),
            "affected_accounts": [vars(a) | {"ticket_ids": list(a.ticket_ids)} for a in self.affected_accounts],
            "customer": self.customer.as_dict() | {"seats": self.seats, "opportunity": list(self.opportunity)},
            "next_step": self.next_step,
            "articles": [vars(a) for a in self.articles],
            "agent": {"action": self.agent_action, "found": self.agent_found,
                      "escalation_reasons": list(self.escalation_reasons), "why": list(self.why),
                      "draft_reply": self.draft_reply, "draft_sent": False,
                      "support_next_step": self.support_next_step},
            "ticket": {"created_at": self.created_at, "channel": self.channel, "category": self.category,
                       "severity": self.severity, "status": self.status},
            "markdown": markdown,
        }


def escalation_for_handoff(agent: Agent, ticket: Ticket) -> tuple[EscalationPackage, bool]:
    """The agent's escalation package for the ticket, and whether the agent would have
    answered it: a ticket handed off is escalated whatever the agent thinks, and its draft,
    if any, is shown as not sent."""
    prepared = agent.prepare(ticket)
    decision, package = ask_agent(agent, prepared)
    if package is not None:
        return package, False
    forced = escalation_package(replace(decision, action=Action.ESCALATE), prepared, agent.provenance)
    assert forced is not None
    return forced, True


def prepare_handoff(ticket: Ticket, to: Receiver, *, agent: Agent, embedder: Embedder, history: TicketHistory,
                    settings: Settings) -> HandoffNote:
    """The note for `ticket`: the agent's package, the window's similar tickets and the
    account's context read from `history`."""
    package, answered = escalation_for_handoff(agent, ticket)
    span = history.span()
    start, end = window_of(ticket, settings, span[1] if span else None)
    window = with_ticket(ticket, history.tickets(since=start, until=end))
    earlier = history.tickets(since=start - timedelta(days=RATINGS_LOOKBACK_DAYS), until=start)
    affected = affected_accounts(ticket, window, embedder, settings.triage.similar_threshold)
    customer = customer_context(ticket, window, earlier, settings, end)
    return build_note(ticket, to, package, answered=answered, affected=affected, customer=customer)


def build_note(ticket: Ticket, to: Receiver, package: EscalationPackage, *, answered: bool,
               affected: Sequence[AffectedAccount], customer: CustomerContext) -> HandoffNote:
    """The note from its parts (pure: what the tests build directly)."""
    text = mask(ticket.text)
    found = diagnostics(text)
    stated_seats = seats(text)
    signals = opportunity_signals(text)
    steps = tuple(mask(step) for step in steps_tried(text))
    note = HandoffNote(
        ticket_id=ticket.id, to=to, problem=mask(package.problem),
        ticket_text=mask(ticket.body), created_at=ticket.created_at.isoformat() if ticket.created_at else "",
        channel=ticket.channel, category=ticket.category, severity=ticket.severity,
        status=str(ticket.status) if ticket.status else "", agent_action="answer" if answered else "escalate",
        agent_found=mask(package.found), escalation_reasons=package.reasons,
        why=tuple(mask(line) for line in package.why), draft_reply=mask(package.draft_reply), steps_tried=steps,
        diagnostics=found, affected_accounts=tuple(affected), customer=customer, seats=stated_seats,
        opportunity=signals, support_next_step=package.next_step, next_step="",
        articles=tuple(HandoffArticle(a.article_id, mask(a.title), mask(a.section), a.score)
                       for a in package.relevant_articles),
    )
    return replace(note, next_step=NEXT_STEP[to](note))


# ---------------------------------------------------------------------- next steps


def _listed(values: Sequence[str], limit: int = 3) -> str:
    return ", ".join(values[:limit])


def engineering_step(note: HandoffNote) -> str:
    """Reproduce in the customer's environment; the spread says how urgent it is."""
    found = note.diagnostics
    where = f" on {_listed(found.environment)}" if found.environment else ""
    versions = f" ({_listed(found.versions)})" if found.versions else ""
    scale = f" with {_listed(found.counts, 2)}" if found.counts else ""
    expect = [f"'{m}'" for m in found.error_messages[:2]] + [f"HTTP {s}" for s in found.http_statuses[:2]]
    expect += list(found.error_codes[:2])
    step = f"Reproduce{where}{versions}{scale}" + (f", expecting {_listed(expect, 4)}" if expect else "") + "."
    if not found.environment and not found.versions:
        step += " The ticket names no environment: ask the customer for browser, OS and app version first."
    accounts = len(note.affected_accounts)
    if accounts > 1:
        step += (f" {accounts} accounts ({note.affected_tickets} tickets) reported the same problem in the last "
                 f"{note.customer.window_days} days: treat it as a wider defect and link their tickets.")
    else:
        step += f" Only this account reported it in the last {note.customer.window_days} days."
    return step


def success_step(note: HandoffNote) -> str:
    """The weekly report's outreach when the account is flagged; else a check-in sized to the account."""
    customer = note.customer
    if customer.outreach:
        step = customer.outreach
    elif customer.sentiment_trend == "worsening" or (customer.escalated >= 2 and customer.escalated_share >= 0.5):
        step = ("Customer Success reaches out this week: acknowledge the recent friction, name one owner for "
                "their open issues and agree on what closes them.")
    elif customer.tier in ("enterprise", "business"):
        step = "The account manager sends a personal check-in once this ticket is resolved."
    else:
        step = "No outreach needed beyond support's reply; watch the account's next tickets."
    low = [rating for rating in customer.csat if rating <= 2]
    if low:
        step += f" Their recent ratings include {len(low)} at 2 or below: ask what went wrong."
    return step


_SALES_TALKS = {
    "upgrade": "walk them through the upgrade: what the next plan adds for their use, and the prorated price",
    "more seats": "offer the seat expansion and the volume price",
    "plan question": "recommend the plan that fits their team and send a quote",
    "annual billing": "propose annual billing (and its discount) ahead of the renewal",
    "enterprise feature": "position the plan that includes the feature they ask about (SSO, SAML, SCIM, audit log, SLA)",
    "churn risk": "retention first: understand why they consider leaving or downgrading before any offer",
}


def sales_step(note: HandoffNote) -> str:
    """The conversation the wording points at, with the account's size."""
    if not note.opportunity:
        return "No buying signal in the ticket: for awareness only; no outreach unless the account asks."
    talks = [_SALES_TALKS[signal] for signal in note.opportunity]
    size = f" for {note.seats} seats" if note.seats else ""
    plan = f"{note.customer.tier} account{size}"
    return f"Call the {plan}: {'; '.join(talks)}."


NEXT_STEP = {Receiver.engineering: engineering_step, Receiver.success: success_step, Receiver.sales: sales_step}
