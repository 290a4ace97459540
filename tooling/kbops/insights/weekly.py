"""The weekly intelligence report: what the ticket history says about one week (or the
four weeks ending with it), in the four parts the product brief asks for.

1. Volume trends (`volume.py`): this period against the previous one and the rolling
   average, by category and severity; rising categories flagged.
2. Emerging issues (`emerging.py`): new clusters of tickets, with affected customers, the
   release they follow and a recommended severity with its reasons.
3. Documentation gaps (`doc_gaps.py`): what the agent answered unsure, with an outline.
4. Customer health (`health.py`): accounts at risk, with evidence and an outreach action.

Only this period is clustered; prior periods are compared through block-wise nearest-
neighbour counts, so the cost grows with a week's tickets, not with the history's.

JSON (`WeeklyReport.to_json`, documented in docs/weekly-report.md) has the top-level keys
`version`, `week`, `period`, `generated_from`, `volume`, `emerging`, `doc_gaps`, `health`,
`releases`, `release_impacts` (the `--period month` view; empty for a week) and `feedback`
(the help site's "Was this helpful?" votes received in the period, per article).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from ..config import Settings
from ..feedback.stats import ArticleFeedback
from ..index.embed import Embedder
from ..index.matrix import ArticleMatrix
from ..kb.model import KnowledgeBase
from ..tickets.model import Ticket
from .doc_gaps import DocGap, find_doc_gaps
from .emerging import EmergingIssue, find_emerging
from .health import AccountHealth, account_health
from .neighbours import embed_tickets
from .releases import Release
from .systemic import ReleaseImpact, release_impacts, releases_near
from .volume import Volume, covered_periods, volume_trends
from .weeks import InsightsError, IsoWeek, Period, as_utc, period_of

WEEKLY_VERSION = 1
NO_HISTORY = "the ticket history is empty: import tickets first with `kbops tickets import FILE`"


@dataclass(frozen=True)
class WeeklyReport:
    week: IsoWeek
    period: Period
    prior_periods: tuple[Period, ...]
    """The rolling periods the history covers, oldest first."""
    history_tickets: int
    history_span: tuple[datetime, datetime]
    period_tickets: int
    volume: Volume
    emerging: tuple[EmergingIssue, ...]
    doc_gaps: tuple[DocGap, ...]
    health: tuple[AccountHealth, ...]
    releases: tuple[Release, ...] = ()
    """Releases whose window reaches into the period."""
    release_impacts: tuple[ReleaseImpact, ...] = ()
    notes: tuple[str, ...] = field(default=())
    """What a reader should know about the data (a short history, no releases)."""
    health_window_days: int = 14
    feedback: tuple[ArticleFeedback, ...] = ()
    """Help-site votes received in the period, per article, most unhelpful first."""

    def to_json(self) -> dict[str, Any]:
        first, last = self.history_span
        return {
            "version": WEEKLY_VERSION,
            "week": str(self.week),
            "period": {
                "kind": self.period.kind, "label": self.period.label, "dates": self.period.dates(),
                "start": self.period.start.isoformat(), "end": self.period.end.isoformat(),
                "compared_with": [p.label for p in self.prior_periods],
            },
            "generated_from": {
                "history_tickets": self.history_tickets, "first_ticket": first.isoformat(),
                "last_ticket": last.isoformat(), "period_tickets": self.period_tickets, "notes": list(self.notes),
            },
            "volume": self.volume.to_json(),
            "emerging": [i.to_json() for i in self.emerging],
            "doc_gaps": [g.to_json() for g in self.doc_gaps],
            "health": [h.to_json() for h in self.health],
            "health_window_days": self.health_window_days,
            "releases": [{"version": r.version, "date": r.date.isoformat(), "notes": r.notes, "source": r.source}
                         for r in self.releases],
            "release_impacts": [i.to_json() for i in self.release_impacts],
            "feedback": {
                "votes": sum(f.votes for f in self.feedback), "helpful": sum(f.helpful for f in self.feedback),
                "unhelpful": sum(f.unhelpful for f in self.feedback), "articles": [f.to_json() for f in self.feedback],
            },
        }


def latest_week(history: Sequence[Ticket]) -> IsoWeek:
    """The ISO week of the newest ticket: the default week of the report."""
    dated = [as_utc(t.created_at) for t in history if t.created_at is not None]
    if not dated:
        raise InsightsError(NO_HISTORY)
    return IsoWeek.containing(max(dated))


def history_needed(period: Period, settings: Settings) -> datetime:
    """The earliest ticket time the report of `period` reads (rolling periods, the health
    window, and for a month the rolling windows before a release)."""
    weekly = settings.weekly
    release_days = (weekly.rolling_weeks + 1) * weekly.release_window_days if period.kind == "month" else 0
    return min(period.before(weekly.rolling_weeks).start, period.end - timedelta(days=weekly.health_window_days),
               period.start - timedelta(days=release_days))


def build_weekly(history: Sequence[Ticket], *, week: IsoWeek, settings: Settings, embedder: Embedder,
                 releases: Sequence[Release], kb: KnowledgeBase | None = None, period: str = "week",
                 history_span: tuple[datetime, datetime] | None = None, history_size: int | None = None,
                 feedback: Sequence[ArticleFeedback] = ()) -> WeeklyReport:
    """The report of `week` (or the four weeks ending with it) from `history` (at least the
    tickets since `history_needed`). `history_span` / `history_size`: the whole history's
    first and last ticket and its size, when `history` is only the part the report reads."""
    dated = [t for t in history if t.created_at is not None]
    times = [as_utc(t.created_at) for t in dated if t.created_at is not None]
    if history_span is None:
        if not times:
            raise InsightsError(NO_HISTORY)
        history_span = (min(times), max(times))
    span = (as_utc(history_span[0]), as_utc(history_span[1]))
    start = span[0]
    current = period_of(week, period)
    priors = covered_periods(current.previous(settings.weekly.rolling_weeks), start)
    now = [t for t, moment in zip(dated, times, strict=True) if current.start <= moment < current.end]
    first_prior = priors[0].start if priors else current.start
    prior = [t for t, moment in zip(dated, times, strict=True) if first_prior <= moment < current.start]
    vectors = embed_tickets([*now, *prior], embedder)
    now_vectors, prior_vectors = vectors[: len(now)], vectors[len(now):]
    matrix = ArticleMatrix.build(kb.articles, embedder) if kb is not None and kb.articles else None
    near = releases_near(releases, current, settings.weekly.release_window_days)
    return WeeklyReport(
        week=week, period=current, prior_periods=tuple(priors), history_tickets=history_size or len(dated),
        history_span=span, period_tickets=len(now),
        volume=volume_trends([*prior, *now], current, priors, settings.weekly),
        emerging=tuple(find_emerging(now, now_vectors, prior, prior_vectors, period=current,
                                     prior_periods=len(priors), settings=settings, releases=releases)),
        doc_gaps=tuple(find_doc_gaps(now, now_vectors, settings=settings, embedder=embedder, matrix=matrix)),
        health=tuple(account_health(dated, current.end, settings)),
        releases=tuple(near),
        release_impacts=tuple(release_impacts(dated, releases, current, settings.weekly, start))
        if current.kind == "month" else (),
        notes=tuple(_notes(current, priors, settings, now, releases)),
        health_window_days=settings.weekly.health_window_days,
        feedback=tuple(feedback),
    )


def _notes(period: Period, priors: Sequence[Period], settings: Settings, now: Sequence[Ticket],
           releases: Sequence[Release]) -> list[str]:
    notes = []
    if not now:
        notes.append(f"no tickets in {period.label}: is the history imported up to then?")
    wanted = settings.weekly.rolling_weeks
    if len(priors) < wanted:
        notes.append(f"the history covers {len(priors)} of the {wanted} {period.kind}s before {period.label}: "
                     "rising categories and emerging issues need the periods before to compare with"
                     if not priors else
                     f"the history covers {len(priors)} of the {wanted} {period.kind}s before {period.label}: "
                     f"the rolling average uses those")
    if not releases:
        notes.append("no releases known (history.releases file or git tags matching history.release_tags)")
    return notes
