"""The mkdocs hooks: titles reach the theme as escaped text that Jinja's `| e` does not
escape twice, and links may reach only the site's own pages and staged files."""

from __future__ import annotations

from types import SimpleNamespace

import jinja2

from kbops.site.hooks import escaped_text, on_page_content, site_paths


def test_titles_are_escaped_once_whether_or_not_the_template_escapes() -> None:
    title = escaped_text('Refunds <img src=x onerror=alert(1)> & "more"')
    template = jinja2.Environment().from_string("{{ t }}|{{ t | e }}")
    assert template.render(t=title) == "Refunds  &amp; &quot;more&quot;|Refunds  &amp; &quot;more&quot;"
    assert escaped_text(escaped_text("A &amp; B")) == "A &amp; B"  # idempotent


class _File(SimpleNamespace):
    def is_documentation_page(self) -> bool:
        return bool(self.page)


def test_page_content_is_sanitised_against_the_site_files(tmp_path) -> None:  # noqa: ANN001
    docs = tmp_path / "docs"
    files = [
        _File(page=True, url="guide/", dest_uri="guide/index.html", abs_src_path=str(docs / "guide.md")),
        _File(page=False, url="attachments/guide/a.png", dest_uri="attachments/guide/a.png",
              abs_src_path=str(docs / "attachments/guide/a.png")),
        _File(page=False, url="assets/x.js", dest_uri="assets/x.js", abs_src_path=str(tmp_path / "theme/x.js")),
    ]
    assert site_paths(files, str(docs)) == {"guide", "guide/index.html", "attachments/guide/a.png"}
    toc = [SimpleNamespace(title="<b>Step</b> &amp; go", children=[SimpleNamespace(title="<i>x</i>", children=[])])]
    page = SimpleNamespace(url="other/", toc=toc, meta={"title": "T <script>", "description": 'D "q"'})
    html = '<p><a href="../guide/">ok</a><a href="../assets/x.js">no</a><img src="../attachments/guide/a.png"></p><script>x</script>'
    out = on_page_content(html, page, {"docs_dir": str(docs)}, files)
    assert out == '<p><a href="../guide/" rel="noopener noreferrer">ok</a><a rel="noopener noreferrer">no</a><img src="../attachments/guide/a.png"></p>'
    assert toc[0].title == "Step &amp; go" and toc[0].children[0].title == "x"
    assert page.meta == {"title": "T ", "description": "D &quot;q&quot;"}
