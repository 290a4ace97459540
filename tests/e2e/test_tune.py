"""`kbops tune` end to end on the demo history, and the demo's two learning cases."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from kbops.config import TUNED_FILE
from tests.conftest import run_kbops
from tests.factories import project_copy

METRICS = {"hit@1", "hit@10", "mrr", "deflection_rate", "false_deflection_rate", "no_coverage_recall", "ece"}


@pytest.fixture(scope="module")
def tuned_project(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    project = project_copy(tmp_path_factory.mktemp("tune"))
    result = run_kbops("tune", "--json", cwd=project)
    assert result.returncode == 0, result.stderr
    return project, json.loads(result.stdout)


def test_tune_writes_a_reviewable_file_and_reports_cross_validated_numbers(tuned_project: tuple[Path, dict]) -> None:
    project, report = tuned_project
    assert report["tickets"] == 67 and report["folds"] == 5 and report["replay"] == "time"
    assert set(report["before"]) == set(report["after"]) == METRICS
    assert [point["history"] for point in report["curve"]] == sorted(point["history"] for point in report["curve"])
    written = project / TUNED_FILE
    assert report["written"] == str(written)
    text = written.read_text()
    assert text.startswith("# Written by `kbops tune` from 67 labelled tickets")
    tuned = tomllib.loads(text)
    assert tuned["tuned"]["tickets"] == 67
    assert set(tuned) <= {"tuned", "retrieval", "policy", "calibration"}
    assert tuned["retrieval"]["lexical_weight"] + tuned["retrieval"]["dense_weight"] == pytest.approx(1.0)
    assert 0 <= tuned["policy"]["no_coverage_threshold"] <= 1
    assert tuned["calibration"]["weights"]


def test_eval_uses_the_tuned_file_and_says_so(tuned_project: tuple[Path, dict]) -> None:
    project, _ = tuned_project
    result = run_kbops("eval", "--format", "json", cwd=project)
    assert result.returncode == 0, result.stderr
    assert "using tuned settings from kbops.tuned.toml (tickets 67" in result.stderr
    run = json.loads(result.stdout)
    assert run["tuned"].startswith("kbops.tuned.toml (tickets 67")
    tuned = tomllib.loads((project / TUNED_FILE).read_text())
    if "confidence_threshold" in tuned["policy"]:
        assert run["confidence_threshold"] == tuned["policy"]["confidence_threshold"]
    report = run_kbops("report", "--format", "md", cwd=project).stdout
    assert "settings tuned by kbops.tuned.toml" in report


def test_a_threshold_set_in_kbops_toml_wins_and_is_named(tmp_path: Path) -> None:
    project = project_copy(tmp_path)
    (project / TUNED_FILE).write_text('[policy]\nconfidence_threshold = 0.9\n')
    with (project / "kbops.toml").open("a") as config:
        config.write("\n[policy]\nconfidence_threshold = 0.6\n")
    result = run_kbops("eval", "--format", "json", cwd=project)
    assert result.returncode == 0, result.stderr
    assert "kbops.toml overrides policy.confidence_threshold" in result.stderr
    assert json.loads(result.stdout)["confidence_threshold"] == 0.6


def test_too_little_history_keeps_the_shipped_settings(tmp_path: Path) -> None:
    project = project_copy(tmp_path)
    tickets = project / "evals" / "tickets.jsonl"
    tickets.write_text("\n".join(tickets.read_text().splitlines()[:12]) + "\n")
    result = run_kbops("tune", cwd=project)
    assert result.returncode == 0, result.stderr
    assert "Fewer than 30 labelled tickets" in result.stdout
    assert not (project / TUNED_FILE).exists()


def ask(project: Path, question: str) -> dict:
    result = run_kbops("ask", question, "--json", cwd=project)
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    return payload.get("decision", payload)


@pytest.mark.parametrize("tuned", [False, True], ids=["shipped", "tuned"])
def test_the_demo_learns_from_its_resolved_tickets(tmp_path: Path, tuned: bool) -> None:
    """Before `kbops learn` the shipped agent answers a dark-mode question from a payments
    article and misses the Gantt chart; after it the first escalates as no coverage (two
    customers asked, no article answered), with shipped or tuned settings, and the shipped
    agent answers the second from the timeline article. (Tuned on the demo's 67 tickets in
    time order, memory does not clearly improve hit@1, so tune keeps it out of the ranking.)"""
    project = project_copy(tmp_path)
    dark, gantt = "Is there a dark mode?", "where is the gantt chart"
    if tuned:
        assert run_kbops("tune", cwd=project).returncode == 0
    else:
        assert ask(project, dark)["action"] == "answer"
        assert [c["article_id"] for c in ask(project, gantt)["citations"]][:1] != ["gantt-timeline"]
    assert run_kbops("learn", cwd=project).returncode == 0
    decision = ask(project, dark)
    assert decision["action"] == "escalate" and "no_coverage" in decision["reasons"]
    if not tuned:
        decision = ask(project, gantt)
        assert decision["action"] == "answer", decision["reasons"]
        assert decision["citations"][0]["article_id"] == "gantt-timeline"
