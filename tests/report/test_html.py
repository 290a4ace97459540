"""The HTML report: one self-contained page, five charts, nothing loaded from elsewhere."""

from __future__ import annotations

import re
from dataclasses import replace

from kbops.report.html import render_html
from tests.report.sample import FULL_RUN, RESULTS, small_run


def test_html_is_self_contained_with_five_charts() -> None:
    history = [small_run(RESULTS[:2], run_id="20261001T000000Z-bbbbbb", kb_commit="1111111aaaa")]
    page = render_html(small_run(), history)
    charts = dict(re.findall(r'data-chart="([\w-]+)".*?(<svg.*?</svg>)', page, flags=re.S))
    assert set(charts) == {"outcomes", "categories", "confidence", "trend", "risk-coverage"}
    assert charts["outcomes"].count('class="mark"') == 4  # one bar per verdict present
    assert charts["trend"].count("<circle") == 2 and "<polyline" in charts["trend"]
    assert "1111111" in charts["trend"] and "abcdef1" in charts["trend"]
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    assert not re.search(r"<(script|link|img)\b", page)
    assert not re.search(r"(src|href)=\"https?:", page)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_confidence_histogram_counts_every_ticket() -> None:
    page = render_html(small_run())
    found = re.search(r'data-chart="confidence".*?</svg>', page, flags=re.S)
    assert found is not None
    svg = found.group(0)
    counts = [int(n) for n in re.findall(r"<title>[\d.]+: (\d+) ", svg)]
    assert sum(counts) == len(RESULTS)
    assert "0.9: 2 deflected" in svg  # 0.95 and 1.0 share the last bin


def test_risk_coverage_chart_marks_the_operating_point() -> None:
    page = render_html(FULL_RUN)
    found = re.search(r'data-chart="risk-coverage".*?</figure>', page, flags=re.S)
    assert found is not None
    chart = found.group(0)
    assert chart.count("<polyline") == 2  # deflection and false deflection
    marker = re.search(r'<g class="operating">(.*?)</g>', chart, flags=re.S)
    assert marker is not None
    assert "this run (0.50)" in marker.group(1) and "stroke-dasharray" in marker.group(1)
    assert "deflection (of all tickets) at 0.50: 23.1%" in marker.group(1)
    assert "false deflection (of answered) at 0.50: 25.0%" in marker.group(1)
    assert "answers 4 tickets at 0.50" in chart
    assumed = render_html(replace(FULL_RUN, confidence_threshold=None))
    assert "this run (0.50, assumed)" in assumed
