"""What `kbops init` writes: each file of a new KB repository, the packaged template it comes
from and the values filled into it. Pure: nothing here touches the target folder.

Templates are package data. setuptools' package-data globs skip dot-files, so a template is
stored under a name without the leading dot (`gitignore`, `github/workflows/kb-eval.yml`)
and `SCAFFOLD_FILES` maps it to its real name in the new repository.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from importlib.resources import files
from pathlib import Path

from .. import __version__
from ..errors import EXIT_BAD_INPUT, KbopsError


class ScaffoldError(KbopsError):
    """`kbops init` cannot write the repository as asked (files in the way, a bad site name)."""

    exit_code = EXIT_BAD_INPUT


@dataclass(frozen=True)
class ScaffoldFile:
    """One file of the new repository: packaged template -> path written."""

    template: str
    """Path under `kbops/scaffold/templates/` (no leading dots)."""
    target: str
    """Path in the new repository, relative to its root (POSIX separators)."""
    purpose: str
    """What the file is for, shown in the table `kbops init` prints."""


SCAFFOLD_FILES: tuple[ScaffoldFile, ...] = (
    ScaffoldFile("kbops.toml", "kbops.toml", "configuration (commented; every key in docs/configuration.md)"),
    ScaffoldFile("kb/getting-started.md", "kb/getting-started.md", "example article: public, published"),
    ScaffoldFile("kb/refund-requests.md", "kb/refund-requests.md", "example article: internal, never published"),
    ScaffoldFile("evals/tickets.jsonl", "evals/tickets.jsonl", "example escalated tickets for `kbops eval`"),
    ScaffoldFile("evals/README.md", "evals/README.md", "the ticket schema, in short"),
    ScaffoldFile("mkdocs.yml", "mkdocs.yml", "help site config for `kbops site build`"),
    ScaffoldFile("github/workflows/kb-eval.yml", ".github/workflows/kb-eval.yml", "CI gate: lint + eval on pull requests"),
    ScaffoldFile("pre-commit-config.yaml", ".pre-commit-config.yaml", "pre-commit hook: `kbops lint` on changed articles"),
    ScaffoldFile("gitignore", ".gitignore", "keeps kbops' caches, builds and reports out of git"),
)

PLACEHOLDER = re.compile(r"@([a-z_]+)@")
"""`@name@` in a template is replaced by the value `name`; an unknown name is a bug."""

MAX_SITE_NAME = 100


@dataclass(frozen=True)
class InitValues:
    """The values a new repository is made with."""

    site_name: str
    today: date

    def placeholders(self) -> dict[str, str]:
        return {
            # a JSON string is a valid YAML double-quoted scalar: any name stays one value
            "site_name": json.dumps(self.site_name, ensure_ascii=False),
            "today": self.today.isoformat(),
            "kbops_version": __version__,
        }


@dataclass(frozen=True)
class PlannedFile:
    target: str
    purpose: str
    text: str


def site_name_for(folder: Path, given: str | None) -> str:
    """`--site-name`, else the folder's name; one printable line either way."""
    name = (given if given is not None else Path(folder).resolve().name).strip()
    if not name:
        raise ScaffoldError("the site name is empty: pass --site-name NAME")
    if len(name) > MAX_SITE_NAME:
        raise ScaffoldError(f"the site name is {len(name)} characters long; keep it under {MAX_SITE_NAME} (--site-name)")
    if any(not ch.isprintable() for ch in name):
        raise ScaffoldError("the site name holds control characters or line breaks: pass --site-name NAME")
    return name


def read_template(name: str) -> str:
    """A packaged template's text (works from a checkout, an editable install and a wheel)."""
    return files(__package__).joinpath("templates", *name.split("/")).read_text(encoding="utf-8")


def render(template_text: str, values: dict[str, str], template: str) -> str:
    """Fill `@name@` placeholders; a name without a value is a packaging bug, said as one."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            raise ScaffoldError(f"template {template}: unknown placeholder @{name}@ (a bug in kbops' templates)")
        return values[name]

    return PLACEHOLDER.sub(value, template_text)


def plan_scaffold(values: InitValues) -> list[PlannedFile]:
    """Every file of a new repository, rendered, in the order they are listed to the user."""
    filled = values.placeholders()
    return [
        PlannedFile(item.target, item.purpose, render(read_template(item.template), filled, item.template))
        for item in SCAFFOLD_FILES
    ]
