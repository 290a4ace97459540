"""Routing: which queue a triaged ticket goes to, and when its first response is due.

Rules are plain configuration (`[[triage.routes]]`), read top to bottom: the first rule
whose category, severity and tier all match (an empty condition matches anything) names
the queue and may set the SLA. With no matching rule the ticket goes to its category's own
queue under the severity's default SLA (`triage.sla_hours`). Nothing here reads the
ticket's text, so a ticket cannot choose its queue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from ..config import RouteRule, TriageSettings


@dataclass(frozen=True)
class Route:
    queue: str
    sla_hours: float
    rule: int | None
    """Index of the matching rule in `triage.routes`, None when no rule matched."""

    def due(self, created_at: datetime) -> datetime:
        """When the first response is due."""
        return created_at + timedelta(hours=self.sla_hours)


def route(settings: TriageSettings, *, category: str, severity: str, tier: str) -> Route:
    """The first matching rule's queue and SLA, else the category's queue (see module doc)."""
    default_sla = settings.sla_hours[severity]  # type: ignore[index]  # severity is P1..P4
    for number, rule in enumerate(settings.routes):
        if _matches(rule, category, severity, tier):
            return Route(rule.queue, rule.sla_hours or default_sla, number)
    return Route(category, default_sla, None)


def _matches(rule: RouteRule, category: str, severity: str, tier: str) -> bool:
    return (
        (not rule.category or rule.category.casefold() == category.casefold())
        and (not rule.severity or rule.severity == severity)
        and (not rule.tier or rule.tier.casefold() == str(tier).casefold())
    )
