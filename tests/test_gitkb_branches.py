"""`gaps draft --branch NAME`: names are checked with git's own rules before anything is
drafted, and what kbops writes (index, caches, runs) never shows in `git status`, so
drafting on a branch leaves the working tree as git sees it untouched (whole-CLI:
tests/e2e/test_exits.py)."""

from __future__ import annotations

from pathlib import Path

import git
import pytest

from kbops.gitkb import GitError, check_branch_name, commit_files_on_branch, keep_state_out_of_git
from tests.factories import article_text, commit_all, kb_project


@pytest.fixture
def repo_root(tmp_path: Path) -> Path:
    root = kb_project(tmp_path / "project", article_text("export-project-csv"))
    repo = commit_all(root)
    repo.git.checkout("-b", "other")
    repo.git.checkout("main" if "main" in repo.heads else "master")  # `@{-1}` now names a real branch
    return root


@pytest.mark.parametrize(("name", "why"), [
    ("@{-1}", "not a valid branch name"),  # the previous branch, not a new name
    ("@{upstream}", "not a valid branch name"),
    ("refs/heads/kb-x", "not a branch name"),  # would create refs/heads/refs/heads/kb-x
    ("refs/heads/other", "not a branch name"),
    ("@", "not a branch name"),
    ("-f", "not a branch name"),
    ("HEAD", "not a valid branch name"),
    ("kb/gap 1", "not a valid branch name"),
    ("kb/gap..1", "not a valid branch name"),
    ("kb/gap.lock", "not a valid branch name"),
    ("kb/new\nline", "not a valid branch name"),
    ("other", "already exists"),
])
def test_bad_branch_names_are_refused_with_a_reason(repo_root: Path, name: str, why: str) -> None:
    with pytest.raises(GitError, match=why):
        check_branch_name(repo_root, name)
    with pytest.raises(GitError, match=why):
        commit_files_on_branch(repo_root, name, {"kb/drafts/x.md": "x\n"}, "x")


@pytest.mark.parametrize("name", ["kb/gap-1", "feature/KB_drafts.2", "gap-6562110a"])
def test_good_branch_names_pass(repo_root: Path, name: str) -> None:
    check_branch_name(repo_root, name)
    sha = commit_files_on_branch(repo_root, name, {"kb/drafts/x.md": "x\n"}, "x")
    assert git.Repo(repo_root).heads[name].commit.hexsha == sha


def test_state_folders_are_kept_out_of_git(tmp_path: Path) -> None:
    root = kb_project(tmp_path / "project", article_text("a"))
    repo = commit_all(root)
    (root / ".kbops" / "index").mkdir(parents=True)
    (root / ".kbops" / "index" / "manifest.json").write_text("{}")
    (root / "cache" / "runs").mkdir(parents=True)
    (root / "cache" / "runs" / "run.json").write_text("{}")
    assert repo.git.status("--porcelain")  # untracked before

    keep_state_out_of_git(root, [root / ".kbops" / "index", root / ".kbops" / "embeddings.sqlite",
                                 root / "cache" / "runs", tmp_path / "elsewhere", None])

    assert repo.git.status("--porcelain", "--untracked-files=all") == ""
    assert (root / ".kbops" / ".gitignore").read_text().endswith("*\n")
    assert not (root / "cache" / ".gitignore").exists()  # not a dot folder: only the runs folder is marked
    assert not (tmp_path / "elsewhere").exists()
