"""Words and numbers the KPI report's Markdown and HTML share, so they cannot disagree:
a rate is always shown with its counts, and a rate of nothing says why there is none."""

from __future__ import annotations

from dataclasses import dataclass

from ..kpis.compute import Csat, Rate
from ..kpis.report import KpiReport
from ..kpis.trend import TrendPoint


@dataclass(frozen=True)
class KpiLine:
    """One row of the summary: name, the rate, its counts, and the previous period's rate."""

    name: str
    value: str
    counts: str
    previous: str
    key: str


def pct(rate: Rate, empty: str = "–") -> str:
    value = rate.value
    return empty if value is None else f"{value * 100:.1f}%"


def mean(score: Csat) -> str:
    return "–" if score.mean is None else f"{score.mean:.2f}"


def csat_counts(score: Csat) -> str:
    return f"{score.rated:,} rated" if score.rated else "no ratings"


def previous_point(report: KpiReport) -> TrendPoint | None:
    return report.trend[-2] if len(report.trend) > 1 else None


def summary(report: KpiReport) -> list[KpiLine]:
    """The headline KPIs in the order a team reads them."""
    before = previous_point(report)
    t, r = report.tickets, report.reviews

    def prior(key: str, empty: str = "–") -> str:
        return pct(before.rates()[key], empty) if before else "–"

    def prior_csat(group: str) -> str:
        return mean(before.csat()[group]) if before else "–"

    return [
        KpiLine("Deflection rate", pct(t.deflection), f"{t.deflection.count:,} of {t.decided:,} decided tickets "
                f"resolved by the agent", prior("deflection_rate"), "deflection_rate"),
        KpiLine("Escalation rate", pct(t.escalation), f"{t.escalation.count:,} of {t.decided:,} handed to a "
                "specialist", prior("escalation_rate"), "escalation_rate"),
        KpiLine("Flag-review accuracy", pct(r.flag_accuracy, "no reviews"),
                f"{r.flag_accuracy.count} of {r.flag_accuracy.total} reviewed escalations confirmed",
                prior("flag_review_accuracy", "no reviews"), "flag_review_accuracy"),
        KpiLine("QA pass rate", pct(r.qa_pass, "no reviews"),
                f"{r.qa_pass.count} of {r.qa_pass.total} reviewed answers correct",
                prior("qa_pass_rate", "no reviews"), "qa_pass_rate"),
        KpiLine("Reopen rate (agent answers)", pct(t.reopen_agent), f"{t.reopen_agent.count:,} of "
                f"{t.reopen_agent.total:,} answers reopened", prior("reopen_rate"), "reopen_rate"),
        KpiLine("CSAT, agent-answered", mean(t.csat_agent), csat_counts(t.csat_agent), prior_csat("agent"),
                "csat_agent"),
        KpiLine("CSAT, specialist-handled", mean(t.csat_specialist), csat_counts(t.csat_specialist),
                prior_csat("specialist"), "csat_specialist"),
    ]


def period_line(report: KpiReport) -> str:
    """`Nov 01 – Nov 30, 2026 · 1,234 tickets created, 1,200 decided by the agent · partial: ...`"""
    parts = [report.period.dates(), f"{report.tickets.created:,} tickets created, {report.tickets.decided:,} "
             f"decided by the agent, {report.tickets.open:,} still open"]
    if report.partial:
        first, last = report.history_span
        parts.append(f"partial: the history runs {first:%b %d, %Y} – {last:%b %d, %Y}")
    return " · ".join(parts)


DEFINITIONS = (
    "A ticket counts in the period it was created in. Decided = answered by the agent (resolved_by_agent, "
    "reopened) or handed over (escalated, resolved_by_specialist); open tickets are left out.",
    "Deflection rate = resolved_by_agent / decided; a reopened answer is decided but not deflected.",
    "Escalation reasons: escalated tickets carrying each reason code (a ticket can carry several); "
    "unrecorded = escalated without a reason in the history.",
    "Flag-review accuracy = correctly_escalated / (correctly_escalated + should_have_answered); QA pass rate = "
    "correct / all verdicts on answers. Latest verdict per ticket, counted in the period it was recorded; "
    "reviewed tickets are a sample, not the whole queue.",
    "KB contribution: tickets deflected in the period that cite an article the author created or updated in "
    "it (git), or that the owner keeps (front matter). A ticket citing two people's articles counts for both.",
)
