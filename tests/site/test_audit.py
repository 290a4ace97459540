"""The post-build tripwire: a built site holding a frame, a handler, a `javascript:` URL,
an extra script or raw HTML in the search index is refused; a clean one passes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kbops.site.audit import audit_site

THEME = '<html><head><script>var a="<b onclick=x>";</script></head><body>{body}<script src="{up}assets/bundle.js"></script></body></html>'


def write_site(site: Path, page_body: str = "<p>ok</p>", index_text: str = "<p>ok</p>") -> None:
    (site / "guide").mkdir(parents=True)
    (site / "search").mkdir()
    (site / "404.html").write_text(THEME.format(body="Page not found", up="/"))
    (site / "index.html").write_text(THEME.format(body="<p>home</p>", up=""))
    (site / "guide" / "index.html").write_text(THEME.format(body=page_body, up="../"))
    (site / "search" / "search_index.json").write_text(json.dumps({
        "config": {}, "docs": [{"location": "guide/", "title": "Guide &lt;b&gt;", "text": index_text}],
    }))


def test_a_clean_site_passes(tmp_path: Path) -> None:
    write_site(tmp_path, '<p title="turn on=off">Text with onerror= in it &lt;script&gt;</p><a href="https://x.example/">x</a>')
    assert audit_site(tmp_path) == []


@pytest.mark.parametrize(("body", "found"), [
    ("<img src=x onerror=alert(1)>", "event handler onerror="),
    ("<a href=\" javascript:alert(1)\">x</a>", "href=\""),
    ("<a href='data:text/html,x'>x</a>", "href=\"data:"),
    ("<iframe src=https://evil.example></iframe>", "<iframe> element"),
    ("<object data=x></object>", "<object> element"),
    ("<meta http-equiv=refresh content=0>", "http-equiv=refresh"),
    ("<script>alert(1)</script>", "script not in the theme"),
    ("<script src=\"https://evil.example/bundle.js\"></script>", "script not in the theme"),
])
def test_live_html_in_a_page_is_refused(tmp_path: Path, body: str, found: str) -> None:
    write_site(tmp_path, body)
    problems = audit_site(tmp_path)
    assert problems and all(p.startswith("guide/index.html: ") for p in problems), problems
    assert found in problems[0]


def test_raw_html_in_the_search_index_is_refused(tmp_path: Path) -> None:
    write_site(tmp_path, index_text="<p>x</p><img src=x onerror=alert(1)>")
    assert audit_site(tmp_path) == [
        "search/search_index.json: raw HTML in the text of 'guide/': '<p>x</p><img src=x onerror=alert(1)>'"
    ]
