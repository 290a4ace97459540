"""Golden files: the Markdown and JSON reports of fixed runs, compared byte for byte.

`tests/report/golden/` holds what `kbops eval --format md` and `--format json` print for
the runs in `tests/report/sample.py` (every verdict, a baseline comparison, a failed gate,
closed gaps under watch, unreadable ticket records; and a first run with its gaps grouped
by topic). They are reviewed like code: a change to a report shows up as a diff of them.

After an intended change to a report, rewrite the files and review the diff:

    KBOPS_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/report/test_golden.py
    git diff tests/report/golden/
"""

from __future__ import annotations

import difflib
import json
import os
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest

from kbops.evals.gate import GateRules, check_gate, compare
from kbops.evals.runs import run_from_dict
from kbops.report.json import render_json, run_schema
from kbops.report.markdown import render_markdown
from tests.report.sample import FIRST_GAPS, FIRST_RUN, FULL_RUN, GOLDEN_BASELINE

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("KBOPS_UPDATE_GOLDEN") == "1"

RENDERED: dict[str, Callable[[], str]] = {
    "eval-run.md": lambda: render_markdown(FULL_RUN),
    "eval-run.json": lambda: render_json(FULL_RUN),
    "eval-run-first.md": lambda: render_markdown(FIRST_RUN, FIRST_GAPS),
    "eval-run-first.json": lambda: render_json(FIRST_RUN),
}


@pytest.mark.parametrize("name", sorted(RENDERED))
def test_report_matches_its_golden_file(name: str) -> None:
    rendered = RENDERED[name]().encode("utf-8")
    path = GOLDEN / name
    if UPDATE:
        path.write_bytes(rendered)
    expected = path.read_bytes() if path.exists() else b""
    if rendered != expected:
        diff = "".join(difflib.unified_diff(
            expected.decode("utf-8").splitlines(keepends=True), rendered.decode("utf-8").splitlines(keepends=True),
            fromfile=f"golden/{name}", tofile="rendered"))
        pytest.fail(f"{name} differs from its golden file (KBOPS_UPDATE_GOLDEN=1 rewrites it):\n{diff}")


@pytest.mark.parametrize("name", ["eval-run.json", "eval-run-first.json"])
def test_golden_json_is_valid_and_reads_back_as_its_run(name: str) -> None:
    raw = json.loads((GOLDEN / name).read_text(encoding="utf-8"))
    jsonschema.validate(raw, run_schema())
    assert run_from_dict(raw) == (FULL_RUN if name == "eval-run.json" else FIRST_RUN)


def test_the_golden_run_is_one_kbops_could_produce() -> None:
    """Its comparison and gate are what `kbops eval --baseline origin/main
    --max-regressions 0 --max-false-deflections 0` computes, so the golden report shows a
    real situation, not an impossible one."""
    assert FULL_RUN.comparison is not None
    comparison = compare(FULL_RUN.results, GOLDEN_BASELINE, "origin/main", FULL_RUN.comparison.baseline_commit)
    assert comparison == FULL_RUN.comparison
    assert check_gate(FULL_RUN.summary, comparison, GateRules(max_regressions=0, max_false_deflections=0)) \
        == FULL_RUN.gate
