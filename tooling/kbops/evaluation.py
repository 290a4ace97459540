"""`kbops eval` as a library call: replay the tickets at the working tree (and at a
baseline git ref), compare, apply the CI gate, and keep the run for reports.

The baseline KB is read from git objects (never the user's checkout) and indexed under
`.kbops/baselines/<commit>/`; with the shared embedding cache only chunks that differ
from the working tree are embedded, and a finished baseline run is cached per commit,
ticket set and backend, so repeated CI runs are cheap.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .agent.agent import Agent, embedding_similarity, make_answerer
from .agent.decision import Answerer
from .config import Settings
from .errors import KbopsError
from .files import write_atomic
from .gitkb import GitRefError, kb_files_at, kb_revision
from .index.embed import Embedder
from .index.indexer import build_index, embedder_for
from .index.retriever import load_retriever, open_index
from .kb import build_kb, load_kb, repo_root
from .replay import Checkpoint, MetricsHook, replay, run_key
from .runs import (
    Comparison,
    EvalRun,
    GateResult,
    RunSummary,
    TicketResult,
    Verdict,
    run_from_dict,
    summarize,
)
from .ticket_files import read_ticket_file
from .tickets import Ticket, TicketError, TicketSet

Notify = Callable[[str], None]
Progress = Callable[[int, int], None]


class BaselineError(KbopsError):
    """The baseline ref cannot be read (not a repository, unknown ref)."""

    exit_code = 2


@dataclass(frozen=True)
class GateRules:
    fail_under: float | None = None
    """Minimum deflection rate over all tickets (0..1; 0..100 is read as percent)."""
    max_regressions: int | None = None
    max_false_deflections: int | None = None

    def active(self) -> bool:
        return any(v is not None for v in (self.fail_under, self.max_regressions, self.max_false_deflections))


@dataclass
class EvalContext:
    settings: Settings
    embedder: Embedder
    answerer: Answerer
    metrics: MetricsHook | None = None
    notify: Notify | None = None
    progress: Progress | None = None

    def workers(self) -> int:
        configured = self.settings.eval.workers
        return configured or (1 if self.answerer.name == "offline" else 4)


def make_context(settings: Settings, notify: Notify | None = None, progress: Progress | None = None,
                 metrics: MetricsHook | None = None, answerer: Answerer | None = None,
                 embedder: Embedder | None = None) -> EvalContext:
    return EvalContext(settings, embedder or embedder_for(settings), answerer or make_answerer(settings), metrics,
                       notify, progress)


def load_ticket_set(settings: Settings, path: Path | None, strict: bool, ticket_format: str | None = None,
                    columns: Mapping[str, str] | None = None) -> tuple[Path, TicketSet]:
    path = path or (settings.root / settings.eval.tickets)
    ticket_set = read_ticket_file(path, settings.eval, strict, ticket_format, columns)
    if not ticket_set.tickets:
        problems = "; ".join(p.render() for p in ticket_set.problems[:3])
        raise TicketError(f"{path}: no usable tickets{': ' + problems if problems else ''}")
    return path, ticket_set


def replay_working_tree(ctx: EvalContext, tickets: Sequence[Ticket], resume: bool) -> tuple[list[TicketResult], str | None, bool]:
    settings = ctx.settings
    kb = load_kb(settings)
    retriever = open_index(settings, ctx.embedder, kb=kb, notify=ctx.notify)
    build_index(settings, kb, ctx.embedder)  # bring a stale index up to date (incremental)
    retriever = load_retriever(settings, ctx.embedder)
    agent = Agent(settings, retriever, ctx.answerer, kb.by_id(), embedding_similarity(ctx.embedder))
    threshold = settings.eval.correctness_threshold
    key = run_key(tickets, agent, threshold)
    checkpoint = Checkpoint(settings.runs_dir / "checkpoint.jsonl", key)
    results = replay(agent, ctx.embedder, tickets, threshold, checkpoint, resume=resume,
                     workers=ctx.workers(), metrics=ctx.metrics, progress=ctx.progress)
    checkpoint.discard()
    revision = kb_revision(settings.kb_dir)
    return results, revision.commit, revision.dirty


def replay_at_ref(ctx: EvalContext, ref: str, tickets: Sequence[Ticket]) -> tuple[list[TicketResult], str]:
    settings = ctx.settings
    try:
        snapshot = kb_files_at(settings.kb_dir, ref)
    except GitRefError as exc:
        raise BaselineError(str(exc)) from exc
    cache_dir = (settings.root / settings.eval.baselines_dir / snapshot.commit).resolve()
    base_settings = settings.model_copy(update={"index": settings.index.model_copy(update={
        "path": str(cache_dir / "index"), "chroma_url": ""})})
    base = repo_root(settings.kb_dir) or settings.root
    kb = build_kb(snapshot.files, base_settings, root=settings.kb_dir, base=base)
    build_index(base_settings, kb, ctx.embedder)
    retriever = load_retriever(base_settings, ctx.embedder)
    agent = Agent(base_settings, retriever, ctx.answerer, kb.by_id(), embedding_similarity(ctx.embedder))
    threshold = settings.eval.correctness_threshold
    key = run_key(tickets, agent, threshold)
    cached = cache_dir / f"run-{key['tickets']}-{key['kb']}-{key['backend']}-{threshold}.json"
    if cached.exists() and ctx.answerer.name == "offline":  # LLM runs vary: never reuse them
        return list(run_from_dict(json.loads(cached.read_text())).results), snapshot.commit
    results = replay(agent, ctx.embedder, tickets, threshold, workers=ctx.workers(), metrics=ctx.metrics,
                     progress=ctx.progress)
    run = _make_run(results, ref, snapshot.commit, False, ctx.answerer.name, "", ())
    write_atomic(cached, run.to_json())
    return results, snapshot.commit


def compare(current: Sequence[TicketResult], baseline: Sequence[TicketResult], ref: str,
            commit: str | None) -> Comparison:
    before = {r.ticket_id: r.verdict for r in baseline}
    after = {r.ticket_id: r.verdict for r in current}
    shared = [tid for tid in after if tid in before]
    current_summary, baseline_summary = summarize(list(current)), summarize(list(baseline))
    return Comparison(
        baseline_ref=ref,
        baseline_commit=commit,
        baseline=baseline_summary,
        deflection_delta=round(current_summary.deflection_rate - baseline_summary.deflection_rate, 4),
        newly_deflected=tuple(t for t in shared if after[t] is Verdict.DEFLECTED and before[t] is not Verdict.DEFLECTED),
        regressed=tuple(t for t in shared if before[t] is Verdict.DEFLECTED and after[t] is not Verdict.DEFLECTED),
        new_false_deflections=tuple(
            t for t in shared if after[t] is Verdict.FALSE_DEFLECTION and before[t] is not Verdict.FALSE_DEFLECTION
        ),
        verdict_changes={t: (str(before[t]), str(after[t])) for t in shared if before[t] is not after[t]},
    )


def check_gate(summary: RunSummary, comparison: Comparison | None, rules: GateRules) -> GateResult:
    failures = []
    if rules.fail_under is not None:
        minimum = rules.fail_under / 100 if rules.fail_under > 1 else rules.fail_under
        if summary.deflection_rate < minimum:
            failures.append(f"deflection rate {summary.deflection_rate:.1%} is under {minimum:.1%}")
    if rules.max_regressions is not None and comparison is not None:
        if len(comparison.regressed) > rules.max_regressions:
            failures.append(f"{len(comparison.regressed)} tickets regressed (allowed: {rules.max_regressions}): "
                            + ", ".join(comparison.regressed[:10]))
    if rules.max_false_deflections is not None:
        count = len(comparison.new_false_deflections) if comparison else summary.false_deflection
        scope = "new false deflections" if comparison else "false deflections"
        if count > rules.max_false_deflections:
            failures.append(f"{count} {scope} (allowed: {rules.max_false_deflections})")
    rule_values = {k: v for k, v in vars(rules).items() if v is not None}
    return GateResult(passed=not failures, failures=tuple(failures), rules=rule_values)


def evaluate(
    ctx: EvalContext,
    tickets_path: Path | None = None,
    baseline: str | None = None,
    resume: bool = False,
    strict: bool = False,
    gate: GateRules | None = None,
    ticket_format: str | None = None,
    columns: Mapping[str, str] | None = None,
) -> EvalRun:
    settings = ctx.settings
    path, ticket_set = load_ticket_set(settings, tickets_path, strict, ticket_format, columns)
    tickets = list(ticket_set.tickets)
    results, commit, dirty = replay_working_tree(ctx, tickets, resume)
    comparison = None
    if baseline:
        base_results, base_commit = replay_at_ref(ctx, baseline, tickets)
        comparison = compare(results, base_results, baseline, base_commit)
    problems = tuple(p.render() for p in ticket_set.problems)
    run = _make_run(results, "working tree", commit, dirty, ctx.answerer.name, _display_path(path, settings),
                    problems, comparison)
    if gate is not None and gate.active():
        run = EvalRun(**{**run.__dict__, "gate": check_gate(run.summary, comparison, gate)})
    save_run(run, settings.runs_dir)
    return run


def _display_path(path: Path, settings: Settings) -> str:
    try:
        return path.resolve().relative_to(settings.root.resolve()).as_posix()
    except ValueError:
        return str(path)


def _make_run(results: Sequence[TicketResult], ref: str, commit: str | None, dirty: bool, backend: str,
              tickets_file: str, problems: tuple[str, ...], comparison: Comparison | None = None) -> EvalRun:
    now = datetime.now(UTC)
    return EvalRun(
        run_id=f"{now.strftime('%Y%m%dT%H%M%SZ')}-{uuid.uuid4().hex[:6]}",
        created_at=now.isoformat(timespec="seconds"),
        kb_ref=ref,
        kb_commit=commit,
        kb_dirty=dirty,
        backend=backend,
        tickets_file=tickets_file,
        results=tuple(results),
        summary=summarize(list(results)),
        comparison=comparison,
        problems=problems,
    )


def save_run(run: EvalRun, runs_dir: Path) -> Path:
    path = runs_dir / f"{run.run_id}.json"
    write_atomic(path, run.to_json())
    return path


def load_history(runs_dir: Path, limit: int = 30) -> list[EvalRun]:
    """Past runs, oldest first (unreadable files are skipped: the folder is a cache)."""
    runs = []
    for path in sorted(runs_dir.glob("*.json"))[-limit:]:
        try:
            runs.append(run_from_dict(json.loads(path.read_text())))
        except (ValueError, KeyError, TypeError):
            continue
    return runs
