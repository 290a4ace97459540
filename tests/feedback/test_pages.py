"""The pages the endpoint takes votes for: each public, published article's page as the
browser names it (mkdocs' URL under site_url's path), and nothing else."""

from __future__ import annotations

from pathlib import Path

from kbops.config import load_settings
from kbops.kb.loader import load_kb
from kbops.site.model import SiteProject
from kbops.site.stage import article_pages
from tests.factories import demo_kb


def test_article_pages_are_the_public_articles_under_the_site_path(tmp_path: Path) -> None:
    project = demo_kb(tmp_path / "project")
    (project / "mkdocs.yml").write_text("site_name: Help\nsite_url: https://help.example.com/help/\n")
    settings = load_settings(project / "kbops.toml")
    kb = load_kb(settings)
    pages = article_pages(kb, settings, SiteProject.load(settings))
    assert pages["/help/export-project-csv/"] == "export-project-csv"
    public = {a.id for a in kb.articles if a.is_public}
    assert set(pages.values()) == public
    assert "enterprise-escalation-matrix" not in pages.values()  # internal
    assert all(page.startswith("/help/") and page.endswith("/") for page in pages)

