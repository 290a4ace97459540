"""`kbops eval` as a library call: replay the tickets against the KB (and against a
baseline KB), compare, apply the CI gate, and keep the run for reports.

What a replay runs against is a `ReplaySetup`: an agent over one KB's index, with that
KB's own metrics. A Workspace builds one for the working tree and one for a baseline
ref (indexed under `.kbops/baselines/<commit>/`), so a baseline's context scores are
measured against the KB at that ref. A finished offline baseline run is cached per
commit, ticket set and backend, so repeated CI runs are cheap.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from ..agent.agent import Agent
from ..config import Settings
from ..files import Notify, heal, write_atomic
from ..gitkb import KBRevision
from ..index.embed import Embedder
from ..tickets.model import Ticket, TicketSet
from .batch_replay import replay_in_batch
from .gate import GateRules, check_gate, compare
from .history import RunStore, read_run
from .memory_replay import memory_key, memory_replay
from .replay import Checkpoint, MetricsHook, replay, run_key
from .runs import EvalRun, TicketResult, make_run

Progress = Callable[[int, int], None]

WORKING_TREE = "working tree"


@dataclass(frozen=True)
class ReplaySetup:
    """Everything a replay against one KB needs (built by a Workspace)."""

    agent: Agent
    embedder: Embedder
    revision: KBRevision
    label: str
    """`working tree`, or the git ref of a baseline."""
    threshold: float
    """`eval.correctness_threshold`."""
    workers: int
    metrics: MetricsHook | None = None
    checkpoint: Path | None = None
    """Where finished tickets are appended, so a killed run resumes (the working tree)."""
    run_cache: Path | None = None
    """Folder where finished offline runs are kept and reused (a baseline commit)."""
    notify: Notify | None = None
    """Where one-line messages go (a corrupt checkpoint or cached run set aside)."""


@dataclass(frozen=True)
class EvalOutcome:
    """The runs of `kbops eval --repeat N` and whether enough of them passed the gate."""

    runs: tuple[EvalRun, ...]
    gated: bool
    """A gate rule was given."""
    passed: int
    pass_rate: float

    @property
    def run(self) -> EvalRun:
        """The last run: the one reports show."""
        return self.runs[-1]

    @property
    def gate_failed(self) -> bool:
        return self.gated and self.passed / len(self.runs) < self.pass_rate

    @property
    def failures(self) -> tuple[str, ...]:
        return tuple(f for r in self.runs if r.gate for f in r.gate.failures)


def replay_against(setup: ReplaySetup, tickets: Sequence[Ticket], resume: bool = False,
                   progress: Progress | None = None, batch: bool = False) -> list[TicketResult]:
    """Replay the tickets against one KB: resumable from its checkpoint, or served from its
    run cache when an offline run of the same tickets and KB already finished. With `batch`
    the drafting requests go to Claude as one Message Batch (`batch_replay.py`)."""
    key = {**run_key(tickets, setup.agent, setup.threshold), **memory_key(setup.agent, tickets)}
    backend = setup.agent.answerer.name
    cached = None
    if setup.run_cache is not None:
        memory = f"-{key['memory']}" if "memory" in key else ""
        cached = setup.run_cache / f"run-{key['tickets']}-{key['kb']}-{key['backend']}-{setup.threshold}{memory}.json"
        if (cached.exists() or cached.is_symlink()) and backend == "offline":  # LLM runs vary: never reuse them
            reused = _cached_results(cached, tickets, setup.notify)
            if reused is not None:
                return reused
    checkpoint = Checkpoint(setup.checkpoint, key, setup.notify) if setup.checkpoint is not None else None
    if batch:
        results = replay_in_batch(setup.agent, setup.embedder, tickets, setup.threshold, checkpoint, resume=resume,
                                  metrics=setup.metrics, progress=progress, notify=setup.notify)
    else:
        results = replay(setup.agent, setup.embedder, tickets, setup.threshold, checkpoint, resume=resume,
                         workers=setup.workers, metrics=setup.metrics, progress=progress)
    if checkpoint is not None:
        checkpoint.discard()
    if cached is not None:
        run = make_run(results, setup.label, setup.revision.commit, False, backend, "")
        write_atomic(cached, run.to_json())
    return results


def _cached_results(path: Path, tickets: Sequence[Ticket], notify: Notify | None) -> list[TicketResult] | None:
    """A baseline's cached results, validated: a cache that is unreadable or does not hold
    exactly these tickets is set aside and the baseline replayed again."""
    try:
        results = list(read_run(path).results)
        if [r.ticket_id for r in results] != [t.id for t in tickets]:
            raise ValueError("it holds other tickets than the ones replayed")
    except ValueError as exc:
        heal(path, f"not a usable cached baseline run ({exc})", "replaying the baseline again", notify)
        return None
    return results


def evaluate(
    current: ReplaySetup,
    tickets: TicketSet,
    tickets_file: str,
    store: RunStore,
    baseline: ReplaySetup | None = None,
    gate: GateRules | None = None,
    resume: bool = False,
    progress: Progress | None = None,
    batch: bool = False,
) -> EvalRun:
    """Replay, compare with the baseline, apply the gate, save the run."""
    results = replay_against(current, tickets.tickets, resume, progress, batch)
    comparison = None
    if baseline is not None:
        base_results = replay_against(baseline, tickets.tickets, progress=progress, batch=batch)
        comparison = compare(results, base_results, baseline.label, baseline.revision.commit)
    problems = tuple(p.render() for p in tickets.problems)
    run = make_run(results, current.label, current.revision.commit, current.revision.dirty,
                   current.agent.answerer.name, tickets_file, problems, comparison,
                   current.agent.settings.policy.confidence_threshold)
    run = replace(run, **memory_replay(current.agent, tickets.tickets).as_dict(),
                  tuned=tuned_note(current.agent.settings))
    if gate is not None and gate.active():
        run = replace(run, gate=check_gate(run.summary, comparison, gate))
    store.save(run)
    return run


def tuned_note(settings: Settings) -> str:
    """What a run records of kbops.tuned.toml: its name and what it was fitted on."""
    tuned = settings.tuned
    if tuned is None:
        return ""
    origin = ", ".join(f"{key} {tuned.provenance[key]}" for key in ("tickets", "written") if key in tuned.provenance)
    overridden = f"; kbops.toml overrides {', '.join(tuned.overridden)}" if tuned.overridden else ""
    return f"{Path(tuned.path).name}" + (f" ({origin})" if origin else "") + overridden


def evaluate_repeatedly(
    current: ReplaySetup,
    tickets: TicketSet,
    tickets_file: str,
    store: RunStore,
    baseline: ReplaySetup | None = None,
    gate: GateRules | None = None,
    repeat: int = 1,
    pass_rate: float = 1.0,
    resume: bool = False,
    progress: Progress | None = None,
    on_repeat: Callable[[int], None] | None = None,
    batch: bool = False,
) -> EvalOutcome:
    """`evaluate` N times (LLM backends vary) and count the runs that pass the gate; only
    the first run may resume a checkpoint."""
    runs = []
    for attempt in range(repeat):
        if on_repeat is not None:
            on_repeat(attempt)
        runs.append(evaluate(current, tickets, tickets_file, store, baseline, gate,
                             resume=resume and attempt == 0, progress=progress, batch=batch))
    gated = gate is not None and gate.active()
    passed = sum(1 for r in runs if r.gate is not None and r.gate.passed)
    return EvalOutcome(tuple(runs), gated, passed, pass_rate)
