"""Headless Debian Chromium for browser tests, driven by Playwright's Python package.

Never a downloaded browser build (`playwright install` cannot work offline): `make test`
apt-installs /usr/bin/chromium. The flags keep Chromium from phoning home, which this
machine's closed network refuses anyway.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-dev-shm-usage",
    "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "reports" / "test-artifacts"
"""Screenshots kept after the run (git-ignored) so a person can look at what was tested."""


def require_chromium() -> None:
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's chromium at /usr/bin/chromium (`make setup-browser` installs it)")


@contextmanager
def chromium_page(profile: Path, width: int = 1200, height: int = 900) -> Iterator[object]:
    """A Playwright page in a fresh Chromium profile under `profile`."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=str(CHROMIUM), headless=True, args=FLAGS,
            viewport={"width": width, "height": height},
        )
        try:
            yield context.pages[0] if context.pages else context.new_page()
        finally:
            context.close()


def assert_charts_drawn(page: object, names: Iterable[str], *, min_height: float, one_svg: bool = True) -> None:
    """Each `figure[data-chart=NAME]` shows a chart wider than 300 px and at least
    `min_height` tall, whose first `.mark` has a real box (the chart drew, not just its frame).
    `one_svg`: the figure holds exactly one svg (Playwright's strict locator fails otherwise)."""
    for name in names:
        svg = page.locator(f'figure[data-chart="{name}"] svg')  # type: ignore[attr-defined]
        if not one_svg:
            svg = svg.first
        assert svg.is_visible(), name
        box = svg.bounding_box()
        assert box is not None and box["width"] > 300 and box["height"] > min_height, (name, box)
        marks = page.locator(f'figure[data-chart="{name}"] .mark')  # type: ignore[attr-defined]
        assert marks.count() > 0, name
        mark_box = marks.first.bounding_box()
        assert mark_box is not None and mark_box["width"] > 0 and mark_box["height"] > 0, name


def keep_screenshot(source: Path, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    target = ARTIFACTS / name
    shutil.copyfile(source, target)
    return target
