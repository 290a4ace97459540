"""`kbops gaps`: the topics the KB is missing, drafts that close them, and closed gaps kept
as regression cases."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from .app import app, err_console, out_console, workspace
from .options import JsonOption, KbOption, RunOption, progress_bar
from .output import SafeConsole, echo

if TYPE_CHECKING:
    from ..gaps.model import GapReport
    from ..workspace import GapAnalysis, Workspace

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


def analyse(ws: Workspace, run_id: str) -> GapAnalysis:
    """The run's gaps (replaying first when there is no run), with notes on stderr when the
    run is stale or its tickets left the ticket file."""
    with progress_bar("replaying tickets") as bar:
        run = ws.run(run_id, progress=bar)
    with err_console.status("grouping escalations by topic"):
        analysis = ws.gap_analysis(run)
    run, report = analysis.run, analysis.report
    if run.kb_commit != ws.revision.commit:
        err_console.print(f"[yellow]note:[/] run {run.run_id} replayed the KB at {run.kb_commit or 'no commit'}; "
                          f"the KB is now at {ws.revision.label()}: run `kbops eval` for current gaps", highlight=False)
    if report.missing_tickets:
        err_console.print(f"[yellow]note:[/] {len(report.missing_tickets)} tickets of the run are no longer in the "
                          f"ticket file (grouped by subject only): {', '.join(report.missing_tickets[:5])}",
                          highlight=False)
    return analysis


@gaps_app.callback(invoke_without_command=True)
def gaps_command(
    ctx: typer.Context,
    run_id: RunOption = "latest",
    format: Annotated[GapsFormat, typer.Option("--format", "-f", help="table, json or md (a Markdown table).")] = GapsFormat.table,
    as_json: JsonOption = False,
    min_size: Annotated[int | None, typer.Option("--min-size", min=1, help="Hide gaps with fewer tickets (default `gaps.min_size`).")] = None,
    kb: KbOption = None,
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
    from ..report.gaps import render_gaps_markdown  # lazy: keeps `kbops --help` fast

    ws = workspace(ctx, kb=kb)
    report = analyse(ws, run_id).report.at_least(min_size or ws.settings.gaps.min_size)
    chosen = GapsFormat.json if as_json else format
    if chosen is GapsFormat.json:
        echo(report.to_json())
    elif chosen is GapsFormat.md:
        echo(render_gaps_markdown(report))
    else:
        _print_table(report)


def _print_table(report: GapReport) -> None:
    from ..gaps.model import GapKind  # lazy: keeps `kbops --help` fast

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
    console = out_console if out_console.is_terminal else SafeConsole(width=200)  # a pipe or file: do not squeeze
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
    as_json: JsonOption = False,
    kb: KbOption = None,
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
    from ..drafts.output import draft_gaps  # lazy: keeps `kbops --help` fast
    from ..gitkb import check_branch_name

    ws = workspace(ctx, kb=kb)
    if branch:
        check_branch_name(ws.settings.root, branch)  # before any replay: a bad name costs nothing
    analysis = analyse(ws, run_id)
    gaps = analysis.report.select(gap_id, top)
    drafter = ws.drafter(str(writer))
    with err_console.status(f"drafting {len(gaps)} gap(s) with the {drafter.writer.name} writer"):
        result = draft_gaps(gaps, analysis.report, analysis.tickets, drafter, ws.drafts_dir, branch)
    for plan in result.plans:
        for warning in plan.warnings:
            err_console.print(f"[yellow]warning[/] {plan.gap.id}: {warning}", highlight=False)
    if as_json:
        echo(result.to_json())
    elif branch:
        echo(result.pr_description)
    else:
        for plan, path in zip(result.done, result.written, strict=True):
            echo(f"{plan.action}\t{path}\t{plan.gap.id}\t{', '.join(plan.source_tickets)}")
    done = len(result.done)
    if branch:
        commit = result.commit[:12] if result.commit else ""
        err_console.print(f"committed {done} draft(s) on branch [bold]{branch}[/] ({commit}); "
                          "your branch, index and working tree are unchanged", highlight=False)
    else:
        err_console.print(f"wrote {done} draft(s); `kbops lint` checks them, `--branch NAME` commits them instead",
                          highlight=False)


@gaps_app.command("protect")
def protect_command(
    ctx: typer.Context,
    run_id: RunOption = "latest",
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show the tags without writing the ticket file.")] = False,
    as_json: JsonOption = False,
    kb: KbOption = None,
) -> None:
    """Keep closed gaps as regression cases.

    Tickets that a published article was drafted from (its `source_tickets`) and that the
    run deflected citing that article get the tag `protects:<article-id>` in the ticket
    file. Every later `kbops eval` report lists them as "protected by article X" and
    flags any that stop being deflected.
    """
    from ..gaps.closed import protect  # lazy: keeps `kbops --help` fast

    ws = workspace(ctx, kb=kb)
    run = ws.runs.find(run_id)
    path, ticket_set = ws.tickets_of(run)
    done = protect(run, path, ticket_set.tickets, ws.kb.articles, dry_run=dry_run)
    if as_json:
        echo(done.to_json())
    else:
        for ticket_id, added in done.tags.items():
            echo(f"{ticket_id}\t{', '.join(added)}")
    verb = "would tag" if dry_run else "tagged"
    err_console.print(f"{verb} {len(done.tags)} ticket(s) in {path} as regression cases of their articles",
                      highlight=False)
