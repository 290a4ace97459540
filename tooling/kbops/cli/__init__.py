"""The `kbops` command: a thin face over the library.

Each command group lives in its own module; a command parses options, calls one library
function and renders its result. Data goes to stdout, messages to stderr, so `--json`
output can always be piped.
"""

from __future__ import annotations

import sys

from rich.markup import escape

from ..errors import KbopsError
from . import (  # noqa: F401  (registers commands)
    agent_commands,
    eval_commands,
    feedback_commands,
    gaps_commands,
    handoff_commands,
    index_commands,
    init_commands,
    kb_commands,
    kpis_commands,
    memory_commands,
    review_commands,
    review_serve_command,
    site_commands,
    ticket_commands,
    triage_commands,
    tune_commands,
    weekly_commands,
    why_commands,
)
from .app import app, err_console


def main() -> None:
    try:
        app()
    except KbopsError as exc:
        err_console.print(f"[bold red]error:[/] {escape(str(exc))}", markup=True, highlight=False, soft_wrap=True)
        sys.exit(exc.exit_code)
