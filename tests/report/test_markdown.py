"""The Markdown report (a PR comment): numbers first, then what needs a look, and untrusted
ticket text that can neither run, link nor break a table."""

from __future__ import annotations

from kbops.evals.runs import GateResult
from kbops.report.markdown import render_markdown
from tests.report.sample import small_comparison, small_run


def test_markdown_puts_the_summary_first_with_both_denominators() -> None:
    text = render_markdown(small_run())
    first_table = text.split("\n\n")[1]
    assert first_table.startswith("| metric | value |")
    assert "deflection rate (all tickets) | **50.0%** (3/6)" in first_table
    assert "deflection rate (not gated by policy) | 60.0% (3/5)" in first_table
    assert "T-6 how do I export: protected by article dark-mode (deflected)" in text
    order = [text.index(h) for h in ("### False deflections", "### Gaps", "### Gated by policy")]
    assert order == sorted(order)


def test_markdown_orders_regressions_before_gaps_and_shows_the_delta() -> None:
    text = render_markdown(small_run(comparison=small_comparison(), gate=GateResult(False, ("1 regression",))))
    assert "Deflection **+10.0 pts**" in text
    assert "### Gate: ❌ FAIL" in text and "- 1 regression" in text
    assert text.index("### Regressions (1)") < text.index("### False deflections") < text.index("### Gaps")


def test_markdown_neutralises_ticket_text() -> None:
    text = render_markdown(small_run())
    row = next(line for line in text.splitlines() if line.startswith("| T-3 "))
    assert "<script>" not in text and "&lt;script&gt;" in row
    assert "\\[link\\]" in row and "\\|" in row  # no live link, no broken table
    assert row.count(" | ") == 3  # still four cells: the pipe did not split it
