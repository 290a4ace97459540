"""The weekly report as one HTML page: the eval report's CSP, a chart per part, every
string escaped."""

from __future__ import annotations

import re

from kbops.report.html import CSP
from kbops.report.weekly_html import render_weekly_html
from tests.report.weekly_sample import HOSTILE, weekly


def test_the_page_is_self_contained_under_the_eval_reports_policy() -> None:
    page = render_weekly_html(weekly())
    assert f'<meta http-equiv="Content-Security-Policy" content="{CSP}">' in page
    assert "<script" not in page and "http://evil" not in page.replace("http://evil.example)", "")
    assert not re.search(r"<(?:img|iframe|link|object)\b", page)


def test_each_part_has_its_chart_with_marks() -> None:
    page = render_weekly_html(weekly())
    for name in ("volume", "severity", "emerging", "health"):
        figure = page.split(f'data-chart="{name}"')[1].split("</figure>")[0]
        assert "<svg" in figure and 'class="mark"' in figure, name
    volume = page.split('data-chart="volume"')[1].split("</figure>")[0]
    assert volume.count('class="average"') == 2  # a dashed rolling average per category
    assert "billing, 2026-W47: 48 tickets" in volume and "#c62828" in volume  # this week, red: rising


def test_cards_and_items_carry_the_numbers() -> None:
    page = render_weekly_html(weekly())
    assert "<small>rising categories</small><b>1</b><small>billing</small>" in page
    assert '<span class="badge" style="background:#b71c1c">P1</span>' in page
    assert "after release <b>v2.4.0</b>" in page and "E-1, E-2, E-3, E-4, E-5" in page
    assert "<summary>Suggested article: Archive a project</summary>" in page
    assert 'data-account="ACME"' in page and "Account manager calls within 1 business day." in page


def test_hostile_text_is_shown_not_run() -> None:
    page = render_weekly_html(weekly())
    assert HOSTILE not in page
    assert "Export | broken &lt;img src=x onerror=alert(1)&gt;" in page
    assert "Open the menu &lt;b&gt;now&lt;/b&gt;." in page


def test_a_quiet_week_has_no_empty_charts() -> None:
    page = render_weekly_html(weekly(emerging=(), doc_gaps=(), health=()))
    assert 'data-chart="emerging"' not in page and 'data-chart="health"' not in page
    assert "No new cluster of tickets this week." in page and "No account shows a risk signal" in page
