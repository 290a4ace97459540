"""Staging, without mkdocs: symlinked articles are not staged, attachments are copied from
their real file, front matter is escaped text, and kbops' sanitising hooks are always in
the derived config."""

from __future__ import annotations

import os
from pathlib import Path

import yaml

from kbops.config import Settings
from kbops.kb.loader import parse_article
from kbops.kb.model import Article, KnowledgeBase
from kbops.site.model import SiteProject
from kbops.site.stage import HOOKS_FILE, stage_site
from tests.conftest import REPO
from tests.factories import article_text


def project(tmp_path: Path, *, hooks: list[str] | None = None) -> tuple[Settings, SiteProject]:
    (tmp_path / "kb").mkdir()
    config = yaml.safe_load((REPO / "mkdocs.yml").read_text())
    if hooks is not None:
        config["hooks"] = hooks
    (tmp_path / "mkdocs.yml").write_text(yaml.safe_dump(config))
    settings = Settings(root=tmp_path)
    return settings, SiteProject.load(settings)


def kb_of(settings: Settings, *articles_on_disk: tuple[str, str]) -> KnowledgeBase:
    """A KB of (path under kb/, article text) pairs, parsed here (not by the loader)."""
    found = [parse_article(f"kb/{path}", text.encode(), settings) for path, text in articles_on_disk]
    assert all(isinstance(item, Article) for item in found)
    return KnowledgeBase(tuple(found), (), settings.kb_dir.resolve(), settings.root.resolve())  # type: ignore[arg-type]


def test_symlinked_articles_are_not_staged(tmp_path: Path) -> None:
    settings, site = project(tmp_path)
    outside = tmp_path / "elsewhere.md"
    outside.write_text(article_text("outside", body="Outside text.\n"))
    os.symlink(outside, tmp_path / "kb" / "outside.md")
    (tmp_path / "kb" / "real.md").write_text(article_text("real"))
    os.symlink("real.md", tmp_path / "kb" / "alias.md")
    kb = kb_of(settings, ("outside.md", outside.read_text()), ("real.md", article_text("real")),
               ("alias.md", article_text("real")))
    report = stage_site(kb, settings, site, tmp_path / "build")
    assert report.published == ("real",)
    assert {(item.path, item.reason) for item in report.excluded} == {("kb/outside.md", "symlink"), ("kb/alias.md", "symlink")}
    staged = sorted(p.relative_to(site.docs).as_posix() for p in site.docs.rglob("*.md"))
    assert "outside.md" not in staged and "alias.md" not in staged and "real.md" in staged


def test_attachments_are_copied_from_their_real_file(tmp_path: Path) -> None:
    settings, site = project(tmp_path)
    folder = tmp_path / "kb" / "attachments" / "a"
    folder.mkdir(parents=True)
    (folder / "real.csv").write_text("a,b\n")
    os.symlink("real.csv", folder / "link.csv")
    body = "[data](attachments/a/link.csv) and <img src=\"attachments/a/real.csv\" width=\"10\">\n"
    text = article_text("a", body=body)
    (tmp_path / "kb" / "a.md").write_text(text)
    report = stage_site(kb_of(settings, ("a.md", text)), settings, site, tmp_path / "build")
    assert report.assets == ("attachments/a/link.csv", "attachments/a/real.csv")
    staged = site.docs / "attachments" / "a" / "link.csv"
    assert staged.read_text() == "a,b\n" and not staged.is_symlink()


def test_front_matter_is_escaped_text(tmp_path: Path) -> None:
    settings, site = project(tmp_path)
    text = article_text("a", title="'Refunds <img src=x onerror=alert(1)> & more'", summary="'Say \"hi\"'")
    (tmp_path / "kb" / "a.md").write_text(text)
    stage_site(kb_of(settings, ("a.md", text)), settings, site, tmp_path / "build")
    meta = yaml.safe_load((site.docs / "a.md").read_text().split("---\n")[1])
    assert meta["title"] == "Refunds &lt;img src=x onerror=alert(1)&gt; &amp; more"
    assert meta["description"] == "Say &quot;hi&quot;"
    home = (site.docs / "index.md").read_text()
    assert "[Refunds &lt;img src=x onerror=alert(1)&gt; &amp; more](a.md)" in home


def test_kbops_hooks_are_always_in_the_derived_config(tmp_path: Path) -> None:
    (tmp_path / "hooks").mkdir()
    (tmp_path / "hooks" / "mine.py").write_text("")
    settings, site = project(tmp_path, hooks=["hooks/mine.py", f"site/.staging/{HOOKS_FILE}"])
    text = article_text("a")
    (tmp_path / "kb" / "a.md").write_text(text)
    report = stage_site(kb_of(settings, ("a.md", text)), settings, site, tmp_path / "build")
    derived = yaml.safe_load(Path(report.config_file).read_text())
    assert derived["hooks"] == [str((tmp_path / "hooks" / "mine.py").resolve()), str(site.staging / HOOKS_FILE)]
    assert "from kbops.site.hooks import" in (site.staging / HOOKS_FILE).read_text()
