"""`kbops why`: how the agent decided one ticket of a saved eval run, step by step."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from ..evals.history import LATEST
from .app import app, workspace
from .options import JsonOption, KbOption, RunOption, progress_bar
from .output import echo

if TYPE_CHECKING:
    from ..evals.explain import Explanation


@app.command("why")
def why_command(
    ctx: typer.Context,
    ticket_id: Annotated[str, typer.Argument(
        metavar="TICKET_ID", help="The ticket's id, as the run's results (and the ticket file) name it.")],
    run: RunOption = LATEST,
    as_json: JsonOption = False,
    kb: KbOption = None,
) -> None:
    """Explain the agent's decision on one ticket of an eval run, with the commits behind it.

    The ticket is replayed as the run replayed it (same ticket file, same memory rules) and
    every step is shown: the query the agent searched (redacted), the top hits of each
    retrieval channel (dense, lexical, ticket memory) with ranks and scores and the fused
    evidence, each policy check with why it passed or fired, the confidence and the
    features behind it, the decision, and the commit, author and date that last changed
    each cited section (git blame, docs/provenance.md). It says when the KB changed since
    the run and when the replay's verdict differs from the saved one.

    Exit codes: 0 ok, 2 an unknown run or a ticket the run (or the ticket file) lacks.

    Example: `kbops why T-1042 --run latest`
    """
    from ..evals.explain import explain, find_ticket, saved_result  # lazy: fast --help

    with progress_bar("building index") as bar, workspace(ctx, kb=kb, progress=bar) as ws:
        saved_run = ws.runs.find(run)
        saved_result(saved_run, ticket_id)  # a ticket the run lacks is named before anything is loaded
        path, tickets = ws.tickets_of(saved_run)
        ticket = find_ticket(tickets.tickets, ticket_id, ws.display_path(path))
        explanation = explain(ws.agent, ws.embedder, saved_run, ticket, ws.revision)
    if as_json:
        echo(explanation.to_json())
        return
    render(explanation)


def render(why: Explanation) -> None:
    """The explanation as plain text for a terminal."""
    echo(f"ticket {why.ticket_id} (run {why.run_id})")
    for note in why.notes:
        echo(f"  note: {note}")
    query = why.query.strip()[:400].replace("\n", "\n  ")
    echo(f"\nquery (redacted):\n  {query}")
    echo("\nretrieval")
    for channel, hits in why.hits.items():
        echo(f"  {channel}:" + ("" if hits else " nothing"))
        for hit in hits:
            where = f" > {hit.section}" if hit.section else ""
            via = f" (tickets {', '.join(hit.tickets)})" if hit.tickets else ""
            echo(f"    {hit.rank}. {hit.article_id}{where}  score {hit.score:.3f}{via}")
    echo("\npolicy")
    for check in why.policy:
        echo(f"  [{'FIRED' if check.fired else 'pass '}] {check.code}: {check.why}")
    echo(f"\nconfidence {why.confidence:.2f} (threshold {why.threshold:.2f}, backend {why.backend})")
    for name, value in why.confidence_inputs.items():
        weight = why.confidence_weights.get(name)
        echo(f"  {name} = {value:.3f}" + (f" (weight {weight:+.2f})" if weight is not None else ""))
    reasons = f": {', '.join(why.reasons)}" if why.reasons else ""
    echo(f"\ndecision: {why.action}{reasons} -> verdict {why.verdict} (saved: {why.saved.verdict})")
    echo("\ncited sections" + ("" if why.citations else ": none"))
    for citation in why.citations:
        section = f" > {citation.section}" if citation.section else ""
        if citation.commit and citation.author:
            change = f"{citation.commit[:12]} by {citation.author}, {citation.committed_at}"
        else:
            change = citation.commit or "no git history"
        echo(f"  {citation.article_id}{section}: {change}")
