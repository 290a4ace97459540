"""What `kbops tune` writes and prints: the tuned file's values, and before/after numbers.

The tuned file is meant to be reviewed in a pull request like an article, so it opens with
a comment saying what was fitted on what, and the cross-validated numbers that justify it.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from typing import Any

from ..config import TUNED_FILE, render_tuned
from .crossval import MIN_HISTORY, Metrics, TuneResult

TUNE_JSON_VERSION = 1
ROWS = (("hit@1", "hit@1"), ("hit@10", "hit@10"), ("mrr", "MRR"), ("deflection_rate", "deflection"),
        ("false_deflection_rate", "false deflection (wrong / answered)"),
        ("no_coverage_recall", "out-of-KB tickets escalated"), ("ece", "calibration error (ECE)"))


def tuned_values(result: TuneResult) -> dict[str, dict[str, Any]]:
    """The sections of kbops.tuned.toml (empty when the history was too small)."""
    if result.fallback:
        return {}
    s = result.fitted
    return {
        "retrieval": {"lexical_weight": s.lexical_weight, "dense_weight": s.dense_weight,
                      "memory_weight": s.memory_weight},
        "policy": {"confidence_threshold": s.answer_threshold, "no_coverage_threshold": s.no_coverage_threshold},
        "calibration": {"intercept": s.model.intercept, "weights": dict(s.model.weights),
                        "memory_trust": s.model.memory_trust,
                        **({"coverage_intercept": s.model.coverage_intercept,
                            "coverage_weights": dict(s.model.coverage_weights)}
                           if s.model.coverage_intercept is not None else {})},
    }


def tuned_file_text(result: TuneResult, source: str, kb_commit: str | None) -> str:
    provenance = {
        "written": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "tickets": result.tickets,
        "source": source,
        "kb_commit": kb_commit or "uncommitted",
        "folds": result.folds,
        "target_false_deflection_rate": result.target_false_deflection_rate,
        "cv_false_deflection_rate": result.after.false_deflection_rate,
        "cv_deflection_rate": result.after.deflection_rate,
    }
    header = (
        f"Written by `kbops tune` from {result.tickets} labelled tickets ({source}).\n"
        "Review it like an article and commit it: kbops reads it beside kbops.toml, and a key set\n"
        "in kbops.toml wins over the same key here. Re-run `kbops tune` as history grows.\n"
        f"Cross-validated ({result.folds} folds): deflection {_pct(result.after.deflection_rate)}, "
        f"false deflection {_pct(result.after.false_deflection_rate)} "
        f"(shipped defaults: {_pct(result.before.deflection_rate)}, {_pct(result.before.false_deflection_rate)})."
    )
    return render_tuned(tuned_values(result), provenance, header)


def tune_json(result: TuneResult, written: str | None, overridden: list[str]) -> str:
    payload = {
        "version": TUNE_JSON_VERSION,
        "tickets": result.tickets,
        "folds": result.folds,
        "replay": "time" if result.time_ordered else "leave-one-out",
        "target_false_deflection_rate": result.target_false_deflection_rate,
        "fallback": result.fallback,
        "budget_met": result.fitted.budget_met,
        "min_history": MIN_HISTORY,
        "before": result.before.as_json(),
        "after": result.after.as_json(),
        "curve": [{"history": n, **m.as_json()} for n, m in result.curve],
        "tuned": tuned_values(result),
        "written": written,
        "overridden_by_config": overridden,
        "seconds": result.seconds,
    }
    return json.dumps(payload, indent=2)


def tune_table(result: TuneResult) -> str:
    """Before/after as a plain-text table for the terminal."""
    lines = [f"{'':40} {'shipped defaults':>17} {'tuned (cross-validated)':>24}"]
    before, after = result.before.as_json(), result.after.as_json()
    for key, label in ROWS:
        lines.append(f"{label:40} {_cell(before[key]):>17} {_cell(after[key]):>24}")
    lines.append(f"({result.tickets} tickets, {result.folds} folds, memory replay "
                 f"{'in time order' if result.time_ordered else 'leave-one-out'}, {result.seconds:.0f} s)")
    if not result.fallback and result.after.false_deflection_rate > result.target_false_deflection_rate:
        lines.append(f"On tickets the fit did not see, {result.after.false_deflection_rate:.0%} of answers were wrong, "
                     f"above the {result.target_false_deflection_rate:.0%} target: the history is too small or too "
                     "varied to hold it reliably; more tickets will tighten it.")
    if not result.fallback and not result.fitted.budget_met:
        lines.append(f"These {result.tickets} tickets are too few to show a threshold keeps false deflections within "
                     f"{result.target_false_deflection_rate:.0%} (that takes about "
                     f"{math.ceil(1 / result.target_false_deflection_rate) - 1} right answers in a row at the top): "
                     "the threshold written is the best estimate from the plain count.")
    if result.fallback:
        lines.append(f"Fewer than {MIN_HISTORY} labelled tickets: the shipped settings stay; {TUNED_FILE} "
                     "was not written. Ticket memory (`kbops learn`) still helps.")
    return "\n".join(lines)


def _cell(value: float | int | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _pct(value: float) -> str:
    return f"{value:.0%}"


__all__ = ["Metrics", "tune_json", "tune_table", "tuned_file_text", "tuned_values"]
