"""The types of an eval run: per-ticket verdicts, the summary, a baseline comparison.

A run is what `kbops eval` produces and every report renders; its JSON form (version
`RUN_VERSION`, documented in docs/eval-json.md) is kept in `.kbops/runs/` so reports can
chart deflection across commits.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

RUN_VERSION = 1


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

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, default=str)


def summarize(results: tuple[TicketResult, ...] | list[TicketResult]) -> RunSummary:
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


def run_from_dict(raw: dict[str, Any]) -> EvalRun:
    """Load a run saved by `EvalRun.to_json` (for reports over past runs)."""
    if raw.get("version") != RUN_VERSION:
        raise ValueError(f"run format {raw.get('version')} is not {RUN_VERSION}")
    results = tuple(
        TicketResult(**{**r, "verdict": Verdict(r["verdict"]), "reasons": tuple(r["reasons"]),
                        "cited_article_ids": tuple(r["cited_article_ids"]),
                        "gold_article_ids": tuple(r["gold_article_ids"]), "tags": tuple(r.get("tags", ())),
                        "protected_by": tuple(r.get("protected_by", ()))})
        for r in raw["results"]
    )
    comparison = None
    if raw.get("comparison"):
        c = raw["comparison"]
        comparison = Comparison(
            baseline_ref=c["baseline_ref"], baseline_commit=c["baseline_commit"], baseline=RunSummary(**c["baseline"]),
            deflection_delta=c["deflection_delta"], newly_deflected=tuple(c["newly_deflected"]),
            regressed=tuple(c["regressed"]), new_false_deflections=tuple(c["new_false_deflections"]),
            verdict_changes={k: tuple(v) for k, v in c.get("verdict_changes", {}).items()},  # type: ignore[misc]
        )
    gate = GateResult(**{**raw["gate"], "failures": tuple(raw["gate"]["failures"])}) if raw.get("gate") else None
    return EvalRun(
        run_id=raw["run_id"], created_at=raw["created_at"], kb_ref=raw["kb_ref"], kb_commit=raw["kb_commit"],
        kb_dirty=raw["kb_dirty"], backend=raw["backend"], tickets_file=raw["tickets_file"], results=results,
        summary=RunSummary(**raw["summary"]), comparison=comparison, gate=gate, problems=tuple(raw.get("problems", ())),
    )
