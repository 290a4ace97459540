"""The JSON report: versioned, valid against the published schema, and read back as it was."""

from __future__ import annotations

import json
from dataclasses import replace

import jsonschema
import pytest

from kbops.evals.runs import GateResult, run_from_dict
from kbops.report.json import render_json, run_schema
from tests.report.sample import FULL_RUN, small_comparison, small_run


def test_json_matches_the_schema_and_round_trips() -> None:
    run = small_run(comparison=small_comparison(), gate=GateResult(True, (), {"max_regressions": 0}))
    raw = json.loads(render_json(run))
    jsonschema.validate(raw, run_schema())
    assert run_from_dict(raw) == run
    raw["results"][0]["verdict"] = "maybe"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(raw, run_schema())


def test_json_carries_the_risk_coverage_curve() -> None:
    raw = json.loads(render_json(FULL_RUN))
    jsonschema.validate(raw, run_schema())
    curve = raw["risk_coverage"]
    assert curve["operating_threshold"] == 0.5 and curve["threshold_assumed"] is False
    points = {p["threshold"]: p for p in curve["points"]}
    assert len(points) == 21 and set(points[0.5]) == {
        "threshold", "answered", "deflected", "false_deflection", "unknown", "deflection_rate",
        "false_deflection_rate"}
    assert points[0.5]["deflection_rate"] == raw["summary"]["deflection_rate"]
    assert points[0.5]["false_deflection_rate"] == raw["summary"]["false_deflection_rate"]
    assert run_from_dict(raw) == FULL_RUN  # a reader of the run ignores the derived curve


def test_json_of_an_old_run_assumes_the_threshold_and_counts_unknown_drafts() -> None:
    old = replace(FULL_RUN, confidence_threshold=None,
                  results=tuple(replace(r, draft_correct=None) for r in FULL_RUN.results))
    raw = json.loads(render_json(old))
    jsonschema.validate(raw, run_schema())
    assert raw["risk_coverage"]["threshold_assumed"] is True and raw["confidence_threshold"] is None
    points = {p["threshold"]: p for p in raw["risk_coverage"]["points"]}
    assert points[0.0]["unknown"] == 2 and points[0.5]["unknown"] == 0  # T-1008 and T-1011's drafts
