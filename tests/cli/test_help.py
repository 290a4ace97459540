"""Every command, command group, option and argument of `kbops` explains itself in `--help`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from kbops.cli import app

ROOT = typer.main.get_command(app)


def walk(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """The command and, for a group, every subcommand below it, as (`argv` path, command)."""
    yield path, command
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        yield from walk(sub, (*path, name))


COMMANDS = dict(walk(ROOT))


def described(path: tuple[str, ...]) -> str:
    return " ".join(("kbops", *path))


def test_the_tree_has_every_command() -> None:
    """The walk below sees the whole CLI: a command added later is checked too."""
    assert {described(path) for path in COMMANDS} >= {
        "kbops", "kbops ask", "kbops eval", "kbops report", "kbops index", "kbops search", "kbops lint",
        "kbops gaps", "kbops gaps draft", "kbops gaps protect", "kbops kb", "kbops kb list", "kbops kb show",
        "kbops site", "kbops site build", "kbops site serve", "kbops tickets", "kbops tickets check",
    }


@pytest.mark.parametrize("path", list(COMMANDS), ids=[described(path) for path in COMMANDS])
def test_every_command_and_parameter_has_help(path: tuple[str, ...]) -> None:
    command = COMMANDS[path]
    assert not command.hidden
    assert (command.help or "").strip(), f"`{described(path)}` has no help text"
    assert command.get_short_help_str(limit=200).strip(), f"`{described(path)}` has no short help"
    undocumented = [param.name for param in command.params if not (getattr(param, "help", None) or "").strip()]
    assert undocumented == [], f"`{described(path)}`: no help for {', '.join(undocumented)}"


@pytest.mark.parametrize("path", list(COMMANDS), ids=[described(path) for path in COMMANDS])
def test_help_prints_the_description_and_every_option(path: tuple[str, ...]) -> None:
    command = COMMANDS[path]
    wide = {"NO_COLOR": "1", "COLUMNS": "250"}  # rich wraps long option names in a narrow terminal
    result = CliRunner().invoke(app, [*path, "--help"], terminal_width=250, env=wide)
    assert result.exit_code == 0, result.output
    output = " ".join(result.output.split())
    first_line = command.help.strip().splitlines()[0]
    assert " ".join(first_line.replace("`", "").split()) in output
    for param in command.params:
        for option in param.opts if param.param_type_name == "option" else ():
            assert option in output, f"`{described(path)} --help` does not show {option}"
