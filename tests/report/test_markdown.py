"""The Markdown report (a PR comment): numbers first, then what needs a look, and untrusted
ticket text that can neither run, link nor break a table."""

from __future__ import annotations

from dataclasses import replace

from kbops.evals.runs import GateResult
from kbops.report.markdown import render_markdown
from tests.report.sample import FULL_RUN, small_comparison, small_run


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


def test_markdown_shows_a_stricter_and_a_looser_agent_around_the_run() -> None:
    text = render_markdown(FULL_RUN)
    section = text.split("### Stricter or looser", 1)[1].split("###", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| 0.") or line.startswith("| **")]
    assert [row.split("|")[1].strip() for row in rows] == ["0.30", "0.40", "**0.50 (this run)**", "0.60", "0.70"]
    assert "| **0.50 (this run)** | **4** | **23.1% (3/13)** | **25.0% (1/4)** |" in section
    assert "| 0.30 | 5 | 23.1% (3/13) | 40.0% (2/5) |" in section  # T-1008's wrong draft would go out
    assert "assumed" not in section
    edge = render_markdown(replace(FULL_RUN, confidence_threshold=0.9))
    edge_rows = edge.split("### Stricter or looser", 1)[1].split("###", 1)[0]
    assert "| 1.00 |" in edge_rows and "1.10" not in edge_rows  # clipped to [0, 1], no duplicate row
    assert edge_rows.count("| 1.00 |") == 1
    assert "0.50 is assumed" in render_markdown(replace(FULL_RUN, confidence_threshold=None))
