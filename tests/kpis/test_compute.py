"""Ticket KPIs on a hand-made history: each rate with the counts behind it."""

from __future__ import annotations

from kbops.kpis.compute import UNRECORDED, Rate, escalation_reasons, ticket_kpis
from kbops.kpis.period import KpiPeriod
from kbops.tickets.model import TicketStatus
from tests.kpis.history import history_ticket, november


def test_deflection_counts_only_tickets_the_agent_decided() -> None:
    period = KpiPeriod.parse("2026-11")
    kpis = ticket_kpis([t for t in november() if period.holds(t.created_at)])
    assert kpis.created == 10 and kpis.open == 1 and kpis.decided == 9
    assert kpis.deflection == Rate(6, 9)  # the reopened answer is decided, not deflected
    assert kpis.escalation == Rate(2, 9)
    assert kpis.reopened == 1
    assert kpis.deflection.count + kpis.escalation.count + kpis.reopened == kpis.decided


def test_reopen_rate_and_csat_compare_agent_answers_with_specialists() -> None:
    kpis = ticket_kpis(november()[:-1])
    assert kpis.reopen_agent == Rate(1, 7)
    assert (kpis.csat_agent.mean, kpis.csat_agent.rated) == (4.0, 3)  # 5, 5 and the reopened 2
    assert (kpis.csat_specialist.mean, kpis.csat_specialist.rated) == (3.0, 1)


def test_reasons_count_tickets_and_unrecorded_escalations() -> None:
    s = TicketStatus
    reasons = escalation_reasons([
        history_ticket("A", s.ESCALATED, reasons=("low_confidence", "vip_customer")),
        history_ticket("B", s.ESCALATED, reasons=("low_confidence", "low_confidence")),  # once per ticket
        history_ticket("C", s.RESOLVED_BY_SPECIALIST),
        history_ticket("D", s.ESCALATED, reasons=("risk_topic:refund",)),
    ])
    assert [(r.code, r.tickets, r.share) for r in reasons] == [
        ("low_confidence", 2, 0.5), ("risk_topic:refund", 1, 0.25), (UNRECORDED, 1, 0.25), ("vip_customer", 1, 0.25)]


def test_a_rate_of_nothing_has_no_value() -> None:
    kpis = ticket_kpis([history_ticket("O", TicketStatus.OPEN)])
    assert kpis.deflection.value is None and kpis.deflection.as_dict() == {"rate": None, "count": 0, "of": 0}
    assert kpis.csat_agent.mean is None and kpis.reasons == ()
    assert Rate(2, 3).as_dict() == {"rate": 0.6667, "count": 2, "of": 3}
