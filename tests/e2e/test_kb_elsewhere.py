"""A KB in another folder than the project (`--kb /elsewhere/kb`, before or after the
command): lint, index, ask, eval and site build read it, findings stay `file:line`, and no
command prints a traceback."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REPO, run_kbops
from tests.factories import article_text, commit_all, kb_project

pytestmark = pytest.mark.slow

MKDOCS = """site_name: Elsewhere Help
docs_dir: site/.staging/docs
site_dir: site/build
theme:
  name: material
  font: false
plugins:
  - search
"""
HOME_ARTICLE = article_text("home-only", title="Project folder article", body="Only in the project.\n")
ELSEWHERE = {
    "export-csv": dict(title="Export a project to CSV", body=(
        "Download every task of a project as a spreadsheet.\n\n## Steps\n\n"
        "1. Open the project.\n2. Open the More menu and choose Export > CSV.\n")),
    "reset-password": dict(title="Reset your password", body=(
        "Use the sign-in page.\n\n## Steps\n\n1. Click **Forgot password**.\n2. Open the email we send.\n")),
}
BROKEN_LINE = "See [the guide](no-such-article.md).\n"


def no_traceback(done: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in done.stderr + done.stdout, done.stderr


@pytest.fixture(scope="module")
def layout(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A project (config, its own one-article kb/, tickets, mkdocs.yml) and, in another
    temporary folder, a git repo holding the KB to use, with one broken link."""
    project = kb_project(tmp_path_factory.mktemp("project"), HOME_ARTICLE)
    (project / "evals").mkdir()
    lines = (REPO / "evals" / "tickets.jsonl").read_text().splitlines()[:4]
    (project / "evals" / "tickets.jsonl").write_text("\n".join(lines) + "\n")
    (project / "mkdocs.yml").write_text(MKDOCS)
    elsewhere = tmp_path_factory.mktemp("elsewhere") / "kb"
    elsewhere.mkdir()
    for article_id, fields in ELSEWHERE.items():
        (elsewhere / f"{article_id}.md").write_text(article_text(article_id, **fields))
    with (elsewhere / "reset-password.md").open("a") as file:
        file.write(BROKEN_LINE)
    repo = commit_all(elsewhere.parent)
    with repo.config_writer() as config:
        config.set_value("user", "name", "Test").set_value("user", "email", "test@example.com")
    return project, elsewhere


def broken_line_number(kb: Path) -> int:
    return (kb / "reset-password.md").read_text().splitlines().index(BROKEN_LINE.strip()) + 1


@pytest.mark.parametrize("before", [True, False], ids=["kbops --kb X lint", "kbops lint --kb X"])
def test_lint_reports_file_and_line_of_the_other_kb(layout: tuple[Path, Path], before: bool) -> None:
    project, elsewhere = layout
    args = ("--kb", str(elsewhere), "lint") if before else ("lint", "--kb", str(elsewhere))
    done = run_kbops(*args, cwd=project)
    no_traceback(done)
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"kb/reset-password.md:{broken_line_number(elsewhere)}: broken-link" in done.stdout
    assert "2 articles checked: 1 errors" in done.stdout  # the other KB, not the project's kb/
    assert "home-only" not in done.stdout


def test_per_command_kb_wins_over_the_root_one(layout: tuple[Path, Path]) -> None:
    project, elsewhere = layout
    done = run_kbops("--kb", str(project / "kb"), "kb", "list", "--json", "--kb", str(elsewhere), cwd=project)
    assert done.returncode == 0, done.stderr
    assert sorted(json.loads(line)["id"] for line in done.stdout.splitlines()) == sorted(ELSEWHERE)


def test_lint_of_one_file_of_the_other_kb(layout: tuple[Path, Path]) -> None:
    project, elsewhere = layout
    clean = run_kbops("lint", "--kb", str(elsewhere), str(elsewhere / "export-csv.md"), cwd=project)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert clean.stdout.strip() == "1 articles checked: 0 errors, 0 warnings"
    outside = run_kbops("lint", "--kb", str(elsewhere), "kb/home-only.md", cwd=project)
    no_traceback(outside)
    assert outside.returncode == 2
    assert "kb/home-only.md: not inside the KB folder" in outside.stderr


def test_index_ask_eval_and_site_build_use_the_other_kb(layout: tuple[Path, Path]) -> None:
    project, elsewhere = layout
    index = run_kbops("index", "--kb", str(elsewhere), cwd=project)
    no_traceback(index)
    assert index.returncode == 0, index.stderr
    assert "indexed 2 articles" in index.stdout + index.stderr

    ask = run_kbops("--kb", str(elsewhere), "ask", "How do I export my project to CSV?", "--json", cwd=project)
    no_traceback(ask)
    assert ask.returncode == 0, ask.stderr
    decision = json.loads(ask.stdout)
    assert decision["action"] == "answer", decision
    assert [c["article_id"] for c in decision["citations"]] == ["export-csv"]
    assert decision["kb_commit"]  # the other KB's own git repo

    evaluated = run_kbops("eval", "--kb", str(elsewhere), "--format", "json", cwd=project)
    no_traceback(evaluated)
    assert evaluated.returncode == 0, evaluated.stderr
    run = json.loads(evaluated.stdout)
    assert run["summary"]["tickets"] == 4
    assert {r["ticket_id"] for r in run["results"]} == {"T-1001", "T-1002", "T-1003", "T-1004"}

    shutil.rmtree(project / "site", ignore_errors=True)
    strict = run_kbops("--kb", str(elsewhere), "site", "build", cwd=project)
    no_traceback(strict)
    assert strict.returncode == 1
    assert f"kb/reset-password.md:{broken_line_number(elsewhere)}: link to 'no-such-article.md'" in strict.stderr
    site = run_kbops("--kb", str(elsewhere), "site", "build", "--no-strict", cwd=project)
    no_traceback(site)
    assert site.returncode == 0, site.stderr
    built = project / "site" / "build"
    assert "Export a project to CSV" in (built / "export-csv" / "index.html").read_text()
    assert (built / "reset-password" / "index.html").is_file()
    assert not any(built.rglob("home-only*"))
