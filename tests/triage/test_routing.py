"""Routing: the first matching rule names the queue and SLA; no match = the category's queue."""

from __future__ import annotations

from datetime import UTC, datetime

from kbops.config import RouteRule, TriageSettings
from kbops.triage.routing import route

RULES = (
    RouteRule(severity="P1", tier="enterprise", queue="enterprise-oncall", sla_hours=0.5),
    RouteRule(category="billing", queue="billing-team"),
    RouteRule(severity="P1", queue="incident"),
)
SETTINGS = TriageSettings(routes=RULES)


def test_the_first_rule_that_matches_all_its_conditions_wins() -> None:
    assert route(SETTINGS, category="billing", severity="P1", tier="Enterprise").queue == "enterprise-oncall"
    assert route(SETTINGS, category="billing", severity="P1", tier="pro").queue == "billing-team"
    assert route(SETTINGS, category="bug report", severity="P1", tier="pro").queue == "incident"


def test_a_rule_without_sla_takes_the_severity_default() -> None:
    chosen = route(SETTINGS, category="Billing", severity="P3", tier="free")
    assert (chosen.queue, chosen.sla_hours, chosen.rule) == ("billing-team", 24, 1)
    assert route(SETTINGS, category="billing", severity="P1", tier="enterprise").sla_hours == 0.5


def test_no_matching_rule_sends_the_ticket_to_its_category_queue() -> None:
    chosen = route(SETTINGS, category="feature request", severity="P4", tier="free")
    assert (chosen.queue, chosen.sla_hours, chosen.rule) == ("feature request", 72, None)
    assert route(TriageSettings(), category="technical", severity="P2", tier="pro").queue == "technical"


def test_the_due_time_is_the_creation_time_plus_the_sla() -> None:
    chosen = route(SETTINGS, category="technical", severity="P2", tier="pro")
    assert chosen.due(datetime(2026, 11, 20, 23, 30, tzinfo=UTC)) == datetime(2026, 11, 21, 3, 30, tzinfo=UTC)
