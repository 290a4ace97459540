"""A weekly report built by hand (no embedder, no history), with hostile text wherever a
ticket or a data file can put text: titles, subjects, categories, account ids, notes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from kbops.insights.doc_gaps import DocGap, Outline
from kbops.insights.emerging import EmergingIssue
from kbops.insights.health import AccountHealth
from kbops.insights.releases import Release
from kbops.insights.volume import Volume, VolumeRow
from kbops.insights.weekly import WeeklyReport
from kbops.insights.weeks import IsoWeek, period_of
from kbops.triage.severity import Severity

WEEK = IsoWeek(2026, 47)
HOSTILE = "Export | broken <img src=x onerror=alert(1)> [click](http://evil.example) @team #12"
RELEASE = Release("v2.4.0", date(2026, 11, 16), "New export engine", "git tag")


def row(name: str, counts: tuple[int, ...], flagged: bool = False, ids: tuple[str, ...] = ("T-1", "T-2")) -> VolumeRow:
    return VolumeRow(name, counts[-1], counts[:-1], 0.001 if flagged else 0.5, flagged, ids)


def issue(title: str = HOSTILE, release: Release | None = RELEASE) -> EmergingIssue:
    return EmergingIssue(
        id="issue-1", title=title, key_phrases=("csv export", "error 500"), ticket_ids=("E-1", "E-2", "E-3", "E-4", "E-5"),
        accounts=("A-1", "A-2", "A-3"), estimated_accounts=5, tiers={"enterprise": 1, "pro": 4}, monthly_revenue=6150.0,
        first_seen=datetime(2026, 11, 17, 9, tzinfo=UTC), prior_tickets=0, prior_periods=4, peak_24h=4,
        daily=(0, 3, 1, 1, 0, 0, 0), release=release,
        severity=Severity("P1", 7, ("enterprise tier (+2)", "outage: 'is down' (+3)", "monthly revenue 6,150 >= 5,000 (+2)")),
        examples=(("E-1", HOSTILE), ("E-2", "CSV export fails")),
    )


def gap() -> DocGap:
    outline = Outline("Archive a project", "Archive keeps tasks.",
                      (("Problem", ("Customers ask about archiving.",)), ("Steps", ("1. Open the menu <b>now</b>.",))),
                      "## Problem\n\nCustomers ask about archiving.\n\n## Steps\n\n1. Open the menu <b>now</b>.\n", "offline")
    return DocGap(id="docgap-1", question="How do I archive | a project?", key_phrases=("archive",),
                  ticket_ids=("D-1", "D-2"), mean_confidence=0.31, accounts=2, cited_articles=(("archive-projects", 2),),
                  nearest_articles=(), outline=outline)


def account(account_id: str = "ACME", priority: str = "high") -> AccountHealth:
    return AccountHealth(
        account_id=account_id, tier="enterprise", monthly_revenue=9000.0,
        signals=("escalations", "negative_sentiment", "ticket_volume"), ticket_ids=("R-1", "R-2", "R-3", "R-4"),
        escalated_ids=("R-2", "R-3"), reopened=1, sentiments=(0.4, 0.0, -0.5, -0.8), sentiment_slope=-0.41,
        categories={"bug report": 2}, priority=priority, action="Account manager calls within 1 business day.",
    )


def weekly(*, emerging: tuple[EmergingIssue, ...] | None = None, doc_gaps: tuple[DocGap, ...] | None = None,
           health: tuple[AccountHealth, ...] | None = None, notes: tuple[str, ...] = ()) -> WeeklyReport:
    period = period_of(WEEK)
    volume = Volume(
        by_category=(row("billing", (30, 32, 29, 31, 48), flagged=True), row(HOSTILE, (10, 10, 10, 10, 10))),
        by_severity=(row("P1", (1, 2, 1, 2, 6)), row("P3", (40, 40, 38, 39, 52))),
        total=row("all tickets", (40, 42, 39, 41, 58)),
        period_labels=("2026-W43", "2026-W44", "2026-W45", "2026-W46", "2026-W47"),
    )
    return WeeklyReport(
        week=WEEK, period=period, prior_periods=tuple(period.previous(4)), history_tickets=250,
        history_span=(WEEK.start - timedelta(weeks=4), WEEK.end - timedelta(hours=3)), period_tickets=58,
        volume=volume, emerging=(issue(),) if emerging is None else emerging,
        doc_gaps=(gap(),) if doc_gaps is None else doc_gaps, health=(account(),) if health is None else health,
        releases=(RELEASE,), notes=notes,
    )
