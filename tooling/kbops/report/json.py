"""The run as versioned JSON (schema in `schemas/eval-run.schema.json`, documented in
docs/eval-json.md): what `.kbops/runs/` keeps, plus `risk_coverage`, derived from the
results when the report is rendered (so runs saved before it existed have it too)."""

from __future__ import annotations

import json
from dataclasses import asdict
from functools import cache
from importlib import resources
from typing import Any

from ..evals.runs import EvalRun, review_tally
from . import views

SCHEMA_FILE = "eval-run.schema.json"


def render_json(run: EvalRun) -> str:
    run = views.private(run)
    document = json.loads(run.to_json())
    curve = views.risk_coverage(run)
    document["risk_coverage"] = {
        "operating_threshold": curve.operating_threshold,
        "threshold_assumed": curve.assumed,
        "points": [asdict(point) for point in curve.points],
    }
    tones = views.tone_counts(run)
    if tones:
        document["tone_profiles"] = {c.profile: {"tickets": c.tickets, "answered": c.answered} for c in tones}
    tally = review_tally(run.results)
    if tally.replayed:
        document["review_cases"] = asdict(tally)
    return json.dumps(document, indent=2) + "\n"


@cache
def run_schema() -> dict[str, Any]:
    """The JSON Schema every `--format json` report validates against."""
    return json.loads(resources.files("kbops").joinpath("schemas", SCHEMA_FILE).read_text())
