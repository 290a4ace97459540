"""The acceptance test of the feedback store: the built help site, served on 127.0.0.1,
sends a thumbs-up from headless Chromium to `kbops feedback serve` (a real subprocess),
and `kbops feedback stats --json` shows it; bad votes (unknown page, wrong origin, too
large, too many) are refused with 404/403/413/429 and the stats do not move."""

from __future__ import annotations

import functools
import json
import os
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.browser import chromium_page, keep_screenshot, require_chromium
from tests.conftest import KBOPS, run_kbops
from tests.factories import site_project

pytestmark = [pytest.mark.browser, pytest.mark.server]

ARTICLE = "export-project-csv"
PAGE = f"/{ARTICLE}/"


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (stdlib signature)
        pass


@contextmanager
def static_server(folder: Path) -> Iterator[int]:
    """The site folder as a static host serves it (the folder may be filled later)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def feedback_server(project: Path, port: int) -> Iterator[str]:
    log = (project / "feedback-serve.log").open("w")
    process = subprocess.Popen([str(KBOPS), "feedback", "serve", "--port", str(port)], cwd=project,
                               stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.fail(f"kbops feedback serve did not come up:\n{(project / 'feedback-serve.log').read_text()}")
            time.sleep(0.2)
        yield base
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)  # its own session: the server and nothing else
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        log.close()


def stats(project: Path) -> dict[str, Any]:
    done = run_kbops("feedback", "stats", "--json", cwd=project)
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout))


def post(url: str, body: bytes, origin: str, user_agent: str = "kbops-test") -> int:
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Origin": origin, "Content-Type": "text/plain", "User-Agent": user_agent})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as refused:
        return int(refused.code)


def test_a_vote_from_the_built_site_reaches_the_store_and_bad_ones_do_not(tmp_path: Path) -> None:
    require_chromium()
    project = site_project(tmp_path)
    site_dir = project / "site" / "build"
    feedback_port = free_port()
    with static_server(site_dir) as site_port:
        origin = f"http://127.0.0.1:{site_port}"
        mkdocs = project / "mkdocs.yml"
        mkdocs.write_text(mkdocs.read_text().replace("https://help.tasklane.example/", origin + "/"))
        endpoint = f"http://127.0.0.1:{feedback_port}/votes"
        with (project / "kbops.toml").open("a") as config:
            config.write(f'\n[feedback]\nendpoint = "{endpoint}"\nmax_body_bytes = 256\nrate_limit = 1\n')
        built = run_kbops("site", "build", cwd=project)
        assert built.returncode == 0, built.stderr
        derived = (project / "site" / ".staging" / "mkdocs.yml").read_text()
        assert endpoint in derived
        assert json.dumps(endpoint) in (site_dir / ARTICLE / "index.html").read_text()

        with feedback_server(project, feedback_port) as base:
            assert stats(project)["totals"]["votes"] == 0
            shot = tmp_path / "feedback.png"
            with chromium_page(tmp_path / "profile") as page:
                failed: list[str] = []
                page.on("requestfailed", lambda request: failed.append(request.url))  # type: ignore[attr-defined]
                page.goto(f"{origin}{PAGE}")  # type: ignore[attr-defined]
                widget = page.locator("form.md-feedback")  # type: ignore[attr-defined]
                widget.wait_for(state="visible", timeout=10_000)
                with page.expect_response(endpoint) as sent:  # type: ignore[attr-defined]
                    widget.locator("button[data-md-value='1']").click()
                assert sent.value.status == 204
                assert sent.value.request.headers.get("content-type") == "text/plain"
                assert "cookie" not in sent.value.request.headers
                user_agent = str(page.evaluate("navigator.userAgent"))  # type: ignore[attr-defined]
                page.screenshot(path=str(shot))  # type: ignore[attr-defined]
                assert not failed, failed
            keep_screenshot(shot, "feedback-vote.png")

            deadline = time.monotonic() + 30
            while (found := stats(project))["totals"]["votes"] == 0 and time.monotonic() < deadline:
                time.sleep(0.5)
            assert found["articles"] == [{"article_id": ARTICLE, "page": PAGE, "votes": 1, "helpful": 1,
                                          "unhelpful": 0, "ratio": 1.0}]

            good = json.dumps({"page": PAGE, "value": 0}).encode()
            refused = {
                "unknown page": post(f"{base}/votes", json.dumps({"page": "/no-such-page/", "value": 0}).encode(),
                                     origin),
                "wrong origin": post(f"{base}/votes", good, "https://evil.example.com"),
                "too large": post(f"{base}/votes", json.dumps({"page": PAGE, "value": 0, "x": "y" * 300}).encode(),
                                  origin),
                # the browser's client (address and user agent) already sent its one vote
                "too many": post(f"{base}/votes", good, origin, user_agent),
            }
            assert refused == {"unknown page": 404, "wrong origin": 403, "too large": 413, "too many": 429}
            assert stats(project) == found
    store = project / ".kbops" / "feedback.sqlite"
    assert store.is_file() and b"127.0.0.1" not in store.read_bytes()
