"""Replay escalated tickets through the agent and give each a verdict.

`deflected` (answered, correct), `false_deflection` (answered, wrong), `gated` (escalated
by a policy gate: refunds, account changes, VIPs, angry customers... correct and not a KB
problem) or `gap` (escalated because the KB did not cover it well enough). Every result is
appended to a checkpoint file as soon as it exists, so a killed run resumes and loses at
most the ticket in flight.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from pathlib import Path
from typing import Any

from ..agent.agent import Agent
from ..agent.decision import Action, Decision
from ..files import append_line
from ..index.embed import Embedder
from ..redact import redact
from ..tickets.model import Ticket
from .grading import grade, resolution_similarity
from .runs import GAP_REASONS, PROTECTS_TAG, TicketResult, Verdict, result_from_dict

MetricsHook = Callable[[Ticket, Decision], dict[str, float]]


def classify(decision: Decision, correct: bool | None) -> Verdict:
    if decision.action is Action.ANSWER:
        return Verdict.DEFLECTED if correct else Verdict.FALSE_DEFLECTION
    if any(reason not in GAP_REASONS for reason in decision.reasons):
        return Verdict.GATED
    return Verdict.GAP


def ticket_category(ticket: Ticket, agent: Agent) -> str:
    """The team's own label (first tag) when there is one, else the gold article's category."""
    if ticket.tags:
        return ticket.tags[0]
    for article_id in ticket.resolved_by_article_ids:
        article = agent.articles.get(article_id)
        if article is not None:
            return article.meta.category
    return "uncategorized"


def replay_ticket(
    agent: Agent, embedder: Embedder, ticket: Ticket, threshold: float, metrics: MetricsHook | None = None
) -> TicketResult:
    decision = agent.answer(ticket)
    cited = tuple(dict.fromkeys(c.article_id for c in decision.citations))
    correct: bool | None = None
    score, notes = 0.0, "escalated: nothing sent to the customer"
    if decision.action is Action.ANSWER:
        similarity = resolution_similarity([decision.reply], [ticket.resolution], embedder)[0]
        result = grade(decision.reply, cited, ticket.resolved_by_article_ids, similarity, threshold,
                       bool(ticket.resolution.strip()))
        correct, score, notes = result.correct, result.score, result.notes
    values = {"correctness": score} if decision.action is Action.ANSWER else {}
    if metrics is not None:
        values.update(metrics(ticket, decision))
    subject = ticket.subject or ticket.body.strip().split("\n", 1)[0][:120]
    return TicketResult(
        ticket_id=ticket.id,
        verdict=classify(decision, correct),
        action=str(decision.action),
        confidence=decision.confidence,
        reasons=decision.reasons,
        cited_article_ids=cited,
        gold_article_ids=ticket.resolved_by_article_ids,
        correct=correct,
        correctness=score,
        grade_notes=notes,
        category=ticket_category(ticket, agent),
        tier=str(ticket.customer.tier),
        subject=redact(subject).text,
        reply=decision.reply,
        metrics=values,
        tags=ticket.tags,
        protected_by=tuple(t.removeprefix(PROTECTS_TAG) for t in ticket.tags if t.startswith(PROTECTS_TAG)),
    )


class Checkpoint:
    """Append-only JSONL of finished results; the first line is the run's key, so a
    resume never mixes results from another KB, ticket file or backend."""

    def __init__(self, path: Path, key: dict[str, Any]) -> None:
        self.path = path
        self.key = key

    def load(self) -> dict[str, TicketResult]:
        if not self.path.exists():
            return {}
        lines = self.path.read_text().splitlines()
        if not lines or json.loads(lines[0]) != {"key": self.key}:
            return {}
        done: dict[str, TicketResult] = {}
        for line in lines[1:]:
            try:
                raw = json.loads(line)
            except json.JSONDecodeError:
                break  # a torn last line from a kill: that ticket is re-run
            done[raw["ticket_id"]] = result_from_dict(raw)
        return done

    def start(self, keep: bool) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if keep and self.load():
            return
        self.path.write_text(json.dumps({"key": self.key}) + "\n")

    def append(self, result: TicketResult) -> None:
        append_line(self.path, json.dumps(asdict(result)))

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)


def replay(
    agent: Agent,
    embedder: Embedder,
    tickets: Sequence[Ticket],
    threshold: float,
    checkpoint: Checkpoint | None = None,
    resume: bool = False,
    workers: int = 1,
    metrics: MetricsHook | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[TicketResult]:
    """Results in ticket order. With `resume`, tickets already in the checkpoint are kept."""
    done: dict[str, TicketResult] = {}
    if checkpoint is not None:
        done = checkpoint.load() if resume else {}
        checkpoint.start(keep=resume)
    todo = [t for t in tickets if t.id not in done]
    if progress:
        progress(len(done), len(tickets))

    def record(result: TicketResult) -> None:
        done[result.ticket_id] = result
        if checkpoint is not None:
            checkpoint.append(result)
        if progress:
            progress(len(done), len(tickets))

    if workers <= 1:
        for ticket in todo:
            record(replay_ticket(agent, embedder, ticket, threshold, metrics))
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for result in pool.map(lambda t: replay_ticket(agent, embedder, t, threshold, metrics), todo):
                record(result)
    return [done[t.id] for t in tickets if t.id in done]


def run_key(tickets: Iterable[Ticket], agent: Agent, threshold: float) -> dict[str, Any]:
    """What must match for a checkpoint to be resumed: tickets, KB content, backend."""
    ticket_hash = hashlib.sha256("\n".join(t.model_dump_json() for t in tickets).encode()).hexdigest()[:16]
    chunk_hashes = sorted(f"{cid}:{c.hash}" for cid, c in agent.retriever.manifest.chunks.items())
    kb_hash = hashlib.sha256("\n".join(chunk_hashes).encode()).hexdigest()[:16]
    return {"tickets": ticket_hash, "kb": kb_hash, "backend": agent.answerer.name, "threshold": threshold}
