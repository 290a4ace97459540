"""The weekly report as one self-contained HTML page: headline cards, then the four parts,
each led by a chart (volume per category against its rolling average, emerging-issue
sizes, health signals) and followed by the evidence. Same rules as the eval report: every
string escaped, no script, and a Content-Security-Policy that forbids both scripts and
any network fetch."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from ..insights.doc_gaps import DocGap
from ..insights.emerging import EmergingIssue
from ..insights.health import AccountHealth
from ..insights.volume import VolumeRow
from ..insights.weekly import WeeklyReport
from . import charts
from . import weekly_views as views
from .charts import escape
from .html import STYLE as EVAL_STYLE
from .html import page
from .weekly_charts import NOW, PAST, RISING, VolumeSeries, daily_strip, volume_rows

SEVERITY_COLOURS = {"P1": "#b71c1c", "P2": "#ef6c00", "P3": "#f9a825", "P4": "#78909c"}
CHARTED_ACCOUNTS = 12
PRIORITY_COLOURS = {"high": "#b71c1c", "medium": "#ef6c00", "low": "#78909c"}
STYLE = EVAL_STYLE + """
header{border-bottom:3px solid #1565c0;margin-bottom:1rem}header h1{margin-bottom:.2rem}
.card.alert{border-color:#c62828}.card.alert b{color:#c62828}
.badge{display:inline-block;border-radius:4px;padding:0 .45rem;color:#fff;font-size:.8rem;font-weight:600;vertical-align:middle}
.item{border:1px solid #e0e0e0;border-left:4px solid #90a4ae;border-radius:6px;padding:.6rem .9rem;margin:.8rem 0}
.item h3{margin:.1rem 0 .4rem}.item ul{margin:.3rem 0;padding-left:1.2rem}.item li{margin:.15rem 0}
.ids{font-family:ui-monospace,monospace;font-size:.82rem;color:#37474f}
.phrase{background:#eceff1;border-radius:3px;padding:0 .3rem;margin-right:.2rem;font-size:.85rem}
.action{background:#e8f5e9;border-radius:4px;padding:.35rem .6rem;margin-top:.4rem}
.flag{color:#c62828;font-weight:600}.none{color:#555;font-style:italic}
.row{display:flex;gap:1rem;flex-wrap:wrap;align-items:flex-start}.row>div{flex:1 1 300px}
section>figure.chart{margin:1rem 0}
"""


def render_weekly_html(report: WeeklyReport) -> str:
    sections = [_header(report), _cards(report), _volume(report), _emerging(report), _doc_gaps(report),
                _health(report), _feedback(report), _about(report)]
    return page(f"Support intelligence {report.period.label}", STYLE, sections)


def _header(report: WeeklyReport) -> str:
    return (f"<header><h1>Support intelligence · {escape(report.period.label)}</h1>"
            f'<p class="meta">{escape(report.period.dates())} · {escape(views.compared_with(report))}</p></header>')


def _cards(report: WeeklyReport) -> str:
    total, flagged = report.volume.total, report.volume.flagged
    top = min((i.severity.level for i in report.emerging), default=None)
    high = sum(h.priority == "high" for h in report.health)
    cards = [
        ("tickets", str(total.this_period), f"{views.change(total.change_wow)} on the {views.unit(report)} before",
         False),
        ("rising categories", str(len(flagged)), ", ".join(flagged) or "none", bool(flagged)),
        ("emerging issues", str(len(report.emerging)), f"most urgent {top}" if top else "none new", bool(top)),
        ("documentation gaps", str(len(report.doc_gaps)), f"{sum(g.tickets for g in report.doc_gaps)} unsure answers",
         False),
        ("accounts to call now", str(high), f"{len(report.health) - high} more to follow up", bool(high)),
    ]
    items = "".join(
        f'<div class="card{" alert" if alert else ""}"><small>{escape(name)}</small><b>{escape(value)}</b>'
        f"<small>{escape(note)}</small></div>" for name, value, note, alert in cards
    )
    return f'<div class="cards">{items}</div>'


def _volume(report: WeeklyReport) -> str:
    labels = [p.label for p in report.prior_periods] + [report.period.label]
    unit = views.unit(report)
    series = [VolumeSeries(r.name, [*r.history, r.this_period], r.rolling_average, r.flagged, _note(r, unit))
              for r in report.volume.by_category]
    legend = charts.legend([charts.Series(f"earlier {views.unit(report)}s", PAST, ()),
                            charts.Series(f"this {views.unit(report)}", NOW, ()),
                            charts.Series("rising (flagged)", RISING, ()),
                            charts.Series("rolling average (dashed)", "#455a64", ())])
    chart = charts.figure("volume", f"Tickets per category, {views.unit(report)} by {views.unit(report)}",
                          legend + volume_rows(series, labels),
                          "each row on the same scale; the dashed line is the rolling average of the earlier periods")
    rows_severity = [VolumeSeries(r.name, [*r.history, r.this_period], r.rolling_average, r.flagged, _note(r, unit))
                     for r in report.volume.by_severity]
    by_severity = charts.figure("severity", "Tickets per severity", volume_rows(rows_severity, labels),
                                "P1 is the most urgent") if rows_severity else ""
    table = _table(("category", "this", "before", "average", "change", "vs average", "", "sample tickets"), [
        (r.name, str(r.this_period), "–" if r.previous is None else str(r.previous),
         "–" if r.rolling_average is None else f"{r.rolling_average:.1f}", views.change(r.change_wow),
         views.change(r.change_vs_rolling), "rising" if r.flagged else "", views.ids(r.ticket_ids, 5))
        for r in report.volume.by_category
    ], flag_column=6)
    return (f"<section id=\"volume\"><h2>1. Volume trends</h2><p>{escape(views.volume_line(report))}.</p>"
            f"{chart}{table}{by_severity}</section>")


def _note(row: VolumeRow, unit: str) -> str:
    """`rising · 110 · +43% on last week · +60% avg`: short enough for the space right of
    the columns (a flagged row says so first, so a narrow screen never cuts it off)."""
    parts = ["rising"] if row.flagged else []
    parts.append(str(row.this_period))
    if row.previous is not None:
        parts.append(f"{views.change(row.change_wow)} on last {unit}")
    if row.rolling_average is not None:
        parts.append(f"{views.change(row.change_vs_rolling)} avg")
    return " · ".join(parts)


def _emerging(report: WeeklyReport) -> str:
    head = "<section id=\"emerging\"><h2>2. Emerging issues</h2>"
    if not report.emerging:
        return head + f'<p class="none">No new cluster of tickets this {escape(views.unit(report))}.</p></section>'
    shown = report.emerging[: views.ISSUES_SHOWN]
    series = [charts.Series(level, colour, [i.tickets if i.severity.level == level else 0 for i in shown])
              for level, colour in SEVERITY_COLOURS.items()]
    notes = [f"{i.tickets} tickets" for i in shown]
    chart = charts.figure("emerging", "Emerging issues by size", charts.legend(series)
                          + charts.stacked_rows([_short(i.title) for i in shown], series, notes),
                          "tickets this period, coloured by recommended severity")
    items = "".join(_issue(n, i, report) for n, i in enumerate(shown, start=1))
    return f'{head}<div class="charts">{chart}</div>{items}</section>'


def _issue(number: int, issue: EmergingIssue, report: WeeklyReport) -> str:
    colour = SEVERITY_COLOURS.get(issue.severity.level, "#78909c")
    phrases = "".join(f'<span class="phrase">{escape(p)}</span>' for p in issue.key_phrases)
    examples = "".join(f"<li><span class=\"ids\">{escape(i)}</span> {escape(s)}</li>" for i, s in issue.examples)
    release = (f"after release <b>{escape(issue.release.version)}</b> ({issue.release.date:%b %d}, "
               f"{escape(issue.release.source)}){': ' + escape(issue.release.notes) if issue.release.notes else ''}"
               if issue.release else "no release in the window before it")
    days = [(report.period.start + timedelta(days=n)).strftime("%a %d") for n in range(len(issue.daily))]
    reasons = "".join(f"<li>{escape(r)}</li>" for r in issue.severity.reasons) or "<li>no impact signal</li>"
    return (
        f'<div class="item" style="border-left-color:{colour}" data-issue="{escape(issue.id)}">'
        f'<h3>{number}. {escape(issue.title)} <span class="badge" style="background:{colour}">'
        f"{escape(issue.severity.level)}</span></h3>"
        f'<div class="row"><div><p>{phrases}</p><ul>'
        f"<li><b>{issue.tickets} tickets</b> from <b>{len(issue.accounts)} accounts</b> (estimated "
        f"{issue.estimated_accounts} affected in all) · {escape(views.money(issue.monthly_revenue))}</li>"
        f"<li>first seen {escape(views.day(issue.first_seen))} · peak {issue.peak_24h} in 24 h · "
        f"{escape(views.prior_line(issue, report))}</li><li>{release}</li></ul></div>"
        f"<div>{daily_strip(issue.daily, days, colour)}</div></div>"
        f"<p><b>Representative tickets</b></p><ul>{examples}</ul>"
        f"<p><b>Recommended severity {escape(issue.severity.level)}</b> ({issue.severity.points} points)</p>"
        f'<ul>{reasons}</ul><p class="ids">{escape(views.ids(list(issue.ticket_ids), 20))}</p></div>'
    )


def _doc_gaps(report: WeeklyReport) -> str:
    head = "<section id=\"doc-gaps\"><h2>3. Documentation gaps</h2>"
    if not report.doc_gaps:
        return head + '<p class="none">No question the agent answered with low confidence came up twice.</p></section>'
    intro = ("<p>Questions the agent resolved without escalation but with low confidence: the KB barely covers "
             "them. Each comes with an article outline built from the answers given.</p>")
    return head + intro + "".join(_gap(n, g) for n, g in enumerate(report.doc_gaps[: views.GAPS_SHOWN], 1)) + "</section>"


def _gap(number: int, gap: DocGap) -> str:
    cited = ", ".join(f"{a} ({n})" for a, n in gap.cited_articles[:3]) or "none"
    sections = "".join(
        f"<p><b>{escape(heading)}</b></p><ul>" + "".join(f"<li>{escape(line)}</li>" for line in lines[:6]) + "</ul>"
        for heading, lines in gap.outline.sections
    )
    return (
        f'<div class="item" data-gap="{escape(gap.id)}"><h3>{number}. “{escape(gap.question)}”</h3>'
        f"<ul><li><b>{gap.tickets} tickets</b> from {gap.accounts} accounts · mean agent confidence "
        f"<b>{gap.mean_confidence:.2f}</b></li><li>articles the agent cited: {escape(cited)}</li>"
        f'<li class="ids">{escape(views.ids(list(gap.ticket_ids)))}</li></ul>'
        f"<details><summary>Suggested article: {escape(gap.outline.title)}</summary>{sections}</details></div>"
    )


def _health(report: WeeklyReport) -> str:
    head = "<section id=\"health\"><h2>4. Customer health</h2>"
    if not report.health:
        return head + (f'<p class="none">No account shows a risk signal in the last {report.health_window_days} '
                       "days.</p></section>")
    charted = report.health[:CHARTED_ACCOUNTS]
    series = [
        charts.Series("escalated", "#c62828", [len(h.escalated_ids) for h in charted]),
        charts.Series("other tickets", "#90a4ae", [h.tickets - len(h.escalated_ids) for h in charted]),
    ]
    chart = charts.figure("health", "Accounts at risk: their tickets and signals", charts.legend(series)
                          + charts.stacked_rows([h.account_id for h in charted], series,
                                                [_health_note(h) for h in charted]),
                          f"tickets in the last {report.health_window_days} days and the priority of the outreach"
                          + (f"; the {len(charted)} most urgent of {len(report.health)}" if len(report.health) > len(charted)
                             else ""))
    urgent = [h for h in report.health if h.priority == "high"][: views.ACCOUNTS_SHOWN]
    rest = [h for h in report.health if h not in urgent]
    table = _table(("account", "tier", "priority", "signals", "tickets", "escalated", "action"), [
        (h.account_id, h.tier, h.priority, views.signals(h.signals), views.ids(list(h.ticket_ids), 4),
         views.ids(list(h.escalated_ids), 4), h.action) for h in rest
    ]) if rest else ""
    more = f"<details><summary>{len(rest)} more accounts to follow up</summary>{table}</details>" if rest else ""
    return head + f'<div class="charts">{chart}</div>' + "".join(_account(h) for h in urgent) + more + "</section>"


def _health_note(account: AccountHealth) -> str:
    return f"{account.priority} priority"


def _account(account: AccountHealth) -> str:
    colour = PRIORITY_COLOURS[account.priority]
    evidence = "".join(f"<li>{escape(line)}</li>" for line in account.evidence)
    return (
        f'<div class="item" style="border-left-color:{colour}" data-account="{escape(account.account_id)}">'
        f"<h3>{escape(account.account_id)} <span class=\"badge\" style=\"background:{colour}\">"
        f"{escape(account.priority)} priority</span></h3>"
        f"<p>{escape(account.tier)} · {escape(views.money(account.monthly_revenue))} · signals: "
        f"<b>{escape(views.signals(account.signals))}</b></p><ul>{evidence}</ul>"
        f'<div class="action"><b>Action:</b> {escape(account.action)}</div></div>'
    )


def _feedback(report: WeeklyReport) -> str:
    worst = views.unhelpful_articles(report)
    table = _table(views.FEEDBACK_HEADER, [views.feedback_row(f) for f in worst]) if worst else ""
    note = "Articles readers voted not helpful, most such votes first." if worst else ""
    return (f'<section id="feedback"><h2>Help-site feedback</h2><p class="meta">{escape(views.feedback_line(report))}'
            f"{'. ' + escape(note) if note else ''}</p>{table}</section>")


def _about(report: WeeklyReport) -> str:
    first, last = report.history_span
    items = [f"history: {report.history_tickets} tickets from {first:%Y-%m-%d} to {last:%Y-%m-%d}; "
             f"{report.period_tickets} in {report.period.label}"]
    items += [f"release {r.version} on {r.date:%Y-%m-%d} ({r.source})" for r in report.releases]
    items += list(report.notes)
    rows = "".join(f"<li>{escape(item)}</li>" for item in items)
    impacts = "".join(
        f"<h3>{escape(i.release.version)} ({i.release.date:%b %d}): {i.window_days:g} days after, against "
        f"{i.windows_before} windows before</h3>"
        + _table(("category", "before (avg)", "after", "change", ""), [
            (s.category, f"{s.before:.1f}", str(s.after), views.change(s.change), "moved" if s.moved else "")
            for s in i.shifts], flag_column=4)
        for i in report.release_impacts
    )
    impacts = f"<h2>Releases and categories</h2>{impacts}" if impacts else ""
    return f'{impacts}<section id="about"><h2>About this report</h2><ul class="meta">{rows}</ul></section>'


def _short(text: str, limit: int = 22) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], flag_column: int | None = None) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f'<td{" class=flag" if n == flag_column and cell else ""}>{escape(cell)}</td>'
                         for n, cell in enumerate(row)) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
