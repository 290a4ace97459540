""".pre-commit-hooks.yaml: the `kbops-lint` hook other repositories use, and what it runs
when pre-commit calls it with the staged files that match its `files:` pattern."""

from __future__ import annotations

import re
import shlex
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import KBOPS, REPO
from tests.factories import commit_all, kb_project, write_article

HOOKS = REPO / ".pre-commit-hooks.yaml"
KNOWN_KEYS = {  # pre-commit's manifest schema (https://pre-commit.com/#creating-new-hooks)
    "id", "name", "entry", "language", "files", "exclude", "types", "types_or", "exclude_types",
    "always_run", "fail_fast", "verbose", "pass_filenames", "require_serial", "description",
    "language_version", "minimum_pre_commit_version", "args", "stages", "additional_dependencies", "alias",
}


@pytest.fixture(scope="module")
def hook() -> dict[str, Any]:
    hooks = yaml.safe_load(HOOKS.read_text())
    assert isinstance(hooks, list) and [h["id"] for h in hooks] == ["kbops-lint"]
    return hooks[0]


def test_the_hook_is_a_valid_manifest_entry(hook: dict[str, Any]) -> None:
    assert set(hook) <= KNOWN_KEYS
    assert {"id", "name", "entry", "language"} <= set(hook)
    assert hook["entry"] == "kbops lint"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is True and hook["require_serial"] is True
    assert hook["files"] == r"^kb/.*\.md$"


def test_the_files_pattern_matches_kb_articles_only(hook: dict[str, Any]) -> None:
    pattern = re.compile(hook["files"])
    assert pattern.search("kb/export-project-csv.md") and pattern.search("kb/billing/refunds.md")
    for other in ("README.md", "docs/kb/x.md", "kb/attachments/a/guide.pdf", "kbops.toml"):
        assert not pattern.search(other), other


def run_as_pre_commit(hook: dict[str, Any], repo: Path) -> subprocess.CompletedProcess[str]:
    """What pre-commit does: the staged files matching `files:`, appended to `entry`."""
    staged = subprocess.run(["git", "diff", "--cached", "--name-only"], cwd=repo, capture_output=True, text=True,
                            check=True).stdout.split()
    files = [name for name in staged if re.search(hook["files"], name)]
    command, *args = shlex.split(hook["entry"])
    assert command == "kbops"
    return subprocess.run([str(KBOPS), *args, *hook.get("args", []), *files], cwd=repo, capture_output=True,
                          text=True, timeout=120)


def test_a_commit_with_a_broken_link_is_refused(hook: dict[str, Any], tmp_path: Path) -> None:
    repo = kb_project(tmp_path)
    kb = repo / "kb"
    for name in ("a", "b", "c"):
        write_article(kb, name)
    write_article(kb, "old", body="Intro.\n\nSee [gone](gone.md).\n")  # committed already: not this commit's
    commit_all(repo)
    write_article(kb, "a", body="Intro.\n\nSee [b](b.md).\n")
    write_article(kb, "c", summary="Now with a better summary.")
    (repo / "README.md").write_text("# notes\n")
    subprocess.run(["git", "add", "kb/a.md", "kb/c.md", "README.md"], cwd=repo, check=True)
    clean = run_as_pre_commit(hook, repo)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert clean.stdout.strip() == "2 articles checked: 0 errors, 0 warnings"

    write_article(kb, "c", body="Intro.\n\nSee [missing](missing.md#steps).\n")
    subprocess.run(["git", "add", "kb/c.md"], cwd=repo, check=True)
    broken = run_as_pre_commit(hook, repo)
    assert broken.returncode == 1
    assert [line.split(":")[0] for line in broken.stdout.splitlines()[:-1]] == ["kb/c.md"]
    assert "broken-link" in broken.stdout and "kb/old.md" not in broken.stdout
