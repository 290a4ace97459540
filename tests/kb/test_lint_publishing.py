"""The help-site lint rules: attachment-not-public, hidden-text, unsafe-html; each with a
failing example at an exact file:line and a passing one."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from kbops.config import Settings
from kbops.kb.lint import lint_kb
from kbops.kb.loader import load_kb
from tests.factories import line_of, write_article

BODY_LINE = line_of("related") + 2
"""The first body line of a `write_article` file."""


def lint(kb_dir: Path, **settings: object) -> list[tuple[str, int, str]]:
    config = Settings(root=kb_dir.parent, **settings)  # type: ignore[arg-type]
    return [(f.path, f.line, f.code) for f in lint_kb(load_kb(config), config, today=date(2026, 11, 23))]


def attach(kb_dir: Path, owner: str, name: str = "file.csv") -> Path:
    path = kb_dir / "attachments" / owner / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("a,b\n")
    return path


def test_public_article_may_link_its_own_and_other_public_attachments(kb_dir: Path) -> None:
    attach(kb_dir, "a", "shot.png")
    attach(kb_dir, "b")
    write_article(kb_dir, "a", body="![shot](attachments/a/shot.png) and [data](attachments/b/file.csv).\n")
    write_article(kb_dir, "b")
    assert lint(kb_dir) == []


@pytest.mark.parametrize(("audience", "status"), [("internal", "published"), ("public", "draft"), ("public", "archived")])
def test_public_article_linking_a_non_public_articles_attachment(kb_dir: Path, audience: str, status: str) -> None:
    attach(kb_dir, "b")
    write_article(kb_dir, "a", body="Intro.\n\nSee [the data](attachments/b/file.csv).\n")
    write_article(kb_dir, "b", audience=audience, status=status)
    assert lint(kb_dir) == [("kb/a.md", BODY_LINE + 2, "attachment-not-public")]


def test_files_outside_attachments_symlinks_and_pages_are_reported(kb_dir: Path, tmp_path: Path) -> None:
    (kb_dir / "loose.png").write_text("png")
    (tmp_path / "secret.txt").write_text("secret")
    attach(kb_dir, "a")
    os.symlink(tmp_path / "secret.txt", kb_dir / "attachments" / "a" / "out.txt")
    attach(kb_dir, "a", "page.html")
    body = "![x](loose.png)\n[y](attachments/a/out.txt)\n[z](attachments/a/page.html)\n[up](../secret.txt)\n[abs](/loose.png)\n"
    write_article(kb_dir, "a", body=body)
    expected = [("kb/a.md", BODY_LINE + n, "attachment-not-public") for n in range(5)]
    assert lint(kb_dir) == [*expected, ("kb/a.md", BODY_LINE + 4, "broken-link")]  # `/` is the disk's root


def test_raw_html_links_and_images_are_held_to_it_too(kb_dir: Path) -> None:
    attach(kb_dir, "b", "chart.png")
    attach(kb_dir, "a", "own.png")
    body = 'Intro.\n<img src="attachments/b/chart.png" width="200">\n<img src="attachments/a/own.png">\n'
    write_article(kb_dir, "a", body=body)
    write_article(kb_dir, "b", audience="internal")
    assert lint(kb_dir) == [("kb/a.md", BODY_LINE + 1, "attachment-not-public")]


def test_only_public_articles_are_held_to_it(kb_dir: Path) -> None:
    attach(kb_dir, "b")
    write_article(kb_dir, "a", audience="internal", body="[x](attachments/b/file.csv) <!-- note -->\n")
    write_article(kb_dir, "b", audience="internal")
    assert lint(kb_dir) == []


def test_hidden_text_and_unsafe_html_in_a_public_article(kb_dir: Path) -> None:
    body = "Intro <!-- for agents only -->.\n\n<div hidden>secret</div>\n\n<script>alert(1)</script>\n\n<!-- never closed\n"
    write_article(kb_dir, "a", body=body)
    assert lint(kb_dir) == [
        ("kb/a.md", BODY_LINE, "hidden-text"),
        ("kb/a.md", BODY_LINE + 2, "hidden-text"),
        ("kb/a.md", BODY_LINE + 4, "unsafe-html"),
        ("kb/a.md", BODY_LINE + 6, "hidden-text"),
    ]
    assert lint(kb_dir, lint={"disabled": ["unsafe-html"]}) == [
        ("kb/a.md", BODY_LINE, "hidden-text"), ("kb/a.md", BODY_LINE + 2, "hidden-text"),
        ("kb/a.md", BODY_LINE + 6, "hidden-text"),
    ]


def test_public_drafts_are_checked_archived_and_internal_ones_are_not(kb_dir: Path) -> None:
    write_article(kb_dir, "a", status="draft", body="<iframe src=\"https://x\"></iframe>\n")
    write_article(kb_dir, "b", status="archived", body="<iframe src=\"https://x\"></iframe>\n")
    write_article(kb_dir, "c", audience="internal", body="<!-- internal notes are fine -->\n")
    assert lint(kb_dir) == [("kb/a.md", BODY_LINE, "unsafe-html")]
