"""`kbops init` in an empty folder, then the loop a new team runs there: lint, index, eval
(offline) and site build, each through the installed entry point, each exit 0."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kbops.index.embed import Embedder
from tests.conftest import run_kbops

pytestmark = pytest.mark.slow

OFFLINE = {"ANTHROPIC_API_KEY": "", "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False",
           "RAGAS_DO_NOT_TRACK": "true", "NO_MKDOCS_2_WARNING": "1"}


def kbops_ok(project: Path, *args: str) -> str:
    done = run_kbops(*args, cwd=project, env=OFFLINE)
    assert done.returncode == 0, f"kbops {' '.join(args)}: exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def test_init_then_lint_index_eval_and_site_build_work(tmp_path: Path, embedder: Embedder) -> None:
    project = tmp_path / "acme-help"
    project.mkdir()
    out = kbops_ok(project, "init")
    assert "kbops.toml" in out and ".github/workflows/kb-eval.yml" in out
    assert out.split("Next:\n", 1)[1].split() == ["kbops", "lint", "kbops", "index", "kbops", "eval", "kbops", "site",
                                                 "build"]
    assert (project / ".git").is_dir()

    assert "2 articles checked: 0 errors, 0 warnings" in kbops_ok(project, "lint")
    kbops_ok(project, "lint", "kb/getting-started.md")  # as the generated pre-commit hook calls it
    kbops_ok(project, "index")

    run = json.loads(kbops_ok(project, "eval", "--format", "json"))
    verdicts = {r["ticket_id"]: r["verdict"] for r in run["results"]}
    assert len(verdicts) == run["summary"]["tickets"] == 5
    assert verdicts["T-1"] == "deflected"  # how to invite the team: the public example article answers it
    assert verdicts["T-3"] == "gated"  # a refund stays with people
    assert verdicts["T-5"] == "gated"  # an enterprise customer
    assert (project / ".kbops" / "runs").is_dir()

    built = json.loads(kbops_ok(project, "site", "build", "--json"))
    site = project / "site" / "build"
    assert (site / "index.html").is_file() and (site / "getting-started" / "index.html").is_file()
    assert not (site / "refund-requests").exists()  # internal articles never reach the help site
    assert "refund-requests" not in json.dumps(built.get("pages", built))
    assert "<title>" in (site / "index.html").read_text() and "acme-help" in (site / "index.html").read_text()
    # no custom_dir in the generated mkdocs.yml: the 404 page and the feedback widget come from kbops itself
    assert "Was this article helpful?" in (site / "getting-started" / "index.html").read_text()
    assert (site / "404.html").is_file()


def test_init_refuses_to_overwrite_then_force_does(tmp_path: Path) -> None:
    first = json.loads(kbops_ok(tmp_path, "init", "help", "--site-name", "Acme Help", "--json"))
    assert first["git_initialised"] is True
    assert first["next"][0] == "cd help" and first["next"][1:] == ["kbops lint", "kbops index", "kbops eval",
                                                                   "kbops site build"]
    assert "site_name: \"Acme Help\"" in (tmp_path / "help" / "mkdocs.yml").read_text()
    (tmp_path / "help" / "kb" / "getting-started.md").write_text("edited")

    again = run_kbops("init", "help", cwd=tmp_path, env=OFFLINE)
    assert again.returncode == 2
    assert "error:" in again.stderr and "kb/getting-started.md" in again.stderr and "--force" in again.stderr
    assert "Traceback" not in again.stderr and again.stdout == ""
    assert (tmp_path / "help" / "kb" / "getting-started.md").read_text() == "edited"

    forced = json.loads(kbops_ok(tmp_path, "init", "help", "--force", "--json"))
    assert {f["status"] for f in forced["files"]} == {"overwritten"} and forced["git_initialised"] is False
    assert (tmp_path / "help" / "kb" / "getting-started.md").read_text().startswith("---\nid: getting-started\n")


def test_a_bad_site_name_is_a_usage_error(tmp_path: Path) -> None:
    done = run_kbops("init", "--site-name", "   ", cwd=tmp_path, env=OFFLINE)
    assert done.returncode == 2 and "site name is empty" in done.stderr
    assert list(tmp_path.iterdir()) == []
