"""What every report shows of a run, derived once so Markdown and HTML cannot disagree.

These are pure functions of an `EvalRun`: which tickets got worse, which were answered
wrongly, why tickets were gated. The renderers only decide how it looks.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, replace

from ..agent.fit import PROFILES
from ..evals.coverage import RiskCoverage, RiskPoint, coverage_point, operating_threshold
from ..evals.coverage import risk_coverage as coverage_curve
from ..evals.replay import private_result
from ..evals.runs import GAP_REASONS, EvalRun, TicketResult, Verdict
from ..gaps.model import Gap, GapReport
from ..redact import pseudonym, redacted

VERDICT_ORDER = (Verdict.DEFLECTED, Verdict.FALSE_DEFLECTION, Verdict.GATED, Verdict.GAP)
"""Fixed order for tables, legends and stacks, so reports diff cleanly between runs."""

VERDICT_LABELS = {
    Verdict.DEFLECTED: "deflected",
    Verdict.FALSE_DEFLECTION: "false deflection",
    Verdict.GATED: "gated by policy",
    Verdict.GAP: "KB gap",
}

_BADNESS = {Verdict.DEFLECTED: 0, Verdict.GATED: 1, Verdict.GAP: 2, Verdict.FALSE_DEFLECTION: 3}
"""How bad an outcome is for the customer. A correct policy escalation is better than a
KB gap (nobody had to search), and a wrong answer is worse than any escalation because the
customer was sent it."""

SHORT_COMMIT = 7


@dataclass(frozen=True)
class Change:
    """A ticket whose verdict moved since the baseline."""

    result: TicketResult
    before: str
    after: str


def private(run: EvalRun) -> EvalRun:
    """The run as every report shows it: ticket text redacted once more, so a run saved by an
    older kbops (or edited by hand) cannot put personal data into a report. Idempotent: the
    JSON of a run kbops saved is unchanged."""
    return replace(run, results=tuple(private_result(r) for r in run.results),
                   problems=tuple(redacted(p) for p in run.problems))


def private_gaps(report: GapReport) -> GapReport:
    """The gap analysis as reports show it: labels, key phrases, example subjects and
    customer ids redacted (they come from tickets)."""
    def private_gap(gap: Gap) -> Gap:
        return replace(gap, label=redacted(gap.label), key_phrases=tuple(redacted(p) for p in gap.key_phrases),
                       examples=tuple((tid, redacted(subject)) for tid, subject in gap.examples),
                       customers=tuple(pseudonym(c, "customer") for c in gap.customers),
                       categories={redacted(name): count for name, count in gap.categories.items()})

    return replace(report, gaps=tuple(private_gap(g) for g in report.gaps))


def short_commit(run: EvalRun) -> str:
    """Commit as people read it in `git log --oneline`; `*` marks uncommitted KB edits."""
    if not run.kb_commit:
        return "no commit"
    return run.kb_commit[:SHORT_COMMIT] + ("*" if run.kb_dirty else "")


def settings_line(run: EvalRun) -> str:
    """Which settings and memory the agent ran with, in a few words for a report's footer."""
    settings = f"settings tuned by {run.tuned}" if run.tuned else "shipped settings (no kbops.tuned.toml)"
    memory = {
        "time": f"ticket memory of {run.memory_entries} tickets, each replayed ticket seeing only earlier ones",
        "leave-one-out": f"ticket memory of {run.memory_entries} tickets, each replayed ticket seeing all but itself",
    }.get(run.memory_replay, "no ticket memory")
    return f"{settings} · {memory}"


def percent(rate: float) -> str:
    return f"{rate * 100:.1f}%"


def points(delta: float) -> str:
    """A rate change in percentage points, always signed so a drop is never missed."""
    value = round(delta * 100, 1)
    if value == 0:
        return "±0.0 pts"
    return f"{value:+.1f} pts"


def by_id(run: EvalRun) -> dict[str, TicketResult]:
    return {r.ticket_id: r for r in run.results}


def regressions(run: EvalRun) -> list[Change]:
    """Tickets whose verdict got worse since the baseline (not only lost deflections:
    a gap that is now a false deflection is the worst regression of all)."""
    if run.comparison is None:
        return []
    results = by_id(run)
    changes = []
    for ticket_id, (before, after) in run.comparison.verdict_changes.items():
        if ticket_id in results and _worse(before, after):
            changes.append(Change(results[ticket_id], before, after))
    for ticket_id in run.comparison.regressed:
        if ticket_id in results and ticket_id not in run.comparison.verdict_changes:
            changes.append(Change(results[ticket_id], str(Verdict.DEFLECTED), str(results[ticket_id].verdict)))
    return changes


def _worse(before: str, after: str) -> bool:
    try:
        return _BADNESS[Verdict(after)] > _BADNESS[Verdict(before)]
    except ValueError:
        return False


def with_verdict(run: EvalRun, verdict: Verdict) -> list[TicketResult]:
    return [r for r in run.results if r.verdict is verdict]


def gate_reason_counts(run: EvalRun) -> list[tuple[str, int]]:
    """Policy reasons behind gated tickets, most frequent first. Gap reasons (low
    confidence, no coverage) are left out: they say nothing about the policy."""
    counts: Counter[str] = Counter()
    for result in with_verdict(run, Verdict.GATED):
        counts.update(reason for reason in result.reasons if reason not in GAP_REASONS)
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def protected(run: EvalRun) -> list[TicketResult]:
    """Results that guard a closed gap: if one is not deflected, the article regressed."""
    return [r for r in run.results if r.protected_by]


def category_counts(run: EvalRun) -> list[tuple[str, dict[Verdict, int]]]:
    """Verdict counts per category, biggest category first (ties by name)."""
    table: dict[str, dict[Verdict, int]] = {}
    for result in run.results:
        row = table.setdefault(result.category or "uncategorized", dict.fromkeys(VERDICT_ORDER, 0))
        row[result.verdict] += 1
    return sorted(table.items(), key=lambda item: (-sum(item[1].values()), item[0]))


def confidence_bins(run: EvalRun, bins: int = 10) -> tuple[list[dict[Verdict, int]], int]:
    """Verdict counts per confidence bin of width 1/bins; 1.0 falls in the last bin.
    Returns the bins and how many results had no usable confidence (NaN), which are
    reported rather than silently dropped."""
    table = [dict.fromkeys(VERDICT_ORDER, 0) for _ in range(bins)]
    unusable = 0
    for result in run.results:
        value = result.confidence
        if not isinstance(value, int | float) or math.isnan(value):
            unusable += 1
            continue
        index = min(bins - 1, max(0, int(value * bins)))
        table[index][result.verdict] += 1
    return table, unusable


def trend_points(run: EvalRun, history: tuple[EvalRun, ...] | list[EvalRun]) -> list[EvalRun]:
    """Past runs plus this one, oldest first, one point per run id.

    `load_history` already contains the run just saved, so duplicates are dropped."""
    seen: dict[str, EvalRun] = {r.run_id: r for r in history}
    seen[run.run_id] = run
    return sorted(seen.values(), key=lambda r: (r.created_at, r.run_id))


def operating(run: EvalRun) -> tuple[float, bool]:
    """The confidence threshold the run answered at, and whether it is assumed (not recorded)."""
    return operating_threshold(run.results, run.confidence_threshold)


def risk_coverage(run: EvalRun) -> RiskCoverage:
    """Deflection and false deflection across confidence thresholds (`evals/coverage.py`),
    computed from the results, so runs saved before it existed show it too."""
    return coverage_curve(run.results, *operating(run))


def nearby_thresholds(run: EvalRun, offsets: tuple[float, ...] = (-0.2, -0.1, 0.1, 0.2)) -> list[RiskPoint]:
    """The operating point and a few stricter and looser ones, clipped to [0, 1]."""
    at, _ = operating(run)
    thresholds = sorted({min(1.0, max(0.0, round(at + offset, 2))) for offset in offsets} | {at})
    return [coverage_point(run.results, t, at) for t in thresholds]


@dataclass(frozen=True)
class ToneCount:
    """Tickets the agent gave one tone profile, and how many of them it answered."""

    profile: str
    tickets: int
    answered: int


def tone_counts(run: EvalRun) -> list[ToneCount]:
    """Tickets per tone profile, in the fixed order of `PROFILES` (any other profile after,
    by name); empty for a run saved before tone profiles, so older reports stay unchanged."""
    tickets = Counter(r.tone_profile for r in run.results if r.tone_profile)
    answered = Counter(r.tone_profile for r in run.results if r.tone_profile and r.action == "answer")
    order = [p for p in PROFILES if p in tickets] + sorted(set(tickets) - set(PROFILES))
    return [ToneCount(p, tickets[p], answered[p]) for p in order]


def replies_by_tone(run: EvalRun) -> list[tuple[str, list[TicketResult]]]:
    """The answered tickets' replies grouped by tone profile, so a reviewer reads the replies
    one profile got side by side with the others'; profiles with no answered ticket are left out."""
    groups = [(c.profile, [r for r in run.results
                           if r.tone_profile == c.profile and r.action == "answer" and r.reply.strip()])
              for c in tone_counts(run)]
    return [(profile, replies) for profile, replies in groups if replies]
