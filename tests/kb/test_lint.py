"""Every lint rule: a failing example at an exact file:line, and a passing one."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from kbops.config import Settings
from kbops.kb.lint import exit_code, lint_kb, render_github
from kbops.kb.loader import load_kb
from kbops.kb.model import Finding
from tests.factories import line_of, write_article

TODAY = date(2026, 11, 23)


def lint(kb_dir: Path, **settings: object) -> list[tuple[str, int, str]]:
    config = Settings(root=kb_dir.parent, **settings)  # type: ignore[arg-type]
    return [(f.path, f.line, f.code) for f in lint_kb(load_kb(config), config, today=TODAY)]


def test_clean_kb_has_no_findings(kb_dir: Path) -> None:
    write_article(kb_dir, "a", related="[b]", body="Intro.\n\n## Steps\n\nSee [b](b.md#steps).\n")
    write_article(kb_dir, "b")
    assert lint(kb_dir) == []


def test_duplicate_id_points_to_the_first(kb_dir: Path) -> None:
    write_article(kb_dir, "a")
    (kb_dir / "z.md").write_text((kb_dir / "a.md").read_text().replace("Guide", "Another title"))
    findings = lint_kb(load_kb(Settings(root=kb_dir.parent)), Settings(root=kb_dir.parent), today=TODAY)
    assert [(f.path, f.line, f.code) for f in findings] == [("kb/z.md", 2, "duplicate-id")]
    assert "kb/a.md:2" in findings[0].message


def test_broken_link_and_anchor(kb_dir: Path) -> None:
    body = "Intro.\n\n## Steps\n\n[x](missing.md)\n[y](b.md#nope)\n[z](#steps)\n[w](#nowhere)\n"
    write_article(kb_dir, "a", body=body)
    write_article(kb_dir, "b")
    body_line = line_of("related") + 2
    assert lint(kb_dir) == [
        ("kb/a.md", body_line + 4, "broken-link"),
        ("kb/a.md", body_line + 5, "broken-anchor"),
        ("kb/a.md", body_line + 7, "broken-anchor"),
    ]


def test_link_to_existing_non_article_file_is_fine(kb_dir: Path) -> None:
    (kb_dir / "attachments" / "a").mkdir(parents=True)
    (kb_dir / "attachments" / "a" / "img.png").write_bytes(b"png")
    write_article(kb_dir, "a", body="Intro [file](attachments/a/img.png).\n")
    assert lint(kb_dir) == []


@pytest.mark.parametrize(("audience", "status"), [("internal", "published"), ("public", "draft"), ("public", "archived")])
def test_public_article_must_not_link_to_hidden_ones(kb_dir: Path, audience: str, status: str) -> None:
    write_article(kb_dir, "a", body="Intro [see](b.md).\n")
    write_article(kb_dir, "b", audience=audience, status=status)
    assert lint(kb_dir) == [("kb/a.md", line_of("related") + 2, "link-to-unpublished")]


def test_internal_article_may_link_to_internal(kb_dir: Path) -> None:
    write_article(kb_dir, "a", audience="internal", body="Intro [see](b.md).\n")
    write_article(kb_dir, "b", audience="internal")
    assert lint(kb_dir) == []


def test_related_unknown_and_not_public(kb_dir: Path) -> None:
    write_article(kb_dir, "a", related="[ghost, b]")
    write_article(kb_dir, "b", audience="internal")
    assert lint(kb_dir) == [
        ("kb/a.md", line_of("related"), "related-not-public"),
        ("kb/a.md", line_of("related"), "unknown-related"),
    ]


def test_stale_review(kb_dir: Path) -> None:
    write_article(kb_dir, "old", reviewed="2025-01-01", review_every_days=90)
    write_article(kb_dir, "fresh", reviewed="2026-11-01", review_every_days=90)
    write_article(kb_dir, "draft", status="draft", reviewed="2020-01-01")
    write_article(kb_dir, "never", reviewed=None)
    assert lint(kb_dir) == [
        ("kb/never.md", 1, "stale-review"),
        ("kb/old.md", line_of("reviewed"), "stale-review"),
    ]


def test_missing_owner(kb_dir: Path) -> None:
    write_article(kb_dir, "a", owner='""')
    write_article(kb_dir, "b", owner=None)
    assert lint(kb_dir) == [("kb/a.md", line_of("owner"), "missing-owner"), ("kb/b.md", 1, "missing-owner")]


def test_empty_section(kb_dir: Path) -> None:
    body = "Intro.\n\n## Empty\n\n## Parent\n\n### Child\n\nText.\n\n## Last\n"
    write_article(kb_dir, "a", body=body)
    body_line = line_of("related") + 2
    assert lint(kb_dir) == [("kb/a.md", body_line + 2, "empty-section"), ("kb/a.md", body_line + 10, "empty-section")]


def test_near_duplicate_titles(kb_dir: Path) -> None:
    write_article(kb_dir, "a", title="Reset your password")
    write_article(kb_dir, "b", title="Reset your passwords")
    write_article(kb_dir, "c", title="Password, reset your")
    write_article(kb_dir, "d", title="Export a project")
    write_article(kb_dir, "e", title="Reset your password", status="archived")
    found = lint(kb_dir)
    assert ("kb/b.md", line_of("title"), "near-duplicate-title") in found
    assert ("kb/c.md", line_of("title"), "near-duplicate-title") in found
    assert all(path not in ("kb/d.md", "kb/e.md") for path, _, _ in found)


def test_unknown_category_and_risk_topic(kb_dir: Path) -> None:
    write_article(kb_dir, "a", category="billing-ish", sensitive="[refund, refunds]")
    assert lint(kb_dir) == [
        ("kb/a.md", line_of("category"), "unknown-category"),
        ("kb/a.md", line_of("sensitive"), "unknown-risk-topic"),
    ]


def test_parse_failure_does_not_cascade(kb_dir: Path) -> None:
    write_article(kb_dir, "a", related="[b]", body="Intro [b](b.md#steps).\n")
    write_article(kb_dir, "b", reviewed="2026-02-30")
    assert lint(kb_dir) == [("kb/b.md", line_of("reviewed"), "schema-error")]


def test_disabled_rules(kb_dir: Path) -> None:
    write_article(kb_dir, "a", owner=None)
    assert lint(kb_dir, lint={"disabled": ["missing-owner"]}) == []


def test_exit_code_and_github_format() -> None:
    warning = Finding("kb/a.md", 3, "missing-owner", "warning", "m", "f")  # type: ignore[arg-type]
    error = Finding("kb/b.md", 7, "broken-link", "error", "50% broken", "f")  # type: ignore[arg-type]
    assert exit_code([warning]) == 0
    assert exit_code([warning, error]) == 1
    assert render_github([error]) == "::error file=kb/b.md,line=7,title=broken-link::broken-link 50%25 broken (f)"
