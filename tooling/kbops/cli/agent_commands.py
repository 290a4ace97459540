"""`kbops ask`: what the answering agent would do with one ticket."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Annotated

import typer

from ..agent.decision import Action, Decision, TicketInput
from ..tickets import Tier
from .app import app, err_console, out_console, state
from .index_commands import embedding_progress


def decision_json(decision: Decision, package_json: str | None) -> str:
    payload = {"version": 1, **asdict(decision)}
    payload["escalation_package"] = json.loads(package_json) if package_json else None
    return json.dumps(payload, indent=2, default=str)


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
    as_json: Annotated[bool, typer.Option("--json", help="Print the decision (and escalation package) as JSON.")] = False,
) -> None:
    """Draft a cited answer for a ticket, or escalate it with a reason.

    The agent searches published public articles only, drafts a reply (offline
    extractive backend by default; Claude when ANTHROPIC_API_KEY is set), and then plain
    code decides: answer, or escalate for low confidence, a risk topic (refunds, account
    changes, ...), a sensitive article, a VIP tier, an angry customer or a request for a
    human. Escalations print a package for the specialist. PII is redacted first.

    Example: `kbops ask "How do I export my project to CSV?"`
    """
    from ..agent.agent import build_agent
    from ..agent.package import escalation_package

    settings = state(ctx).settings()
    if backend is not None:
        settings = settings.model_copy(update={"agent": settings.agent.model_copy(update={"backend": backend})})
    with embedding_progress("building index") as progress:
        agent = build_agent(settings, notify=err_console.print, progress=progress)
    ticket = TicketInput(text=text, subject=subject, tier=str(customer_tier), ticket_id=ticket_id)
    decision = agent.answer(ticket)
    package = escalation_package(decision, agent.prepare(ticket))
    if as_json:
        typer.echo(decision_json(decision, package.to_json() if package else None))
        return
    if decision.action is Action.ANSWER:
        out_console.print(f"[bold green]answer[/] (confidence {decision.confidence:.2f}, backend {decision.backend})")
        typer.echo("")
        typer.echo(decision.reply)
        typer.echo("")
        cited = ", ".join(f"{c.article_id}#{c.anchor}" if c.anchor else c.article_id for c in decision.citations)
        commit = decision.kb_commit[:12] if decision.kb_commit else "working tree"
        out_console.print(f"[dim]cited: {cited} (KB at {commit})[/]", highlight=False)
        return
    out_console.print(
        f"[bold yellow]escalate[/]: {', '.join(decision.reasons)} (confidence {decision.confidence:.2f})", highlight=False
    )
    typer.echo("")
    assert package is not None
    typer.echo(package.to_markdown())
