"""`kbops why` end to end: a demo-like project in a real git repository where two authors
wrote different sections; `kbops eval`, then the explanation of one ticket (query, hits per
channel, policy, confidence, the commits and authors behind the cited text)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import git
import jsonschema
import pytest

from kbops.report.json import run_schema
from tests.conftest import REPO, run_kbops

pytestmark = pytest.mark.slow

ARTICLES = ("export-project-csv", "refund-policy", "gantt-timeline", "export-project-pdf")
TICKETS = ('"T-1001"', '"T-1006"', '"T-1011"')
ANA = git.Actor("Ana Lima", "ana@example.com")
BEN = git.Actor("Ben Okafor", "ben@example.com")


def commit(repo: git.Repo, actor: git.Actor, message: str) -> str:
    repo.git.add(A=True)
    return repo.index.commit(message, author=actor, committer=actor).hexsha


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str, str]]:
    """Four demo articles and three demo tickets; Ana commits them, then Ben rewrites the
    intro of the CSV export article (the section T-1001's answer quotes); one eval run."""
    root = tmp_path_factory.mktemp("why") / "project"
    (root / "kb").mkdir(parents=True)
    for article_id in ARTICLES:
        shutil.copy(REPO / "kb" / f"{article_id}.md", root / "kb" / f"{article_id}.md")
    shutil.copy(REPO / "kbops.toml", root / "kbops.toml")
    (root / "evals").mkdir()
    lines = (REPO / "evals" / "tickets.jsonl").read_text().splitlines()
    (root / "evals" / "tickets.jsonl").write_text("\n".join(x for x in lines if any(t in x for t in TICKETS)) + "\n")
    (root / ".gitignore").write_text(".kbops/\nreports/\n")
    repo = git.Repo.init(root)
    first = commit(repo, ANA, "demo KB")
    article = root / "kb" / "export-project-csv.md"
    text = article.read_text()
    intro_end = text.index("\n## Before you begin")
    article.write_text(text[:intro_end] + "\nExports include archived tasks too." + text[intro_end:])
    second = commit(repo, BEN, "CSV export: archived tasks")
    result = run_kbops("eval", "--format", "json", cwd=root)
    assert result.returncode in (0, 3), result.stderr
    yield root, first, second


def why_json(root: Path, *args: str) -> dict:
    result = run_kbops("why", *args, "--json", cwd=root)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_why_explains_the_decision_and_names_the_commits_behind_it(project: tuple[Path, str, str]) -> None:
    root, first, second = project

    why = why_json(root, "T-1001")

    assert why["ticket_id"] == "T-1001" and why["version"] == 1
    assert "export" in why["query"].lower() and "csv" in why["query"].lower()
    assert set(why["hits"]) == {"dense", "lexical", "memory", "fused"}
    dense, lexical = why["hits"]["dense"], why["hits"]["lexical"]
    assert [h["rank"] for h in dense] == list(range(1, len(dense) + 1)) and dense[0]["article_id"] == "export-project-csv"
    assert lexical[0]["score"] > 0 and lexical[0]["chunk_id"].startswith(lexical[0]["article_id"] + "#")
    codes = {check["code"]: check for check in why["policy"]}
    assert {"prompt_injection", "risk_topic:refund", "vip_customer", "low_confidence"} <= set(codes)
    assert not any(check["fired"] for check in why["policy"]) and why["action"] == "answer"
    assert "policy.confidence_threshold" in codes["low_confidence"]["why"]
    assert "every language is answered" in codes["language"]["why"]  # agent.unsupported_language's default
    assert 0 < why["confidence"] <= 1 and {"margin", "dense_cosine", "term_coverage"} <= set(why["confidence_inputs"])
    assert why["verdict"] == why["saved"]["verdict"] == "deflected" and not why["verdict_changed"]
    assert not why["kb_changed"] and why["notes"] == []
    by_anchor = {c["anchor"]: c for c in why["citations"]}
    assert (by_anchor[""]["commit"], by_anchor[""]["author"]) == (second, "Ben Okafor")  # Ben's intro
    others = [c for c in why["citations"] if c["anchor"]]
    assert others and all((c["commit"], c["author"]) == (first, "Ana Lima") for c in others)
    assert all("@" not in c["author"] and c["committed_at"] for c in why["citations"])


def test_saved_results_carry_provenance_and_replies_never_name_authors(project: tuple[Path, str, str]) -> None:
    root, _, second = project
    run = json.loads(next((root / ".kbops" / "runs").glob("2*.json")).read_text())
    jsonschema.validate(run, run_schema())
    result = next(r for r in run["results"] if r["ticket_id"] == "T-1001")

    assert {(c["anchor"], c["author"]) for c in result["citations"]} >= {("", "Ben Okafor")}
    assert any(c["commit"] == second for c in result["citations"])
    for saved in run["results"]:
        assert "Ben Okafor" not in saved["reply"] and "Ana Lima" not in saved["reply"]


def test_why_says_when_the_kb_changed_and_the_verdict_moved(project: tuple[Path, str, str], tmp_path: Path) -> None:
    root, *_ = project
    copy = tmp_path / "copy"
    shutil.copytree(root, copy)
    (copy / "kb" / "export-project-csv.md").write_text(
        (copy / "kb" / "export-project-csv.md").read_text().replace("status: published", "status: draft"))

    why = why_json(copy, "T-1001")

    assert why["kb_changed"] and why["kb_now"].endswith("+dirty")
    assert why["verdict_changed"] and why["saved"]["verdict"] == "deflected" and why["verdict"] != "deflected"
    assert any("the KB changed since the run" in note for note in why["notes"])
    text = run_kbops("why", "T-1001", cwd=copy)
    assert text.returncode == 0 and "the replay's verdict differs" in text.stdout


def test_why_text_shows_every_step(project: tuple[Path, str, str]) -> None:
    root, _, second = project

    result = run_kbops("why", "T-1006", "--run", "latest", cwd=root)

    assert result.returncode == 0, result.stderr
    out = result.stdout
    for heading in ("query (redacted):", "retrieval", "  dense:", "  lexical:", "  memory:", "policy", "confidence",
                    "decision: escalate", "cited sections"):
        assert heading in out
    assert "[FIRED] risk_topic:refund" in out and "[pass ] prompt_injection" in out


def test_unknown_ticket_or_run_exits_2(project: tuple[Path, str, str]) -> None:
    root, *_ = project

    ticket = run_kbops("why", "T-404", cwd=root)
    run = run_kbops("why", "T-1001", "--run", "20000101T000000Z-abcdef", cwd=root)

    assert ticket.returncode == 2 and "T-404" in ticket.stderr and "is not in run" in ticket.stderr
    assert run.returncode == 2 and "no run '20000101T000000Z-abcdef'" in run.stderr
    assert "Traceback" not in ticket.stderr + run.stderr
