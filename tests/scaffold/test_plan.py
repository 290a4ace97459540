"""What `kbops init` plans: every packaged template is written under its real (dot-)name,
placeholders are filled, and every generated config, workflow and ticket file is valid for
the tool that reads it."""

from __future__ import annotations

import json
import re
import tomllib
from datetime import date
from importlib.resources import files
from pathlib import Path

import pytest
import yaml

from kbops import __version__
from kbops.config import load_settings
from kbops.errors import EXIT_BAD_INPUT
from kbops.kb.lint import lint_kb
from kbops.kb.loader import load_kb
from kbops.scaffold.plan import (
    PLACEHOLDER,
    SCAFFOLD_FILES,
    InitValues,
    PlannedFile,
    ScaffoldError,
    plan_scaffold,
    render,
    site_name_for,
)
from kbops.tickets.jsonl import read_jsonl

TODAY = date(2026, 11, 30)


def planned(site_name: str = "Acme Help") -> dict[str, str]:
    return {item.target: item.text for item in plan_scaffold(InitValues(site_name, TODAY))}


def written(tmp_path: Path, site_name: str = "Acme Help") -> Path:
    for target, text in planned(site_name).items():
        (tmp_path / target).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / target).write_text(text)
    return tmp_path


def packaged_templates() -> set[str]:
    root = Path(str(files("kbops.scaffold").joinpath("templates")))
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def test_every_packaged_template_is_written_and_none_is_missing() -> None:
    assert {item.template for item in SCAFFOLD_FILES} == packaged_templates()


def test_dot_files_are_stored_without_the_dot_and_written_with_it() -> None:
    # setuptools' package-data globs skip dot-files: a template named `.gitignore` would be missing from the wheel
    assert not [t for t in packaged_templates() if any(part.startswith(".") for part in t.split("/"))]
    targets = {item.template: item.target for item in SCAFFOLD_FILES}
    assert targets["gitignore"] == ".gitignore"
    assert targets["pre-commit-config.yaml"] == ".pre-commit-config.yaml"
    assert targets["github/workflows/kb-eval.yml"] == ".github/workflows/kb-eval.yml"


def test_no_placeholder_is_left_and_values_are_filled() -> None:
    texts = planned()
    assert [t for t, text in texts.items() if PLACEHOLDER.search(text)] == []
    assert "reviewed: 2026-11-30" in texts["kb/getting-started.md"]
    assert f'"kbops=={__version__}"' in texts[".github/workflows/kb-eval.yml"]


def test_an_unknown_placeholder_is_reported_as_a_bug_in_the_template() -> None:
    with pytest.raises(ScaffoldError, match="mkdocs.yml: unknown placeholder @nope@"):
        render("site_name: @nope@", {"site_name": "x"}, "mkdocs.yml")


@pytest.mark.parametrize("name", ["Acme Help", 'Acme: "Help" #1 & <Co>', "Ayuda — Ñandú", "yes"])
def test_mkdocs_yml_carries_any_site_name_as_one_string(name: str) -> None:
    config = yaml.safe_load(planned(name)["mkdocs.yml"])
    assert config["site_name"] == name
    theme = config["theme"]
    assert theme["font"] is False and "custom_dir" not in theme  # kbops site build brings its own overrides
    assert config["plugins"] == ["search", "tags"]
    assert config["extra"]["analytics"]["provider"] == "kbops"
    assert [r["data"] for r in config["extra"]["analytics"]["feedback"]["ratings"]] == [1, 0]
    assert config["docs_dir"] == "site/.staging/docs" and config["site_dir"] == "site/build"


def test_the_ci_workflow_is_the_gate_with_pip_install() -> None:
    workflow = yaml.safe_load(planned()[".github/workflows/kb-eval.yml"])
    assert workflow[True]["pull_request"]["paths"] == ["kb/**", "evals/**", "kbops.toml"]  # YAML 1.1 reads `on` as True
    steps = workflow["jobs"]["eval"]["steps"]
    runs = "\n".join(step.get("run", "") for step in steps)
    assert "make setup" not in runs and ".venv/" not in runs
    assert f'pip install "kbops=={__version__}"' in runs
    assert "kbops lint --format github" in runs
    assert re.search(r"kbops eval --baseline origin/\$\{\{ github.base_ref \}\}", runs)
    assert "--max-regressions 0 --max-false-deflections 0" in runs
    assert steps[0]["with"]["fetch-depth"] == 0


def test_the_pre_commit_hook_lints_changed_articles_without_network() -> None:
    config = yaml.safe_load(planned()[".pre-commit-config.yaml"])
    (repo,) = config["repos"]
    (hook,) = repo["hooks"]
    assert repo["repo"] == "local"
    assert (hook["id"], hook["entry"], hook["language"]) == ("kbops-lint", "kbops lint", "system")
    pattern = re.compile(hook["files"])
    assert pattern.search("kb/getting-started.md") and pattern.search("kb/drafts/new.md")
    assert not pattern.search("docs/index.md") and not pattern.search("kb/image.png")


def test_gitignore_keeps_state_builds_and_reports_out() -> None:
    lines = {line for line in planned()[".gitignore"].splitlines() if line and not line.startswith("#")}
    assert lines == {".kbops/", "site/build/", "site/.staging/", "reports/"}


def test_kbops_toml_is_commented_and_loads(tmp_path: Path) -> None:
    text = planned()["kbops.toml"]
    assert tomllib.loads(text)["kb"]["path"] == "kb"
    assert sum(line.startswith("#") for line in text.splitlines()) >= 10
    settings = load_settings(written(tmp_path) / "kbops.toml")  # unknown keys or bad types would raise
    assert settings.kb_dir == (tmp_path / "kb").resolve()
    assert settings.eval.tickets == "evals/tickets.jsonl"
    assert settings.site.mkdocs_config == "mkdocs.yml"


def test_example_articles_lint_clean_one_public_one_internal(tmp_path: Path) -> None:
    settings = load_settings(written(tmp_path) / "kbops.toml")
    kb = load_kb(settings)
    assert lint_kb(kb, settings, today=TODAY) == []
    audiences = {a.id: (str(a.meta.audience), str(a.meta.status)) for a in kb.articles}
    assert audiences == {"getting-started": ("public", "published"), "refund-requests": ("internal", "published")}


def test_example_tickets_follow_the_schema_and_cite_the_example_articles(tmp_path: Path) -> None:
    project = written(tmp_path)
    tickets = read_jsonl(project / "evals" / "tickets.jsonl", strict=True)
    assert tickets.problems == () and 4 <= len(tickets.tickets) <= 6
    assert len({t.id for t in tickets.tickets}) == len(tickets.tickets)
    cited = {a for t in tickets.tickets for a in t.resolved_by_article_ids}
    assert cited <= {"getting-started", "refund-requests"}
    assert any(not t.resolved_by_article_ids for t in tickets.tickets)  # a gap: the KB has no answer
    for line in (project / "evals" / "tickets.jsonl").read_text().splitlines():
        json.loads(line)
    assert "docs/tickets.md" in (project / "evals" / "README.md").read_text()


def test_the_site_name_defaults_to_the_folder_name(tmp_path: Path) -> None:
    assert site_name_for(tmp_path / "acme-help", None) == "acme-help"
    assert site_name_for(tmp_path / "acme-help", "  Acme Help Center ") == "Acme Help Center"


@pytest.mark.parametrize("name", ["", "   ", "two\nlines", "bell\x07", "x" * 101])
def test_a_bad_site_name_is_bad_input(tmp_path: Path, name: str) -> None:
    with pytest.raises(ScaffoldError, match="site name|--site-name") as caught:
        site_name_for(tmp_path, name)
    assert caught.value.exit_code == EXIT_BAD_INPUT


def test_plan_order_starts_with_the_config() -> None:
    plan = plan_scaffold(InitValues("x", TODAY))
    assert all(isinstance(item, PlannedFile) for item in plan)
    assert plan[0].target == "kbops.toml" and len(plan) == len(SCAFFOLD_FILES)
