"""The run as one self-contained HTML page: headline numbers, five charts, then the
tickets that need a look. Ticket text is untrusted, so everything is escaped and a
Content-Security-Policy forbids scripts and any network fetch from the page."""

from __future__ import annotations

from collections.abc import Sequence

from ..evals.runs import EvalRun, TicketResult, Verdict
from ..gaps.model import GapReport
from . import charts, html_replies, views
from .charts import escape

COLOURS = {
    Verdict.DEFLECTED: "#2e7d32",
    Verdict.FALSE_DEFLECTION: "#c62828",
    Verdict.GATED: "#1565c0",
    Verdict.GAP: "#ef6c00",
}
TREND_RUNS = 30
"""Most recent runs drawn in the trend chart."""

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:1000px;padding:0 1rem;color:#222}
h1{font-size:1.4rem}h2{font-size:1.15rem;margin-top:2rem}h3{font-size:1rem;margin:.2rem 0 .6rem}
.meta{color:#555}.cards{display:flex;flex-wrap:wrap;gap:.8rem;margin:1rem 0}
.card{border:1px solid #ddd;border-radius:8px;padding:.6rem .9rem;min-width:140px}
.card b{display:block;font-size:1.5rem}.card small{color:#555}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(440px,1fr));gap:1rem}
.chart{border:1px solid #eee;border-radius:8px;padding:.8rem;margin:0}
figcaption{color:#555;font-size:.85rem}
.legend{list-style:none;padding:0;display:flex;gap:1rem;flex-wrap:wrap;font-size:.85rem}
.swatch{display:inline-block;width:.8rem;height:.8rem;margin-right:.3rem;border-radius:2px}
table{border-collapse:collapse;width:100%;font-size:.9rem}th,td{border-bottom:1px solid #eee;padding:.3rem .4rem;text-align:left;vertical-align:top}
.pass{color:#2e7d32}.fail{color:#c62828}.verdict{font-weight:600}
"""


def render_html(run: EvalRun, history: Sequence[EvalRun] = (), gaps: GapReport | None = None) -> str:
    """`gaps`: the analysis `kbops gaps` saved for this run; adds a ranked gap table."""
    run = views.private(run)
    gaps = views.private_gaps(gaps) if gaps is not None else None
    legend = charts.legend([_series(v, ()) for v in views.VERDICT_ORDER])
    sections = [
        _header(run),
        _cards(run),
        _gate(run),
        legend,
        '<div class="charts">' + _outcomes(run) + _categories(run) + _confidence(run) + _trend(run, history)
        + _risk_coverage(run) + "</div>",
        _comparison(run),
        _table_section("Regressions", ("ticket", "subject", "was", "now", "confidence"),
                       [(c.result.ticket_id, c.result.subject, c.before, c.after, f"{c.result.confidence:.2f}")
                        for c in views.regressions(run)]),
        _table_section("False deflections", ("ticket", "subject", "cited", "confidence"),
                       [(r.ticket_id, r.subject, ", ".join(r.cited_article_ids), f"{r.confidence:.2f}")
                        for r in views.with_verdict(run, Verdict.FALSE_DEFLECTION)]),
        _gap_topics(run, gaps),
        _table_section("KB gaps", ("ticket", "subject", "reasons"),
                       [(r.ticket_id, r.subject, ", ".join(r.reasons)) for r in views.with_verdict(run, Verdict.GAP)]),
        _table_section("Gated by policy", ("reason", "tickets"),
                       [(reason, str(count)) for reason, count in views.gate_reason_counts(run)]),
        _table_section("Closed gaps under watch", ("ticket", "subject", "protected by", "verdict"),
                       [(r.ticket_id, r.subject, ", ".join(r.protected_by), views.VERDICT_LABELS[r.verdict])
                        for r in views.protected(run)]),
        _table_section("Unreadable ticket records", ("problem",), [(p,) for p in run.problems]),
        html_replies.replies_by_tone(run),
        _all_tickets(run.results),
    ]
    return page(f"kbops eval {views.short_commit(run)}", STYLE + html_replies.STYLE, sections)


def page(title: str, style: str, sections: Sequence[str]) -> str:
    """One self-contained page under the CSP (no script, no network): every report's shell.
    `title` is escaped here; `style` and the sections are already safe HTML."""
    body = "\n".join(section for section in sections if section)
    return (
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{style}</style></head>\n"
        f"<body>\n{body}\n</body></html>\n"
    )


def _series(verdict: Verdict, values: Sequence[float]) -> charts.Series:
    return charts.Series(views.VERDICT_LABELS[verdict], COLOURS[verdict], values)


def _header(run: EvalRun) -> str:
    dirty = " with uncommitted changes" if run.kb_dirty else ""
    return (
        f"<h1>kbops eval: KB {escape(views.short_commit(run))}</h1>"
        f'<p class="meta">{escape(run.kb_ref)}{dirty} · backend {escape(run.backend)} · '
        f"tickets {escape(run.tickets_file)} · run {escape(run.run_id)} · {escape(run.created_at)}</p>"
        f'<p class="meta">{escape(views.settings_line(run))}</p>'
    )


def _cards(run: EvalRun) -> str:
    s = run.summary
    delta = ""
    if run.comparison is not None:
        delta = f"<small>{escape(views.points(run.comparison.deflection_delta))} vs {escape(run.comparison.baseline_ref)}</small>"
    cards = [
        ("deflection (all tickets)", views.percent(s.deflection_rate), f"{s.deflected}/{s.tickets}" + delta),
        ("deflection (not gated)", views.percent(s.deflection_rate_ungated), f"{s.deflected}/{s.tickets - s.gated}"),
        ("false deflections", str(s.false_deflection),
         f"{views.percent(s.false_deflection_rate)} of answered"),
        ("gated by policy", str(s.gated), "correct escalations"),
        ("KB gaps", str(s.gap), "candidates for new articles"),
    ]
    items = "".join(
        f'<div class="card"><small>{escape(name)}</small><b>{escape(value)}</b><small>{note}</small></div>'
        for name, value, note in cards
    )
    return f'<div class="cards">{items}</div>'


def _gate(run: EvalRun) -> str:
    if run.gate is None:
        return ""
    if run.gate.passed:
        return '<p class="pass"><b>Gate: PASS</b></p>'
    failures = "".join(f"<li>{escape(f)}</li>" for f in run.gate.failures)
    return f'<p class="fail"><b>Gate: FAIL</b></p><ul>{failures}</ul>'


def _outcomes(run: EvalRun) -> str:
    counts = {v: len(views.with_verdict(run, v)) for v in views.VERDICT_ORDER}
    series = [_series(v, [counts[v] if v is u else 0 for u in views.VERDICT_ORDER]) for v in views.VERDICT_ORDER]
    total = max(run.summary.tickets, 1)
    notes = [f"{counts[v]} ({counts[v] / total:.0%})" for v in views.VERDICT_ORDER]
    svg = charts.stacked_rows([views.VERDICT_LABELS[v] for v in views.VERDICT_ORDER], series, notes)
    return charts.figure("outcomes", "Outcome breakdown", svg, f"{run.summary.tickets} tickets replayed")


def _categories(run: EvalRun) -> str:
    rows = views.category_counts(run)
    if not rows:
        return charts.figure("categories", "Deflection by category", charts.stacked_rows([], []), "no tickets")
    series = [_series(v, [counts[v] for _, counts in rows]) for v in views.VERDICT_ORDER]
    notes = [f"{counts[Verdict.DEFLECTED] / max(sum(counts.values()), 1):.0%} deflected" for _, counts in rows]
    svg = charts.stacked_rows([name for name, _ in rows], series, notes)
    return charts.figure("categories", "Deflection by category", svg, "tickets per category, by outcome")


def _confidence(run: EvalRun) -> str:
    bins, unusable = views.confidence_bins(run)
    labels = [f"{i / len(bins):.1f}" for i in range(len(bins))]
    series = [_series(v, [b[v] for b in bins]) for v in views.VERDICT_ORDER]
    svg = charts.stacked_columns(labels, series, "agent confidence (bin start)")
    note = "tickets per confidence bin, by outcome"
    if unusable:
        note += f"; {unusable} without a usable confidence"
    return charts.figure("confidence", "Confidence distribution", svg, note)


def _trend(run: EvalRun, history: Sequence[EvalRun]) -> str:
    runs = views.trend_points(run, list(history))[-TREND_RUNS:]
    points = [(views.short_commit(r), r.summary.deflection_rate) for r in runs]
    svg = charts.line(points, COLOURS[Verdict.DEFLECTED], "deflected")
    note = "deflection rate of the runs kept in .kbops/runs/, oldest first, by KB commit"
    if len(points) == 1:
        note += " (one run so far: run `kbops eval` after KB changes to see a trend)"
    return charts.figure("trend", "Deflection over commits", svg, note)


def _risk_coverage(run: EvalRun) -> str:
    curve = views.risk_coverage(run)
    xs = [p.threshold for p in curve.points]
    series = [
        charts.Series("deflection (of all tickets)", COLOURS[Verdict.DEFLECTED], [p.deflection_rate for p in curve.points]),
        charts.Series("false deflection (of answered)", COLOURS[Verdict.FALSE_DEFLECTION],
                      [p.false_deflection_rate for p in curve.points]),
    ]
    at = curve.operating_threshold
    svg = charts.rate_lines(xs, series, at, f"this run ({at:.2f}{', assumed' if curve.assumed else ''})",
                            "confidence threshold (right: stricter, fewer answers)")
    now = curve.operating
    note = (f"what the agent would have done at other confidence thresholds; this run answers {now.answered} "
            f"tickets at {at:.2f}. Gated tickets stay with people at every threshold")
    unknown = max(p.unknown for p in curve.points)
    if unknown:
        note += f"; up to {unknown} drafts have no grade (a run saved before drafts were graded)"
    if curve.assumed:
        note += "; the run did not record its threshold, so it is assumed"
    return charts.figure("risk-coverage", "Stricter or looser", charts.legend(series) + svg, note)


def _gap_topics(run: EvalRun, gaps: GapReport | None) -> str:
    if gaps is None or gaps.run_id != run.run_id:
        return ""
    return _table_section("Gaps by topic, most impact first", ("gap", "topic", "tickets", "kind", "impact"), [
        (g.id, g.label, ", ".join(g.ticket_ids), g.explain(), f"{g.impact:g}") for g in gaps.gaps
    ])


def _comparison(run: EvalRun) -> str:
    c = run.comparison
    if c is None:
        return ""
    base, now = c.baseline, run.summary
    rows = [
        ("deflection rate", views.percent(base.deflection_rate), views.percent(now.deflection_rate),
         views.points(c.deflection_delta)),
        ("deflection (not gated)", views.percent(base.deflection_rate_ungated), views.percent(now.deflection_rate_ungated),
         views.points(now.deflection_rate_ungated - base.deflection_rate_ungated)),
        ("false deflections", str(base.false_deflection), str(now.false_deflection),
         f"{now.false_deflection - base.false_deflection:+d}"),
        ("newly deflected", "", ", ".join(c.newly_deflected) or "–", str(len(c.newly_deflected))),
        ("regressed", "", ", ".join(c.regressed) or "–", str(len(c.regressed))),
        ("new false deflections", "", ", ".join(c.new_false_deflections) or "–", str(len(c.new_false_deflections))),
    ]
    commit = f" ({c.baseline_commit[:views.SHORT_COMMIT]})" if c.baseline_commit else ""
    return f"<h2>Compared with {escape(c.baseline_ref + commit)}</h2>" + _table(("", "baseline", "now", "change"), rows)


def _all_tickets(results: Sequence[TicketResult]) -> str:
    rows = [
        (r.ticket_id, views.VERDICT_LABELS[r.verdict], f"{r.confidence:.2f}", r.subject,
         ", ".join(r.cited_article_ids) or "–", ", ".join(r.reasons) or "–")
        for r in results
    ]
    table = _table(("ticket", "verdict", "confidence", "subject", "cited", "reasons"), rows)
    return f"<h2>All tickets</h2><details><summary>show {len(rows)}</summary>{table}</details>"


def _table_section(title: str, header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A titled table; left out when empty (nothing to look at)."""
    if not rows:
        return ""
    return f"<h2>{escape(title)} ({len(rows)})</h2>" + _table(header, rows)


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{escape(str(cell))}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
