"""Reports render what the run says, escape untrusted ticket text, and match the schema."""

from __future__ import annotations

import json
import re

import jsonschema

from kbops.evals.runs import (
    Comparison,
    EvalRun,
    GateResult,
    TicketResult,
    Verdict,
    run_from_dict,
    summarize,
)
from kbops.report import render_html, render_json, render_markdown, run_schema

HOSTILE = "<script>alert(1)</script> | pipe [link](http://evil.example) *bold*\nsecond line"


def result(ticket_id: str, verdict: Verdict, confidence: float = 0.7, category: str = "billing",
           subject: str = "how do I export", **extra: object) -> TicketResult:
    answered = verdict in (Verdict.DEFLECTED, Verdict.FALSE_DEFLECTION)
    values: dict = dict(
        ticket_id=ticket_id, verdict=verdict, action="answer" if answered else "escalate",
        confidence=confidence, reasons=() if answered else ("low_confidence",),
        cited_article_ids=("export-project-csv",) if answered else (), gold_article_ids=(),
        correct=(verdict is Verdict.DEFLECTED) if answered else None, correctness=0.8 if answered else 0.0,
        grade_notes="", category=category, tier="free", subject=subject, reply="", metrics={"rouge_l": 0.5},
    )
    values.update(extra)
    return TicketResult(**values)


def make_run(results: list[TicketResult], run_id: str = "20261101T000000Z-aaaaaa", commit: str = "abcdef1234567",
             comparison: Comparison | None = None, gate: GateResult | None = None) -> EvalRun:
    return EvalRun(run_id=run_id, created_at=run_id[:15], kb_ref="working tree", kb_commit=commit, kb_dirty=False,
                   backend="offline", tickets_file="evals/tickets.jsonl", results=tuple(results),
                   summary=summarize(results), comparison=comparison, gate=gate,
                   problems=("evals/tickets.jsonl:9 (ticket T-9): field 'body': required",))


RESULTS = [
    result("T-1", Verdict.DEFLECTED, 0.85),
    result("T-2", Verdict.DEFLECTED, 0.95, category="technical"),
    result("T-3", Verdict.FALSE_DEFLECTION, 0.62, subject=HOSTILE),
    result("T-4", Verdict.GATED, 0.4, reasons=("risk_topic:refund",)),
    result("T-5", Verdict.GAP, 0.2, category="technical", subject="dark mode?"),
    result("T-6", Verdict.DEFLECTED, 1.0, protected_by=("dark-mode",)),
]


def comparison() -> Comparison:
    before = summarize([result("T-1", Verdict.DEFLECTED), result("T-2", Verdict.GAP)])
    return Comparison(baseline_ref="origin/main", baseline_commit="1234567890abc", baseline=before,
                      deflection_delta=0.1, newly_deflected=("T-2",), regressed=("T-5",),
                      new_false_deflections=("T-3",), verdict_changes={"T-5": ("deflected", "gap")})


def test_markdown_puts_the_summary_first_with_both_denominators() -> None:
    text = render_markdown(make_run(RESULTS))
    first_table = text.split("\n\n")[1]
    assert first_table.startswith("| metric | value |")
    assert "deflection rate (all tickets) | **50.0%** (3/6)" in first_table
    assert "deflection rate (not gated by policy) | 60.0% (3/5)" in first_table
    assert "T-6 how do I export: protected by article dark-mode (deflected)" in text
    order = [text.index(h) for h in ("### False deflections", "### Gaps", "### Gated by policy")]
    assert order == sorted(order)


def test_markdown_orders_regressions_before_gaps_and_shows_the_delta() -> None:
    text = render_markdown(make_run(RESULTS, comparison=comparison(), gate=GateResult(False, ("1 regression",))))
    assert "Deflection **+10.0 pts**" in text
    assert "### Gate: ❌ FAIL" in text and "- 1 regression" in text
    assert text.index("### Regressions (1)") < text.index("### False deflections") < text.index("### Gaps")


def test_markdown_neutralises_ticket_text() -> None:
    text = render_markdown(make_run(RESULTS))
    row = next(line for line in text.splitlines() if line.startswith("| T-3 "))
    assert "<script>" not in text and "&lt;script&gt;" in row
    assert "\\[link\\]" in row and "\\|" in row  # no live link, no broken table
    assert row.count(" | ") == 3  # still four cells: the pipe did not split it


def test_json_matches_the_schema_and_round_trips() -> None:
    run = make_run(RESULTS, comparison=comparison(), gate=GateResult(True, (), {"max_regressions": 0}))
    raw = json.loads(render_json(run))
    jsonschema.validate(raw, run_schema())
    assert run_from_dict(raw) == run
    raw["results"][0]["verdict"] = "maybe"
    try:
        jsonschema.validate(raw, run_schema())
    except jsonschema.ValidationError:
        pass
    else:
        raise AssertionError("the schema accepted an unknown verdict")


def test_html_is_self_contained_with_four_charts() -> None:
    history = [make_run(RESULTS[:2], run_id="20261001T000000Z-bbbbbb", commit="1111111aaaa")]
    page = render_html(make_run(RESULTS), history)
    charts = dict(re.findall(r'data-chart="(\w+)".*?(<svg.*?</svg>)', page, flags=re.S))
    assert set(charts) == {"outcomes", "categories", "confidence", "trend"}
    assert charts["outcomes"].count('class="mark"') == 4  # one bar per verdict present
    assert charts["trend"].count("<circle") == 2 and "<polyline" in charts["trend"]
    assert "1111111" in charts["trend"] and "abcdef1" in charts["trend"]
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    assert not re.search(r"<(script|link|img)\b", page)
    assert not re.search(r"(src|href)=\"https?:", page)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_confidence_histogram_counts_every_ticket() -> None:
    page = render_html(make_run(RESULTS))
    svg = re.search(r'data-chart="confidence".*?</svg>', page, flags=re.S).group(0)
    counts = [int(n) for n in re.findall(r"<title>[\d.]+: (\d+) ", svg)]
    assert sum(counts) == len(RESULTS)
    assert "0.9: 2 deflected" in svg  # 0.95 and 1.0 share the last bin


def test_written_reports_are_readable_like_any_file(tmp_path) -> None:
    import os
    import stat

    from kbops.files import write_atomic

    previous = os.umask(0o022)
    try:
        target = tmp_path / "reports" / "eval.html"
        write_atomic(target, "<html></html>")
        write_atomic(target, "<html>again</html>")
    finally:
        os.umask(previous)
    assert target.read_text() == "<html>again</html>"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert [p.name for p in target.parent.iterdir()] == ["eval.html"]  # no temp files left
