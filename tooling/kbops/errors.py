"""Exceptions that cross a stage boundary, each rendered by the CLI as one clean line.

Exit codes follow the convention CI relies on: 1 = the tool failed, 2 = bad input or
usage, 3 = a quality gate failed (the KB got worse).
"""

from __future__ import annotations

import re

EXIT_OK = 0
EXIT_TOOL_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_GATE_FAILED = 3


class KbopsError(Exception):
    """Base class: a problem the user can fix, with the exit code the CLI should use."""

    exit_code = EXIT_TOOL_FAILED


class ConfigError(KbopsError):
    """kbops.toml (or a command-line option) is invalid."""

    exit_code = EXIT_BAD_INPUT


class KBError(KbopsError):
    """The knowledge base cannot be read at all (missing folder, unknown article id)."""

    exit_code = EXIT_BAD_INPUT


class StateError(KbopsError):
    """A file kbops keeps under `.kbops/` is unreadable and cannot be rebuilt where it is
    needed (a run asked for by id), or a state folder cannot be created. The message names
    the file and where the bad one was moved."""

    exit_code = EXIT_TOOL_FAILED


MESSAGE_LIMIT = 200
"""Characters of a value or reason quoted in one message line (input is echoed, never dumped)."""


def one_line(text: object, limit: int = MESSAGE_LIMIT) -> str:
    """`text` on one line, cut to `limit` characters: a hostile value (a 700 MB YAML
    expansion, a pydantic echo of a huge input) must never flood a terminal or a log."""
    raw = str(text)
    flat = re.sub(r"\s+", " ", raw[: limit * 4]).strip()  # cut first: the input may be huge
    if len(flat) <= limit and len(raw) <= limit * 4:
        return flat
    return flat[: limit - 1] + "…"
