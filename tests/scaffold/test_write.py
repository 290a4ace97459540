"""Writing a new repository: everything or nothing without --force, overwrites only with it,
`git init` only outside a repository, and never a commit."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import git
import pytest

from kbops.errors import EXIT_BAD_INPUT
from kbops.scaffold.plan import (
    SCAFFOLD_FILES,
    InitValues,
    PlannedFile,
    ScaffoldError,
    plan_scaffold,
)
from kbops.scaffold.write import FileStatus, write_scaffold

TARGETS = [item.target for item in SCAFFOLD_FILES]


@pytest.fixture(scope="module")
def plan() -> list[PlannedFile]:
    return plan_scaffold(InitValues("Acme Help", date(2026, 11, 30)))


def test_writes_every_file_into_a_new_folder_and_creates_a_repository_without_commits(
    tmp_path: Path, plan: list[PlannedFile]
) -> None:
    root = tmp_path / "nested" / "help-center"
    result = write_scaffold(plan, root)
    assert [f.path for f in result.files] == TARGETS
    assert {f.status for f in result.files} == {FileStatus.WRITTEN}
    for item in plan:
        assert (root / item.target).read_text() == item.text
    assert result.git_initialised and result.root == root.resolve()
    repo = git.Repo(root)
    assert not repo.head.is_valid()  # no commit: the team reviews and commits itself
    assert repo.git.check_ignore(".kbops/index", "site/build/index.html", "reports/eval.md").split() == [
        ".kbops/index", "site/build/index.html", "reports/eval.md"]


def test_refuses_and_writes_nothing_when_files_exist_listing_all_of_them(
    tmp_path: Path, plan: list[PlannedFile]
) -> None:
    (tmp_path / "kb").mkdir()
    (tmp_path / "kb" / "getting-started.md").write_text("mine")
    (tmp_path / ".gitignore").write_text("node_modules/\n")
    with pytest.raises(ScaffoldError) as caught:
        write_scaffold(plan, tmp_path)
    message = str(caught.value)
    assert caught.value.exit_code == EXIT_BAD_INPUT
    assert "kb/getting-started.md" in message and ".gitignore" in message and "--force" in message
    assert "kbops.toml" not in message
    assert (tmp_path / "kb" / "getting-started.md").read_text() == "mine"
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == [
        ".gitignore", "kb", "kb/getting-started.md"]  # no file written, no repository created


def test_force_overwrites_the_existing_files_and_leaves_others_alone(tmp_path: Path, plan: list[PlannedFile]) -> None:
    (tmp_path / "kbops.toml").write_text("[kb]\n")
    (tmp_path / "README.md").write_text("our repo")
    result = write_scaffold(plan, tmp_path, force=True)
    statuses = {f.path: f.status for f in result.files}
    assert statuses.pop("kbops.toml") is FileStatus.OVERWRITTEN
    assert set(statuses.values()) == {FileStatus.WRITTEN}
    assert (tmp_path / "kbops.toml").read_text() == plan[0].text
    assert (tmp_path / "README.md").read_text() == "our repo"


def test_inside_an_existing_repository_no_nested_repository_is_created(tmp_path: Path, plan: list[PlannedFile]) -> None:
    git.Repo.init(tmp_path)
    result = write_scaffold(plan, tmp_path / "support")
    assert not result.git_initialised
    assert not (tmp_path / "support" / ".git").exists()


def test_a_folder_where_a_file_goes_is_refused_even_with_force(tmp_path: Path, plan: list[PlannedFile]) -> None:
    (tmp_path / "mkdocs.yml").mkdir()
    with pytest.raises(ScaffoldError, match="cannot write over these folders, even with --force: mkdocs.yml"):
        write_scaffold(plan, tmp_path, force=True)
    assert not (tmp_path / "kbops.toml").exists()


def test_a_file_given_as_the_folder_is_refused(tmp_path: Path, plan: list[PlannedFile]) -> None:
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(ScaffoldError, match="exists and is not a folder"):
        write_scaffold(plan, tmp_path / "notes.txt")


def test_json_names_every_file_and_the_next_commands(tmp_path: Path, plan: list[PlannedFile]) -> None:
    data = write_scaffold(plan, tmp_path).to_json(["kbops lint"])
    assert data["version"] == 1 and data["git_initialised"] is True and data["next"] == ["kbops lint"]
    assert [f["path"] for f in data["files"]] == TARGETS  # type: ignore[union-attr]
