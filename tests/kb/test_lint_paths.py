"""`kbops lint PATHS...`: only the given articles' findings, checked against the whole KB."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from kbops.config import Settings
from kbops.errors import ConfigError
from kbops.kb.lint import lint_kb
from kbops.kb.lint_paths import article_paths, findings_of
from kbops.kb.loader import load_kb
from kbops.kb.model import KnowledgeBase
from tests.conftest import run_kbops
from tests.factories import line_of, write_article

LINK_TO_B = "Intro.\n\nSee [b](b.md).\n"
BROKEN = "Intro.\n\nSee [gone](gone.md).\n"


@pytest.fixture
def project(kb_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """a.md links to b.md (fine), c.md has a broken link, d.md is clean; cwd is the project."""
    write_article(kb_dir, "a", body=LINK_TO_B)
    write_article(kb_dir, "b")
    write_article(kb_dir, "c", body=BROKEN)
    write_article(kb_dir, "d")
    monkeypatch.chdir(kb_dir.parent)
    return kb_dir.parent


def loaded(project: Path, **settings: object) -> tuple[KnowledgeBase, Settings]:
    chosen = Settings(root=project, **settings)  # type: ignore[arg-type]
    return load_kb(chosen), chosen


def test_given_files_become_the_paths_findings_name(project: Path) -> None:
    kb, _ = loaded(project)
    given = [Path("kb/c.md"), project / "kb" / "a.md", Path("kb/../kb/c.md")]
    assert article_paths(kb, given) == ["kb/c.md", "kb/a.md"]


@pytest.mark.parametrize(("given", "says"), [
    ("kbops.toml", "kbops.toml: not a Markdown article (.md)"),
    ("kb", "kb: not a Markdown article"),
    ("README.md", "README.md: not inside the KB folder"),
    ("kb/missing.md", "kb/missing.md: no such file"),
])
def test_a_path_that_is_not_an_article_is_a_usage_error(project: Path, given: str, says: str) -> None:
    (project / "README.md").write_text("# project\n")
    kb, _ = loaded(project)
    with pytest.raises(ConfigError, match=re.escape(says)) as raised:
        article_paths(kb, [Path("kb/a.md"), Path(given)])
    assert raised.value.exit_code == 2


def test_only_the_given_files_are_reported_but_links_see_the_whole_kb(project: Path) -> None:
    kb, settings = loaded(project)
    everything = lint_kb(kb, settings)
    assert [f.path for f in everything if f.code == "broken-link"] == ["kb/c.md"]
    assert findings_of(everything, kb, ["kb/a.md"], settings) == []  # its link to b.md resolves
    assert [(f.path, f.code) for f in findings_of(everything, kb, ["kb/a.md", "kb/c.md"], settings)] == [
        ("kb/c.md", "broken-link")]


def test_a_duplicate_id_is_reported_on_whichever_file_is_given(project: Path) -> None:
    write_article(project / "kb", "e", id="d")  # e.md takes d's id; the full lint names e.md
    kb, settings = loaded(project)
    everything = lint_kb(kb, settings)
    assert [f.path for f in everything if f.code == "duplicate-id"] == ["kb/e.md"]
    on_d = findings_of(everything, kb, ["kb/d.md"], settings)
    assert [(f.path, f.line, f.code) for f in on_d] == [("kb/d.md", line_of("id"), "duplicate-id")]
    assert "kb/e.md" in on_d[0].message
    both = findings_of(everything, kb, ["kb/d.md", "kb/e.md"], settings)
    assert [f.path for f in both] == ["kb/d.md", "kb/e.md"]
    kb, quiet = loaded(project, lint={"disabled": ["duplicate-id"]})
    assert findings_of(lint_kb(kb, quiet), kb, ["kb/d.md"], quiet) == []


def test_kbops_lint_one_file(project: Path) -> None:
    clean = run_kbops("lint", "kb/a.md", cwd=project)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert clean.stdout.strip() == "1 articles checked: 0 errors, 0 warnings"
    broken = run_kbops("lint", "kb/c.md", "kb/a.md", cwd=project)
    assert broken.returncode == 1
    assert broken.stdout.splitlines()[0].startswith("kb/c.md:")
    assert broken.stdout.splitlines()[-1] == "2 articles checked: 1 errors, 0 warnings"


def test_kbops_lint_paths_as_json_and_github(project: Path) -> None:
    as_json = run_kbops("lint", "--json", "kb/c.md", cwd=project)
    assert as_json.returncode == 1
    payload = json.loads(as_json.stdout)
    assert payload["summary"] == {"articles": 1, "errors": 1, "warnings": 0}
    assert [f["path"] for f in payload["findings"]] == ["kb/c.md"]
    github = run_kbops("lint", "--format", "github", "kb/c.md", "kb/d.md", cwd=project)
    assert github.returncode == 1
    assert github.stdout.startswith("::error file=kb/c.md,line=")
    assert "2 articles checked: 1 errors, 0 warnings" in github.stderr


def test_kbops_lint_refuses_a_file_outside_the_kb(project: Path) -> None:
    done = run_kbops("lint", "kb/a.md", "kbops.toml", cwd=project)
    assert done.returncode == 2
    assert done.stdout == ""
    assert "error: kbops.toml: not a Markdown article (.md)" in done.stderr
    assert "Traceback" not in done.stderr
