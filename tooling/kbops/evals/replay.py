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
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from ..agent.agent import Agent
from ..agent.decision import Action, Decision
from ..errors import one_line
from ..files import Notify, append_line, ensure_folder, heal, shown, write_atomic
from ..index.embed import Embedder
from ..redact import redacted
from ..tickets.model import Ticket
from ..tickets.reviews import REVIEW_TAG
from .grading import grade, resolution_similarity
from .memory_replay import replay_view
from .runs import GAP_REASONS, PROTECTS_TAG, THRESHOLD_REASONS, TicketResult, Verdict

MetricsHook = Callable[[Ticket, Decision], dict[str, float]]


def classify(decision: Decision, correct: bool | None, expected_action: str = "") -> Verdict:
    """`expected_action` "escalate" (a reviewer said a human had to handle it) makes any
    answer a false deflection, however good it reads."""
    if decision.action is Action.ANSWER:
        return Verdict.DEFLECTED if correct and expected_action != "escalate" else Verdict.FALSE_DEFLECTION
    if any(reason not in GAP_REASONS for reason in decision.reasons):
        return Verdict.GATED
    return Verdict.GAP


def must_escalate_note(ticket: Ticket) -> str:
    """The grade note of an answer a reviewer said must be escalated, naming the verdict."""
    verdicts = [t.removeprefix(REVIEW_TAG) for t in ticket.tags if t.startswith(REVIEW_TAG)]
    said = f"reviewer's verdict {verdicts[-1]}" if verdicts else "expected_action escalate"
    return f"answered, but must escalate ({said})"


def ticket_category(ticket: Ticket, agent: Agent) -> str:
    """The team's own label (first tag, not the `review:` one) when there is one, else the
    gold article's category."""
    labels = [t for t in ticket.tags if not t.startswith(REVIEW_TAG)]
    if labels:
        return labels[0]
    for article_id in ticket.resolved_by_article_ids:
        article = agent.articles.get(article_id)
        if article is not None:
            return article.meta.category
    return "uncategorized"


def replay_ticket(
    agent: Agent, embedder: Embedder, ticket: Ticket, threshold: float, metrics: MetricsHook | None = None
) -> TicketResult:
    decision = agent.answer(ticket, view=replay_view(ticket, agent.settings.memory.replay))
    cited = tuple(dict.fromkeys(c.article_id for c in decision.citations))
    correct: bool | None = None
    draft_correct: bool | None = None
    score, notes = 0.0, "escalated: nothing sent to the customer"
    if decision.action is Action.ANSWER or threshold_draft(decision, cited):
        similarity = resolution_similarity([decision.reply], [ticket.resolution], embedder)[0]
        result = grade(decision.reply, cited, ticket.resolved_by_article_ids, similarity, threshold,
                       bool(ticket.resolution.strip()))
        draft_correct = result.correct
        if decision.action is Action.ANSWER:
            correct, score, notes = result.correct, result.score, result.notes
    if decision.action is Action.ANSWER and ticket.expected_action == "escalate":
        correct, score, notes = False, 0.0, must_escalate_note(ticket)
    values = {"correctness": score} if decision.action is Action.ANSWER else {}
    if metrics is not None:
        values.update(metrics(ticket, decision))
    # redacted before the first line is cut: a cut email or card could not be recognised
    subject = ticket.subject or redacted(ticket.body.strip().split("\n", 1)[0])[:120]
    return private_result(TicketResult(
        ticket_id=ticket.id,
        verdict=classify(decision, correct, ticket.expected_action),
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
        subject=subject,
        reply=decision.reply,
        metrics=values,
        tags=ticket.tags,
        protected_by=tuple(t.removeprefix(PROTECTS_TAG) for t in ticket.tags if t.startswith(PROTECTS_TAG)),
        draft_correct=draft_correct,
        citations=decision.citations,
        tone_profile=decision.tone.profile if decision.tone else "",
        language=decision.language.code if decision.language else "",
    ))


def threshold_draft(decision: Decision, cited: Sequence[str]) -> bool:
    """Escalated only by a confidence threshold, with a cited draft: a looser agent would have
    sent it, so it is graded like an answer (`draft_correct`) for the risk-coverage curve."""
    return (decision.action is Action.ESCALATE and bool(decision.reasons)
            and set(decision.reasons) <= THRESHOLD_REASONS and bool(decision.reply.strip()) and bool(cited))


def private_result(result: TicketResult) -> TicketResult:
    """The result with every field that can carry ticket text redacted: what runs and
    checkpoints keep and reports show. Redaction is idempotent, so a result can pass twice."""
    def each(values: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(redacted(value) for value in values)

    return replace(
        result, subject=redacted(result.subject), reply=redacted(result.reply),
        grade_notes=redacted(result.grade_notes), category=redacted(result.category),
        tags=each(result.tags), gold_article_ids=each(result.gold_article_ids),
        cited_article_ids=each(result.cited_article_ids), protected_by=each(result.protected_by),
    )


class Checkpoint:
    """Append-only JSONL of finished results; the first line is the run's key, so a
    resume never mixes results from another KB, ticket file or backend.

    Read back line by line: a torn last line (a kill mid-write) is dropped quietly; any
    other line that is not a result (garbage, a torn line in the middle, JSON of another
    shape) is skipped with a one-line message, the file is set aside as `.corrupt`, and the
    run resumes from every valid result: only the tickets of bad lines are replayed."""

    def __init__(self, path: Path, key: dict[str, Any], notify: Notify | None = None) -> None:
        self.path = path
        self.key = key
        self.notify = notify

    def load(self) -> dict[str, TicketResult]:
        """The results a resume keeps (none for a missing, foreign or unreadable checkpoint)."""
        if not self.path.exists() and not self.path.is_symlink():
            return {}
        try:
            data = self.path.read_bytes()
        except OSError as exc:
            heal(self.path, f"unreadable checkpoint ({exc.strerror})", "starting the run afresh", self.notify)
            return {}
        lines = data.split(b"\n")
        if lines and not lines[-1]:
            lines.pop()
        found = _checkpoint_key(lines[0] if lines else b"")
        if found is None:
            heal(self.path, "not a checkpoint (its first line is not a run key)", "starting the run afresh",
                 self.notify)
            return {}
        if found != self.key:
            if self.notify is not None:
                changed = ", ".join(sorted(k for k in {*found, *self.key} if found.get(k) != self.key.get(k)))
                self.notify(f"{shown(self.path)}: the checkpoint is of another run ({one_line(changed, 80)} changed); "
                            "starting the run afresh")
            return {}
        done: dict[str, TicketResult] = {}
        bad: list[int] = []
        for number, line in enumerate(lines[1:], start=2):
            result = _checkpoint_result(line)
            if result is not None:
                done[result.ticket_id] = result
            elif line.strip() and not (number == len(lines) and not data.endswith(b"\n")):
                bad.append(number)  # a torn last line is a kill, not damage: that ticket is simply re-run
        if bad:
            listed = ", ".join(map(str, bad[:5])) + (", ..." if len(bad) > 5 else "")
            heal(self.path, f"line(s) {listed} of the checkpoint are not results",
                 f"resuming from the {len(done)} valid result(s)", self.notify)
        return done

    def start(self, keep: bool) -> None:
        """Begin the file: the key alone, or (keep) the key and the results a resume keeps,
        rewritten whole so new results never land after a torn line."""
        ensure_folder(self.path.parent, self.path.parent, self.notify, "eval.runs_dir")
        kept = self.load() if keep else {}
        lines = [json.dumps({"key": self.key}), *(json.dumps(asdict(r)) for r in kept.values())]
        write_atomic(self.path, "\n".join(lines) + "\n")

    def append(self, result: TicketResult) -> None:
        append_line(self.path, json.dumps(asdict(result)))

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)


_RESULT = TypeAdapter(TicketResult)


def _checkpoint_key(line: bytes) -> dict[str, Any] | None:
    try:
        raw = json.loads(line.decode("utf-8"))
    except ValueError:  # JSONDecodeError and UnicodeDecodeError alike
        return None
    if isinstance(raw, dict) and set(raw) == {"key"} and isinstance(raw["key"], dict):
        return raw["key"]
    return None


def _checkpoint_result(line: bytes) -> TicketResult | None:
    """One validated result, or None for anything else (every field type-checked)."""
    try:
        raw = json.loads(line.decode("utf-8"))
        return _RESULT.validate_python(raw) if isinstance(raw, dict) else None
    except ValueError:  # JSONDecodeError, UnicodeDecodeError and pydantic's ValidationError alike
        return None


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
        checkpoint.start(keep=resume)
        done = checkpoint.load() if resume else {}
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
