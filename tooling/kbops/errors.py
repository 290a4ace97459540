"""Exceptions that cross a stage boundary, each rendered by the CLI as one clean line.

Exit codes follow the convention CI relies on: 1 = the tool failed, 2 = bad input or
usage, 3 = a quality gate failed (the KB got worse).
"""

from __future__ import annotations

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
