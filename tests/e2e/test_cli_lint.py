"""`kbops lint`, `kb list`, `kb show` through the installed entry point, on the demo KB."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest

from kbops.config import Settings
from kbops.kb.loader import load_kb
from tests.conftest import REPO, run_kbops
from tests.factories import demo_kb

TODAY = "2026-11-23"
SCHEMA = json.loads((REPO / "tooling/kbops/schemas/lint.schema.json").read_text())


@pytest.fixture
def demo_copy(tmp_path: Path) -> Path:
    return demo_kb(tmp_path)


def test_demo_kb_lints_clean() -> None:
    result = run_kbops("lint", "--today", TODAY, cwd=REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert " 0 errors" in result.stdout


def test_three_faults_give_exactly_three_findings(demo_copy: Path) -> None:
    kb = load_kb(Settings(root=demo_copy))
    inbound = {rid for a in kb.articles for rid in a.meta.related} | {
        Path(link.target.split("#")[0]).stem for a in kb.articles for link in a.links
    }
    linker = next(a for a in kb.articles if any(link.target.endswith(".md") for link in a.links))
    link = next(link for link in linker.links if link.target.endswith(".md"))
    dated = next(a for a in kb.articles if a is not linker and a.meta.reviewed)
    loner = next(a for a in kb.articles if a.id not in inbound and a.is_public and a not in (linker, dated))
    twin = next(a for a in kb.articles if a.is_public and a not in (linker, dated, loner))

    def edit(article_path: str, old: str, new: str) -> None:
        path = demo_copy / article_path
        text = path.read_text()
        assert old in text
        path.write_text(text.replace(old, new, 1))

    edit(linker.path, f"]({link.target})", "](no-such-article.md)")
    edit(dated.path, f"reviewed: {dated.meta.reviewed.isoformat()}", "reviewed: 2026-02-30")
    edit(loner.path, f"id: {loner.id}\n", f"id: {twin.id}\n")

    result = run_kbops("lint", "--today", TODAY, cwd=demo_copy)
    assert result.returncode == 1
    lines = [line for line in result.stdout.splitlines() if re.match(r"^kb/.*:\d+: ", line)]
    expected_prefixes = [
        f"{linker.path}:{link.line}: broken-link link to 'no-such-article.md'",
        f"{dated.path}:{dated.line_of('reviewed')}: schema-error field 'reviewed'",
        f"{loner.path}:{loner.line_of('id')}: duplicate-id id '",
    ]
    assert len(lines) == 3, result.stdout
    for prefix in expected_prefixes:
        assert sum(line.startswith(prefix) for line in lines) == 1, (prefix, result.stdout)
    assert "(write the date as YYYY-MM-DD)" in result.stdout


def test_json_output_validates_against_the_schema(demo_copy: Path) -> None:
    (demo_copy / "kb" / "broken.md").write_text("---\nid: [\n---\n")
    result = run_kbops("lint", "--json", "--today", TODAY, cwd=demo_copy)
    assert result.returncode == 1
    payload = json.loads(result.stdout)
    jsonschema.validate(payload, SCHEMA)
    assert payload["summary"]["errors"] == 1
    assert payload["findings"][0]["path"] == "kb/broken.md" and payload["findings"][0]["code"] == "yaml-error"


def test_github_format_prints_annotations(demo_copy: Path) -> None:
    (demo_copy / "kb" / "empty.md").write_text("")
    result = run_kbops("lint", "--format", "github", "--today", TODAY, cwd=demo_copy)
    assert result.returncode == 1
    assert "::error file=kb/empty.md,line=1,title=empty-file::empty-file the file is empty" in result.stdout


def test_bad_files_are_reported_and_lint_continues(demo_copy: Path) -> None:
    kb = demo_copy / "kb"
    (kb / "malformed.md").write_text("---\nid: x\ntitle: [unclosed\n---\nbody\n")
    (kb / "latin1.md").write_bytes(b"---\nid: caf\xe9\n---\n")
    (kb / "huge.md").write_bytes(b"---\n" + b"a" * 10_000_000)
    (kb / "empty.md").write_text("")
    result = run_kbops("lint", "--json", "--today", TODAY, cwd=demo_copy)
    payload = json.loads(result.stdout)
    codes = {f["path"]: f["code"] for f in payload["findings"] if f["severity"] == "error"}
    assert codes == {
        "kb/malformed.md": "yaml-error",
        "kb/latin1.md": "not-utf8",
        "kb/huge.md": "too-large",
        "kb/empty.md": "empty-file",
    }
    assert payload["summary"]["articles"] == len(list(kb.glob("*.md")))


def test_kb_list_and_show() -> None:
    listed = run_kbops("kb", "list", "--json", "--status", "published", cwd=REPO)
    assert listed.returncode == 0
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    assert rows and all(row["status"] == "published" for row in rows)
    shown = run_kbops("kb", "show", "export-project-csv", "--json", cwd=REPO)
    assert json.loads(shown.stdout)["meta"]["title"] == "Export a project to CSV"
    missing = run_kbops("kb", "show", "no-such-id", cwd=REPO)
    assert missing.returncode == 2 and "no article with id 'no-such-id'" in missing.stderr


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    (tmp_path / "kbops.toml").write_text("[kb]\npaht = 'kb'\n")
    bad_config = run_kbops("lint", cwd=tmp_path)
    assert bad_config.returncode == 2 and "kb.paht: unknown key" in bad_config.stderr
    assert run_kbops("lint", "--today", "yesterday", cwd=REPO).returncode == 2
    assert run_kbops("lint", "--format", "xml", cwd=REPO).returncode == 2


def test_version_and_help() -> None:
    assert run_kbops("--version", cwd=REPO).stdout.startswith("kbops ")
    for command in (["lint"], ["kb", "list"], ["kb", "show"]):
        result = run_kbops(*command, "--help", cwd=REPO)
        assert result.returncode == 0 and len(result.stdout) > 200
