"""`kbops eval --batch`: the replay's drafting requests sent as one Message Batch.

Three passes. (1) The agent runs locally for every ticket still to do, with a backend that
only records the request each ticket would send. (2) Those requests go into one batch; its
id and the custom_id -> ticket map are written atomically beside the run's checkpoint
*before* polling, so a killed run polls the same batch when started again instead of
paying for a new one. (3) The agent runs again, answering from the batch's results through
the same validation, policy and guard as a live reply, and the ordinary replay grades and
checkpoints each ticket. A request that errored, expired or was canceled escalates its
ticket with `backend_error`, as a failed live request does.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..agent.agent import Agent
from ..agent.claude import ClaudeAnswerer
from ..agent.claude_batch import BatchResultsAnswerer, CollectingAnswerer
from ..errors import ConfigError
from ..files import Notify, heal, write_atomic
from ..index.embed import Embedder
from ..llm.batches import BatchRequest, MessageBatches, request_hash, safe_custom_id
from ..llm.claude import RequestFailure
from ..tickets.model import Ticket
from .memory_replay import replay_view
from .replay import Checkpoint, MetricsHook, replay
from .runs import TicketResult

STATE_SUFFIX = ".batch.json"


@dataclass(frozen=True)
class BatchState:
    """What a resumed run needs to find its batch again: the run key, the batch id, and for
    each custom_id the ticket and the fingerprint of the request sent for it."""

    key: dict[str, Any]
    batch_id: str
    requests: dict[str, dict[str, str]]

    def hashes(self) -> dict[str, str]:
        """Ticket id -> request fingerprint."""
        return {entry["ticket"]: entry["hash"] for entry in self.requests.values()}

    def holds(self, key: dict[str, Any], hashes: dict[str, str]) -> bool:
        """Same run, and every request to send now is one this batch already holds."""
        held = self.hashes()
        return key == self.key and all(held.get(ticket) == h for ticket, h in hashes.items())


def state_path(checkpoint: Path) -> Path:
    """Where the batch of the run checkpointed at `checkpoint` is recorded."""
    return checkpoint.with_name(checkpoint.stem + STATE_SUFFIX)


def read_state(path: Path, notify: Notify | None) -> BatchState | None:
    """The recorded batch, or None (an unreadable record is set aside, saying so)."""
    if not path.exists():
        return None
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        state = BatchState(dict(raw["key"]), str(raw["batch_id"]),
                           {str(c): {"ticket": str(e["ticket"]), "hash": str(e["hash"])}
                            for c, e in raw["requests"].items()})
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        heal(path, f"not a Message Batch record ({type(exc).__name__})", "submitting a new batch", notify)
        return None
    return state


def write_state(path: Path, state: BatchState) -> None:
    write_atomic(path, json.dumps({"key": state.key, "batch_id": state.batch_id, "requests": state.requests},
                                  indent=1) + "\n")


@dataclass(frozen=True)
class BatchOutcome:
    """What happened to a run's batch (None requests: nothing needed the model)."""

    batch_id: str
    requests: int
    resumed: bool
    failed: dict[str, int]
    """Requests per failure: errored, expired, canceled, missing."""

    def summary(self) -> str:
        how = "resumed" if self.resumed else "submitted"
        failed = sum(self.failed.values())
        text = f"Message Batch {self.batch_id} ({how}): {self.requests - failed}/{self.requests} requests succeeded"
        if failed:
            parts = ", ".join(f"{n} {kind}" for kind, n in sorted(self.failed.items()))
            text += f"; {parts}: those tickets escalate with backend_error"
        return text


def replay_in_batch(
    agent: Agent,
    embedder: Embedder,
    tickets: Sequence[Ticket],
    threshold: float,
    checkpoint: Checkpoint | None = None,
    resume: bool = False,
    metrics: MetricsHook | None = None,
    progress: Callable[[int, int], None] | None = None,
    notify: Notify | None = None,
    batches: MessageBatches | None = None,
) -> list[TicketResult]:
    """`replay`, with the drafting calls of the tickets still to do sent as one batch."""
    backend = agent.answerer
    if not isinstance(backend, ClaudeAnswerer):
        raise ConfigError(f"--batch needs the Claude backend, not {backend.name}: set agent.backend = \"claude\" "
                          "(and ANTHROPIC_API_KEY)")
    done: dict[str, TicketResult] = {}
    if checkpoint is not None:
        checkpoint.start(keep=resume)
        done = checkpoint.load() if resume else {}
    collector = CollectingAnswerer(backend)
    collecting = replace(agent, answerer=collector)
    for ticket in tickets:
        if ticket.id not in done:
            collecting.answer(ticket, view=replay_view(ticket, agent.settings.memory.replay))
    hashes = {ticket_id: request_hash(request) for ticket_id, request in collector.requests.items()}
    outcomes: dict[str, Any] = {}
    if collector.requests:
        client = batches or MessageBatches(backend.api)
        record = state_path(checkpoint.path) if checkpoint is not None else None
        outcomes, outcome = _run_batch(client, collector.requests, hashes, checkpoint, record, notify)
        if notify is not None:
            notify(outcome.summary())
    answering = replace(agent, answerer=BatchResultsAnswerer(backend, outcomes, hashes))
    results = replay(answering, embedder, tickets, threshold, checkpoint, resume=True, metrics=metrics,
                     progress=progress)
    if checkpoint is not None:
        state_path(checkpoint.path).unlink(missing_ok=True)
    return results


def _run_batch(
    client: MessageBatches,
    requests: dict[str, dict[str, Any]],
    hashes: dict[str, str],
    checkpoint: Checkpoint | None,
    record: Path | None,
    notify: Notify | None,
) -> tuple[dict[str, Any], BatchOutcome]:
    """Submit (or find again) the batch, wait for it, and read its outcomes by ticket id."""
    key = checkpoint.key if checkpoint is not None else {}
    state = read_state(record, notify) if record is not None else None
    resumed = state is not None and state.holds(key, hashes)
    if state is None or not resumed:
        if state is not None and notify is not None:
            notify(f"Message Batch {state.batch_id} was for other requests: submitting a new one")
        batch = [BatchRequest(safe_custom_id(i, ticket_id), request)
                 for i, (ticket_id, request) in enumerate(requests.items())]
        batch_id = client.submit(batch)
        state = BatchState(key, batch_id, {r.custom_id: {"ticket": ticket_id, "hash": hashes[ticket_id]}
                                           for r, ticket_id in zip(batch, requests, strict=True)})
        if record is not None:
            write_state(record, state)
    elif notify is not None:
        notify(f"resuming Message Batch {state.batch_id} submitted by an earlier run")
    settings = client.api.settings
    client.wait(state.batch_id, settings.batch_poll_initial_seconds, settings.batch_poll_max_seconds,
                settings.batch_timeout_minutes * 60)
    by_custom_id = client.results(state.batch_id)
    outcomes = {entry["ticket"]: by_custom_id[custom_id] for custom_id, entry in state.requests.items()
                if custom_id in by_custom_id}
    failed = Counter(_failure_kind(outcomes.get(ticket_id)) for ticket_id in requests)
    del failed[""]
    return outcomes, BatchOutcome(state.batch_id, len(requests), resumed, dict(failed))


def _failure_kind(outcome: Any) -> str:
    """"" for a message; else the kind of failure, as the batch summary counts them."""
    if outcome is None:
        return "missing"
    if not isinstance(outcome, RequestFailure):
        return ""
    for kind in ("errored", "expired", "canceled"):
        if outcome.reason.startswith(f"batch request {kind}"):
            return kind
    return "failed"
