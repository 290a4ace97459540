"""Customer health: a planted risky account is found with its evidence and an action that
fits its signals and tier; ordinary accounts are not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from kbops.config import Settings
from kbops.insights.health import account_health, outreach
from kbops.tickets.model import Customer, Ticket, TicketStatus, Tier

END = datetime(2026, 11, 23, tzinfo=UTC)
SETTINGS = Settings(root=Path("."))


def ticket(ticket_id: str, account: str, days_ago: float, *, status: TicketStatus = TicketStatus.RESOLVED_BY_AGENT,
           sentiment: float | None = 0.2, tier: Tier = Tier.PRO, revenue: float | None = 99.0,
           category: str = "technical") -> Ticket:
    return Ticket(id=ticket_id, body="text", created_at=END - timedelta(days=days_ago), status=status,
                  sentiment=sentiment, category=category, customer=Customer(id=account, tier=tier, monthly_revenue=revenue))


def ordinary() -> list[Ticket]:
    return [ticket(f"O-{n}", f"C-{n % 20}", 1 + n % 13) for n in range(40)]  # two tickets per account


def test_an_ordinary_history_has_no_account_at_risk() -> None:
    assert account_health(ordinary(), END, SETTINGS) == []


def test_a_risky_enterprise_account_is_found_with_evidence_and_a_fitting_action() -> None:
    risky = [
        ticket("R-1", "ACME", 12, sentiment=0.4, tier=Tier.ENTERPRISE, revenue=9000),
        ticket("R-2", "ACME", 8, status=TicketStatus.ESCALATED, sentiment=0.0, tier=Tier.ENTERPRISE, revenue=9000),
        ticket("R-3", "ACME", 4, status=TicketStatus.RESOLVED_BY_SPECIALIST, sentiment=-0.5, tier=Tier.ENTERPRISE,
               revenue=9000, category="bug report"),
        ticket("R-4", "ACME", 1, status=TicketStatus.REOPENED, sentiment=-0.8, tier=Tier.ENTERPRISE, revenue=9000,
               category="bug report"),
    ]
    found = account_health([*ordinary(), *risky], END, SETTINGS)
    assert [h.account_id for h in found] == ["ACME"]
    acme = found[0]
    assert acme.signals == ("escalations", "negative_sentiment", "ticket_volume")
    assert acme.ticket_ids == ("R-1", "R-2", "R-3", "R-4") and acme.escalated_ids == ("R-2", "R-3")
    assert acme.priority == "high" and acme.tier == "enterprise" and acme.monthly_revenue == 9000
    assert acme.sentiment_slope is not None and acme.sentiment_slope < -0.3
    assert "1 business day" in acme.action and "9,000/month" in acme.action and "2 escalated tickets" in acme.action
    assert any("R-2, R-3" in line for line in acme.evidence) and any("1 reopened" == line for line in acme.evidence)
    data = acme.to_json()
    assert data["escalated_share"] == 0.5 and data["signals"][0] == "escalations"


def test_old_tickets_are_outside_the_window() -> None:
    old = [ticket(f"X-{n}", "OLD", 15 + n) for n in range(5)]
    assert account_health(old, END, SETTINGS) == []


def test_escalations_need_a_minimum_count_as_well_as_a_share() -> None:
    one = [ticket("E-1", "SMALL", 2, status=TicketStatus.ESCALATED)]
    assert account_health(one, END, SETTINGS) == []  # 100% escalated, but one ticket
    two = [ticket(f"E-{n}", "SMALL", 2 + n, status=TicketStatus.ESCALATED, tier=Tier.FREE) for n in range(2)]
    found = account_health(two, END, SETTINGS)
    assert found[0].signals == ("escalations",) and found[0].priority == "low"
    valuable = [t.model_copy(update={"customer": t.customer.model_copy(update={"tier": Tier.BUSINESS})}) for t in two]
    assert account_health(valuable, END, SETTINGS)[0].priority == "medium"


def test_a_sentiment_that_recovers_is_no_signal() -> None:
    recovering = [ticket(f"S-{n}", "MOODY", 9 - n, sentiment=s) for n, s in enumerate((-0.6, -0.3, 0.4))]
    found = account_health(recovering, END, SETTINGS)
    assert [h.signals for h in found] == [("ticket_volume",)]  # three tickets, but getting better
    assert found[0].priority == "low" and "articles" in found[0].action


def test_the_action_speaks_to_the_signals() -> None:
    assert "frustration" in outreach(["negative_sentiment"], "pro", None, "medium", "", 0)
    assert "session about billing" in outreach(["ticket_volume"], "business", 2000.0, "medium", "billing", 0)
