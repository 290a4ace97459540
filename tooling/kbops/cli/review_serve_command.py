"""`kbops review serve`: the week's review sample in a local web page, graded by keyboard."""

from __future__ import annotations

import getpass
import subprocess
from pathlib import Path
from typing import Annotated

import typer

from ..errors import EXIT_BAD_INPUT
from .app import err_console, workspace
from .options import KbOption
from .review_commands import SeedOption, SizeOption, WeekOption, review_app, sample_of


@review_app.command("serve")
def serve_command(
    ctx: typer.Context,
    week: WeekOption = None,
    size: SizeOption = None,
    seed: SeedOption = None,
    host: Annotated[str | None, typer.Option(
        help="Address to listen on (default `review.host`, 127.0.0.1: only this machine). Requests naming "
        "another host are refused.")] = None,
    port: Annotated[int | None, typer.Option(
        min=0, max=65535, help="Port to listen on (default `review.port`; 0 = any free port).")] = None,
    reviewer: Annotated[str | None, typer.Option(
        help="Name written with each verdict (default: the repo's git `user.name`, else $USER).")] = None,
    kb: KbOption = None,
) -> None:
    """Grade the week's review sample in the browser: open the printed URL.

    The sample is the one `kbops review sample` prints for the same --week, --size and
    --seed. Each page shows the ticket, the agent's reply, the articles it cited (their
    sections from the KB), its confidence and escalation reasons, and why the ticket was
    sampled. Keys: 1 correct, 2 incorrect, 3 tone, 4 should have escalated (answered
    tickets); 5 correctly escalated, 6 should have answered (escalated tickets); e writes a
    note, a names the correct articles, Enter records, n/p next/previous, ? lists the keys.

    Each verdict is appended at once (redacted, atomically) to the review log
    (`review.path`, default `evals/reviews.jsonl`): commit it so the next `kbops eval`
    replays the corrected cases. Stop the server with Ctrl+C.

    Exit codes: 0 stopped (or nothing to review that week), 2 empty history, a bad week or a port in use.

    Example: `kbops review serve --week 2026-W47 --size 30`
    """
    from ..review import server  # lazy: starlette and uvicorn load only for this command

    with workspace(ctx, kb=kb) as ws:
        sample = sample_of(ws, week, size, seed)
        settings = ws.settings
        articles = ws.kb
    if not sample.items:
        err_console.print(f"{sample.period_label}: nothing to review ({sample.candidates} unreviewed answered or "
                          "escalated tickets); pick another --week", highlight=False, markup=False, soft_wrap=True)
        return
    chosen_host = host if host is not None else settings.review.host
    chosen_port = settings.review.port if port is None else port
    log_path = settings.root / settings.review.path
    name = reviewer if reviewer is not None else default_reviewer(settings.root)
    app = server.review_app(sample.items, articles, log_path, name, host=chosen_host)

    def announce(url: str) -> None:
        err_console.print(f"{sample.period_label}: {len(sample.items)} tickets to review as {name or '(unnamed)'}; "
                          f"verdicts go to {log_path}", highlight=False, markup=False, soft_wrap=True)
        err_console.print(f"Review at {url}  (Ctrl+C stops)", highlight=False, markup=False, soft_wrap=True)

    try:
        server.serve(app, chosen_host, chosen_port, announce=announce)
    except OSError as exc:
        err_console.print(f"error: cannot listen on {chosen_host}:{chosen_port}: {exc.strerror or exc}", highlight=False,
                          markup=False, soft_wrap=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None


def default_reviewer(root: Path) -> str:
    """The repo's git `user.name`, else the login name: who signs the verdicts."""
    try:
        done = subprocess.run(["git", "config", "user.name"], cwd=root, capture_output=True, text=True,
                              timeout=5, check=False)
        if done.returncode == 0 and done.stdout.strip():
            return done.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pass
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return ""
