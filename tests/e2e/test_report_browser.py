"""The demo's HTML report opens in real headless Chromium and its charts are drawn."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser import assert_charts_drawn, chromium_page, keep_screenshot
from tests.conftest import run_kbops
from tests.factories import project_copy

pytestmark = pytest.mark.browser

CHARTS = ("outcomes", "categories", "confidence", "trend")


def test_demo_report_shows_its_charts(tmp_path: Path) -> None:
    project = project_copy(tmp_path)
    # The same steps as `make demo`, in a copy of the project.
    for args in (("lint",), ("index",), ("eval", "--format", "md"), ("gaps",),
                 ("report", "--format", "html", "--output", "reports/eval.html")):
        done = run_kbops(*args, cwd=project)
        assert done.returncode == 0, f"kbops {' '.join(args)}: {done.stderr}"
    assert "| metric | value |" in run_kbops("report", cwd=project).stdout
    report = project / "reports" / "eval.html"
    shot = tmp_path / "eval-report.png"

    with chromium_page(tmp_path / "profile") as page:
        errors: list[str] = []
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.goto(report.as_uri())
        assert page.title().startswith("kbops eval")
        assert_charts_drawn(page, CHARTS, min_height=80)
        assert page.locator(".card").first.inner_text().startswith("deflection")
        assert page.get_by_role("heading", name="Gaps by topic").is_visible()  # from `kbops gaps`
        page.screenshot(path=str(shot), full_page=True)
        assert not errors, errors
    assert shot.stat().st_size > 20_000
    keep_screenshot(shot, "eval-report.png")
