"""The weekly report's HTML opens in real headless Chromium: its charts are drawn, nothing
errs, and a ticket that carries markup shows it as text."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from kbops.config import Settings
from kbops.index.embed import Embedder
from kbops.insights.releases import Release
from kbops.insights.weekly import build_weekly
from kbops.report.weekly_html import render_weekly_html
from tests.browser import assert_charts_drawn, chromium_page, keep_screenshot
from tests.insights.synthetic import WEEK, export_bug, planted_history

pytestmark = pytest.mark.browser

CHARTS = ("volume", "severity", "emerging", "health")
HOSTILE = '<script>document.title="pwned"</script><img src=x onerror=alert(1)>'


def test_the_weekly_report_draws_its_charts(tmp_path: Path, embedder: Embedder) -> None:
    hostile = export_bug()[1].model_copy(update={"id": "E-html", "category": HOSTILE})  # categories come from data
    report = build_weekly([*planted_history(), hostile], week=WEEK, settings=Settings(root=tmp_path),
                          embedder=embedder, releases=[Release("v2.4.0", date(2026, 11, 16), "export engine",
                                                               "releases.toml")])
    page_file = tmp_path / "weekly.html"
    page_file.write_text(render_weekly_html(report))
    shot = tmp_path / "weekly-report.png"

    with chromium_page(tmp_path / "profile") as page:
        errors: list[str] = []
        dialogs: list[str] = []
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.goto(page_file.as_uri())
        assert page.title() == "Support intelligence 2026-W47"
        assert_charts_drawn(page, CHARTS, min_height=40, one_svg=False)
        assert page.locator('figure[data-chart="volume"] .average').count() == len(report.volume.by_category)
        assert page.locator(".card").first.inner_text().startswith("tickets")
        assert page.get_by_role("heading", name="2. Emerging issues").is_visible()
        assert page.locator("[data-account='C-RISK'] .action").inner_text().startswith("Action:")
        assert page.locator("script").count() == 0 and page.locator("img").count() == 0
        assert page.locator("#volume td", has_text="pwned").first.inner_text() == HOSTILE
        page.screenshot(path=str(shot), full_page=True)
        assert not errors, errors
        assert not dialogs, dialogs
    assert shot.stat().st_size > 20_000
    keep_screenshot(shot, "weekly-report.png")
