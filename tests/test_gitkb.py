"""All git goes through `gitkb.py`: committing drafts to a new branch leaves the user's
branch, index and working tree exactly as they were."""

from __future__ import annotations

from pathlib import Path

import git
import pytest

from kbops.drafts.model import DraftAction, DraftPlan
from kbops.drafts.output import commit_message
from kbops.gitkb import GitError, commit_files_on_branch
from tests.factories import article_text, commit_all, draft_plan, kb_project


def checkout_state(repo: git.Repo, root: Path) -> tuple[str, str, str, str, str, str]:
    return (repo.active_branch.name, repo.head.commit.hexsha, repo.git.diff(), repo.git.diff("--cached"),
            repo.git.status("--porcelain"), (root / "kb" / "export-project-csv.md").read_text())


def files(plans: list[DraftPlan]) -> dict[str, str]:
    return {plan.path: plan.text for plan in plans}


def test_branch_commit_leaves_branch_index_and_working_tree_alone(tmp_path: Path) -> None:
    root = kb_project(tmp_path / "project", article_text("export-project-csv", title="Export to CSV"))
    repo = commit_all(root)
    article = root / "kb" / "export-project-csv.md"
    article.write_text(article.read_text() + "\nUnstaged edit.\n")
    (root / "notes.txt").write_text("staged work\n")
    repo.index.add(["notes.txt"])
    (root / "scratch.md").write_text("untracked\n")
    before = checkout_state(repo, root)
    edit = draft_plan("kb/export-project-csv.md", article_id="export-project-csv", action=DraftAction.EDIT,
                      text="edited on the branch\n", original="x")
    plans = [draft_plan(), edit]

    sha = commit_files_on_branch(root, "kb/gap-1", files(plans), commit_message(plans))

    assert checkout_state(repo, root) == before
    assert not (root / "kb" / "drafts").exists()
    branch = repo.heads["kb/gap-1"]
    assert branch.commit.hexsha == sha and branch.commit.parents == (repo.head.commit,)
    assert (branch.commit.tree / "kb/drafts/time-tracking.md").data_stream.read().decode() == plans[0].text
    assert (branch.commit.tree / "kb/export-project-csv.md").data_stream.read() == b"edited on the branch\n"
    changed = sorted(d.b_path for d in repo.head.commit.diff(branch.commit))
    assert changed == ["kb/drafts/time-tracking.md", "kb/export-project-csv.md"]  # staged notes.txt not included
    assert "gap-1234abcd" in branch.commit.message and "T-1, T-2" in branch.commit.message

    with pytest.raises(GitError, match="already exists"):
        commit_files_on_branch(root, "kb/gap-1", files(plans), "again")
    with pytest.raises(GitError, match="not a valid branch name"):
        commit_files_on_branch(root, "bad..name", files(plans), "x")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    with pytest.raises(GitError, match="not inside a git repository"):
        commit_files_on_branch(outside, "kb/x", files(plans), "x")
