"""The knowledge-gaps loop end to end on the demo data, in a real git repository:
eval -> gaps -> draft on a branch -> publish -> the gap's tickets are deflected -> they
stay as regression cases "protected by" the new article."""

from __future__ import annotations

import json
import re
from pathlib import Path

import git
import pytest

from tests.conftest import REPO, run_kbops
from tests.factories import project_copy

pytestmark = pytest.mark.slow

TIME_TRACKING = {"T-1003", "T-1037"}
"""The demo's time-tracking questions: no article covers them, one was answered wrongly."""


def kbops_ok(project: Path, *args: str) -> str:
    result = run_kbops(*args, cwd=project)
    assert result.returncode == 0, f"kbops {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def checkout_state(repo: git.Repo) -> tuple[str, str, str, str]:
    return repo.active_branch.name, repo.head.commit.hexsha, repo.git.diff(), repo.git.status("--porcelain")


def test_gaps_are_drafted_on_a_branch_and_closing_them_raises_deflection(tmp_path: Path) -> None:
    project = project_copy(tmp_path)
    (project / "NOTES.md").write_text("team notes\n")
    repo = git.Repo.init(project, initial_branch="main")
    repo.git.add(A=True)
    repo.index.commit("Demo KB")
    (project / "NOTES.md").write_text("team notes\nwork in progress\n")  # uncommitted work
    (project / "scratch.txt").write_text("untracked\n")

    usage = run_kbops("gaps", "draft", cwd=project)
    assert usage.returncode == 2 and "GAP_ID or --top N" in usage.stderr

    # Acceptance 1: `kbops eval && kbops gaps` lists gaps ranked by impact.
    first = json.loads(kbops_ok(project, "eval", "--format", "json"))
    table = kbops_ok(project, "gaps")
    report = json.loads(kbops_ok(project, "gaps", "--json"))
    gaps = report["gaps"]
    assert report["run_id"] == first["run_id"]
    assert [g["rank"] for g in gaps] == list(range(1, len(gaps) + 1))
    assert [g["impact"] for g in gaps] == sorted((g["impact"] for g in gaps), reverse=True)
    considered = {r["ticket_id"] for r in first["results"] if r["verdict"] in ("gap", "false_deflection")}
    assert sorted(t for g in gaps for t in g["ticket_ids"]) == sorted(considered)
    by_ticket = {t: g for g in gaps for t in g["ticket_ids"]}
    top = by_ticket["T-1003"]  # the time-tracking gap (its rank depends on the confidence model)
    assert set(top["ticket_ids"]) == TIME_TRACKING and top["kind"] == "missing"
    assert "time tracking" in top["key_phrases"]
    assert by_ticket["T-1023"]["id"] == by_ticket["T-1066"]["id"] and "dark" in by_ticket["T-1023"]["label"]
    assert by_ticket["T-1011"]["id"] == by_ticket["T-1058"]["id"] and "calendar" in by_ticket["T-1011"]["label"]
    assert by_ticket["T-1011"]["id"] != by_ticket["T-1023"]["id"]
    assert by_ticket["T-1027"]["kind"] == "failing"  # an export article exists; the agent just did not use it
    assert top["id"] in table and table.index(gaps[0]["id"]) < table.index(gaps[1]["id"])

    # The eval report now groups its gap tickets by topic.
    grouped = kbops_ok(project, "report", "--format", "md")
    assert "### Gaps (" in grouped and f"`{top['id']}`" in grouped and "time tracking" in grouped

    unknown = run_kbops("gaps", "draft", "gap-00000000", cwd=project)
    assert unknown.returncode == 2 and "not a gap of this run" in unknown.stderr
    before = checkout_state(repo)
    pr = kbops_ok(project, "gaps", "draft", top["id"], "--branch", "kb/gap-1")
    assert checkout_state(repo) == before  # branch, index, working tree (uncommitted work) untouched
    assert not (project / "kb" / "drafts").exists()
    assert top["id"] in pr and "T-1003" in pr and "T-1037" in pr and "+3.0 pts" in pr

    branch = repo.heads["kb/gap-1"]
    (changed,) = repo.head.commit.diff(branch.commit)
    assert changed.new_file and changed.b_path.startswith("kb/drafts/") and changed.b_path.endswith(".md")
    draft = (branch.commit.tree / changed.b_path).data_stream.read().decode()
    front = draft.split("---\n")[1]
    assert "status: draft" in front and "owner" not in front
    assert re.search(r"source_tickets:\n- T-10(03|37)\n- T-10(03|37)\n", front)
    lint_copy = tmp_path / "lint"
    (lint_copy / "kb").mkdir(parents=True)
    for path in (project / "kb").glob("*.md"):
        (lint_copy / "kb" / path.name).write_text(path.read_text())
    (lint_copy / "kb" / "drafts").mkdir()
    (lint_copy / changed.b_path).write_text(draft)
    (lint_copy / "kbops.toml").write_text((REPO / "kbops.toml").read_text())
    lint = json.loads(kbops_ok(lint_copy, "lint", "--format", "json"))
    assert lint["summary"]["errors"] == 0
    assert [f["code"] for f in lint["findings"] if f["path"] == changed.b_path] == ["missing-owner"]

    # Acceptance 2: publish the draft, compare with main: the gap's tickets are deflected.
    repo.git.checkout("kb/gap-1")
    article = project / changed.b_path
    article.write_text(draft.replace("status: draft\n", "status: published\nowner: sam\nreviewed: 2026-11-20\n"))
    closed = json.loads(kbops_ok(project, "eval", "--baseline", "main", "--format", "json"))
    verdicts = {r["ticket_id"]: r["verdict"] for r in closed["results"]}
    assert {verdicts[t] for t in TIME_TRACKING} == {"deflected"}
    comparison = closed["comparison"]
    assert TIME_TRACKING <= set(comparison["newly_deflected"])
    assert comparison["deflection_delta"] > 0
    assert closed["summary"]["deflection_rate"] > first["summary"]["deflection_rate"]
    assert comparison["regressed"] == []

    # Closed gaps become regression cases of the article.
    repo.git.add(changed.b_path)
    repo.index.commit("Publish the time tracking article")
    article_id = re.search(r"^id: (\S+)$", draft, re.M).group(1)  # type: ignore[union-attr]
    tagged = kbops_ok(project, "gaps", "protect")
    assert sorted(tagged.split()) == sorted([*TIME_TRACKING, *[f"protects:{article_id}"] * 2])
    tickets = [json.loads(line) for line in (project / "evals" / "tickets.jsonl").read_text().splitlines()]
    assert {t["id"] for t in tickets if f"protects:{article_id}" in t.get("tags", [])} == TIME_TRACKING
    report_md = kbops_ok(project, "eval", "--format", "md")
    for ticket_id in TIME_TRACKING:
        assert re.search(rf"{ticket_id} .*: protected by article {re.escape(article_id)} \(deflected\)", report_md)
