"""The built help site in real headless Chromium, served on 127.0.0.1 like a static host:
home page, offline search (public article found, internal one not), a tag page, the
feedback widget and the 404 page, with no request leaving the machine; and the site built
from the KB seeded with every leak case: no script runs, nothing hidden is in the page."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.browser import chromium_page, keep_screenshot, require_chromium
from tests.conftest import run_kbops
from tests.factories import site_project
from tests.site.leaks import VISIBLE, seed_leak_cases

pytestmark = pytest.mark.browser


@contextmanager
def serving(site_dir: Path) -> Iterator[str]:
    from kbops.site.serve import make_server

    server = make_server(site_dir, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def served_site(tmp_path: Path) -> Iterator[str]:
    require_chromium()
    project = site_project(tmp_path)
    done = run_kbops("site", "build", cwd=project)
    assert done.returncode == 0, done.stderr
    with serving(project / "site" / "build") as base:
        yield base


def heading(page) -> str:  # noqa: ANN001 (Playwright page)
    return page.locator("h1").first.inner_text().replace("\u00b6", "").strip()  # without the permalink mark


def search(page, query: str) -> None:  # noqa: ANN001 (Playwright page)
    box = page.locator("input.md-search__input")
    box.click()
    box.fill("")
    box.press_sequentially(query, delay=20)
    page.locator(".md-search-result__meta").filter(has_text="matching").wait_for(timeout=10_000)


def test_help_site_in_chromium(served_site: str, tmp_path: Path) -> None:
    base = served_site
    shot = tmp_path / "site-screenshot.png"
    with chromium_page(tmp_path / "profile", width=1280, height=900) as page:
        requests: list[str] = []
        errors: list[str] = []
        page.on("request", lambda request: requests.append(request.url))
        failed: list[str] = []
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.on("response", lambda response: failed.append(response.url) if response.status >= 400 else None)

        page.goto(base)
        assert page.title().startswith("Tasklane Help Center")
        assert heading(page) == "Tasklane Help Center"
        nav = page.locator("nav.md-nav--primary")
        for section in ("Billing", "Account", "Tags"):
            assert nav.get_by_text(section, exact=True).filter(visible=True).count() == 1, section
        page.screenshot(path=str(shot), full_page=False)

        # Offline search (lunr in a web worker): a public article is found...
        search(page, "Reset your password")
        results = page.locator(".md-search-result__item")
        assert results.count() > 0
        assert any("/reset-password/" in (results.nth(i).locator("a").first.get_attribute("href") or "")
                   for i in range(results.count()))
        # ...an internal article's unique words are not, alone or with common words.
        search(page, "Kestrel")
        assert page.locator(".md-search-result__meta").inner_text().strip() == "No matching documents"
        assert results.count() == 0
        search(page, "Project Kestrel")
        listed = " ".join(results.nth(i).inner_text() for i in range(results.count()))
        hrefs = [results.nth(i).locator("a").first.get_attribute("href") or "" for i in range(results.count())]
        # Pages matching only "project" are listed with a "Missing: kestrel" note, nothing more.
        assert "kestrel" not in listed.casefold().replace("missing: kestrel", "")
        assert not any("refund-approval-playbook" in href for href in hrefs)

        # A tag's listing shows its (public) articles.
        page.goto(base + "tags/#tag:api")
        section = page.locator("h2[id='tag:api'] + ul")
        assert section.is_visible()
        titles = [t.strip() for t in section.locator("a").all_inner_texts()]
        assert {"API error codes", "Paginate API results", "API rate limits"} <= set(titles)
        assert "Using API v1 keys" not in titles  # archived

        # An article: tags link to the tag page, and "Was this helpful?" records a vote.
        page.goto(base + "refund-policy/")
        assert heading(page) == "Tasklane refund policy"
        assert page.locator("a.md-tag", has_text="billing").get_attribute("href") == "../tags/#tag:billing"
        feedback = page.locator("form.md-feedback")
        feedback.wait_for(state="visible", timeout=5_000)
        assert "Was this article helpful?" in feedback.inner_text()
        feedback.locator("button[data-md-value='1']").click()
        assert feedback.locator(".md-feedback__note [data-md-value='1']").is_visible()
        votes = page.evaluate("JSON.parse(localStorage.getItem('kbops.feedback'))")
        assert votes[-1]["page"] == "/refund-policy/" and votes[-1]["value"] == "1"

        # A missing page: the site's own 404, with header and navigation.
        response = page.goto(base + "no-such-article/")
        assert response is not None and response.status == 404
        assert heading(page) == "Page not found"
        assert page.locator("header.md-header").is_visible()
        page.locator("article a", has_text="help center home page").click()
        page.wait_for_url(base)
        assert failed == [base + "no-such-article/"], failed  # every asset, page and index loaded
        assert errors == ["Failed to load resource: the server responded with a status of 404 (Not Found)"], errors

    assert shot.stat().st_size > 20_000
    hosts = {urlsplit(url).hostname for url in requests if url.startswith("http")}
    assert hosts == {"127.0.0.1"}, f"requests left the machine: {sorted(h for h in hosts if h)}"
    kept = keep_screenshot(shot, "site-screenshot.png")
    print(f"screenshot: {kept}")


def test_leak_cases_in_chromium(tmp_path: Path) -> None:
    """Pages with every hostile case: no dialog, no script error from content, no request
    off the machine, no marker in the live DOM or in search results."""
    require_chromium()
    project = site_project(tmp_path)
    cases = seed_leak_cases(project, tmp_path / "outside")
    done = run_kbops("site", "build", "--no-strict", cwd=project)
    assert done.returncode == 0, done.stderr
    with serving(project / "site" / "build") as base, chromium_page(tmp_path / "profile") as page:
        dialogs: list[str] = []
        requests: list[str] = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.on("request", lambda request: requests.append(request.url))
        page.add_init_script("window.addEventListener('error', e => (window.__errors = window.__errors || []).push(String(e.message)))")
        for path in ("leaky-guide/", "title-injection/"):
            page.goto(base + path)
            page.wait_for_load_state("load")
            dom = page.evaluate("document.documentElement.outerHTML")
            leaked = [name for name, marker in cases.markers.items() if marker in dom]
            assert leaked == [], (path, leaked)
            assert page.evaluate("window.__errors || []") == [], path
        text = page.evaluate("document.querySelector('article').innerText")
        assert "Invoices <img src=x onerror=alert(1)> & \"quotes\"" in text  # the title, shown as text
        page.goto(base + "leaky-guide/")
        shown = page.evaluate("document.querySelector('article').innerText")
        assert VISIBLE[0] in shown and VISIBLE[2] in shown  # a closed <details> and alt text are not innerText
        page.locator("details summary").first.click()
        assert VISIBLE[1] in page.evaluate("document.querySelector('article').innerText")
        search(page, "LEAKMARK")  # every marker starts with it: lunr splits on "-"
        assert page.locator(".md-search-result__meta").inner_text().strip() == "No matching documents"
    assert dialogs == []
    assert {urlsplit(url).hostname for url in requests if url.startswith("http")} == {"127.0.0.1"}, requests
