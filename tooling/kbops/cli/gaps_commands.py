"""`kbops gaps`: the topics the KB is missing, drafts that close them, and closed gaps kept
as regression cases."""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..errors import ConfigError, KBError
from .app import app, err_console, out_console, state

if TYPE_CHECKING:
    from ..config import Settings
    from ..gaps import ArticleMatrix, GapReport
    from ..index.embed import Embedder
    from ..kb import KnowledgeBase
    from ..runs import EvalRun
    from ..tickets import Ticket

gaps_app = typer.Typer(no_args_is_help=False, rich_markup_mode="markdown")
app.add_typer(gaps_app, name="gaps")


class GapsFormat(StrEnum):
    table = "table"
    json = "json"
    md = "md"


class WriterChoice(StrEnum):
    auto = "auto"
    offline = "offline"
    claude = "claude"


RunOption = Annotated[str, typer.Option("--run", help="Eval run id from .kbops/runs/, or `latest`.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


@dataclass
class Analysis:
    """Everything a gaps command works from, loaded once."""

    settings: Settings
    run: EvalRun
    tickets: tuple[Ticket, ...]
    kb: KnowledgeBase
    embedder: Embedder
    matrix: ArticleMatrix
    report: GapReport


def analyse(settings: Settings, run_id: str) -> Analysis:
    """The run's gaps (running `kbops eval` first when there is no run yet), saved beside
    the run so the eval report can group its gaps by topic."""
    from ..evaluation import load_history, load_ticket_set
    from ..gaps import ArticleMatrix, analyse_run, save_report
    from ..gitkb import kb_revision
    from ..index.indexer import embedder_for
    from ..kb import load_kb

    history = load_history(settings.runs_dir, limit=10_000)
    if run_id == "latest":
        run = history[-1] if history else _first_run(settings)
    else:
        found = next((r for r in history if r.run_id == run_id), None)
        if found is None:
            raise KBError(f"no run '{run_id}' in {settings.runs_dir} (see the file names there)")
        run = found
    tickets_path = Path(run.tickets_file) if run.tickets_file else None
    if tickets_path is not None and not tickets_path.is_absolute():
        tickets_path = settings.root / tickets_path
    _, ticket_set = load_ticket_set(settings, tickets_path, strict=False)
    kb = load_kb(settings)
    embedder = embedder_for(settings)
    with err_console.status("grouping escalations by topic"):
        matrix = ArticleMatrix.build(kb.articles, embedder)
        report = analyse_run(run, ticket_set.tickets, matrix, embedder, settings.gaps)
    save_report(report, settings.runs_dir)
    revision = kb_revision(settings.kb_dir)
    if run.kb_commit != revision.commit:
        err_console.print(f"[yellow]note:[/] run {run.run_id} replayed the KB at {run.kb_commit or 'no commit'}; "
                          f"the KB is now at {revision.label()}: run `kbops eval` for current gaps", highlight=False)
    if report.missing_tickets:
        err_console.print(f"[yellow]note:[/] {len(report.missing_tickets)} tickets of the run are no longer in the "
                          f"ticket file (grouped by subject only): {', '.join(report.missing_tickets[:5])}",
                          highlight=False)
    return Analysis(settings, run, ticket_set.tickets, kb, embedder, matrix, report)


def _first_run(settings: Settings) -> EvalRun:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from ..evaluation import evaluate, make_context

    err_console.print("no eval run yet: running `kbops eval` first", highlight=False)
    with Progress(TextColumn("replaying tickets"), BarColumn(), MofNCompleteColumn(), console=err_console,
                  transient=True) as bar:
        task = bar.add_task("replay", total=None)
        context = make_context(settings, notify=err_console.print,
                               progress=lambda done, total: bar.update(task, completed=done, total=total))
        return evaluate(context)


@gaps_app.callback(invoke_without_command=True)
def gaps_command(
    ctx: typer.Context,
    run_id: RunOption = "latest",
    format: Annotated[GapsFormat, typer.Option("--format", "-f", help="table, json or md (a Markdown table).")] = GapsFormat.table,
    as_json: JsonOption = False,
    min_size: Annotated[int | None, typer.Option("--min-size", min=1, help="Hide gaps with fewer tickets (default `gaps.min_size`).")] = None,
) -> None:
    """Find the articles the KB is missing: escalations grouped by topic, most impact first.

    Reads the latest `kbops eval` run (runs one when there is none) and groups its `gap` and
    `false_deflection` tickets by topic. Each gap is a topic: its key phrases, how many tickets (and what share of the run) it
    cost, which customers and tiers, example tickets, the nearest existing articles, and
    whether an article is **missing** or an existing one **fails** (wrong, outdated,
    unpublished or unfindable). Impact = tickets weighted by tier, wrong answers counting double.

    `kbops gaps draft GAP_ID` (or `--top N`) drafts the missing article from the
    specialists' resolutions (`--branch NAME` commits it and prints the PR description);
    `kbops gaps protect` keeps closed gaps as regression cases.

    Example: `kbops eval && kbops gaps && kbops gaps draft --top 1 --branch kb/gap-1`
    """
    if ctx.invoked_subcommand is not None:
        return
    from ..report.gaps import render_gaps_markdown

    settings = state(ctx).settings()
    analysis = analyse(settings, run_id)
    report = analysis.report
    smallest = min_size or settings.gaps.min_size
    shown = type(report)(**{**report.__dict__, "gaps": tuple(g for g in report.gaps if g.tickets >= smallest)})
    chosen = GapsFormat.json if as_json else format
    if chosen is GapsFormat.json:
        typer.echo(shown.to_json())
    elif chosen is GapsFormat.md:
        typer.echo(render_gaps_markdown(shown))
    else:
        _print_table(shown)


def _print_table(report: GapReport) -> None:
    from rich.console import Console
    from rich.table import Table

    from ..gaps import GapKind

    table = Table(title=f"Knowledge gaps in run {report.run_id}: {len(report.gaps)} topics from "
                        f"{report.considered} of {report.run_tickets} tickets", title_justify="left")
    for name, justify in (("#", "right"), ("gap", "left"), ("topic", "left"), ("tickets", "right"),
                          ("customers (tiers)", "left"), ("kind", "left"), ("examples", "left"), ("impact", "right")):
        table.add_column(name, justify=justify, no_wrap=name in ("#", "gap"))  # type: ignore[arg-type]
    for gap in report.gaps:
        tiers = ", ".join(f"{tier} {count}" for tier, count in gap.tiers.items())
        near = gap.nearest[0] if gap.nearest else None
        if gap.kind is GapKind.MISSING:
            kind = "missing" + (f" (nearest: {near.article_id} {near.similarity:.2f})" if near else "")
        else:
            kind = f"fails ({gap.failure}): {gap.covering_article}"
        examples = "; ".join(f"{tid} {subject}" for tid, subject in gap.examples[:2])
        table.add_row(str(gap.rank), gap.id, gap.label, f"{gap.tickets} ({gap.share:.1%})",
                      f"{len(gap.customers)} ({tiers})", kind, examples, f"{gap.impact:g}")
    console = out_console if out_console.is_terminal else Console(width=200)  # a pipe or file: do not squeeze
    console.print(table)
    if not report.gaps:
        err_console.print("no gaps: every ticket was deflected or gated by policy", highlight=False)


@gaps_app.command("draft")
def draft_command(
    ctx: typer.Context,
    gap_id: Annotated[str | None, typer.Argument(help="Gap id (or a unique prefix) from `kbops gaps`.")] = None,
    top: Annotated[int | None, typer.Option("--top", min=1, help="Draft the N gaps with the most impact.")] = None,
    branch: Annotated[
        str | None, typer.Option("--branch", help="Commit the drafts on this new branch (your checkout is untouched) "
                                 "and print the PR description.")
    ] = None,
    writer: Annotated[WriterChoice, typer.Option(help="`offline` extractive outline, `claude`, or `auto` "
                                                 "(Claude when ANTHROPIC_API_KEY is set).")] = WriterChoice.auto,
    run_id: RunOption = "latest",
    as_json: Annotated[bool, typer.Option("--json", help="Print the drafts, patches and PR description as JSON.")] = False,
) -> None:
    """Draft the missing article of a gap from the specialists' resolutions.

    A new article goes to `gaps.drafts_dir` (default `kb/drafts/`) with `status: draft`,
    no `owner` (lint reminds you) and `source_tickets` listing the tickets it answers.
    When an existing article already covers the topic (it fails, or the draft would be a
    near-duplicate of it) an edit of that article is proposed instead, as a patch.

    With `--branch NAME` nothing is written to your working tree: the drafts are committed
    on a new branch from HEAD and the PR description (gap, tickets, expected deflection
    gain) is printed. Check with `kbops eval --baseline <your branch>` after publishing.
    """
    from ..draft_output import commit_message, commit_on_branch, pr_description, write_plans
    from ..drafts import Action, Drafter, make_writer

    if (gap_id is None) == (top is None):
        raise ConfigError("give a GAP_ID or --top N (see `kbops gaps` for the ids)")
    settings = state(ctx).settings()
    analysis = analyse(settings, run_id)
    report = analysis.report
    gaps = [report.find(gap_id)] if gap_id else list(report.gaps[:top])
    if not gaps:
        raise KBError(f"run {report.run_id} has no gaps to draft")
    main_writer, fallback = make_writer(settings, analysis.embedder, str(writer))
    drafter = Drafter(settings, analysis.matrix, analysis.embedder, main_writer, analysis.kb.base, fallback)
    taken: set[str] = set()
    with err_console.status(f"drafting {len(gaps)} gap(s) with the {main_writer.name} writer"):
        plans = [drafter.plan(gap, analysis.tickets, taken) for gap in gaps]
    for plan in plans:
        for warning in plan.warnings:
            err_console.print(f"[yellow]warning[/] {plan.gap.id}: {warning}", highlight=False)
    commit = None
    written: list[Path] = []
    base_ref = _current_branch(analysis.kb.base)
    if branch:
        commit = commit_on_branch(analysis.kb.base, branch, plans, commit_message(plans))
    else:
        written = write_plans(plans, analysis.kb.base, settings.root / settings.gaps.drafts_dir)
    description = pr_description(plans, report, branch, base_ref)
    if as_json:
        typer.echo(json.dumps({
            "run_id": report.run_id,
            "branch": branch,
            "commit": commit,
            "drafts": [{"gap_id": p.gap.id, "action": str(p.action), "path": p.path, "article_id": p.article_id,
                        "source_tickets": list(p.source_tickets), "writer": p.writer, "warnings": list(p.warnings),
                        "patch": p.patch} for p in plans],
            "written": [str(w) for w in written],
            "pr_description": description,
        }, indent=2))
    elif branch:
        typer.echo(description)
    else:
        for plan, path in zip([p for p in plans if p.action is not Action.SKIP], written, strict=True):
            typer.echo(f"{plan.action}\t{path}\t{plan.gap.id}\t{', '.join(plan.source_tickets)}")
    done = sum(p.action is not Action.SKIP for p in plans)
    if branch:
        err_console.print(f"committed {done} draft(s) on branch [bold]{branch}[/] ({commit[:12] if commit else ''}); "
                          "your branch, index and working tree are unchanged", highlight=False)
    else:
        err_console.print(f"wrote {done} draft(s); `kbops lint` checks them, `--branch NAME` commits them instead",
                          highlight=False)


def _current_branch(folder: Path) -> str:
    import git

    try:
        repo = git.Repo(folder, search_parent_directories=True)
        return repo.active_branch.name
    except (git.InvalidGitRepositoryError, git.NoSuchPathError, TypeError, ValueError):
        return "main"


@gaps_app.command("protect")
def protect_command(
    ctx: typer.Context,
    run_id: RunOption = "latest",
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show the tags without writing the ticket file.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the tags added per ticket as JSON.")] = False,
) -> None:
    """Keep closed gaps as regression cases.

    Tickets that a published article was drafted from (its `source_tickets`) and that the
    run deflected citing that article get the tag `protects:<article-id>` in the ticket
    file. Every later `kbops eval` report lists them as "protected by article X" and
    flags any that stop being deflected.
    """
    from ..closed_gaps import add_ticket_tags, closed_gap_tags
    from ..evaluation import load_history, load_ticket_set
    from ..kb import load_kb

    settings = state(ctx).settings()
    history = load_history(settings.runs_dir, limit=10_000)
    run = history[-1] if run_id == "latest" and history else next((r for r in history if r.run_id == run_id), None)
    if run is None:
        raise KBError(f"no eval run '{run_id}' in {settings.runs_dir}: run `kbops eval` first")
    path = settings.root / run.tickets_file if run.tickets_file else settings.root / settings.eval.tickets
    _, ticket_set = load_ticket_set(settings, path, strict=False)
    tags = closed_gap_tags(run, ticket_set.tickets, load_kb(settings).articles)
    changed = 0 if dry_run else add_ticket_tags(path, tags)
    if as_json:
        typer.echo(json.dumps({"run_id": run.run_id, "tickets_file": str(path), "dry_run": dry_run,
                               "tags": tags, "changed": changed}, indent=2))
    else:
        for ticket_id, added in tags.items():
            typer.echo(f"{ticket_id}\t{', '.join(added)}")
    verb = "would tag" if dry_run else "tagged"
    err_console.print(f"{verb} {len(tags)} ticket(s) in {path} as regression cases of their articles", highlight=False)
