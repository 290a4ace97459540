"""Verdicts, checkpoints, comparison and the gate (pure parts of the eval)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from kbops.agent.decision import Action, Decision
from kbops.evals.gate import GateRules, check_gate, compare
from kbops.evals.grading import grade
from kbops.evals.replay import Checkpoint, classify
from kbops.evals.runs import TicketResult, Verdict, summarize


def decision(action: Action, *reasons: str) -> Decision:
    return Decision("T-1", action, "reply", (), 0.9, reasons, (), "offline", None)


@pytest.mark.parametrize(
    ("made", "correct", "expected"),
    [
        (decision(Action.ANSWER), True, Verdict.DEFLECTED),
        (decision(Action.ANSWER), False, Verdict.FALSE_DEFLECTION),
        (decision(Action.ESCALATE, "risk_topic:refund"), None, Verdict.GATED),
        (decision(Action.ESCALATE, "low_confidence", "vip_customer"), None, Verdict.GATED),
        (decision(Action.ESCALATE, "low_confidence"), None, Verdict.GAP),
        (decision(Action.ESCALATE, "no_coverage", "backend_error"), None, Verdict.GAP),
    ],
)
def test_classify(made: Decision, correct: bool | None, expected: Verdict) -> None:
    assert classify(made, correct) is expected


def test_grade_rules() -> None:
    assert grade("steps", ("a",), ("a", "b"), 0.1, 0.55, True).correct
    assert not grade("steps", ("c",), ("a",), 0.99, 0.55, True).correct  # wrong article beats similarity
    assert grade("text", ("c",), (), 0.6, 0.55, True).correct  # gap ticket: judged on the resolution
    assert not grade("text", ("c",), (), 0.5, 0.55, True).correct
    assert not grade("text", ("c",), (), 0.9, 0.55, False).correct
    assert not grade("", ("a",), ("a",), 0.9, 0.55, True).correct


def result(ticket_id: str, verdict: Verdict) -> TicketResult:
    return TicketResult(ticket_id, verdict, "answer", 0.8, (), ("a",), ("a",), True, 0.7, "", "billing",
                        "pro", "subject", "reply", {"correctness": 0.7})


def test_summary_has_both_denominators() -> None:
    results = [result("1", Verdict.DEFLECTED), result("2", Verdict.GATED), result("3", Verdict.GAP),
               result("4", Verdict.FALSE_DEFLECTION)]
    summary = summarize(results)
    assert (summary.deflection_rate, summary.deflection_rate_ungated, summary.false_deflection_rate) == (0.25, 0.3333, 0.5)
    assert summary.metrics == {"correctness": 0.7}


def test_compare_and_gate() -> None:
    before = [result("1", Verdict.DEFLECTED), result("2", Verdict.GAP), result("3", Verdict.DEFLECTED)]
    after = [result("1", Verdict.DEFLECTED), result("2", Verdict.DEFLECTED), result("3", Verdict.FALSE_DEFLECTION)]
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


def test_checkpoint_resumes_only_the_same_run(tmp_path: Path) -> None:
    path = tmp_path / "checkpoint.jsonl"
    checkpoint = Checkpoint(path, {"kb": "x"})
    checkpoint.start(keep=False)
    checkpoint.append(result("1", Verdict.DEFLECTED))
    checkpoint.append(replace(result("2", Verdict.GAP), reasons=("low_confidence",)))
    with path.open("a") as handle:
        handle.write('{"ticket_id": "3", "verd')  # torn by a kill
    loaded = checkpoint.load()
    assert list(loaded) == ["1", "2"] and loaded["2"].reasons == ("low_confidence",)
    assert Checkpoint(path, {"kb": "other"}).load() == {}
