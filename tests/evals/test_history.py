"""Saved runs (`.kbops/runs/`): every file validated when read; a bad one is set aside with
one message and skipped in listings, and a clean error when it is asked for by id."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kbops.errors import KBError, StateError
from kbops.evals.history import RunStore, read_run
from kbops.evals.runs import Verdict
from tests.factories import eval_run, ticket_result

OLD, NEW = "20261101T000000Z-aaaaaa", "20261102T000000Z-bbbbbb"


def store_with_two_runs(folder: Path, messages: list[str]) -> RunStore:
    store = RunStore(folder, messages.append)
    for run_id in (OLD, NEW):
        store.save(eval_run([ticket_result("T-1", Verdict.DEFLECTED)], run_id=run_id))
    return store


def damaged_runs() -> list[tuple[str, str]]:
    """(file text, what the message says) for run files that must not be trusted."""
    good = json.loads(eval_run([ticket_result("T-1")], run_id=NEW).to_json())
    wrong_type = json.loads(json.dumps(good))
    wrong_type["results"][0]["confidence"] = "high"  # parses, but a report would crash on it
    no_results = {k: v for k, v in good.items() if k != "results"}
    return [
        ('{"run_id": "2026', "not valid JSON"),
        ("[1, 2]", "expected a JSON object"),
        (json.dumps({**good, "version": 99}), "run format 99"),
        (json.dumps(wrong_type), "results.0.confidence"),
        (json.dumps(no_results), "results: Field required"),
        ("", "not valid JSON"),
    ]


@pytest.mark.parametrize(("text", "reason"), damaged_runs())
def test_a_bad_run_is_skipped_once_and_set_aside(tmp_path: Path, text: str, reason: str) -> None:
    messages: list[str] = []
    store = store_with_two_runs(tmp_path, messages)
    (tmp_path / f"{NEW}.json").write_text(text)
    assert [run.run_id for run in store.history()] == [OLD]
    assert store.latest() is not None and store.latest().run_id == OLD  # type: ignore[union-attr]
    assert len(messages) == 1 and reason in messages[0] and f"moved it to {NEW}.json.corrupt, skipped it" in messages[0]
    assert (tmp_path / f"{NEW}.json.corrupt").read_text() == text


def test_a_bad_run_asked_for_by_id_names_the_file(tmp_path: Path) -> None:
    store = store_with_two_runs(tmp_path, [])
    (tmp_path / f"{NEW}.json").write_text("[1]")
    with pytest.raises(StateError) as error:
        store.find(NEW)
    assert error.value.exit_code == 1
    assert f"{NEW}.json: not a readable eval run (expected a JSON object, found list)" in str(error.value)
    assert f"moved it to {NEW}.json.corrupt" in str(error.value)
    with pytest.raises(KBError, match=f"no run '{NEW}'"):  # asked again: it is gone, and that is exit 2
        store.find(NEW)


def test_runs_folder_replaced_by_a_file_is_set_aside(tmp_path: Path) -> None:
    folder = tmp_path / ".kbops" / "runs"
    folder.parent.mkdir()
    folder.write_text("oops")
    messages: list[str] = []
    store = RunStore(folder, messages.append, tmp_path)
    assert store.history() == []
    store.save(eval_run([ticket_result("T-1")], run_id=NEW))
    assert [r.run_id for r in store.history()] == [NEW]
    assert len(messages) == 1 and "runs: is a file, not a folder" in messages[0]


def test_read_run_round_trips_a_saved_run(tmp_path: Path) -> None:
    run = eval_run([ticket_result("T-1", Verdict.GAP), ticket_result("T-2", Verdict.GATED)])
    path = RunStore(tmp_path).save(run)
    assert read_run(path) == run
