"""Replaying a ticket: the verdict the agent's decision earns, and the checkpoint a killed
run resumes from (the whole-CLI kill-and-resume is in tests/e2e/test_eval.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kbops.agent.decision import Action, Decision
from kbops.evals.replay import Checkpoint, classify
from kbops.evals.runs import Verdict
from tests.factories import decision, ticket_result


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


def test_checkpoint_resumes_only_the_same_run(tmp_path: Path) -> None:
    path = tmp_path / "checkpoint.jsonl"
    checkpoint = Checkpoint(path, {"kb": "x"})
    checkpoint.start(keep=False)
    first, second = ticket_result("1", Verdict.DEFLECTED), ticket_result("2", Verdict.GAP)
    checkpoint.append(first)
    checkpoint.append(second)
    with path.open("a") as handle:
        handle.write('{"ticket_id": "3", "verd')  # torn by a kill
    loaded = checkpoint.load()
    assert loaded == {"1": first, "2": second}
    assert loaded["2"].reasons == ("low_confidence",)
    assert Checkpoint(path, {"kb": "other"}).load() == {}
    checkpoint.start(keep=True)  # --resume keeps what is there
    assert list(checkpoint.load()) == ["1", "2"]
    checkpoint.start(keep=False)  # a fresh run starts over
    assert checkpoint.load() == {}
