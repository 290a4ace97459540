"""Versioned prompt templates (`<version>.md`), read with importlib.resources.

A prompt change is a new file, not an edit: replays record the version they ran with, so
an eval result can always be traced back to the exact words the model saw.
"""

from __future__ import annotations

from importlib import resources

from ...errors import ConfigError


def load_prompt(version: str) -> str:
    """The system prompt of a template version; ConfigError names the versions that exist."""
    folder = resources.files(__package__)
    template = folder.joinpath(f"{version}.md")
    if not template.is_file():
        known = sorted(p.name.removesuffix(".md") for p in folder.iterdir() if p.name.endswith(".md"))
        raise ConfigError(f"claude.prompt_version: no prompt template '{version}' (known: {', '.join(known)})")
    return template.read_text(encoding="utf-8").strip()
