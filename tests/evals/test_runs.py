"""The run's summary: both deflection denominators, and metrics averaged where they apply."""

from __future__ import annotations

from kbops.evals.runs import Verdict, summarize
from tests.factories import ticket_result


def test_summary_has_both_denominators() -> None:
    results = [
        ticket_result("1", Verdict.DEFLECTED, metrics={"correctness": 0.7}),
        ticket_result("2", Verdict.GATED, metrics={"correctness": 0.7}),
        ticket_result("3", Verdict.GAP, metrics={"correctness": 0.7}),
        ticket_result("4", Verdict.FALSE_DEFLECTION, metrics={"correctness": 0.7}),
    ]
    summary = summarize(results)
    assert (summary.deflection_rate, summary.deflection_rate_ungated, summary.false_deflection_rate) == (0.25, 0.3333, 0.5)
    assert summary.metrics == {"correctness": 0.7}


def test_a_metric_is_averaged_over_the_tickets_that_have_it() -> None:
    results = [
        ticket_result("1", Verdict.DEFLECTED, metrics={"rouge_l": 0.9, "context_recall": 1.0}),
        ticket_result("2", Verdict.DEFLECTED, metrics={"rouge_l": 0.5}),
        ticket_result("3", Verdict.GAP, metrics={}),
    ]
    assert summarize(results).metrics == {"context_recall": 1.0, "rouge_l": 0.7}
