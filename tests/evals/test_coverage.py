"""The risk-coverage curve: what a stricter or looser agent would have done, replayed from a
run's results; and the `draft_correct` grade a replay gives threshold-escalated drafts."""

from __future__ import annotations

import json
import random
from dataclasses import asdict, dataclass, field, replace
from typing import cast

import pytest

from kbops.agent.agent import Agent
from kbops.agent.decision import Action, Decision
from kbops.config import Settings
from kbops.evals.coverage import RiskCoverage, coverage_point, operating_threshold, risk_coverage
from kbops.evals.replay import replay_ticket
from kbops.evals.runs import EvalRun, TicketResult, Verdict, run_from_dict, summarize
from kbops.index.embed import Embedder
from kbops.tickets.model import Ticket
from tests.factories import decision, eval_run, ticket, ticket_result
from tests.report.sample import GOLDEN_RESULTS

D, F, G, X = Verdict.DEFLECTED, Verdict.FALSE_DEFLECTION, Verdict.GATED, Verdict.GAP


def answered(ticket_id: str, verdict: Verdict, confidence: float) -> TicketResult:
    result = ticket_result(ticket_id, verdict, confidence, reply="See the article.")
    return replace(result, draft_correct=result.correct)


def drafted(ticket_id: str, confidence: float, right: bool | None, *reasons: str) -> TicketResult:
    """Escalated with a cited draft; `right` is its grade (None: a run saved before grades)."""
    return replace(ticket_result(ticket_id, X if set(reasons) <= {"low_confidence", "no_coverage"} else G,
                                 confidence, reasons=reasons or ("low_confidence",)),
                   reply="See the article.", cited_article_ids=("export-project-csv",), draft_correct=right)


RESULTS = [
    answered("A1", D, 0.9), answered("A2", D, 0.7), answered("A3", F, 0.55),
    drafted("L1", 0.45, True), drafted("L2", 0.3, False), drafted("L3", 0.1, True, "no_coverage"),
    drafted("G1", 0.95, True, "risk_topic:refund"), drafted("G2", 0.2, True, "low_confidence", "vip_customer"),
    ticket_result("N1", X, 0.0, reasons=("no_coverage",)),  # nothing drafted
]


def curve(results: list[TicketResult], operating: float = 0.5) -> RiskCoverage:
    return risk_coverage(results, operating)


def random_run(seed: int) -> tuple[list[TicketResult], float]:
    """Results a real agent could produce at a random threshold: answers at or above it,
    threshold escalations below it, gates anywhere."""
    rng = random.Random(seed)
    threshold = round(rng.uniform(0.2, 0.8), 2)
    results: list[TicketResult] = []
    for n in range(40):
        confidence = round(rng.random(), 4)
        kind = rng.choice(["answer", "answer", "threshold", "gate", "empty"])
        if kind == "answer" and confidence >= threshold:
            results.append(answered(f"T{n}", rng.choice([D, D, F]), confidence))
        elif kind == "gate":
            results.append(drafted(f"T{n}", confidence, rng.choice([True, False]), "negative_sentiment"))
        elif kind == "threshold" and confidence < threshold:
            results.append(drafted(f"T{n}", confidence, rng.choice([True, False]), "low_confidence"))
        else:
            results.append(ticket_result(f"T{n}", X, confidence, reasons=("no_coverage",)))
    return results, threshold


@pytest.mark.parametrize("seed", range(20))
def test_the_operating_point_is_the_run_itself(seed: int) -> None:
    results, threshold = random_run(seed)
    summary = summarize(results)
    point = curve(results, threshold).operating
    assert point.threshold == threshold
    assert point.answered == summary.deflected + summary.false_deflection
    assert (point.deflected, point.false_deflection, point.unknown) == (summary.deflected, summary.false_deflection, 0)
    assert point.deflection_rate == summary.deflection_rate
    assert point.false_deflection_rate == summary.false_deflection_rate


def test_the_operating_point_of_the_golden_run() -> None:
    summary = summarize(GOLDEN_RESULTS)
    point = curve(list(GOLDEN_RESULTS)).operating
    assert (point.deflection_rate, point.false_deflection_rate) == (summary.deflection_rate,
                                                                   summary.false_deflection_rate)


def test_points_cover_zero_to_one_and_the_operating_threshold() -> None:
    thresholds = [p.threshold for p in curve(RESULTS, 0.53).points]
    assert thresholds == sorted(thresholds) and len(thresholds) == 22
    assert thresholds[0] == 0.0 and thresholds[-1] == 1.0 and 0.53 in thresholds and 0.05 in thresholds


def test_a_gated_ticket_is_never_answered() -> None:
    gated = [r for r in RESULTS if r.verdict is G]
    for point in curve(gated).points:
        assert point.answered == 0


def test_threshold_zero_answers_every_movable_draft_and_above_the_top_none() -> None:
    loosest = coverage_point(RESULTS, 0.0, 0.5)
    assert loosest.answered == 6  # A1-A3, L1-L3: not the gated ones, not N1 without a draft
    assert (loosest.deflected, loosest.false_deflection) == (4, 2)
    assert loosest.deflection_rate == round(4 / len(RESULTS), 4)
    assert loosest.false_deflection_rate == round(2 / 6, 4)
    strictest = coverage_point(RESULTS, 0.91, 0.5)
    assert (strictest.answered, strictest.deflection_rate, strictest.false_deflection_rate) == (0, 0.0, 0.0)


def test_a_stricter_threshold_never_answers_more() -> None:
    for seed in range(5):
        results, threshold = random_run(seed)
        counts = [p.answered for p in curve(results, threshold).points]
        assert counts == sorted(counts, reverse=True)


def test_an_escalated_draft_above_the_operating_threshold_is_not_movable() -> None:
    """It was held back by something other than the threshold (ticket memory's no_coverage)."""
    held = drafted("M1", 0.8, True, "no_coverage")
    assert coverage_point([held], 0.0, 0.5).answered == 0


def test_drafts_without_a_grade_are_unknown_not_guessed() -> None:
    old = [answered("A1", D, 0.9), answered("A2", F, 0.6), drafted("L1", 0.4, None), drafted("L2", 0.2, None)]
    old = [replace(r, draft_correct=None) for r in old]  # a run saved before the field
    points = {p.threshold: p for p in curve(old).points}
    assert (points[0.5].unknown, points[0.5].deflected, points[0.5].false_deflection) == (0, 1, 1)
    assert (points[0.3].answered, points[0.3].unknown) == (3, 1)
    assert (points[0.0].answered, points[0.0].unknown, points[0.0].false_deflection_rate) == (4, 2, 0.5)
    assert points[0.0].deflection_rate == 0.25  # the unknown drafts are not counted as deflected


def test_the_threshold_is_recorded_assumed_or_read_from_the_results() -> None:
    assert operating_threshold(RESULTS, 0.7) == (0.7, False)
    assert operating_threshold(RESULTS, None) == (0.5, True)
    stricter_team = [answered("A1", D, 0.85), answered("A2", D, 0.8), drafted("L1", 0.6, True)]
    assert operating_threshold(stricter_team, None) == (0.8, True)
    nothing_answered = [drafted("L1", 0.6, True), drafted("L2", 0.2, False)]
    assert operating_threshold(nothing_answered, None) == (0.61, True)
    contradictory = [answered("A1", D, 0.6), drafted("L1", 0.7, True)]
    assert operating_threshold(contradictory, None) == (0.5, True)


def test_an_old_run_without_the_new_fields_still_loads() -> None:
    run = eval_run(RESULTS)
    raw = json.loads(run.to_json())
    del raw["confidence_threshold"]
    for result in raw["results"]:
        del result["draft_correct"]
    loaded = run_from_dict(raw)
    assert loaded.confidence_threshold is None
    assert all(r.draft_correct is None for r in loaded.results)
    assert loaded.results == tuple(replace(r, draft_correct=None) for r in RESULTS)
    recorded = replace(run, confidence_threshold=0.6)
    assert run_from_dict(json.loads(recorded.to_json())) == recorded
    assert isinstance(recorded, EvalRun)


@dataclass
class ScriptedAgent:
    """Stands in for the agent: decides every ticket as scripted."""

    made: Decision
    articles: dict[str, object] = field(default_factory=dict)
    settings: Settings = field(default_factory=Settings)

    def answer(self, ticket: Ticket, **options: object) -> Decision:
        return self.made


def replayed(made: Decision, embedder: Embedder, **fields: object) -> TicketResult:
    agent = cast(Agent, ScriptedAgent(made))
    return replay_ticket(agent, embedder, ticket(tags=("billing",), **fields), threshold=0.5)  # type: ignore[arg-type]


def test_replay_grades_a_draft_held_back_by_low_confidence(embedder: Embedder) -> None:
    made = decision(Action.ESCALATE, "low_confidence", reply="Choose Export > CSV.", cited=("export-project-csv",),
                    confidence=0.3)
    result = replayed(made, embedder, gold=("export-project-csv",))
    assert result.draft_correct is True
    assert (result.verdict, result.correct, result.correctness, result.metrics) == (X, None, 0.0, {})
    assert result.grade_notes == "escalated: nothing sent to the customer"
    wrong = replayed(made, embedder, gold=("reset-password",))
    assert wrong.draft_correct is False and wrong.verdict is X


def test_replay_leaves_gated_and_draftless_tickets_ungraded(embedder: Embedder) -> None:
    gated = decision(Action.ESCALATE, "low_confidence", "vip_customer", reply="Choose Export > CSV.",
                     cited=("export-project-csv",), confidence=0.3)
    assert replayed(gated, embedder, gold=("export-project-csv",)).draft_correct is None
    uncited = decision(Action.ESCALATE, "no_coverage", reply="Sorry.", confidence=0.1)
    assert replayed(uncited, embedder, gold=("export-project-csv",)).draft_correct is None


def test_replay_copies_an_answers_grade(embedder: Embedder) -> None:
    made = decision(Action.ANSWER, reply="Choose Export > CSV.", cited=("export-project-csv",))
    result = replayed(made, embedder, gold=("export-project-csv",))
    assert result.verdict is D and result.correct is True and result.draft_correct is True
    assert asdict(result)["draft_correct"] is True
