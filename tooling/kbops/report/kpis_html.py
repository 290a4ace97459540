"""The KPI report as one self-contained HTML page: headline cards, each rate's trend as an
inline SVG line (the eval report's `charts.line`), escalation reasons and KB contribution as
bars, then the tables. Same rules as the weekly report: every string escaped, no script,
and the Content-Security-Policy that forbids both scripts and any network fetch."""

from __future__ import annotations

from collections.abc import Sequence

from ..kpis.report import KpiReport
from . import charts
from . import kpis_views as views
from .charts import escape
from .html import page
from .weekly_html import STYLE as WEEKLY_STYLE

TREND_CHARTS = (
    ("deflection_rate", "Deflection rate", "#2e7d32", "deflected"),
    ("escalation_rate", "Escalation rate", "#c62828", "escalated"),
    ("flag_review_accuracy", "Flag-review accuracy", "#1565c0", "confirmed"),
    ("qa_pass_rate", "QA pass rate", "#6a1b9a", "passed"),
    ("reopen_rate", "Reopen rate (agent answers)", "#ef6c00", "reopened"),
)
"""Trend key, title, line colour, what the value counts."""
REASON_COLOUR, OWNER_COLOUR, AUTHOR_COLOUR = "#c62828", "#2e7d32", "#1565c0"
BARS_SHOWN = 12
STYLE = WEEKLY_STYLE + ".card small{display:block}.card{max-width:260px}\n"


def render_kpis_html(report: KpiReport) -> str:
    sections = [_header(report), _cards(report), _trend(report), _reasons(report), _contribution(report),
                _trend_table(report), _about(report)]
    return page(f"KPIs {report.period.label}", STYLE, sections)


def _header(report: KpiReport) -> str:
    return (f"<header><h1>KPIs · {escape(report.period.label)}</h1>"
            f'<p class="meta">{escape(views.period_line(report))}</p></header>')


def _cards(report: KpiReport) -> str:
    items = "".join(
        f'<div class="card" data-kpi="{escape(line.key)}"><small>{escape(line.name)}</small><b>{escape(line.value)}</b>'
        f"<small>{escape(line.counts)}</small><small>before: {escape(line.previous)}</small></div>"
        for line in views.summary(report)
    )
    return f'<div class="cards">{items}</div>'


def _trend(report: KpiReport) -> str:
    figures = []
    for key, title, colour, counted in TREND_CHARTS:
        points = [(p.period.label, p.rates()[key]) for p in report.trend]
        drawn = [(label, rate.value) for label, rate in points if rate.value is not None]
        if not drawn:
            continue
        counts = ", ".join(f"{label}: {rate.count} of {rate.total}" for label, rate in points if rate.total)
        figures.append(charts.figure(key, title, charts.line(drawn, colour, counted), counts))
    if not figures:
        return ""
    return (f'<section id="trend"><h2>Trend over {len(report.trend)} {report.period.kind}s</h2>'
            f'<div class="charts">{"".join(figures)}</div></section>')


def _reasons(report: KpiReport) -> str:
    head = '<section id="reasons"><h2>Escalation reasons</h2>'
    reasons = report.escalation_reasons[:BARS_SHOWN]
    if not reasons:
        return head + f'<p class="none">No ticket was escalated in {escape(report.period.label)}.</p></section>'
    series = [charts.Series("escalated tickets", REASON_COLOUR, [r.tickets for r in reasons])]
    notes = [f"{r.tickets} · {r.share * 100:.0f}%" for r in reasons]
    chart = charts.figure("reasons", "Escalated tickets by reason", charts.stacked_rows([r.code for r in reasons],
                          series, notes), f"{report.escalation_rate.count} escalated tickets; a ticket can carry "
                          "several reasons")
    return head + chart + "</section>"


def _contribution(report: KpiReport) -> str:
    contribution = report.contribution
    parts = ['<section id="contribution"><h2>KB contribution</h2>']
    authors = contribution.authors
    if authors:
        shown = authors[:BARS_SHOWN]
        series = [charts.Series("tickets deflected", AUTHOR_COLOUR, [a.deflected for a in shown])]
        parts.append(charts.figure("authors", "Tickets deflected by the articles each author created or updated",
                                   charts.stacked_rows([a.author for a in shown], series), "git commits to the KB "
                                   "folder in the period"))
        parts.append(_table(("author", "articles created", "articles updated", "commits", "tickets deflected"),
                            [(a.author, str(len(a.created)), str(len(a.updated)), str(a.commits), str(a.deflected))
                             for a in authors]))
    else:
        why = "No commit touched the KB folder in the period." if contribution.git else (
            "The KB folder is not in a git repository: no authors to credit.")
        parts.append(f'<p class="none">{escape(why)}</p>')
    owners = contribution.owners
    if owners:
        shown_owners = owners[:BARS_SHOWN]
        series = [charts.Series("tickets deflected", OWNER_COLOUR, [o.deflected for o in shown_owners])]
        parts.append(charts.figure("owners", "Tickets deflected by each owner's articles",
                                   charts.stacked_rows([o.owner for o in shown_owners], series),
                                   "front matter owner"))
        parts.append(_table(("owner", "articles", "articles that deflected", "tickets deflected"),
                            [(o.owner, str(o.articles), str(o.deflecting_articles), str(o.deflected)) for o in owners]))
    return "".join(parts) + "</section>"


def _trend_table(report: KpiReport) -> str:
    rows = []
    for point in report.trend:
        rates, csat = point.rates(), point.csat()
        rows.append((point.period.label, str(point.tickets.decided),
                     *(views.pct(rates[key], "no reviews" if "review" in key or "qa" in key else "–")
                       for key, *_ in TREND_CHARTS), views.mean(csat["agent"]), views.mean(csat["specialist"])))
    header = ("period", "decided", *(title for _, title, *_ in TREND_CHARTS), "CSAT agent", "CSAT specialist")
    return f'<section id="trend-table"><h2>Period by period</h2>{_table(header, rows)}</section>'


def _about(report: KpiReport) -> str:
    items = "".join(f"<li>{escape(item)}</li>" for item in (*views.DEFINITIONS, *report.notes))
    return f'<section id="about"><h2>About these numbers</h2><ul class="meta">{items}</ul></section>'


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
