"""The HTML report: one self-contained page, four charts, nothing loaded from elsewhere."""

from __future__ import annotations

import re

from kbops.report.html import render_html
from tests.report.sample import RESULTS, small_run


def test_html_is_self_contained_with_four_charts() -> None:
    history = [small_run(RESULTS[:2], run_id="20261001T000000Z-bbbbbb", kb_commit="1111111aaaa")]
    page = render_html(small_run(), history)
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
    page = render_html(small_run())
    found = re.search(r'data-chart="confidence".*?</svg>', page, flags=re.S)
    assert found is not None
    svg = found.group(0)
    counts = [int(n) for n in re.findall(r"<title>[\d.]+: (\d+) ", svg)]
    assert sum(counts) == len(RESULTS)
    assert "0.9: 2 deflected" in svg  # 0.95 and 1.0 share the last bin
