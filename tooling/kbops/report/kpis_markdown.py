"""The KPI report in Markdown, made to be pasted in a pull-request comment: a summary table
(each rate beside its counts and the previous period's), the reasons for escalations, KB
contribution and the trend. Names from git and front matter are escaped (`md_text`)."""

from __future__ import annotations

from collections.abc import Sequence

from ..kb.markdown import md_code, md_text
from ..kpis.report import KpiReport
from . import kpis_views as views


def render_kpis_markdown(report: KpiReport) -> str:
    blocks = [
        f"# KPIs: {md_text(report.period.label)}",
        f"_{md_text(views.period_line(report))}_",
        _summary(report),
        _reasons(report),
        _contribution(report),
        _trend(report),
        _about(report),
    ]
    return "\n\n".join(b for b in blocks if b) + "\n"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _summary(report: KpiReport) -> str:
    before = views.previous_point(report)
    previous = f"{md_text(before.period.label)}" if before else "previous"
    rows = [(f"**{line.name}**", line.value, md_text(line.counts), line.previous) for line in views.summary(report)]
    return "## Summary\n\n" + _table(("KPI", md_text(report.period.label), "counts", previous), rows)


def _reasons(report: KpiReport) -> str:
    head = "## Escalation reasons"
    if not report.escalation_reasons:
        return f"{head}\n\nNo ticket was escalated in {md_text(report.period.label)}."
    rows = [(md_code(r.code), f"{r.tickets:,}", f"{r.share * 100:.1f}%") for r in report.escalation_reasons]
    return (f"{head}\n\n{report.escalation_rate.count:,} escalated tickets; one ticket can carry several reasons.\n\n"
            + _table(("reason", "tickets", "share of escalations"), rows))


def _contribution(report: KpiReport) -> str:
    contribution = report.contribution
    blocks = ["## KB contribution"]
    if contribution.authors:
        blocks.append("By author (git commits to the KB folder in the period):\n\n" + _table(
            ("author", "articles created", "articles updated", "commits", "tickets deflected"),
            [(md_text(a.author), str(len(a.created)), str(len(a.updated)), str(a.commits), f"{a.deflected:,}")
             for a in contribution.authors]))
    elif contribution.git:
        blocks.append(f"No commit touched the KB folder in {md_text(report.period.label)}.")
    else:
        blocks.append("The KB folder is not in a git repository: no authors to credit.")
    if contribution.owners:
        blocks.append("By owner (front matter `owner`):\n\n" + _table(
            ("owner", "articles", "articles that deflected", "tickets deflected"),
            [(md_text(o.owner), str(o.articles), str(o.deflecting_articles), f"{o.deflected:,}")
             for o in contribution.owners]))
    return "\n\n".join(blocks)


def _trend(report: KpiReport) -> str:
    if len(report.trend) < 2:
        return ""
    rows = []
    for point in report.trend:
        rates, csat = point.rates(), point.csat()
        rows.append((md_text(point.period.label), f"{point.tickets.decided:,}", views.pct(rates["deflection_rate"]),
                     views.pct(rates["escalation_rate"]), views.pct(rates["reopen_rate"]),
                     views.pct(rates["flag_review_accuracy"], "no reviews"),
                     views.pct(rates["qa_pass_rate"], "no reviews"), views.mean(csat["agent"]),
                     views.mean(csat["specialist"])))
    return "## Trend\n\n" + _table(("period", "decided", "deflection", "escalation", "reopen", "flag accuracy",
                                     "QA pass", "CSAT agent", "CSAT specialist"), rows)


def _about(report: KpiReport) -> str:
    items = [*views.DEFINITIONS, *report.notes]
    return "## About these numbers\n\n" + "\n".join(f"- {md_text(item)}" for item in items)
