"""The types of an eval run: per-ticket verdicts, the summary, a baseline comparison.

A run is what `kbops eval` produces and every report renders; its JSON form (version
`RUN_VERSION`, documented in docs/eval-json.md) is kept in `.kbops/runs/` so reports can
chart deflection across commits.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from ..agent.decision import Citation
from ..tickets.model import PROTECTS_TAG  # noqa: F401  (re-exported: replay and gaps import it from here)
from ..tickets.reviews import REVIEW_TAG, ReviewVerdict

RUN_VERSION = 1

GAP_REASONS = frozenset({"low_confidence", "no_coverage", "backend_error"})
"""Escalation reasons that point at the KB (or the backend), not at a policy gate."""
THRESHOLD_REASONS = frozenset({"low_confidence", "no_coverage"})
"""Escalation reasons a confidence threshold moves: a ticket escalated for these alone (with a
draft) is one a looser agent would have answered (`coverage.py`)."""
DEFAULT_CONFIDENCE_THRESHOLD = 0.5
"""`policy.confidence_threshold` by default: assumed for runs saved before it was recorded."""


class Verdict(StrEnum):
    DEFLECTED = "deflected"
    """The agent answered and the answer is correct: a ticket the KB now resolves."""
    FALSE_DEFLECTION = "false_deflection"
    """The agent answered but wrongly: the costly error."""
    GATED = "gated"
    """Escalated by policy (refund, account change, VIP, ...): correct, not a KB gap."""
    GAP = "gap"
    """Escalated for low confidence or no coverage: a KB gap candidate."""


@dataclass(frozen=True)
class TicketResult:
    ticket_id: str
    verdict: Verdict
    action: str
    confidence: float
    reasons: tuple[str, ...]
    cited_article_ids: tuple[str, ...]
    gold_article_ids: tuple[str, ...]
    correct: bool | None
    """Was the drafted answer right (None: no answer was drafted to judge)."""
    correctness: float
    """The graded score behind `correct` (0..1)."""
    grade_notes: str
    category: str
    tier: str
    subject: str
    """Redacted subject or first line of the ticket."""
    reply: str
    """Redacted drafted reply (sent for `deflected`/`false_deflection`)."""
    metrics: dict[str, float] = field(default_factory=dict)
    """Per-ticket ragas / similarity metrics."""
    tags: tuple[str, ...] = ()
    protected_by: tuple[str, ...] = ()
    """Articles this ticket is a regression case for (closed gaps)."""
    draft_correct: bool | None = None
    """Would the draft have been right had it been sent: `correct` for an answered ticket, the
    same grade for a draft escalated only by a threshold (`THRESHOLD_REASONS`); None when there
    is no draft to judge (or the run predates the field)."""
    citations: tuple[Citation, ...] = ()
    """The sections the reply cited, each with the commit and author that last changed it
    (`kbops why` explains them; empty in runs saved before provenance)."""
    tone_profile: str = ""
    """The reply's tone profile (frustrated | new_user | power_user | neutral; "" in runs saved
    before tone profiles): the eval report groups replies by it."""
    language: str = ""
    """The ticket's language as detected (ISO 639-1; "" when unknown or in older runs)."""


@dataclass(frozen=True)
class RunSummary:
    tickets: int
    deflected: int
    false_deflection: int
    gated: int
    gap: int
    deflection_rate: float
    """deflected / all tickets."""
    deflection_rate_ungated: float
    """deflected / tickets not gated by policy: what the KB can influence."""
    false_deflection_rate: float
    """false deflections / answered tickets."""
    metrics: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Comparison:
    baseline_ref: str
    baseline_commit: str | None
    baseline: RunSummary
    deflection_delta: float
    newly_deflected: tuple[str, ...]
    regressed: tuple[str, ...]
    """Tickets deflected at the baseline that are not any more."""
    new_false_deflections: tuple[str, ...]
    verdict_changes: dict[str, tuple[str, str]] = field(default_factory=dict)
    """ticket id -> (baseline verdict, current verdict), for every ticket that moved."""


@dataclass(frozen=True)
class GateResult:
    passed: bool
    failures: tuple[str, ...]
    rules: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class EvalRun:
    run_id: str
    created_at: str
    kb_ref: str
    kb_commit: str | None
    kb_dirty: bool
    backend: str
    tickets_file: str
    results: tuple[TicketResult, ...]
    summary: RunSummary
    comparison: Comparison | None = None
    gate: GateResult | None = None
    problems: tuple[str, ...] = ()
    """Ticket records that could not be read (line and reason), listed, never dropped silently."""
    version: int = RUN_VERSION
    confidence_threshold: float | None = None
    """`policy.confidence_threshold` the agent ran with (None: a run saved before it was recorded)."""
    memory_replay: str = "off"
    """How replayed tickets used ticket memory: `time` (only tickets opened before each),
    `leave-one-out` (all but itself) or `off` (no memory, or `retrieval.memory_weight` 0)."""
    memory_entries: int = 0
    """Tickets in memory when the run started (0 with memory off)."""
    tuned: str = ""
    """The tuned settings file the agent ran with and what it was fitted on ("" = none)."""

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, default=str)


def summarize(results: Sequence[TicketResult]) -> RunSummary:
    counts = {verdict: sum(r.verdict is verdict for r in results) for verdict in Verdict}
    total = len(results)
    ungated = total - counts[Verdict.GATED]
    answered = counts[Verdict.DEFLECTED] + counts[Verdict.FALSE_DEFLECTION]
    metric_names = sorted({name for r in results for name in r.metrics})
    metrics = {}
    for name in metric_names:
        values = [r.metrics[name] for r in results if name in r.metrics]
        metrics[name] = round(sum(values) / len(values), 4) if values else 0.0
    return RunSummary(
        tickets=total,
        deflected=counts[Verdict.DEFLECTED],
        false_deflection=counts[Verdict.FALSE_DEFLECTION],
        gated=counts[Verdict.GATED],
        gap=counts[Verdict.GAP],
        deflection_rate=round(counts[Verdict.DEFLECTED] / total, 4) if total else 0.0,
        deflection_rate_ungated=round(counts[Verdict.DEFLECTED] / ungated, 4) if ungated else 0.0,
        false_deflection_rate=round(counts[Verdict.FALSE_DEFLECTION] / answered, 4) if answered else 0.0,
        metrics=metrics,
    )


@dataclass(frozen=True)
class ReviewTally:
    """The run's cases that came from the review log (`evals/reviews.jsonl`): how many were
    replayed and how many the agent now handles as the reviewer said it should."""

    replayed: int
    passing: int
    failing: tuple[str, ...]
    """Ids of the review cases the agent still gets wrong."""


def review_passes(result: TicketResult) -> bool | None:
    """Does a review case pass (None: not a review case)? A case that must escalate
    (should_have_escalated, correctly_escalated, incorrect with no article named) passes when
    the agent escalates; the others (should_have_answered, correct, incorrect with the right
    articles) when it answers correctly."""
    verdicts = [t.removeprefix(REVIEW_TAG) for t in result.tags if t.startswith(REVIEW_TAG)]
    if not verdicts:
        return None
    verdict = verdicts[-1]
    must_escalate = verdict in (ReviewVerdict.SHOULD_HAVE_ESCALATED, ReviewVerdict.CORRECTLY_ESCALATED) or (
        verdict == ReviewVerdict.INCORRECT and not result.gold_article_ids)
    if must_escalate:
        return result.verdict in (Verdict.GATED, Verdict.GAP)
    return result.verdict is Verdict.DEFLECTED


def review_tally(results: Sequence[TicketResult]) -> ReviewTally:
    graded = [(r.ticket_id, review_passes(r)) for r in results]
    cases = [(ticket_id, passed) for ticket_id, passed in graded if passed is not None]
    return ReviewTally(len(cases), sum(1 for _, passed in cases if passed),
                       tuple(ticket_id for ticket_id, passed in cases if not passed))


def result_from_dict(raw: dict[str, Any]) -> TicketResult:
    """One ticket's result from its JSON form (a saved run, or a checkpoint line)."""
    return TicketResult(**{
        **raw,
        "verdict": Verdict(raw["verdict"]),
        "reasons": tuple(raw["reasons"]),
        "cited_article_ids": tuple(raw["cited_article_ids"]),
        "gold_article_ids": tuple(raw["gold_article_ids"]),
        "tags": tuple(raw.get("tags", ())),
        "protected_by": tuple(raw.get("protected_by", ())),
        "citations": tuple(Citation(**c) for c in raw.get("citations", ())),
    })


def run_from_dict(raw: dict[str, Any]) -> EvalRun:
    """Load a run saved by `EvalRun.to_json` (for reports over past runs)."""
    if raw.get("version") != RUN_VERSION:
        raise ValueError(f"run format {raw.get('version')} is not {RUN_VERSION}")
    comparison = None
    if raw.get("comparison"):
        c = raw["comparison"]
        comparison = Comparison(
            baseline_ref=c["baseline_ref"], baseline_commit=c["baseline_commit"], baseline=RunSummary(**c["baseline"]),
            deflection_delta=c["deflection_delta"], newly_deflected=tuple(c["newly_deflected"]),
            regressed=tuple(c["regressed"]), new_false_deflections=tuple(c["new_false_deflections"]),
            verdict_changes={k: (v[0], v[1]) for k, v in c.get("verdict_changes", {}).items()},
        )
    gate = GateResult(**{**raw["gate"], "failures": tuple(raw["gate"]["failures"])}) if raw.get("gate") else None
    return EvalRun(
        run_id=raw["run_id"], created_at=raw["created_at"], kb_ref=raw["kb_ref"], kb_commit=raw["kb_commit"],
        kb_dirty=raw["kb_dirty"], backend=raw["backend"], tickets_file=raw["tickets_file"],
        results=tuple(result_from_dict(r) for r in raw["results"]), summary=RunSummary(**raw["summary"]),
        comparison=comparison, gate=gate, problems=tuple(raw.get("problems", ())),
        confidence_threshold=raw.get("confidence_threshold"),
        memory_replay=raw.get("memory_replay", "off"), memory_entries=raw.get("memory_entries", 0),
        tuned=raw.get("tuned", ""),
    )


def make_run(results: Sequence[TicketResult], ref: str, commit: str | None, dirty: bool, backend: str,
             tickets_file: str, problems: tuple[str, ...] = (), comparison: Comparison | None = None,
             confidence_threshold: float | None = None) -> EvalRun:
    """A new run with a fresh id (UTC time plus a random suffix) and its summary."""
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
        confidence_threshold=confidence_threshold,
    )
