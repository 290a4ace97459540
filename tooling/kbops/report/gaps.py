"""Knowledge gaps in Markdown: the ranked table `kbops gaps --format md` prints, and the
grouped "Gaps" section of the eval report once `kbops gaps` has analysed that run.

`kbops gaps` keeps its analysis beside the run (`.kbops/runs/gaps/<run_id>.json`), so
rendering a report never embeds or clusters anything: it only reads what was saved.
"""

from __future__ import annotations

from ..evals.runs import EvalRun, Verdict
from ..gaps.model import GapKind, GapReport
from ..kb.markdown import md_code, md_text
from . import views

LIST_CAP = 20


def render_gaps_markdown(report: GapReport, title: str = "Gaps by topic") -> str:
    """A ranked table: one row per gap, most impact first; capped like every list."""
    report = views.private_gaps(report)
    if not report.gaps:
        return f"### {title} (0)\n\n_no gap or false-deflection tickets in run {md_text(report.run_id)}_"
    rows = []
    for gap in report.gaps[:LIST_CAP]:
        tiers = ", ".join(f"{tier} {count}" for tier, count in gap.tiers.items())
        kind = "missing article" if gap.kind is GapKind.MISSING else f"fails: {gap.covering_article} ({gap.failure})"
        nearest = ", ".join(f"{n.article_id} {n.similarity:.2f}" for n in gap.nearest[:2]) or "–"
        rows.append(
            f"| {gap.rank} | {md_code(gap.id)} | {md_text(gap.label)} | {gap.tickets} ({gap.share * 100:.1f}%) | "
            f"{md_text(', '.join(gap.ticket_ids[:6]))}{' …' if gap.tickets > 6 else ''} | "
            f"{len(gap.customers)} ({md_text(tiers)}) | {md_text(kind)} | {md_text(nearest)} | {gap.impact:g} |"
        )
    table = "\n".join([
        "| # | gap | topic | tickets (share) | which | customers (tiers) | kind | nearest articles | impact |",
        "|---:|---|---|---:|---|---|---|---|---:|",
        *rows,
    ])
    more = f"\n\n… and {len(report.gaps) - LIST_CAP} more" if len(report.gaps) > LIST_CAP else ""
    head = (f"### {title} ({len(report.gaps)} gaps, {report.considered} tickets)\n\n"
            f"_gap and false-deflection tickets grouped by topic, most impact first; "
            f"`kbops gaps draft GAP_ID` drafts the missing article_")
    return f"{head}\n\n{table}{more}"


def gap_section(run: EvalRun, report: GapReport | None) -> str:
    """The eval report's gap section grouped by topic, or "" when no analysis was saved
    (the report then lists gap tickets one by one)."""
    if report is None or report.run_id != run.run_id:
        return ""
    gap_ids = {r.ticket_id for r in run.results if r.verdict in (Verdict.GAP, Verdict.FALSE_DEFLECTION)}
    if not gap_ids <= {t for g in report.gaps for t in g.ticket_ids}:
        return ""  # saved for another ticket set: do not show a partial grouping
    return render_gaps_markdown(report, title="Gaps")
