"""Hidden text and unsafe HTML in article bodies: what lint reports (and the site drops),
each with a case that must be found and one that must not."""

from __future__ import annotations

import pytest

from kbops.kb.rawhtml import (
    HIDDEN_TEXT,
    UNSAFE_HTML,
    comment_spans,
    hiding_selectors,
    scan_body,
    style_hides,
    url_is_unsafe,
    without_comments,
)


@pytest.mark.parametrize("css", [
    "display:none", "DISPLAY: None !important", "visibility: hidden", "visibility:collapse",
    "font-size: 0", "font-size:0px", "font-size: 1px", "font-size: .1em", "opacity: 0", "opacity:0.01",
    "height:0; overflow:hidden", "max-height: 0", "clip: rect(0 0 0 0)", "clip-path: inset(50%)",
    "color: transparent", "color: rgba(0,0,0,0)", "color:#ffffff00", "text-indent:-9999px",
    "position:absolute; left:-10000px", "transform: scale(0)", "content-visibility: hidden", "color: #FFF",
    "/* a */ display /* b */: none",
])
def test_styles_that_hide_text(css: str) -> None:
    assert style_hides(css)


@pytest.mark.parametrize("css", [
    "", "color: red", "display: block", "font-size: 14px", "font-size: 0.9em", "opacity: 0.8",
    "text-align: center", "margin-left: 10px", "transform: scale(1.1)", "color: rgba(0,0,0,0.8)",
])
def test_styles_that_show_text(css: str) -> None:
    assert not style_hides(css)


def test_style_blocks_yield_the_subjects_of_hiding_rules() -> None:
    css = "@media screen { .a > p.note, #x { display:none } } .ok { color: red } div:not(.q) { opacity: 0 }"
    selectors = hiding_selectors(css)
    assert [(s.tag, sorted(s.classes), s.element_id) for s in selectors] == [
        ("p", ["note"], ""), ("*", [], "x"), ("div", [], ""),
    ]
    assert selectors[0].matches("p", {"class": "note other"}) and not selectors[0].matches("p", {"class": "other"})
    assert selectors[1].matches("span", {"id": "x"}) and not selectors[1].matches("span", {})


@pytest.mark.parametrize(("url", "unsafe"), [
    ("javascript:alert(1)", True), (" JaVaScRiPt:x", True), ("java\tscript:x", True),
    ("javascript&#58;x", True), ("data:text/html,x", True), ("vbscript:x", True),
    ("https://example.com", False), ("mailto:a@example.com", False), ("../x/", False), ("#top", False),
])
def test_url_schemes(url: str, unsafe: bool) -> None:
    assert url_is_unsafe(url) is unsafe


def test_comments_outside_code_closed_or_not() -> None:
    body = "a <!-- one --> b\n`<!-- code -->`\n```\n<!-- fenced -->\n```\nc <!-- two\nlines --> d <!-- open\nrest"
    spans = comment_spans(body)
    assert [(body[s.start : s.start + 8], s.closed) for s in spans] == [
        ("<!-- one", True), ("<!-- two", True), ("<!-- ope", False),
    ]
    cleaned = without_comments(body, spans)
    assert cleaned.count("\n") == body.count("\n")
    assert "one" not in cleaned and "two" not in cleaned and "rest" not in cleaned
    assert "<!-- code -->" in cleaned and "<!-- fenced -->" in cleaned and cleaned.endswith("d \n")


def codes(body: str) -> list[tuple[int, str]]:
    return [(f.line, f.code) for f in scan_body(body)]


@pytest.mark.parametrize(("body", "expected"), [
    ("Text <!-- note -->.", [(1, HIDDEN_TEXT)]),
    ("Text.\n\n<!-- open\n\nmore", [(3, HIDDEN_TEXT)]),
    ('<div hidden>x</div>', [(1, HIDDEN_TEXT)]),
    ('<span style="display:none">x</span>', [(1, HIDDEN_TEXT)]),
    ('<p style="font-size:0">x</p>', [(1, HIDDEN_TEXT)]),
    ("<template>x</template>", [(1, HIDDEN_TEXT)]),
    ("<style>.n{display:none}</style>\n<p class=\"n\">x</p>", [(1, HIDDEN_TEXT), (2, HIDDEN_TEXT)]),
    ('![a](x.png "secret")', [(1, HIDDEN_TEXT)]),
    ('[a](x.md "secret")', [(1, HIDDEN_TEXT)]),
    ('[r]: x.md "secret"', [(1, HIDDEN_TEXT)]),
    ('<a href="/x" title="secret">a</a>', [(1, HIDDEN_TEXT)]),
    ("Para\n{: hidden }", [(2, HIDDEN_TEXT)]),
    ("<script>alert(1)</script>", [(1, UNSAFE_HTML)]),
    ("<img src=x onerror=alert(1)>", [(1, UNSAFE_HTML)]),
    ("<svg onload=alert(1)></svg>", [(1, UNSAFE_HTML)]),
    ('<iframe src="https://x"></iframe>', [(1, UNSAFE_HTML)]),
    ('<a href="javascript:alert(1)">x</a>', [(1, UNSAFE_HTML)]),
    ("[x](javascript:alert(1))", [(1, UNSAFE_HTML)]),
    ("[x]: javascript:alert(1)", [(1, UNSAFE_HTML)]),
    ("<form><input value=x></form>", [(1, UNSAFE_HTML), (1, UNSAFE_HTML)]),
    ('Para\n{: onclick="x()" }', [(2, UNSAFE_HTML)]),
])
def test_hidden_text_and_unsafe_html_are_found_by_line(body: str, expected: list[tuple[int, str]]) -> None:
    assert codes(body) == expected


@pytest.mark.parametrize("body", [
    "Plain text with a [link](other.md) and ![an image](attachments/a/x.png).",
    "<details><summary>More</summary>Shown when opened.</details>",
    '<abbr title="Single sign-on">SSO</abbr> and <kbd>Ctrl</kbd> and <span style="color:red">red</span>',
    "`<!-- in code -->` and `<script>` in code\n\n```html\n<script>x</script>\n<!-- c -->\n```",
    "a < b and b > c, <https://example.com>, email <me@example.com>",
    "[web](https://example.com) [mail](mailto:a@example.com) [phone](tel:+1555)",
])
def test_ordinary_articles_have_no_findings(body: str) -> None:
    assert codes(body) == []


def test_any_text_is_scanned_without_an_exception() -> None:
    """Lint reads whatever an author wrote: declarations, broken tags, odd CSS."""
    from hypothesis import given, settings  # lazy: only this property test needs it
    from hypothesis import strategies as st  # lazy, see above

    pieces = st.sampled_from([
        "<", ">", "<!", "<![", "<?", "<!--", "-->", "</", "<p", "<style>", "</style>", "<div hidden", "=", '"', "'",
        " style=\"", "color: rgba(0,0,0,", "...)", "{", "}", ":", ";", "display:none", "`", "```\n", "\n", "[x](",
        "javascript:", "&#", "x", " ", "{: ", "![a](b \"", ")",
    ])

    @settings(max_examples=300, deadline=None)
    @given(st.lists(pieces, max_size=30).map("".join))
    def check(body: str) -> None:
        for finding in scan_body(body):
            assert 1 <= finding.line <= body.count("\n") + 1

    check()
