"""Small hand-made ticket histories for the weekly report: five weeks of ordinary tickets
(2026-W43 to 2026-W47) and, on request, one planted signal of each kind in the last week.

Deterministic: every ticket's text, account, time and status follow from its position, so
a test reads as the signal it plants. Ordinary accounts rotate through a pool larger than
two weeks of tickets, so no ordinary account is ever at risk.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from kbops.insights.weeks import IsoWeek
from kbops.tickets.model import Customer, Ticket, TicketStatus, Tier

WEEK = IsoWeek(2026, 47)
"""The report's week (Mon 2026-11-16 to Sun 2026-11-22)."""
FIRST_WEEK = WEEK.shift(-4)

RECURRING = (
    ("billing", "Invoice question", "The invoice for {x} shows a charge I do not recognise. Can you explain the amount?"),
    ("billing", "Charged twice", "I was charged twice this month for {x}, please refund the duplicate payment."),
    ("technical", "Calendar sync", "My Google Calendar does not sync with the due dates in {x}. How do I set it up?"),
    ("technical", "Slack integration", "How do I connect Slack so that {x} posts task updates to a channel?"),
    ("account management", "Add a teammate", "How can I add a new teammate to {x} and make them an admin?"),
    ("account management", "Lost 2FA phone", "I lost my phone and cannot pass two-factor authentication to open {x}."),
    ("feature request", "Gantt view", "It would be great to have a Gantt chart view for {x}."),
    ("bug report", "Late notifications", "Email notifications about {x} arrive hours late."),
)
PLACES = ("the Marketing project", "our Q3 roadmap", "the onboarding board", "project Atlas", "the design sprint",
          "the sales pipeline", "the hiring plan", "our website relaunch")
PER_TEMPLATE = 3
"""Tickets of each recurring template per week."""

EXPORT_BUG = (
    "CSV export fails with error 500 since the update",
    "Exporting {x} to CSV now fails with an error 500. It worked before the latest update.",
)
EXPORT_ACCOUNTS = ("C-E1", "C-E2", "C-E3", "C-E4", "C-E5", "C-E6", "C-E1", "C-E2")
ARCHIVE_QUESTION = (
    "Archive without deleting",
    "How do I archive {x} without deleting it? I want to keep the history.",
    "Open the project menu and choose Archive. Archived projects keep their tasks and history. "
    "You can restore them from Settings > Archived projects.",
)
RISKY_ACCOUNT = "C-RISK"


def at(week: IsoWeek, day: int, hour: int = 10) -> datetime:
    return week.start + timedelta(days=day, hours=hour)


def ticket(ticket_id: str, subject: str, body: str, created: datetime, account: str, *, category: str = "",
           tier: Tier = Tier.PRO, status: TicketStatus = TicketStatus.RESOLVED_BY_AGENT, confidence: float = 0.8,
           sentiment: float = 0.1, revenue: float | None = 100.0, resolution: str = "Thanks, that is sorted.",
           severity: str = "P3") -> Ticket:
    return Ticket(
        id=ticket_id, subject=subject, body=body, created_at=created, resolution=resolution,
        customer=Customer(id=account, tier=tier, monthly_revenue=revenue), category=category, status=status,
        agent_confidence=confidence, sentiment=sentiment, severity=severity,  # type: ignore[arg-type]
    )


def ordinary_week(week: IsoWeek, start_number: int, per_template: int = PER_TEMPLATE,
                  extra: dict[str, int] | None = None) -> list[Ticket]:
    """Every recurring template `per_template` times, spread over the week; `extra` adds that
    many more tickets of a category, shared by its templates (a planted rise)."""
    plan = [(template, n) for n in range(per_template) for template in RECURRING]
    for category, count in (extra or {}).items():
        own = [t for t in RECURRING if t[0] == category]
        plan += [(own[n % len(own)], per_template + n) for n in range(count)]
    tickets = []
    for offset, ((category, subject, body), n) in enumerate(plan):
        number = start_number + offset
        status = TicketStatus.ESCALATED if number % 5 == 0 else TicketStatus.RESOLVED_BY_AGENT
        tickets.append(ticket(
            f"T-{number}", subject, body.format(x=PLACES[(number + n) % len(PLACES)]),
            at(week, offset % 7, 8 + offset % 9), f"C-{number % 997:04d}", category=category, status=status,
            severity=("P2", "P3", "P4")[number % 3],
        ))
    return tickets


def stable_history(weeks: int = 5, extra: dict[str, int] | None = None) -> list[Ticket]:
    """`weeks` ordinary weeks ending with WEEK; `extra` plants a rise in the last one."""
    tickets: list[Ticket] = []
    for n in range(weeks):
        week = WEEK.shift(n - weeks + 1)
        tickets += ordinary_week(week, 1000 + 100 * n, extra=extra if week == WEEK else None)
    return tickets


def export_bug(days: Sequence[int] = (1, 1, 2, 2, 3, 4, 5, 6)) -> list[Ticket]:
    """A new problem after a release on Monday of WEEK: 8 tickets from 6 accounts, one enterprise (C-E1)."""
    return [
        ticket(f"E-{n}", EXPORT_BUG[0], EXPORT_BUG[1].format(x=PLACES[n % len(PLACES)]), at(WEEK, day, 9 + n),
               EXPORT_ACCOUNTS[n], category="bug report", status=TicketStatus.ESCALATED, sentiment=-0.3,
               tier=Tier.ENTERPRISE if EXPORT_ACCOUNTS[n] == "C-E1" else Tier.PRO,
               revenue=6000.0 if EXPORT_ACCOUNTS[n] == "C-E1" else 100.0)
        for n, day in enumerate(days)
    ]


def archive_questions(count: int = 4) -> list[Ticket]:
    """Questions the agent answered unsure (confidence 0.3), all in WEEK."""
    return [
        ticket(f"D-{n}", ARCHIVE_QUESTION[0], ARCHIVE_QUESTION[1].format(x=PLACES[n]), at(WEEK, n + 1, 15),
               f"C-D{n}", category="technical", confidence=0.3 + n / 100, resolution=ARCHIVE_QUESTION[2])
        for n in range(count)
    ]


def risky_account() -> list[Ticket]:
    """An enterprise account: 4 tickets in ten days, 3 escalated, sentiment falling to -0.7."""
    moments = (at(WEEK.shift(-1), 3), at(WEEK.shift(-1), 5), at(WEEK, 1), at(WEEK, 4))
    sentiments = (0.3, 0.0, -0.4, -0.7)
    statuses = (TicketStatus.RESOLVED_BY_AGENT, TicketStatus.ESCALATED, TicketStatus.ESCALATED,
                TicketStatus.RESOLVED_BY_SPECIALIST)
    return [
        ticket(f"R-{n}", "Automations", f"Our automation rule for {PLACES[n]} stopped moving tasks.", moment,
               RISKY_ACCOUNT, category="bug report", tier=Tier.ENTERPRISE, revenue=8000.0, status=status,
               sentiment=sentiment)
        for n, (moment, sentiment, status) in enumerate(zip(moments, sentiments, statuses, strict=True))
    ]


def planted_history() -> list[Ticket]:
    """The stable history with every signal planted: billing rises, an export bug emerges,
    unsure answers about archiving, one risky account."""
    return [*stable_history(extra={"billing": 12}), *export_bug(), *archive_questions(), *risky_account()]


def by_id(tickets: Sequence[Ticket]) -> dict[str, Ticket]:
    return {t.id: t for t in tickets}


NOW = datetime(2026, 11, 23, tzinfo=UTC)
