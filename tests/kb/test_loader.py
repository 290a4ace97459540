"""Reading articles: typed fields with line numbers, and clear findings for unreadable files."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from kbops.config import Settings
from kbops.kb.loader import load_kb, parse_article
from kbops.kb.model import Article, Finding
from tests.factories import article_text, line_of, write_article

SETTINGS = Settings()


def parse(text: str | bytes, path: str = "kb/a.md") -> Article | Finding:
    data = text.encode() if isinstance(text, str) else text
    return parse_article(path, data, SETTINGS)


def test_parses_typed_fields_with_line_numbers() -> None:
    article = parse(article_text("reset-password", sensitive="[refund, legal]", related="[a, b]"))
    assert isinstance(article, Article)
    assert article.meta.reviewed == date(2026, 10, 1)
    assert article.risk_topics == ("refund", "legal")
    assert article.meta.related == ("a", "b")
    assert article.line_of("reviewed") == line_of("reviewed")
    assert article.line_of("id") == 2
    assert article.body_line == len(article_text("x").split("\n")[:15]) + 1


def test_bad_date_is_a_field_error_on_its_line() -> None:
    finding = parse(article_text("a", reviewed="2026-13-45"))
    assert isinstance(finding, Finding)
    assert (finding.line, finding.code) == (line_of("reviewed"), "schema-error")
    assert "YYYY-MM-DD" in finding.fix


def test_unknown_field_names_the_field_and_line() -> None:
    text = article_text("a").replace("owner: sam", "ownr: sam")
    finding = parse(text)
    assert isinstance(finding, Finding)
    assert (finding.line, finding.code) == (line_of("owner"), "unknown-field")
    assert "'ownr'" in finding.message


def test_missing_required_field() -> None:
    finding = parse(article_text("a", category=None))
    assert isinstance(finding, Finding)
    assert finding.code == "schema-error" and "'category'" in finding.message


def test_malformed_yaml_reports_the_line() -> None:
    finding = parse(article_text("a", title='"unclosed'))
    assert isinstance(finding, Finding)
    assert finding.code == "yaml-error"
    assert finding.line >= line_of("title")


def test_duplicate_key_is_reported() -> None:
    text = article_text("a").replace("owner: sam", "owner: sam\nowner: kim")
    finding = parse(text)
    assert isinstance(finding, Finding) and finding.code == "duplicate-key"
    assert finding.line == line_of("owner") + 1


def test_non_utf8_reports_the_line_of_the_bad_byte() -> None:
    data = article_text("a").encode() + b"caf\xe9\n"
    finding = parse(data)
    assert isinstance(finding, Finding) and finding.code == "not-utf8"
    assert finding.line == data.count(b"\n")


def test_empty_and_missing_front_matter() -> None:
    assert parse(b"").code == "empty-file"  # type: ignore[union-attr]
    assert parse("  \n\n").code == "empty-file"  # type: ignore[union-attr]
    assert parse("# Just a heading\n").code == "missing-front-matter"  # type: ignore[union-attr]
    assert parse("---\nid: a\n").code == "missing-front-matter"  # type: ignore[union-attr]


def test_load_kb_keeps_going_past_bad_files(kb_dir: Path) -> None:
    write_article(kb_dir, "good")
    (kb_dir / "empty.md").write_text("")
    (kb_dir / "huge.md").write_bytes(b"---\n" + b"x" * 10_000_000)
    (kb_dir / "latin1.md").write_bytes(article_text("latin1").encode() + b"\xff")
    (kb_dir / "broken.md").write_text("---\nid: [\n---\n")
    kb = load_kb(Settings(root=kb_dir.parent))
    assert [a.id for a in kb.articles] == ["good"]
    codes = {Path(p.path).name: p.code for p in kb.problems}
    assert codes == {
        "empty.md": "empty-file",
        "huge.md": "too-large",
        "latin1.md": "not-utf8",
        "broken.md": "yaml-error",
    }
    assert all(p.path.startswith("kb/") for p in kb.problems)
    assert "10.0 MB" in next(p.message for p in kb.problems if p.code == "too-large")
