"""`kbops ask`: what the answering agent would do with one ticket."""

from __future__ import annotations

from typing import Annotated

import typer

from ..agent.decision import Action, TicketInput
from ..tickets.model import Tier
from .app import app, out_console, workspace
from .options import JsonOption, KbOption, progress_bar
from .output import echo


@app.command()
def ask(
    ctx: typer.Context,
    text: Annotated[str, typer.Argument(help="The customer's message (quote it).")],
    subject: Annotated[str, typer.Option(help="The ticket's subject line.")] = "",
    customer_tier: Annotated[Tier, typer.Option(help="The customer's plan tier (policy may route high tiers to humans).")] = Tier.PRO,
    ticket_id: Annotated[str, typer.Option(help="An id to show in the escalation package.")] = "",
    backend: Annotated[
        str | None, typer.Option(help="Override `agent.backend`: `offline` or `claude`.")
    ] = None,
    as_json: JsonOption = False,
    kb: KbOption = None,
) -> None:
    """Draft a cited answer for a ticket, or escalate it with a reason.

    The agent searches published public articles only, drafts a reply (offline
    extractive backend by default; Claude when ANTHROPIC_API_KEY is set), and then plain
    code decides: answer, or escalate for low confidence, a risk topic (refunds, account
    changes, ...), a sensitive article, a VIP tier, an angry customer or a request for a
    human. Escalations print a package for the specialist. PII is redacted first.

    Example: `kbops ask "How do I export my project to CSV?"`
    """
    from ..agent.package import ask_agent  # lazy: keeps `kbops --help` fast

    with progress_bar("building index") as bar:
        agent = workspace(ctx, backend, kb=kb, progress=bar).agent
    ticket = TicketInput(text=text, subject=subject, tier=str(customer_tier), ticket_id=ticket_id)
    decision, package = ask_agent(agent, ticket)
    if as_json:
        echo(decision.to_json(package.as_dict() if package else None))
        return
    if decision.action is Action.ANSWER:
        out_console.print(f"[bold green]answer[/] (confidence {decision.confidence:.2f}, backend {decision.backend})")
        echo("")
        echo(decision.reply)
        echo("")
        cited = ", ".join(f"{c.article_id}#{c.anchor}" if c.anchor else c.article_id for c in decision.citations)
        commit = decision.kb_commit[:12] if decision.kb_commit else "working tree"
        out_console.print(f"[dim]cited: {cited} (KB at {commit})[/]", highlight=False)
        return
    out_console.print(
        f"[bold yellow]escalate[/]: {', '.join(decision.reasons)} (confidence {decision.confidence:.2f})", highlight=False
    )
    echo("")
    assert package is not None
    echo(package.to_markdown())
