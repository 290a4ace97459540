"""The weekly report in Markdown: a summary an executive can stop after, the four parts
with their ticket ids, and ticket text that can neither format, link nor break a table."""

from __future__ import annotations

from kbops.report.weekly_markdown import render_weekly_markdown
from tests.report.weekly_sample import account, issue, weekly


def test_the_summary_comes_first_and_says_each_part_in_a_line() -> None:
    text = render_weekly_markdown(weekly())
    assert text.startswith("# Support intelligence: 2026-W47\n")
    summary = text.split("## Summary\n\n")[1].split("\n\n")[0].splitlines()
    assert summary[0].startswith("- **Volume:** 58 tickets, +41% on the week before (41), +43% on the 4-week average (40)")
    assert "Rising: **billing 48 (31 the week before, +55%)**." in summary[0]
    assert summary[1].startswith("- **Emerging issues (1):**") and "after release v2.4.0 (Nov 16); recommended P1" in summary[1]
    assert summary[2] == "- **Documentation gaps:** 1 question the agent answered unsure (2 tickets)."
    assert summary[3] == "- **Customer health:** 1 account needs outreach now."
    order = [text.index(h) for h in ("## 1. Volume trends", "## 2. Emerging issues", "## 3. Documentation gaps",
                                     "## 4. Customer health", "## About this report")]
    assert order == sorted(order)


def test_every_part_carries_its_evidence() -> None:
    text = render_weekly_markdown(weekly())
    assert "| billing | 48 | 31 | 30.5 | +55% | +57% | **rising** | T-1, T-2 |" in text
    assert "- **Tickets:** 5: E-1, E-2, E-3, E-4, E-5" in text
    assert "- **Affected customers:** 3 accounts (estimated 5 in all" in text
    assert "- **Follows a release:** **yes**: v2.4.0 released Nov 16 (git tag): New export engine" in text
    assert "- **Recommended severity: P1** (7 points): enterprise tier (+2); outage: 'is down' (+3)" in text
    assert "mean agent confidence 0.31: D-1, D-2" in text and "`archive-projects` (2)" in text
    assert "### ACME · enterprise · 9,000/month · high priority" in text
    assert "  - 2 escalated (50%): R-2, R-3" in text and "- **Action:** Account manager calls" in text


def test_ticket_text_is_escaped_everywhere() -> None:
    text = render_weekly_markdown(weekly())
    assert "<img" not in text and "](http" not in text and "@team" not in text.replace("@\u200bteam", "")
    assert "<b>" not in text
    table_row = next(line for line in text.splitlines() if line.startswith("| Export"))
    assert table_row.count(" | ") == 7  # eight cells: the pipe in the category did not split the row
    heading = next(line for line in text.splitlines() if line.startswith("### 2.1 "))
    assert "\\|" in heading and "&lt;img" in heading


def test_quiet_weeks_say_so_instead_of_leaving_holes() -> None:
    text = render_weekly_markdown(weekly(emerging=(), doc_gaps=(), health=(), notes=("no releases known",)))
    assert "- **Emerging issues:** none" in text and "_No new cluster of tickets this week._" in text
    assert "_No question the agent answered with low confidence came up twice._" in text
    assert "_No account shows a risk signal in the last 14 days._" in text
    assert "- no releases known" in text


def test_long_lists_are_capped_and_counted() -> None:
    many = tuple(account(f"ACC-{n:02d}", "low") for n in range(20))
    text = render_weekly_markdown(weekly(health=many, emerging=tuple(issue(f"Issue {n}") for n in range(12))))
    assert "### ACC-14" in text and "### ACC-15" not in text
    assert "… and 5 more (`--format json` lists them all)" in text
    assert "### 2.10 Issue 9" in text and "… and 2 more" in text
