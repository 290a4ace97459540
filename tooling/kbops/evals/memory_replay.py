"""Honest replay with ticket memory: a replayed ticket never learns from its own resolution
or from tickets opened after it.

`memory.replay = "time"` (default): each ticket sees only memory entries of tickets opened
before it (a ticket without `created_at` falls back to leave-one-out); `"leave-one-out"`:
every entry but its own. Which one a run used is `MemoryReplay.mode` (`"off"` when memory
is empty or `retrieval.memory_weight` is 0).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..agent.agent import Agent
from ..index.memory import MemoryView
from ..tickets.model import Ticket

OFF = "off"


@dataclass(frozen=True)
class MemoryReplay:
    """How a run's tickets used ticket memory."""

    mode: str
    """`time`, `leave-one-out` or `off`."""
    entries: int
    """Tickets in memory when the run started."""
    fingerprint: str = ""
    """Changes with any memory entry (checkpoints and cached baseline runs are keyed on it)."""

    def as_dict(self) -> dict[str, Any]:
        return {"memory_replay": self.mode, "memory_entries": self.entries}


def replay_view(ticket: Ticket, mode: str) -> MemoryView:
    """What memory `ticket` may learn from when it is replayed: never its own entry, and in
    `time` mode only tickets opened before it."""
    if mode == "time" and ticket.created_at is not None:
        return MemoryView(exclude=ticket.id, before=ticket.created_at.timestamp())
    return MemoryView(exclude=ticket.id)


def memory_replay(agent: Agent, tickets: Sequence[Ticket]) -> MemoryReplay:
    """The memory mode a replay of `tickets` by `agent` runs in."""
    memory = agent.retriever.memory
    if memory is None or not len(memory) or agent.retriever.settings.memory_weight <= 0:
        return MemoryReplay(OFF, 0)
    mode = agent.settings.memory.replay
    if mode == "time" and not any(t.created_at is not None for t in tickets):
        mode = "leave-one-out"
    return MemoryReplay(mode, len(memory), memory.fingerprint)


def memory_key(agent: Agent, tickets: Sequence[Ticket]) -> dict[str, str]:
    """What a run key adds for memory: nothing when it is off (keys stay as they were)."""
    used = memory_replay(agent, tickets)
    return {} if used.mode == OFF else {"memory": f"{used.mode}-{used.fingerprint}"}
