"""The CI gate: compare a run with its baseline and decide whether the KB got worse."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .runs import Comparison, GateResult, RunSummary, TicketResult, Verdict, summarize


@dataclass(frozen=True)
class GateRules:
    fail_under: float | None = None
    """Minimum deflection rate over all tickets (0..1; 0..100 is read as percent)."""
    max_regressions: int | None = None
    max_false_deflections: int | None = None

    def active(self) -> bool:
        return any(v is not None for v in (self.fail_under, self.max_regressions, self.max_false_deflections))


def compare(current: Sequence[TicketResult], baseline: Sequence[TicketResult], ref: str,
            commit: str | None) -> Comparison:
    before = {r.ticket_id: r.verdict for r in baseline}
    after = {r.ticket_id: r.verdict for r in current}
    shared = [tid for tid in after if tid in before]
    current_summary, baseline_summary = summarize(list(current)), summarize(list(baseline))
    return Comparison(
        baseline_ref=ref,
        baseline_commit=commit,
        baseline=baseline_summary,
        deflection_delta=round(current_summary.deflection_rate - baseline_summary.deflection_rate, 4),
        newly_deflected=tuple(t for t in shared if after[t] is Verdict.DEFLECTED and before[t] is not Verdict.DEFLECTED),
        regressed=tuple(t for t in shared if before[t] is Verdict.DEFLECTED and after[t] is not Verdict.DEFLECTED),
        new_false_deflections=tuple(
            t for t in shared if after[t] is Verdict.FALSE_DEFLECTION and before[t] is not Verdict.FALSE_DEFLECTION
        ),
        verdict_changes={t: (str(before[t]), str(after[t])) for t in shared if before[t] is not after[t]},
    )


def check_gate(summary: RunSummary, comparison: Comparison | None, rules: GateRules) -> GateResult:
    failures = []
    if rules.fail_under is not None:
        minimum = rules.fail_under / 100 if rules.fail_under > 1 else rules.fail_under
        if summary.deflection_rate < minimum:
            failures.append(f"deflection rate {summary.deflection_rate:.1%} is under {minimum:.1%}")
    if rules.max_regressions is not None and comparison is not None:
        if len(comparison.regressed) > rules.max_regressions:
            failures.append(f"{len(comparison.regressed)} tickets regressed (allowed: {rules.max_regressions}): "
                            + ", ".join(comparison.regressed[:10]))
    if rules.max_false_deflections is not None:
        count = len(comparison.new_false_deflections) if comparison else summary.false_deflection
        scope = "new false deflections" if comparison else "false deflections"
        if count > rules.max_false_deflections:
            failures.append(f"{count} {scope} (allowed: {rules.max_false_deflections})")
    rule_values = {k: v for k, v in vars(rules).items() if v is not None}
    return GateResult(passed=not failures, failures=tuple(failures), rules=rule_values)
