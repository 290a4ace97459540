"""Nothing kbops prints can drive the operator's terminal: escape sequences and control
characters from tickets, articles or file names are removed before they are printed, Rich
markup in them can neither crash a command nor plant a link, and `--json` stays JSON."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from kbops.cli.output import SafeConsole, clean
from tests.conftest import run_kbops
from tests.factories import article_text, kb_project

TERMINAL_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
"""What must never reach the terminal from untrusted text (newline and tab are fine)."""

HOSTILE = (
    "title\x1b]0;pwned\x07 red\x1b[31m!\x1b[0m cleared\x1b[2J\x1b[H "
    "\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\ bell\x07 back\x08 cr\rline \x9b31m c1 "
    "bidi\u202eevil\u202c end"
)


@pytest.mark.parametrize(("dirty", "shown"), [
    ("a\x1b[31mred\x1b[0mb", "aredb"),  # colours (CSI)
    ("a\x1b]0;window title\x07b", "ab"),  # window title (OSC, BEL-terminated)
    ("a\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\b", "alinkb"),  # hyperlink (OSC 8, ST)
    ("a\x1bPq#0;2;0;0;0\x1b\\b", "ab"),  # DCS (sixel)
    ("a\x9b2Jb", "ab"),  # 8-bit CSI
    ("a\rb\x08c\x07d\x00e\x7ff", "abcdef"),  # other C0 controls and DEL
    ("keep\nnew lines\tand tabs, ümlauts, 漢字", "keep\nnew lines\tand tabs, ümlauts, 漢字"),
    ("a\u202eb\u2066c", "abc"),  # bidi overrides
])
def test_clean_removes_terminal_control(dirty: str, shown: str) -> None:
    assert clean(dirty) == shown


def test_safe_console_cleans_text_and_tables_and_survives_hostile_markup() -> None:
    from rich.table import Table

    console = SafeConsole(file=io.StringIO(), force_terminal=True, width=200)
    console.print(f"[bold]note[/] {HOSTILE}")
    console.print(f"[yellow]warning[/] [/] and [link=https://evil.example]click[/link] {HOSTILE}")
    table = Table()
    table.add_column("title")
    table.add_row(HOSTILE)
    console.print(table)
    out = console.file.getvalue()  # type: ignore[attr-defined]
    assert "pwned" not in out and "\x1b]" not in out  # no title, no hyperlink
    assert not re.search(r"\x1b\[(?:2J|H|31m)", out)  # no colour, clear or cursor move from the text
    assert "[link=https://evil.example]click[/link]" in clean(out)  # shown, not obeyed


def _project(tmp_path: Path) -> Path:
    body = f"Intro {HOSTILE}.\n\n## Steps\n\n1. Do it. [/] [bold]x\n"
    return kb_project(tmp_path, article_text("hostile-article", body=body, title='"Export [/] \\e[31m"'))


@pytest.mark.parametrize("args", [("kb", "show", "hostile-article"), ("kb", "list"), ("lint",)])
def test_commands_print_no_terminal_control(tmp_path: Path, args: tuple[str, ...]) -> None:
    result = run_kbops(*args, cwd=_project(tmp_path))
    assert "Traceback" not in result.stderr, result.stderr
    assert not TERMINAL_CONTROL.search(result.stdout), repr(result.stdout)
    assert not TERMINAL_CONTROL.search(result.stderr), repr(result.stderr)


def test_json_output_stays_json_and_keeps_the_text(tmp_path: Path) -> None:
    result = run_kbops("kb", "show", "hostile-article", "--json", cwd=_project(tmp_path))
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert "\x1b]0;pwned" in shown["body"]  # data is data: JSON escapes it, nothing is lost


def test_an_error_message_with_markup_is_printed_as_written(tmp_path: Path) -> None:
    result = run_kbops("kb", "show", "[/bold] \x1b[2J", cwd=_project(tmp_path))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "[/bold]" in result.stderr and "\x1b[2J" not in result.stderr
