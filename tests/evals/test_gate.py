"""Comparing a run with its baseline, and the CI gate on the result."""

from __future__ import annotations

from kbops.evals.gate import GateRules, check_gate, compare
from kbops.evals.runs import Verdict, summarize
from tests.factories import ticket_result


def test_compare_and_gate() -> None:
    before = [ticket_result("1", Verdict.DEFLECTED), ticket_result("2", Verdict.GAP),
              ticket_result("3", Verdict.DEFLECTED)]
    after = [ticket_result("1", Verdict.DEFLECTED), ticket_result("2", Verdict.DEFLECTED),
             ticket_result("3", Verdict.FALSE_DEFLECTION)]
    comparison = compare(after, before, "main", "abc")
    assert comparison.newly_deflected == ("2",)
    assert comparison.regressed == ("3",)
    assert comparison.new_false_deflections == ("3",)
    assert comparison.verdict_changes == {"2": ("gap", "deflected"), "3": ("deflected", "false_deflection")}
    assert comparison.deflection_delta == 0.0
    summary = summarize(after)
    assert check_gate(summary, comparison, GateRules(max_regressions=1)).passed
    failed = check_gate(summary, comparison, GateRules(max_regressions=0, fail_under=70, max_false_deflections=0))
    assert not failed.passed and len(failed.failures) == 3
    assert "under 70.0%" in failed.failures[0]
