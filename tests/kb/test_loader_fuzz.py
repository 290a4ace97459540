"""Hostile front matter: whatever a file holds, loading and lint finish, quickly and with
short messages at a file and line; never a crash, a hang or a flood of output.

Hypothesis writes front matter from typed values (every field, wrong types, huge numbers,
odd text) and from raw YAML-ish text (anchors, aliases, tags, flow collections); the
named cases are the ones that used to take the tool down."""

from __future__ import annotations

import os
import string
from datetime import date
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kbops.config import Settings
from kbops.kb.lint import lint_kb
from kbops.kb.loader import MAX_FRONT_MATTER_VALUES, build_kb, load_kb, parse_article
from kbops.kb.model import MAX_REVIEW_DAYS, Article, ArticleMeta, Finding
from tests.conftest import run_kbops
from tests.factories import article_text, kb_project, line_of

SETTINGS = Settings()
FUZZ = settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
LOADER_CODES = {"empty-file", "too-large", "not-utf8", "missing-front-matter", "yaml-error", "duplicate-key",
                "unknown-field", "schema-error"}
MESSAGE_LIMIT = 600


def parse(text: str) -> Article | Finding:
    return parse_article("kb/a.md", text.encode("utf-8", errors="surrogatepass"), SETTINGS)


def assert_readable(finding: Finding) -> None:
    """One line, short, at a real line of the file, with a known code."""
    rendered = finding.render()
    assert finding.code in LOADER_CODES, rendered
    assert finding.line >= 1 and "\n" not in rendered and len(rendered) < MESSAGE_LIMIT, rendered


def laughs(levels: int = 9) -> str:
    """A YAML 'billion laughs': 9 anchors, each a list of 9 aliases of the one before."""
    anchors = ['&l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    anchors += [f"&l{i} [" + ",".join([f"*l{i - 1}"] * 9) + "]" for i in range(1, levels)]
    return "[" + ", ".join(anchors) + "]"


scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=40),
    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)).map(str),
    st.sampled_from(["public", "internal", "published", "draft", "archived", "technical", "billing", "yes", "~"]),
)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
    st.text(max_size=8), inner, max_size=3), max_leaves=12)
field_names = st.sampled_from([*ArticleMeta.model_fields, "ownr", "Audience", "<<"])


VALID = {"id": "a", "title": "T", "category": "technical", "audience": "public", "status": "published"}


@FUZZ
@given(st.dictionaries(field_names, values, max_size=12))
def test_any_typed_front_matter_loads_or_says_why(fields: dict[str, object]) -> None:
    try:
        front = yaml.safe_dump({**VALID, **fields}, allow_unicode=True, sort_keys=False)
    except yaml.YAMLError:
        return
    parsed = parse(f"---\n{front}---\nBody.\n")
    if isinstance(parsed, Finding):
        assert_readable(parsed)
        return
    assert 0 < parsed.meta.review_every_days <= MAX_REVIEW_DAYS
    kb = build_kb([("kb/a.md", f"---\n{front}---\nBody.\n".encode())], SETTINGS, Path("kb"), Path("."))
    for finding in lint_kb(kb, SETTINGS, today=date(2026, 11, 29)):
        assert "\n" not in finding.render()


yaml_bits = st.sampled_from([
    "id: a", "title: T", "category: technical", "audience: public", "status: published", "tags: ",
    "&x ", "*x", "&y [", "*y", "]", "[", "{", "}", ", ", ": ", "- ", "!!python/object:os.system", "!!binary ",
    "!!int ", "<<: *x", "'", '"', "\n", "  ", "#", "|", ">", "?", "9" * 40, "~", "&x [*x]", "reviewed: 9999-12-31",
    "review_every_days: ", "\t", "%YAML 1.1", "---", "...",
])


@FUZZ
@given(st.lists(yaml_bits | st.text(alphabet=string.printable, max_size=6), max_size=40))
def test_any_yaml_text_loads_or_says_why(bits: list[str]) -> None:
    parsed = parse("---\nid: a\n" + "".join(bits) + "\n---\nBody.\n")
    if isinstance(parsed, Finding):
        assert_readable(parsed)


@pytest.mark.parametrize("field", ["tags", "title", "related", "summary"])
def test_billion_laughs_is_refused_at_its_line(field: str) -> None:
    text = article_text("a", **{field: laughs()})
    finding = parse(text)
    assert isinstance(finding, Finding)
    assert (finding.code, finding.line) == ("yaml-error", line_of(field))
    assert f"more than {MAX_FRONT_MATTER_VALUES:,} values through YAML aliases" in finding.message
    assert_readable(finding)


def test_small_aliases_still_work() -> None:
    article = parse(article_text("a", tags="&t [export, csv]", related="*t"))
    assert isinstance(article, Article) and article.meta.related == ("export", "csv")


@pytest.mark.parametrize(
    ("fields", "code", "says"),
    [
        ({"tags": "&a [*a]"}, "yaml-error", "refers to a value that contains it"),
        ({"review_every_days": "9" * 5000}, "yaml-error", "more than 30 digits"),
        ({"review_every_days": "99999999999999999999"}, "schema-error", f"less than or equal to {MAX_REVIEW_DAYS}"),
        ({"review_every_days": "36501"}, "schema-error", f"less than or equal to {MAX_REVIEW_DAYS}"),
        ({"reviewed": "9999-12-30"}, "schema-error", "less than or equal to 9799-12-31"),
        ({"tags": "[" * 3000 + "]" * 3000}, "yaml-error", "nest"),
        ({"tags": "{a: " + "b" * 100_000 + "}"}, "schema-error", "field 'tags'"),
        ({"title": "!!python/object/apply:os.system [echo]"}, "yaml-error", "constructor"),
    ],
)
def test_hostile_values_are_short_findings(fields: dict[str, str], code: str, says: str) -> None:
    finding = parse(article_text("a", **fields))
    assert isinstance(finding, Finding), finding
    assert finding.code == code and says in finding.message
    assert_readable(finding)


def test_the_longest_review_interval_never_overflows_lint() -> None:
    text = article_text("a", reviewed="9799-12-31", review_every_days=MAX_REVIEW_DAYS)
    kb = build_kb([("kb/a.md", text.encode())], SETTINGS, Path("kb"), Path("."))
    assert not kb.problems
    assert [f.code for f in lint_kb(kb, SETTINGS, today=date(2026, 11, 29))] == []


def test_symlinks_out_of_the_kb_are_never_read(tmp_path: Path) -> None:
    project = kb_project(tmp_path / "project", article_text("inside"))
    secret = tmp_path / "secret.md"
    secret.write_text(article_text("secret", body="Internal salary bands.\n"))
    os.symlink(secret, project / "kb" / "leak.md")
    os.symlink(tmp_path / "missing.md", project / "kb" / "dangling.md")
    os.symlink(project / "kb" / "inside.md", project / "kb" / "alias.md")  # inside the KB: read as usual
    kb = load_kb(Settings(root=project))
    assert sorted(a.path for a in kb.articles) == ["kb/alias.md", "kb/inside.md"]
    assert {(p.path, p.code) for p in kb.problems} == {
        ("kb/leak.md", "symlink-outside-kb"), ("kb/dangling.md", "symlink-outside-kb")}
    assert all("Internal salary" not in a.body for a in kb.articles)


@pytest.mark.slow
def test_cli_lint_on_hostile_articles_and_a_kb_outside_the_project(tmp_path: Path) -> None:
    project = kb_project(tmp_path / "project", article_text("good"), article_text("laughs", tags=laughs()),
                         article_text("laughing-title", title=laughs()),
                         article_text("huge", review_every_days="9" * 400))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "other.md").write_text(article_text("other"))
    os.symlink(tmp_path / "elsewhere" / "other.md", project / "kb" / "leak.md")
    linted = run_kbops("lint", "--today", "2026-11-29", cwd=project)
    assert linted.returncode == 1 and "Traceback" not in linted.stderr, linted.stderr
    assert len(linted.stdout) < 5_000
    for expected in ("kb/laughs.md:7: yaml-error", "kb/laughing-title.md:3: yaml-error", "kb/huge.md:12: yaml-error",
                     "kb/leak.md:1: symlink-outside-kb"):
        assert expected in linted.stdout, linted.stdout
    outside = run_kbops("--kb", str(elsewhere), "lint", "--today", "2026-11-29", cwd=project)
    assert outside.returncode == 0 and "Traceback" not in outside.stderr, outside.stderr
    assert "1 articles checked" in outside.stdout
