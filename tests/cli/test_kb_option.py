"""`--kb` on every command that reads the KB, and which one wins: the command's own
`--kb`, then a parent group's, then the root's (`kbops --kb X COMMAND`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import pytest
import typer
from typer.testing import CliRunner

from kbops.cli import app
from kbops.cli.app import chosen_kb
from kbops.cli.options import KbOption
from tests.cli.test_help import COMMANDS, described
from tests.factories import article_text, kb_project

NO_KB = {
    "kbops", "kbops init", "kbops report", "kbops report weekly", "kbops review", "kbops review sample",
    "kbops tickets", "kbops tickets check", "kbops tickets import", "kbops feedback", "kbops feedback stats",
    "kbops kb", "kbops site",
}
"""Commands that never read the KB (ticket files, the history, saved runs), and groups
that only hold subcommands."""


def options_of(command: object) -> set[str]:
    return {opt for param in getattr(command, "params", []) for opt in getattr(param, "opts", [])}


@pytest.mark.parametrize("path", list(COMMANDS), ids=[described(path) for path in COMMANDS])
def test_every_command_that_reads_the_kb_takes_kb(path: tuple[str, ...]) -> None:
    if described(path) in NO_KB:
        return
    assert "--kb" in options_of(COMMANDS[path]), f"`{described(path)}` has no --kb"


def test_the_commands_of_the_issue_take_kb() -> None:
    for name in ("lint", "index", "search", "ask", "eval", "gaps", "site build", "site serve", "kb list", "kb show"):
        assert "--kb" in options_of(COMMANDS[tuple(name.split())]), name


@pytest.fixture
def two_kbs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A project whose own kb/ holds `home`, and another KB folder holding `other`."""
    project = kb_project(tmp_path / "project", article_text("home"))
    other = kb_project(tmp_path / "other", article_text("other")) / "kb"
    monkeypatch.chdir(project)
    return project / "kb", other


def listed(*args: str) -> list[str]:
    result = CliRunner().invoke(app, [*args])
    assert result.exit_code == 0, result.output
    return [json.loads(line)["id"] for line in result.stdout.splitlines()]


def test_kb_before_or_after_the_command(two_kbs: tuple[Path, Path]) -> None:
    _, other = two_kbs
    assert listed("kb", "list", "--json") == ["home"]
    assert listed("--kb", str(other), "kb", "list", "--json") == ["other"]
    assert listed("kb", "list", "--json", "--kb", str(other)) == ["other"]


def test_the_commands_kb_wins_over_the_roots(two_kbs: tuple[Path, Path]) -> None:
    home, other = two_kbs
    assert listed("--kb", str(home), "kb", "list", "--kb", str(other), "--json") == ["other"]
    assert listed("--kb", str(other), "kb", "list", "--kb", str(home), "--json") == ["home"]


def test_a_groups_kb_reaches_its_subcommand() -> None:
    """`kbops gaps --kb X draft`: the innermost --kb on the way to the command counts."""
    group = typer.Typer()
    seen: list[Path | None] = []

    @group.callback()
    def outer(kb: KbOption = None) -> None:
        """A group with --kb."""

    @group.command()
    def inner(ctx: typer.Context, other: Annotated[str, typer.Option(help="Not a KB.")] = "") -> None:
        """A subcommand without one."""
        seen.append(chosen_kb(ctx))

    @group.command()
    def own(ctx: typer.Context, kb: KbOption = None) -> None:
        """A subcommand with its own."""
        seen.append(chosen_kb(ctx))

    runner = CliRunner()
    assert runner.invoke(group, ["--kb", "group-kb", "inner"]).exit_code == 0
    assert runner.invoke(group, ["--kb", "group-kb", "own", "--kb", "own-kb"]).exit_code == 0
    assert runner.invoke(group, ["inner"]).exit_code == 0
    assert seen == [Path("group-kb"), Path("own-kb"), None]
