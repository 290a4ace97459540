"""`kbops report weekly` end to end: tickets imported into a real DuckDB history, a release
tagged in a real git repository, the report in Markdown, JSON and HTML."""

from __future__ import annotations

import json
from pathlib import Path

import git
import pytest

from kbops.tickets.model import Ticket
from tests.conftest import run_kbops
from tests.insights.synthetic import RISKY_ACCOUNT, export_bug, planted_history

EMAIL = "jane.doe@example.com"


def write_jsonl(path: Path, tickets: list[Ticket]) -> None:
    path.write_text("".join(t.model_dump_json(exclude_none=True) + "\n" for t in tickets))


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project whose history holds the planted signals, with release v2.4.0 as a git tag
    (Monday of the report's week) and one ticket quoting a customer's e-mail address."""
    root = tmp_path_factory.mktemp("weekly")
    (root / "kbops.toml").write_text('[kb]\npath = "kb"\n')
    (root / "kb").mkdir()
    leaky = export_bug()[0].model_copy(update={"id": "E-leak", "body": f"Export fails with error 500, write to {EMAIL}"})
    write_jsonl(root / "history.jsonl", [*planted_history(), leaky])
    repo = git.Repo.init(root)
    with repo.config_writer() as config:
        config.set_value("user", "name", "Test").set_value("user", "email", "test@example.com")
    repo.index.add(["kbops.toml"])
    when = "2026-11-16T08:00:00+00:00"
    with repo.git.custom_environment(GIT_AUTHOR_DATE=when, GIT_COMMITTER_DATE=when):
        repo.git.commit("-m", "release")
        repo.git.tag("-a", "v2.4.0", "-m", "export engine")
    done = run_kbops("tickets", "import", "history.jsonl", cwd=root)
    assert done.returncode == 0, done.stderr
    return root


def test_markdown_on_stdout_names_every_signal_and_its_tickets(project: Path) -> None:
    done = run_kbops("report", "weekly", cwd=project)
    assert done.returncode == 0, done.stderr
    report = done.stdout
    assert report.startswith("# Support intelligence: 2026-W47\n")  # the week of the newest ticket
    assert "**billing 18 (6 the week before, +200%)**" in report
    assert "### 2.1 " in report and "E-0" in report and "after release v2.4.0" in report
    assert "### 3.1 “Archive without deleting”" in report and "D-0" in report
    assert f"### {RISKY_ACCOUNT} · enterprise · 8,000/month · high priority" in report
    assert EMAIL not in report


def test_json_for_machines(project: Path) -> None:
    done = run_kbops("report", "weekly", "--json", cwd=project)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert {"week", "volume", "emerging", "doc_gaps", "health"} <= set(data) and data["week"] == "2026-W47"
    assert data["volume"]["flagged"][0] == "billing"
    issue = data["emerging"][0]
    assert "E-0" in issue["ticket_ids"] and issue["release"] == {"version": "v2.4.0", "date": "2026-11-16",
                                                                "source": "git tag"}
    assert issue["severity"] in ("P1", "P2", "P3", "P4") and issue["severity_reasons"]
    assert data["health"][0]["account_id"] == RISKY_ACCOUNT
    assert EMAIL not in done.stdout


def test_html_to_a_file_and_another_week(project: Path) -> None:
    done = run_kbops("report", "weekly", "--week", "2026-W46", "--format", "html", "-o", "reports/w46.html",
                     cwd=project)
    assert done.returncode == 0, done.stderr
    assert "wrote reports/w46.html: 2026-W46" in done.stderr and done.stdout == ""
    page = (project / "reports" / "w46.html").read_text()
    assert "Content-Security-Policy" in page and "<script" not in page
    assert "Support intelligence · 2026-W46" in page and 'data-chart="volume"' in page


def test_a_month_shows_what_each_release_moved(project: Path) -> None:
    done = run_kbops("report", "weekly", "--period", "month", "--json", cwd=project)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["period"]["label"] == "2026-W44..2026-W47"
    assert [i["version"] for i in data["release_impacts"]] == ["v2.4.0"]


def test_a_bad_week_is_a_usage_error(project: Path) -> None:
    done = run_kbops("report", "weekly", "--week", "last", cwd=project)
    assert done.returncode == 2 and "write it like 2026-W47" in done.stderr


def test_an_empty_history_asks_for_an_import(tmp_path: Path) -> None:
    (tmp_path / "kbops.toml").write_text('[kb]\npath = "kb"\n')
    done = run_kbops("report", "weekly", cwd=tmp_path)
    assert done.returncode == 2
    assert "the ticket history is empty" in done.stderr and "kbops tickets import" in done.stderr
