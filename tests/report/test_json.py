"""The JSON report: versioned, valid against the published schema, and read back as it was."""

from __future__ import annotations

import json

import jsonschema
import pytest

from kbops.evals.runs import GateResult, run_from_dict
from kbops.report.json import render_json, run_schema
from tests.report.sample import small_comparison, small_run


def test_json_matches_the_schema_and_round_trips() -> None:
    run = small_run(comparison=small_comparison(), gate=GateResult(True, (), {"max_regressions": 0}))
    raw = json.loads(render_json(run))
    jsonschema.validate(raw, run_schema())
    assert run_from_dict(raw) == run
    raw["results"][0]["verdict"] = "maybe"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(raw, run_schema())
