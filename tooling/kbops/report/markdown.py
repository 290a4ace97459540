"""The run as a GitHub PR comment or job summary: numbers first, then what needs a look.

A reviewer reads the summary table and the gate line and stops there when all is well,
so everything below is ordered by urgency (regressions, false deflections, gaps) and long
lists fold into `<details>` so a 500-ticket run still fits one comment.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ..evals.runs import (
    Comparison,
    EvalRun,
    GateResult,
    RunSummary,
    TicketResult,
    Verdict,
    review_tally,
)
from ..gaps.model import GapReport
from ..kb.markdown import md_code, md_text
from . import views
from .gaps import gap_section

LIST_CAP = 20
"""Rows shown per list; the rest is counted, not dropped silently."""
FOLD_AFTER = 5
"""Lists longer than this are folded into `<details>`."""

def render_markdown(run: EvalRun, gaps: GapReport | None = None) -> str:
    """The whole comment; deterministic for a given run, so re-posting it is a no-op diff.

    `gaps` is the analysis `kbops gaps` saved for this run, if any: gaps are then grouped
    by topic instead of listed ticket by ticket."""
    run = views.private(run)
    gaps = views.private_gaps(gaps) if gaps is not None else None
    blocks = [
        _title(run),
        _summary_table(run.summary),
        _comparison(run) if run.comparison else "",
        _gate(run.gate) if run.gate else "",
        _regressions(run),
        _false_deflections(run),
        _gaps(run, gaps),
        _gated(run),
        _stricter_or_looser(run),
        _protected(run),
        _review_cases(run),
        _tone_profiles(run),
        _problems(run),
        _footer(run),
    ]
    return "\n\n".join(block for block in blocks if block) + "\n"


def _title(run: EvalRun) -> str:
    where = md_text(run.kb_ref) + (", uncommitted changes" if run.kb_dirty else "")
    return f"## kbops eval: KB {md_code(views.short_commit(run))} ({where}) · backend {md_code(run.backend)}"


def _summary_table(s: RunSummary) -> str:
    rows = [
        ("tickets", str(s.tickets)),
        ("deflected", str(s.deflected)),
        ("false deflections", str(s.false_deflection)),
        ("gated by policy", str(s.gated)),
        ("KB gaps", str(s.gap)),
        ("deflection rate (all tickets)", f"**{views.percent(s.deflection_rate)}** ({s.deflected}/{s.tickets})"),
        ("deflection rate (not gated by policy)",
         f"{views.percent(s.deflection_rate_ungated)} ({s.deflected}/{s.tickets - s.gated})"),
        ("false-deflection rate (of answered)",
         f"{views.percent(s.false_deflection_rate)} ({s.false_deflection}/{s.deflected + s.false_deflection})"),
    ]
    rows += [(md_text(name), f"{value:.3f}") for name, value in sorted(s.metrics.items())]
    return _table(("metric", "value"), rows, align="|---|---:|")


def _comparison(run: EvalRun) -> str:
    c = run.comparison
    assert c is not None
    base = c.baseline
    commit = f" ({md_code(c.baseline_commit[:views.SHORT_COMMIT])})" if c.baseline_commit else ""
    head = (
        f"### Compared with {md_text(c.baseline_ref)}{commit}\n\n"
        f"Deflection **{views.points(c.deflection_delta)}** "
        f"({views.percent(base.deflection_rate)} → {views.percent(run.summary.deflection_rate)}) · "
        f"not gated {views.percent(base.deflection_rate_ungated)} → "
        f"{views.percent(run.summary.deflection_rate_ungated)} "
        f"({views.points(run.summary.deflection_rate_ungated - base.deflection_rate_ungated)}) · "
        f"false deflections {base.false_deflection} → {run.summary.false_deflection}"
    )
    results = views.by_id(run)
    rows = [
        (label, str(len(ids)), _ticket_list(ids, results))
        for label, ids in _change_groups(c)
    ]
    return head + "\n\n" + _table(("change", "tickets", "which"), rows, align="|---|---:|---|")


def _change_groups(c: Comparison) -> list[tuple[str, tuple[str, ...]]]:
    return [
        ("newly deflected", c.newly_deflected),
        ("regressed (no longer deflected)", c.regressed),
        ("new false deflections", c.new_false_deflections),
    ]


def _ticket_list(ids: Sequence[str], results: dict[str, TicketResult]) -> str:
    """Ids with subjects in one table cell; capped like every list."""
    if not ids:
        return "–"
    shown = [f"{md_text(t)} {md_text(results[t].subject) if t in results else ''}".strip() for t in ids[:LIST_CAP]]
    more = f"<br>… and {len(ids) - LIST_CAP} more" if len(ids) > LIST_CAP else ""
    return "<br>".join(shown) + more


def _gate(gate: GateResult) -> str:
    if gate.passed:
        return "### Gate: ✅ PASS"
    failures = "\n".join(f"- {md_text(f)}" for f in gate.failures)
    return f"### Gate: ❌ FAIL\n\n{failures}"


def _regressions(run: EvalRun) -> str:
    changes = views.regressions(run)
    rows = [
        (md_text(ch.result.ticket_id), md_text(ch.result.subject), md_text(ch.before), md_text(ch.after),
         f"{ch.result.confidence:.2f}", _reasons(ch.result))
        for ch in changes
    ]
    return _section("Regressions", "verdict got worse since the baseline",
                    ("ticket", "subject", "was", "now", "confidence", "reasons"), rows)


def _false_deflections(run: EvalRun) -> str:
    rows = [
        (md_text(r.ticket_id), md_text(r.subject), md_text(", ".join(r.cited_article_ids) or "–"),
         f"{r.confidence:.2f}")
        for r in views.with_verdict(run, Verdict.FALSE_DEFLECTION)
    ]
    return _section("False deflections", "answered, but wrongly",
                    ("ticket", "subject", "cited article", "confidence"), rows)


def _gaps(run: EvalRun, gaps: GapReport | None) -> str:
    if grouped := gap_section(run, gaps):
        return grouped
    rows = [
        (md_text(r.ticket_id), md_text(r.subject), _reasons(r))
        for r in views.with_verdict(run, Verdict.GAP)
    ]
    return _section("Gaps", "the KB did not cover them", ("ticket", "subject", "reasons"), rows)


def _gated(run: EvalRun) -> str:
    counts = views.gate_reason_counts(run)
    if not counts:
        return ""
    rows = [(md_text(reason), str(count)) for reason, count in counts]
    return (f"### Gated by policy ({run.summary.gated})\n\n"
            + _table(("reason", "tickets"), rows, align="|---|---:|"))


def _stricter_or_looser(run: EvalRun) -> str:
    """A few thresholds around the operating one: what a stricter or looser agent would do."""
    if not run.results:
        return ""
    at, assumed = views.operating(run)
    rows = []
    for p in views.nearby_thresholds(run):
        graded = p.answered - p.unknown
        cells = (f"{p.threshold:.2f}" + (" (this run)" if p.threshold == at else ""),
                 str(p.answered) + (f" ({p.unknown} not graded)" if p.unknown else ""),
                 f"{views.percent(p.deflection_rate)} ({p.deflected}/{len(run.results)})",
                 f"{views.percent(p.false_deflection_rate)} ({p.false_deflection}/{graded})")
        rows.append(tuple(f"**{c}**" for c in cells) if p.threshold == at else cells)
    note = (" This run did not record its threshold; "
            f"{at:.2f} is assumed." if assumed else "")
    meaning = ("_What the agent would have done at another confidence threshold: higher is stricter "
               "(fewer answers, fewer wrong ones), lower is looser. Gated tickets stay with people at every "
               f"threshold._{note}")
    table = _table(("confidence threshold", "answered", "deflection", "false deflection (of graded answers)"),
                   rows, align="|---:|---:|---:|---:|")
    return f"### Stricter or looser\n\n{meaning}\n\n{table}"


def _protected(run: EvalRun) -> str:
    lines = []
    for r in views.protected(run):
        articles = ", ".join(md_text(a) for a in r.protected_by)
        state = "deflected" if r.verdict is Verdict.DEFLECTED else f"⚠️ now {md_text(r.verdict)}"
        lines.append(f"- {md_text(r.ticket_id)} {md_text(r.subject)}: protected by article {articles} ({state})")
    if not lines:
        return ""
    return _fold("### Closed gaps under watch", len(lines), "\n".join(_capped(lines, "- ")))


def _review_cases(run: EvalRun) -> str:
    tally = review_tally(run.results)
    if not tally.replayed:
        return ""
    line = (f"**Reviewed cases** (`evals/reviews.jsonl`): {tally.passing} of {tally.replayed} replayed now handled "
            "as the reviewer said")
    if not tally.failing:
        return line + "."
    more = f" and {len(tally.failing) - LIST_CAP} more" if len(tally.failing) > LIST_CAP else ""
    return f"{line}; still wrong: {', '.join(md_code(t) for t in tally.failing[:LIST_CAP])}{more}."


def _tone_profiles(run: EvalRun) -> str:
    """Tickets per tone profile (the HTML report shows their replies side by side)."""
    counts = views.tone_counts(run)
    if not counts:
        return ""
    rows = [(md_text(c.profile), str(c.tickets), str(c.answered)) for c in counts]
    return "**Tone profiles** (the reply's tone the agent chose)\n\n" + _table(
        ("profile", "tickets", "answered"), rows, align="|---|---:|---:|")


def _problems(run: EvalRun) -> str:
    if not run.problems:
        return ""
    lines = [f"- {md_text(p)}" for p in run.problems]
    return _fold("### Unreadable ticket records", len(lines), "\n".join(_capped(lines, "- ")))


def _footer(run: EvalRun) -> str:
    return (f"<sub>run {md_text(run.run_id)} · {md_text(run.created_at)} · "
            f"tickets {md_text(run.tickets_file) or '–'} · {md_text(views.settings_line(run))}</sub>")


def _reasons(r: TicketResult) -> str:
    return md_text(", ".join(r.reasons) or "–")


def _section(title: str, meaning: str, header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A titled table, capped and folded when long; empty sections are left out."""
    if not rows:
        return ""
    shown = rows[:LIST_CAP]
    body = _table(header, shown)
    if len(rows) > LIST_CAP:
        body += f"\n\n… and {len(rows) - LIST_CAP} more"
    return _fold(f"### {title} ({len(rows)})\n\n_{meaning}_", len(rows), body)


def _fold(head: str, count: int, body: str) -> str:
    if count <= FOLD_AFTER:
        return f"{head}\n\n{body}"
    # GitHub needs the blank lines around Markdown inside <details>.
    return f"{head}\n\n<details><summary>show {count}</summary>\n\n{body}\n\n</details>"


def _capped(lines: list[str], prefix: str) -> list[str]:
    if len(lines) <= LIST_CAP:
        return lines
    return [*lines[:LIST_CAP], f"{prefix}… and {len(lines) - LIST_CAP} more"]


def _table(header: Sequence[str], rows: Iterable[Sequence[str]], align: str | None = None) -> str:
    lines = ["| " + " | ".join(header) + " |", align or "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cells) + " |" for cells in rows]
    return "\n".join(lines)
