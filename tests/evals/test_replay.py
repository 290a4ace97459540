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


def started(path: Path, *results: str, key: dict[str, object] | None = None) -> Checkpoint:
    """A checkpoint of `key` with one deflected result per ticket id."""
    checkpoint = Checkpoint(path, key or {"kb": "x"})
    checkpoint.start(keep=False)
    for ticket_id in results:
        checkpoint.append(ticket_result(ticket_id, Verdict.DEFLECTED))
    return checkpoint


@pytest.mark.parametrize(
    "bad_line",
    [
        "garbage{{",                                   # not JSON
        '{"ticket_id": "2", "verd',                    # torn in the middle (a later run appended after it)
        '{"ticket_id": 3}',                            # JSON, but not a result
        '["T-2", "deflected"]',                        # JSON, not an object
        '{"ticket_id": "2", "verdict": "deflected", "action": "answer", "confidence": "high"}',  # wrong type
        "\udcff",                                      # not UTF-8 (written as a lone byte below)
    ],
)
def test_a_bad_line_in_the_middle_is_skipped_and_the_rest_resumed(tmp_path: Path, bad_line: str) -> None:
    path = tmp_path / "checkpoint.jsonl"
    started(path, "1")
    with path.open("ab") as handle:
        handle.write(bad_line.encode("utf-8", errors="surrogateescape") + b"\n")
    started_again = Checkpoint(path, {"kb": "x"})
    started_again.append(ticket_result("3", Verdict.DEFLECTED))
    messages: list[str] = []
    resumed = Checkpoint(path, {"kb": "x"}, messages.append)
    resumed.start(keep=True)
    assert list(resumed.load()) == ["1", "3"]  # every valid result kept; ticket 2 is replayed
    assert len(messages) == 1 and "line(s) 3 of the checkpoint are not results" in messages[0]
    assert "moved it to checkpoint.jsonl.corrupt, resuming from the 2 valid result(s)" in messages[0]
    assert (tmp_path / "checkpoint.jsonl.corrupt").exists()
    resumed.append(ticket_result("2", Verdict.GAP))
    assert list(Checkpoint(path, {"kb": "x"}, messages.append).load()) == ["1", "3", "2"]
    assert len(messages) == 1  # the rewritten checkpoint is clean


def test_a_torn_last_line_is_a_kill_not_damage(tmp_path: Path) -> None:
    path = tmp_path / "checkpoint.jsonl"
    started(path, "1", "2")
    with path.open("a") as handle:
        handle.write('{"ticket_id": "3", "verd')
    messages: list[str] = []
    resumed = Checkpoint(path, {"kb": "x"}, messages.append)
    resumed.start(keep=True)
    resumed.append(ticket_result("3", Verdict.DEFLECTED))  # never glued to the torn line
    assert list(Checkpoint(path, {"kb": "x"}).load()) == ["1", "2", "3"]
    assert messages == [] and not (tmp_path / "checkpoint.jsonl.corrupt").exists()


@pytest.mark.parametrize("first_line", ['{"kee": {"kb": "x"}}', "garbage", '{"key": "x"}', ""])
def test_a_checkpoint_without_a_run_key_is_set_aside(tmp_path: Path, first_line: str) -> None:
    path = tmp_path / "checkpoint.jsonl"
    path.write_text(first_line + "\n" + '{"ticket_id": "1"}\n')
    messages: list[str] = []
    checkpoint = Checkpoint(path, {"kb": "x"}, messages.append)
    checkpoint.start(keep=True)
    assert checkpoint.load() == {}
    assert len(messages) == 1 and "not a checkpoint (its first line is not a run key)" in messages[0]


def test_a_checkpoint_of_another_run_says_what_changed(tmp_path: Path) -> None:
    path = tmp_path / "checkpoint.jsonl"
    started(path, "1", key={"kb": "x", "tickets": "a", "backend": "offline"})
    messages: list[str] = []
    other = Checkpoint(path, {"kb": "y", "tickets": "a", "backend": "offline"}, messages.append)
    other.start(keep=True)
    assert other.load() == {}
    assert messages == [f"{path}: the checkpoint is of another run (kb changed); starting the run afresh"]


def test_a_checkpoint_that_is_a_folder_is_set_aside(tmp_path: Path) -> None:
    path = tmp_path / "checkpoint.jsonl"
    path.mkdir()
    messages: list[str] = []
    Checkpoint(path, {"kb": "x"}, messages.append).start(keep=True)
    assert path.is_file() and (tmp_path / "checkpoint.jsonl.corrupt").is_dir()
    assert "unreadable checkpoint" in messages[0]
