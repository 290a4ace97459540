"""Review-log cases in an eval: an answer a reviewer said must be escalated is a false
deflection, and the report counts how many review cases the agent now handles as told."""

from __future__ import annotations

import json

import jsonschema
import pytest

from kbops.agent.decision import Action
from kbops.evals.replay import classify, must_escalate_note, ticket_category
from kbops.evals.runs import Verdict, review_passes, review_tally
from kbops.report.json import render_json, run_schema
from kbops.report.markdown import render_markdown
from tests.factories import decision, eval_run, ticket, ticket_result


def test_an_answer_that_must_be_escalated_is_a_false_deflection_however_good() -> None:
    assert classify(decision(Action.ANSWER), True, "escalate") is Verdict.FALSE_DEFLECTION
    assert classify(decision(Action.ANSWER), True, "answer") is Verdict.DEFLECTED
    assert classify(decision(Action.ANSWER), False, "answer") is Verdict.FALSE_DEFLECTION
    # an escalation is never a deflection, whatever the reviewer expected
    assert classify(decision(Action.ESCALATE, "low_confidence"), None, "answer") is Verdict.GAP
    assert classify(decision(Action.ESCALATE, "risk_topic:refund"), None, "escalate") is Verdict.GATED


def test_the_grade_note_names_the_reviewers_verdict() -> None:
    case = ticket("T-9", tags=("billing", "review:should_have_escalated"))
    assert must_escalate_note(case) == "answered, but must escalate (reviewer's verdict should_have_escalated)"
    assert "expected_action escalate" in must_escalate_note(ticket("T-9"))


def test_the_review_tag_is_not_taken_for_a_category() -> None:
    assert ticket_category(ticket("T-9", tags=("review:incorrect", "billing")), agent=None) == "billing"  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("verdict", "gold", "result", "passes"),
    [
        ("should_have_escalated", (), Verdict.GATED, True),
        ("should_have_escalated", (), Verdict.DEFLECTED, False),
        ("should_have_escalated", (), Verdict.FALSE_DEFLECTION, False),
        ("correctly_escalated", (), Verdict.GAP, True),
        ("incorrect", (), Verdict.GAP, True),  # no article answers it yet: must escalate
        ("incorrect", ("refunds",), Verdict.DEFLECTED, True),
        ("incorrect", ("refunds",), Verdict.GAP, False),
        ("should_have_answered", ("billing-faq",), Verdict.DEFLECTED, True),
        ("should_have_answered", ("billing-faq",), Verdict.GATED, False),
        ("correct", ("billing-faq",), Verdict.DEFLECTED, True),
    ],
)
def test_a_review_case_passes_when_the_agent_does_what_the_reviewer_said(
        verdict: str, gold: tuple[str, ...], result: Verdict, passes: bool) -> None:
    assert review_passes(ticket_result("T-9", result, gold=gold, tags=("billing", f"review:{verdict}"))) is passes


def test_reports_count_review_cases_only_when_there_are_some() -> None:
    plain = eval_run([ticket_result("T-1"), ticket_result("T-2", Verdict.GAP)])
    assert review_tally(plain.results).replayed == 0
    assert "review_cases" not in json.loads(render_json(plain))
    assert "Reviewed cases" not in render_markdown(plain)

    run = eval_run([
        ticket_result("T-1"),
        ticket_result("T-8", Verdict.GATED, tags=("review:should_have_escalated",)),
        ticket_result("T-9", Verdict.FALSE_DEFLECTION, tags=("review:should_have_escalated",)),
    ])
    document = json.loads(render_json(run))
    jsonschema.validate(document, run_schema())
    assert document["review_cases"] == {"replayed": 2, "passing": 1, "failing": ["T-9"]}
    assert "**Reviewed cases** (`evals/reviews.jsonl`): 1 of 2 replayed now handled as the reviewer said; " \
           "still wrong: `T-9`." in render_markdown(run)
