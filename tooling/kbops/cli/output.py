"""What kbops prints goes through here: terminal control characters are removed first.

Tickets, articles, file names and model replies are untrusted text. Printed as they are,
an ANSI escape sequence in a ticket can recolour or hide lines, move the cursor, retitle
the window or plant a hyperlink (OSC 8) in the operator's terminal. So every string is
cleaned before it reaches the terminal: escape sequences (CSI, OSC, DCS...) go whole, other
C0/C1 controls go (newline and tab stay), and so do bidi overrides that reorder what a
reader sees. `--json` stays valid JSON: `json.dumps` already escapes controls, and what is
left to remove (raw DEL or C1 in a string) only shortens a string.

Rich consoles clean in `render_str`, which every printed string, table cell and status
passes through; Rich markup in untrusted text can neither crash a command (`[/]` alone is
printed as written) nor make a link (`[link=...]` is shown, not obeyed).
"""

from __future__ import annotations

import re
from typing import Any

import typer
from rich.console import Console
from rich.errors import MarkupError
from rich.text import Text

_ESCAPE_SEQUENCE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI: colours, cursor moves, erase
    r"|\x1b[\]PX^_][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"  # OSC (titles, hyperlinks), DCS, SOS, PM, APC
    r"|\x1b[ -/]*[0-~]"  # two-character escapes
    r"|\x9b[0-?]*[ -/]*[@-~]"  # 8-bit CSI
    r"|[\x90\x98\x9d\x9e\x9f][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"  # 8-bit OSC, DCS, ...
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_LINK_MARKUP = re.compile(r"\[(?=/?link\b)", re.IGNORECASE)


def clean(text: str) -> str:
    """`text` without terminal control: escape sequences and C0/C1 controls (except newline
    and tab) removed, bidi overrides too."""
    return _CONTROL.sub("", _ESCAPE_SEQUENCE.sub("", text))


def echo(message: object = "", *, err: bool = False, nl: bool = True) -> None:
    """`typer.echo` for untrusted text: cleaned of terminal control first."""
    typer.echo(clean(str(message)), err=err, nl=nl)


class SafeConsole(Console):
    """A Rich console that cleans every string it renders (see the module docstring)."""

    def render_str(self, text: str, **options: Any) -> Text:
        text = clean(text)
        try:
            return super().render_str(_LINK_MARKUP.sub(r"\\[", text), **options)
        except MarkupError:  # untrusted `[/]`: print it as written rather than crash
            return super().render_str(text, **{**options, "markup": False})
