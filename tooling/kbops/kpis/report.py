"""`kbops kpis`: the team's numbers for one period, with their trend, from the ticket
history, the review log and the git history of the KB folder.

`build_kpis` is pure (tests give it hand-made histories); `kpi_report` reads the three
sources for it. Every rate carries its counts (`Rate`), so a reader can tell 3 of 4 from
300 of 400. Definitions: compute.py, review_rates.py, contribution.py and docs/kpis.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from ..config import Settings
from ..gitkb import KBChange, kb_changes
from ..history.store import HistoryStore
from ..kb.model import KnowledgeBase
from ..tickets.model import Ticket, TicketStatus
from ..tickets.reviews import Review, read_reviews
from .compute import Csat, Rate, ReasonCount, TicketKpis
from .contribution import KbContribution, kb_contribution
from .period import KpiError, KpiPeriod, as_utc, default_period
from .review_rates import ReviewKpis
from .trend import TrendPoint, kpi_point, kpi_trend

KPI_VERSION = 1
NO_HISTORY = "the ticket history is empty: import tickets first with `kbops tickets import FILE`"


@dataclass(frozen=True)
class KpiReport:
    period: KpiPeriod
    history_span: tuple[datetime, datetime]
    history_tickets: int
    tickets: TicketKpis
    reviews: ReviewKpis
    contribution: KbContribution
    trend: tuple[TrendPoint, ...]
    notes: tuple[str, ...] = ()

    @property
    def partial(self) -> bool:
        """The history does not cover the whole period (it starts or ends inside it)."""
        first, last = (as_utc(t) for t in self.history_span)
        return first > self.period.start or last + timedelta(days=1) < self.period.end

    @property
    def deflection_rate(self) -> Rate:
        return self.tickets.deflection

    @property
    def escalation_rate(self) -> Rate:
        return self.tickets.escalation

    @property
    def escalation_reasons(self) -> tuple[ReasonCount, ...]:
        return self.tickets.reasons

    @property
    def flag_review_accuracy(self) -> Rate:
        return self.reviews.flag_accuracy

    @property
    def qa_pass_rate(self) -> Rate:
        return self.reviews.qa_pass

    @property
    def csat(self) -> dict[str, Csat]:
        return {"agent": self.tickets.csat_agent, "specialist": self.tickets.csat_specialist}

    def as_dict(self) -> dict[str, Any]:
        """The `--format json` document (docs/kpis.md)."""
        first, last = self.history_span
        return {
            "version": KPI_VERSION,
            "period": {"label": self.period.label, "kind": self.period.kind, "start": self.period.start.isoformat(),
                       "end": self.period.end.isoformat(), "dates": self.period.dates(), "partial": self.partial},
            "history": {"tickets": self.history_tickets, "first": as_utc(first).isoformat(),
                        "last": as_utc(last).isoformat()},
            "tickets": {"created": self.tickets.created, "decided": self.tickets.decided, "open": self.tickets.open,
                        "reopened": self.tickets.reopened},
            "deflection_rate": self.deflection_rate.as_dict(),
            "escalation_rate": self.escalation_rate.as_dict(),
            "escalation_reasons": [r.as_dict() for r in self.escalation_reasons],
            "kb_contribution": self.contribution.as_dict(),
            "flag_review_accuracy": self.flag_review_accuracy.as_dict(),
            "qa_pass_rate": self.qa_pass_rate.as_dict(),
            "review_verdicts": dict(self.reviews.verdicts),
            "reopen_rate": {"agent": self.tickets.reopen_agent.as_dict(), "specialist": None},
            "csat": {group: value.as_dict() for group, value in self.csat.items()},
            "trend": [p.as_dict() for p in self.trend],
            "notes": list(self.notes),
        }


def build_kpis(period: KpiPeriod, tickets: Sequence[Ticket], latest_reviews: Sequence[Review], *,
               trend_periods: int, history_span: tuple[datetime, datetime], history_tickets: int,
               changes: Sequence[KBChange] | None = None, kb: KnowledgeBase | None = None,
               notes: Sequence[str] = ()) -> KpiReport:
    """The KPI report of `period` (pure). `tickets` must cover the trend's periods;
    `changes` are the KB folder's git changes in the period (None: not in git)."""
    point = kpi_point(period, tickets, latest_reviews)
    deflected = [t for t in tickets if period.holds(t.created_at) and t.status is TicketStatus.RESOLVED_BY_AGENT]
    paths, owners = _articles(kb)
    return KpiReport(
        period=period, history_span=history_span, history_tickets=history_tickets, tickets=point.tickets,
        reviews=point.reviews, contribution=kb_contribution(changes, paths, owners, deflected),
        trend=kpi_trend(period.trend(trend_periods), tickets, latest_reviews), notes=tuple(notes),
    )


def kpi_report(history: HistoryStore, settings: Settings, kb: KnowledgeBase | None, *,
               period: str | None = None, kind: Literal["month", "week"] = "month") -> KpiReport:
    """`kbops kpis`: `period` is `2026-11` or `2026-W47`; None = the last complete period of
    `kind` in the history."""
    span = history.span()
    if span is None:
        raise KpiError(NO_HISTORY)
    chosen = KpiPeriod.parse(period) if period else default_period(*span, kind=kind)
    trend = chosen.trend(settings.kpis.periods)
    tickets = history.tickets(since=trend[0].start, until=chosen.end)
    log_path = settings.root / settings.review.path
    log = read_reviews(log_path)
    notes = [f"{p.render()} (review left out)" for p in log.problems[:5]]
    if len(log.problems) > 5:
        notes.append(f"{len(log.problems) - 5} more unreadable lines in {settings.review.path}")
    changes = kb_changes(settings.kb_dir, chosen.start, chosen.end) if settings.kb_dir.is_dir() else None
    if changes is None:
        notes.append("the KB folder is not in a git repository with commits: no authors to credit")
    return build_kpis(chosen, tickets, list(log.latest().values()), trend_periods=settings.kpis.periods,
                      history_span=span, history_tickets=history.count(), changes=changes, kb=kb, notes=notes)


def _articles(kb: KnowledgeBase | None) -> tuple[dict[str, str], dict[str, str | None]]:
    """Path relative to the KB folder -> article id, and article id -> owner."""
    if kb is None:
        return {}, {}
    root = kb.root.resolve()
    paths: dict[str, str] = {}
    for article in kb.articles:
        try:
            paths[(kb.base / article.path).resolve().relative_to(root).as_posix()] = article.id
        except ValueError:
            continue
    return paths, {a.id: a.meta.owner for a in kb.articles}
