"""`kbops lint`, `kbops kb list`, `kbops kb show`: reading and checking the KB."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ..errors import ConfigError
from ..kb.lint import exit_code, lint_kb, render_github, render_json, render_text
from ..kb.lint_paths import article_paths, findings_of
from .app import app, err_console, out_console, workspace
from .options import JsonOption, KbOption
from .output import echo

kb_app = typer.Typer(help="Browse the articles of the KB.", no_args_is_help=True)
app.add_typer(kb_app, name="kb")


class LintFormat(StrEnum):
    text = "text"
    json = "json"
    github = "github"


def _parse_today(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError as exc:
        raise ConfigError(f"--today: '{value}' is not a date (use YYYY-MM-DD)") from exc


@app.command()
def lint(
    ctx: typer.Context,
    paths: Annotated[
        list[Path] | None,
        typer.Argument(metavar="[PATHS]...", help="Articles (.md files in the KB folder) to report on; default "
                       "every article. The whole KB is still read, so links and ids are checked against all of it."),
    ] = None,
    format: Annotated[
        LintFormat,
        typer.Option("--format", "-f", help="`text` (path:line: CODE message (fix)), `json`, or `github` annotations."),
    ] = LintFormat.text,
    as_json: JsonOption = False,
    today: Annotated[
        str | None, typer.Option(help="Date to judge review staleness by (YYYY-MM-DD); default today.")
    ] = None,
    kb: KbOption = None,
) -> None:
    """Check every article: schema, ids, links and anchors, visibility, review dates, owners.

    Errors (exit 1) break customers or the agent: bad front matter, duplicate ids, broken
    links, public articles pointing to internal ones. Warnings (exit 0) are upkeep: stale
    reviews, missing owners, empty sections, near-duplicate titles.

    In CI use `kbops lint --format github` to annotate the pull request. With PATHS (what
    pre-commit passes: the changed files) only those articles' findings are reported and
    counted; a path that is not a .md file in the KB folder is a usage error (exit 2).
    See docs/pre-commit.md.

    Example: `kbops lint kb/export-project-csv.md --kb kb`
    """
    ws = workspace(ctx, kb=kb)
    loaded = ws.kb
    selected = article_paths(loaded, paths) if paths else None
    findings = lint_kb(loaded, ws.settings, today=_parse_today(today))
    count = len(loaded.articles) + len(loaded.problems)
    if selected is not None:
        findings = findings_of(findings, loaded, selected, ws.settings)
        count = len(selected)
    chosen = LintFormat.json if as_json else format
    if chosen is LintFormat.json:
        echo(render_json(findings, count))
    elif chosen is LintFormat.github:
        if findings:
            echo(render_github(findings))
        err_console.print(render_text(findings, count).splitlines()[-1], highlight=False)
    else:
        echo(render_text(findings, count))
    raise typer.Exit(exit_code(findings))


@kb_app.command("list")
def kb_list(
    ctx: typer.Context,
    audience: Annotated[str | None, typer.Option(help="Only `public` or `internal` articles.")] = None,
    status: Annotated[str | None, typer.Option(help="Only `draft`, `published` or `archived`.")] = None,
    as_json: JsonOption = False,
    kb: KbOption = None,
) -> None:
    """List articles with their id, category, audience, status and title."""
    loaded = workspace(ctx, kb=kb).kb
    articles = [
        a for a in loaded.articles
        if (audience is None or a.meta.audience == audience) and (status is None or a.meta.status == status)
    ]
    if as_json:
        for article in articles:
            echo(article.listing_json())
        return
    table = Table("id", "category", "audience", "status", "title", box=None)
    for article in articles:
        table.add_row(article.id, article.meta.category, article.meta.audience, article.meta.status, article.title)
    out_console.print(table)
    if loaded.problems:
        err_console.print(f"{len(loaded.problems)} files could not be read; run `kbops lint` for details")


@kb_app.command("show")
def kb_show(
    ctx: typer.Context,
    article_id: Annotated[str, typer.Argument(metavar="ID", help="The article id (see `kbops kb list`).")],
    as_json: JsonOption = False,
    kb: KbOption = None,
) -> None:
    """Show one article: its metadata and body."""
    article = workspace(ctx, kb=kb).kb.get(article_id)
    if as_json:
        echo(article.to_json())
        return
    out_console.print(f"[bold]{article.title}[/]  ({article.path})")
    for key, value in article.meta.model_dump(mode="json").items():
        if key != "title":
            out_console.print(f"  {key}: {value}", highlight=False)
    echo("")
    echo(article.body.strip())
