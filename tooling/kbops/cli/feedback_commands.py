"""`kbops feedback serve` and `kbops feedback stats`: the help site's "Was this helpful?" votes."""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from .app import app, err_console, out_console, workspace
from .options import JsonOption, KbOption
from .output import SafeConsole, echo

if TYPE_CHECKING:
    from ..feedback.stats import ArticleFeedback

feedback_app = typer.Typer(
    help=(
        "The help site's \"Was this helpful?\" votes: receive them, count them.\n\n"
        "Set `[feedback] endpoint` in kbops.toml, rebuild the site (`kbops site build`), run "
        "`kbops feedback serve` where the site can reach it. See docs/feedback.md."
    ),
    no_args_is_help=True,
    rich_markup_mode="markdown",
)
app.add_typer(feedback_app, name="feedback")


@feedback_app.command("serve")
def serve_command(
    ctx: typer.Context,
    host: Annotated[str | None, typer.Option("--host", help="Address to listen on (default `feedback.host`, "
                                             "127.0.0.1); put a TLS proxy in front to take votes from the web.")] = None,
    port: Annotated[int | None, typer.Option("--port", min=1, max=65535, help="Port to listen on "
                                             "(default `feedback.port`, 8766).")] = None,
    kb: KbOption = None,
) -> None:
    """Receive the help site's votes (POST /votes) into the feedback store (Ctrl+C stops).

    A vote is kept only when it comes from the help site's origin (`site_url` of
    mkdocs.yml), names an article page the site publishes, is at most
    `feedback.max_body_bytes`, and its client sent fewer than `feedback.rate_limit` votes
    in `feedback.rate_window_seconds`. Refused votes get 403, 404, 413 or 429 and store
    nothing. No cookies; clients are kept as a keyed hash, never their address.
    """
    from ..feedback.server import feedback_app as make_app  # lazy: keeps `kbops --help` fast
    from ..feedback.server import serve
    from ..feedback.store import FeedbackStore
    from ..feedback.votes import VoteRules, site_origin
    from ..site.model import SiteProject
    from ..site.stage import article_pages

    ws = workspace(ctx, kb=kb)
    settings = ws.settings.feedback
    project = SiteProject.load(ws.settings)
    origin = site_origin(str(project.config.get("site_url") or ""))
    pages = article_pages(ws.kb, ws.settings, project)
    rules = VoteRules(origin=origin, pages=pages, max_body_bytes=settings.max_body_bytes)
    path = ws.settings.root / settings.path
    chosen_host, chosen_port = host or settings.host, port or settings.port
    with FeedbackStore.open(path, ws.notify) as store:
        err_console.print(f"taking votes for {len(pages)} article pages from {origin} at "
                          f"http://{chosen_host}:{chosen_port}/votes into {path} (Ctrl+C stops)", highlight=False)
        serve(make_app(store, rules, settings), chosen_host, chosen_port)


@feedback_app.command("stats")
def stats_command(
    ctx: typer.Context,
    period: Annotated[str | None, typer.Option("--period", help="A calendar month, e.g. `2026-11`.")] = None,
    week: Annotated[str | None, typer.Option("--week", help="An ISO week, e.g. `2026-W47`.")] = None,
    since: Annotated[datetime | None, typer.Option("--since", formats=["%Y-%m-%d"],
                                                   help="First day (UTC), e.g. `2026-11-01`.")] = None,
    until: Annotated[datetime | None, typer.Option("--until", formats=["%Y-%m-%d"],
                                                   help="Last day (UTC, included).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Votes per article: helpful, not helpful and the helpful ratio, with totals.

    Every vote by default; `--period`, `--week` or `--since/--until` choose when they were
    received. Articles with at least `feedback.min_votes` votes and a share of
    `feedback.unhelpful_share` or more unhelpful become `failing` gaps in `kbops gaps`.

    Example: `kbops feedback stats --week 2026-W47 --json`
    """
    from ..feedback.stats import feedback_stats, stats_json, stats_window  # lazy: fast --help
    from ..feedback.store import FeedbackStore

    ws = workspace(ctx)
    start, end = stats_window(period, week, since.date() if since else None, until.date() if until else None)
    path = ws.settings.root / ws.settings.feedback.path
    if path.exists():
        with FeedbackStore.open(path, ws.notify) as store:
            stats = feedback_stats(store, start, end)
    else:
        stats = []
        err_console.print(f"no feedback store at {path} yet: `kbops feedback serve` creates it", highlight=False)
    if as_json:
        echo(json.dumps(stats_json(stats, start, end), indent=2))
        return
    _print_table(stats)


def _print_table(stats: list[ArticleFeedback]) -> None:
    table = Table(title="Help-site votes per article", title_justify="left")
    for name in ("article", "page", "votes", "helpful", "not helpful", "helpful ratio"):
        text = name in ("article", "page")
        table.add_column(name, justify="left" if text else "right", no_wrap=text)
    for item in stats:
        ratio = f"{item.ratio:.0%}" if item.ratio is not None else "–"
        table.add_row(item.article_id, item.page, str(item.votes), str(item.helpful), str(item.unhelpful), ratio)
    helpful, unhelpful = sum(s.helpful for s in stats), sum(s.unhelpful for s in stats)
    votes = helpful + unhelpful
    table.add_row("total", "", str(votes), str(helpful), str(unhelpful), f"{helpful / votes:.0%}" if votes else "–",
                  style="bold")
    console = out_console if out_console.is_terminal else SafeConsole(width=200)  # a pipe or file: do not squeeze
    console.print(table)
