"""When an answer counts as correct, offline: a gold article cited, or the resolution said."""

from __future__ import annotations

from kbops.evals.grading import grade


def test_grade_rules() -> None:
    assert grade("steps", ("a",), ("a", "b"), 0.1, 0.55, True).correct
    assert not grade("steps", ("c",), ("a",), 0.99, 0.55, True).correct  # wrong article beats similarity
    assert grade("text", ("c",), (), 0.6, 0.55, True).correct  # gap ticket: judged on the resolution
    assert not grade("text", ("c",), (), 0.5, 0.55, True).correct
    assert not grade("text", ("c",), (), 0.9, 0.55, False).correct
    assert not grade("", ("a",), ("a",), 0.9, 0.55, True).correct
