"""The page allow-list: hostile HTML in, nothing that runs, embeds or hides out; what
Markdown makes for customers (headings, tables, code, links, images) kept."""

from __future__ import annotations

import pytest

from kbops.site.sanitise import sanitise, site_url_check, text_only

SITE = {".", "refund-policy", "refund-policy/index.html", "upgrade", "upgrade/index.html", "attachments/refund-policy/a.png"}
CHECK = site_url_check("refund-policy/", SITE)


def clean(html: str) -> str:
    return sanitise(html, CHECK).html


@pytest.mark.parametrize(("hostile", "gone"), [
    ("<script>alert('S1')</script>", "S1"),
    ("<img src=x onerror=\"alert('S2')\">", "S2"),
    ("<svg onload=\"alert('S3')\"><text>S3t</text></svg>", "S3"),
    ("<iframe src=\"https://evil.example/S4\">S4b</iframe>", "S4"),
    ("<object data=\"x\">S5</object><embed src=\"S5e\">", "S5"),
    ("<a href=\"javascript:alert('S6')\">link</a>", "S6"),
    ("<a href=\"JaVaScRiPt&#58;alert('S7')\">link</a>", "S7"),
    ("<a href=\"data:text/html,S8\">link</a>", "S8"),
    ("<form action=\"https://evil.example/S9\"><input value=\"S9v\"></form>", "S9"),
    ("<style>p{color:red}</style><p>x</p><style>S10</style>", "S10"),
    ("<meta http-equiv=\"refresh\" content=\"0;url=S11\"><base href=\"S11b\">", "S11"),
    ("<div hidden>S12</div>", "S12"),
    ("<span style=\"display:none\">S13</span>", "S13"),
    ("<span style=\"font-size:0\">S14</span>", "S14"),
    ("<style>.note{visibility:hidden}</style><p class=\"note\">S15</p>", "S15"),
    ("<template>S16</template><noscript>S16n</noscript>", "S16"),
    ("<p>a<!-- S17 -->b</p>", "S17"),
    ("<p>a<!-- S18 never closed</p><p>more S18</p>", "S18"),
    ("<img src=\"../attachments/refund-policy/a.png\" title=\"S19\">", "S19"),
    ("<a href=\"../upgrade/\" title=\"S20\">x</a>", "S20"),
    ("<div style=\"display:none\"><div><p>S21</p></div><br>S21b</div>", "S21"),
    ("<p data-secret=\"S22\" aria-label=\"S22a\">x</p>", "S22"),
    ("<a href=\"../internal-playbook/S23\">x</a>", "S23"),
    ("<a href=\"/S24/\">x</a><a href=\"//evil.example/S24b\">y</a>", "S24"),
])
def test_hostile_html_leaves_nothing(hostile: str, gone: str) -> None:
    out = clean(hostile)
    assert gone not in out, out
    for marker in ("<script", "onerror", "onload", "<iframe", "<object", "<embed", "<form", "<input",
                   "<style", "<meta", "<base", "javascript:", "data:", "hidden", "style=", "<svg", "<!--"):
        assert marker not in out.lower(), (marker, out)


@pytest.mark.parametrize("kept", [
    '<h2 id="steps">Steps<a class="headerlink" href="#steps" rel="noopener noreferrer">¶</a></h2>',
    '<table><thead><tr><th style="text-align:center">Plan</th></tr></thead></table>',
    '<div class="admonition warning"><p class="admonition-title">Warning</p><p>x</p></div>',
    '<div class="highlight"><pre><span></span><code><span class="k">def</span> f</code></pre></div>',
    '<p><a href="../upgrade/" rel="noopener noreferrer">up</a> <a href="../upgrade/#how" rel="noopener noreferrer">how</a> '
    '<a href="https://example.com/" rel="noopener noreferrer">web</a> <a href="mailto:a@example.com" rel="noopener noreferrer">mail</a></p>',
    '<p><img src="../attachments/refund-policy/a.png" alt="Billing page"></p>',
    "<details><summary>More</summary>Shown when opened.</details>",
    '<p><abbr title="Single sign-on">SSO</abbr>, <kbd>Ctrl</kbd>, <strong>bold</strong>, <code>&lt;b&gt;</code></p>',
    '<ol start="3"><li>Three</li></ol>',
    '<p><a class="md-button md-button--primary" href="../" rel="noopener noreferrer">Home</a></p>',
])
def test_what_markdown_makes_is_kept(kept: str) -> None:
    assert clean(kept) == kept


def test_material_classes_and_ids_are_not_for_articles() -> None:
    out = clean('<p id="__config" class="md-sidebar md-button other">x</p><h2 id="ok">y</h2>')
    assert out == '<p class="md-button other">x</p><h2 id="ok">y</h2>'


def test_hidden_elements_are_counted() -> None:
    result = sanitise('<p hidden>a</p><p>b</p><span style="opacity:0">c</span><img src="x.png" hidden>', CHECK)
    assert result.html == "<p>b</p>" and result.hidden_removed == 3


def test_links_reach_only_pages_and_files_of_the_site() -> None:
    home = site_url_check("", SITE)
    assert home("refund-policy/") and home("upgrade/index.html") and home("#top") and home("attachments/refund-policy/a.png")
    assert not home("internal/") and not home("../refund-policy/../../x") and not home("/refund-policy/")
    assert not home("attachments/internal/a.csv") and not home("//evil.example/") and not home("refund-policy\\..\\x")
    assert CHECK("../") and CHECK("./") and CHECK("%2E%2E/upgrade/")


def test_titles_become_escaped_text() -> None:
    assert text_only('<img src=x onerror=alert(1)>A &amp; B <b>bold</b> &lt;c&gt;') == "A &amp; B bold &lt;c&gt;"


# ---------------------------------------------------------------- generated hostile HTML

TAG_NAMES = ["p", "div", "span", "a", "img", "script", "style", "iframe", "svg", "object", "details", "template", "b"]
SECRET = "SEKRETX"
HOSTILE_ATTRIBUTES = [
    'onerror="alert(1)"', "ONLOAD=alert(1)", 'onclick = "x()"', 'href="javascript:alert(1)"', "href=JaVaScRiPt:x",
    'href="java&#x09;script:x"', 'href="&#106;avascript:x"', 'src="data:text/html,x"', 'href=" vbscript:x"',
    'style="display:none"', 'style="DISPLAY : NONE"', 'style="font-size:0px"', 'style="opacity:0"', "hidden",
    'hidden="hidden"', f'title="{SECRET}"', f'data-x="{SECRET}"', f'aria-label="{SECRET}"',
]

HIDING = {'style="display:none"', 'style="DISPLAY : NONE"', 'style="font-size:0px"', 'style="opacity:0"', "hidden", 'hidden="hidden"'}
NEVER_SHOWN = {"script", "style", "iframe", "svg", "object", "template"}


def _hostile_html() -> object:
    from hypothesis import strategies as st  # lazy: only this property test needs it

    def build(tag: str, attrs: list[str], inner: str, close: bool) -> str:
        hides = tag in NEVER_SHOWN or any(a in HIDING for a in attrs)
        secret = SECRET if hides and tag != "img" else ""  # text right inside a hidden element
        return f"<{tag} {' '.join(attrs)}>{secret}{inner}" + (f"</{tag}>" if close else "")

    def element(children: object) -> object:
        return st.builds(
            build, st.sampled_from(TAG_NAMES), st.lists(st.sampled_from(HOSTILE_ATTRIBUTES), max_size=3),
            children, st.booleans(),
        )

    text = st.sampled_from(["plain ", "more text ", "<!-- ", " -->", "&lt;", "&gt;"])  # a bare "<" would merge tags
    return st.recursive(text, lambda children: element(st.lists(children, max_size=3).map("".join)), max_leaves=8)


def test_generated_hostile_html_never_runs_or_hides() -> None:
    """Any nesting of hostile tags and attributes, closed or not: nothing runs, and text
    in a hidden element (or in an attribute) is never in the output."""
    from hypothesis import given, settings  # lazy, see above

    @settings(max_examples=300, deadline=None)
    @given(_hostile_html())
    def check(fragment: str) -> None:
        out = sanitise(fragment, CHECK).html.lower()
        for marker in ("<script", "<style", "<iframe", "<svg", "<object", "<template", " on", "javascript:",
                       "vbscript:", "data:", " hidden", "style=", "title=", "aria-", "data-", SECRET.lower()):
            assert marker not in out, (marker, fragment, out)

    check()


def test_any_text_is_sanitised_without_an_exception() -> None:
    from hypothesis import given, settings  # lazy: only this property test needs it
    from hypothesis import strategies as st  # lazy, see above

    pieces = st.sampled_from(["<", ">", "<!", "<![", "<?", "<!--", "-->", "</", "<p", "<style>", "</style>", "<div hidden",
                              "=", '"', "'", " style=\"", "opacity:.", "{", "}", "x", " ", "<a href=", "../", "%", "\x00"])

    @settings(max_examples=300, deadline=None)
    @given(st.lists(pieces, max_size=30).map("".join))
    def check(fragment: str) -> None:
        out = sanitise(fragment, CHECK).html
        assert "<style" not in out and " hidden" not in out

    check()
