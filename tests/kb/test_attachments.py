"""Attachments follow their article: `kb/attachments/<id>/` files are published only for a
public, published owner, never through a symlink that leaves the KB, never as a page."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kbops.kb.attachments import (
    FILE_TYPE,
    MISSING,
    NOT_PUBLIC,
    OUTSIDE_KB,
    SYMLINK,
    check_file,
    kb_relative,
    owner_of,
    public_owners,
)
from tests.factories import article

OWNERS = frozenset({"public-a"})


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    root = tmp_path / "kb"
    for owner in ("public-a", "internal-b"):
        (root / "attachments" / owner).mkdir(parents=True)
        (root / "attachments" / owner / "file.csv").write_text(f"{owner}\n")
    (root / "internal-b.md").write_text("---\nid: internal-b\n---\n")
    (root / "loose.png").write_text("png")
    (tmp_path / "outside.csv").write_text("outside\n")
    return root


def verdict(kb: Path, path: str) -> tuple[str | None, str | None]:
    found = check_file(kb, path, OWNERS)
    return found.refusal, (found.real.relative_to(kb).as_posix() if found.real else None)


def test_an_attachment_of_a_public_article_is_published(kb: Path) -> None:
    assert verdict(kb, "attachments/public-a/file.csv") == (None, "attachments/public-a/file.csv")


def test_an_attachment_of_an_internal_article_or_of_nobody_is_not(kb: Path) -> None:
    assert verdict(kb, "attachments/internal-b/file.csv") == (NOT_PUBLIC, None)
    assert verdict(kb, "loose.png") == (NOT_PUBLIC, None)
    assert verdict(kb, "attachments/nobody/file.csv") == (MISSING, None)


@pytest.mark.parametrize(("link", "target", "refusal"), [
    ("attachments/public-a/out.csv", "../../../outside.csv", SYMLINK),
    ("attachments/public-a/abs.csv", "/etc/hostname", SYMLINK),
    ("attachments/public-a/internal.csv", "../internal-b/file.csv", NOT_PUBLIC),
    ("attachments/public-a/article.txt", "../../internal-b.md", NOT_PUBLIC),
    ("attachments/public-a/dangling.csv", "nowhere.csv", MISSING),
])
def test_symlinks_are_judged_by_where_they_land(kb: Path, link: str, target: str, refusal: str) -> None:
    os.symlink(target, kb / link)
    assert verdict(kb, link) == (refusal, None)


def test_a_symlinked_folder_is_judged_by_where_it_lands(kb: Path) -> None:
    os.symlink("../internal-b", kb / "attachments" / "public-a" / "shared")
    os.symlink(kb.parent, kb / "attachments" / "public-a" / "up")
    assert verdict(kb, "attachments/public-a/shared/file.csv") == (NOT_PUBLIC, None)
    assert verdict(kb, "attachments/public-a/up/outside.csv") == (SYMLINK, None)


def test_a_symlink_inside_a_public_folder_to_another_public_file_is_published(kb: Path) -> None:
    os.symlink("file.csv", kb / "attachments" / "public-a" / "same.csv")
    assert verdict(kb, "attachments/public-a/same.csv") == (None, "attachments/public-a/file.csv")


@pytest.mark.parametrize("name", ["page.html", "drawing.svg", "notes.md", "NOTES.MD", "run.js", "no-extension"])
def test_files_a_browser_would_run_or_render_are_not_published(kb: Path, name: str) -> None:
    (kb / "attachments" / "public-a" / name).write_text("<script>alert(1)</script>")
    assert verdict(kb, f"attachments/public-a/{name}") == (FILE_TYPE, None)


@pytest.mark.parametrize("path", ["../outside.csv", "..", "/etc/hostname"])
def test_paths_leaving_the_kb(kb: Path, path: str) -> None:
    assert verdict(kb, path) == (OUTSIDE_KB, None)


def test_unreadable_paths_are_missing_not_a_crash(kb: Path) -> None:
    assert verdict(kb, "attachments/public-a/\x00.csv")[0] == MISSING
    os.symlink("loop.csv", kb / "attachments" / "public-a" / "loop.csv")
    assert verdict(kb, "attachments/public-a/loop.csv")[0] == MISSING


def test_owners_and_kb_paths() -> None:
    assert owner_of("attachments/a/x.png") == "a" and owner_of("attachments/a/b/x.png") == "a"
    assert owner_of("attachments/x.png") is None and owner_of("images/a/x.png") is None
    articles = [article("a"), article("b", audience="internal"), article("c"), article("c", status="draft")]
    assert public_owners(articles) == {"a"}  # a duplicate id that is also a draft owns nothing public
    assert kb_relative(Path("/p/kb"), Path("/p"), "kb/x/../y.md") == "y.md"
    assert kb_relative(Path("/p/kb"), Path("/p"), "kb/../elsewhere/y.md") is None
