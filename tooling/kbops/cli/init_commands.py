"""`kbops init`: a new KB repository that works from the first command."""

from __future__ import annotations

import json
import shlex
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ..files import shown
from ..scaffold.plan import InitValues, plan_scaffold, site_name_for
from ..scaffold.write import NEXT_COMMANDS, InitResult, write_scaffold
from .app import app, err_console, out_console
from .options import JsonOption
from .output import echo


@app.command()
def init(
    folder: Annotated[
        Path, typer.Argument(help="Folder to set up (created if missing); default: the current folder.")
    ] = Path("."),
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite files kbops init would write that already exist (others are left alone).")
    ] = False,
    site_name: Annotated[
        str | None, typer.Option("--site-name", help="Title of the help site in mkdocs.yml; default: the folder's name.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Set up a KB repository: config, two example articles, example tickets, help site, CI gate, pre-commit.

    Writes `kbops.toml` (commented), `kb/` with a public and an internal example article,
    `evals/tickets.jsonl` with example escalated tickets (schema in `evals/README.md`),
    `mkdocs.yml` for `kbops site build`, `.github/workflows/kb-eval.yml` (lint and replay
    on every pull request), `.pre-commit-config.yaml` (`kbops lint` on changed articles)
    and `.gitignore`. Runs `git init` when the folder is not inside a git repository;
    never commits.

    Refuses to overwrite: when any of these files exists, it lists them all and exits 2
    without writing anything, unless `--force`. Afterwards `kbops lint`, `kbops index`,
    `kbops eval` and `kbops site build` work in the folder (docs/init.md).

    Example: `kbops init help-center --site-name "Acme Help Center"`
    """
    values = InitValues(site_name=site_name_for(folder, site_name), today=date.today())
    result = write_scaffold(plan_scaffold(values), folder, force=force)
    steps = _next_steps(result.root)
    if as_json:
        echo(json.dumps(result.to_json(steps), indent=2))
        return
    _print_result(result, steps)


def _next_steps(root: Path) -> list[str]:
    """The commands to run next, from the current folder."""
    here = Path.cwd().resolve()
    steps = list(NEXT_COMMANDS)
    return steps if root == here else [f"cd {shlex.quote(shown(root))}", *steps]


def _print_result(result: InitResult, steps: list[str]) -> None:
    table = Table(title=f"kbops init: {len(result.files)} files in {result.root}", title_justify="left")
    for name in ("file", "status", "what it is"):
        table.add_column(name, no_wrap=name != "what it is")
    for item in result.files:
        table.add_row(item.path, str(item.status), item.purpose)
    out_console.print(table, markup=False)
    if result.git_initialised:
        err_console.print("created a git repository (nothing committed: review the files, then commit)",
                          highlight=False, markup=False)
    echo("\nNext:")
    for step in steps:
        echo(f"  {step}")
