"""The run as versioned JSON (schema in `schemas/eval-run.schema.json`, documented in
docs/eval-json.md). The same text is what `.kbops/runs/` keeps, so a saved run and the
`--format json` output of that run are byte-identical."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from ..evals.runs import EvalRun
from . import views

SCHEMA_FILE = "eval-run.schema.json"


def render_json(run: EvalRun) -> str:
    return views.private(run).to_json() + "\n"


@cache
def run_schema() -> dict[str, Any]:
    """The JSON Schema every `--format json` report validates against."""
    return json.loads(resources.files("kbops").joinpath("schemas", SCHEMA_FILE).read_text())
