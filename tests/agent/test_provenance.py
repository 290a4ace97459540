"""Citations carry the commit and author behind the cited section (`kbops ask --json`, the
escalation package); the reply a customer reads never names an author."""

from __future__ import annotations

import json
from pathlib import Path

import git
import pytest

from kbops.agent.guard import ReplyGuard
from tests.conftest import run_kbops
from tests.factories import article, article_text, kb_project

EXPORT_BODY = (
    "You can export every task in a project to a CSV file.\n\n"
    "## Steps\n\n1. Open the project.\n2. Choose Export, then CSV.\n\n"
    "## Troubleshooting\n\nIf the CSV export button is missing, ask an admin for export rights.\n"
)
REFUND_BODY = "Refunds for annual plans are prorated.\n\n## How to ask for a refund\n\nWrite to billing support.\n"
ANA = git.Actor("Ana Lima", "ana@example.com")
BEN = git.Actor("Ben Okafor", "ben@example.com")


@pytest.fixture
def project(tmp_path: Path) -> tuple[Path, str, str]:
    """Ana writes both articles; Ben rewrites the export article's Steps."""
    root = kb_project(
        tmp_path / "project",
        article_text("export-project-csv", body=EXPORT_BODY, title="Export a project to CSV", owner="maria.lopez"),
        article_text("refund-policy", body=REFUND_BODY, title="Refund policy", category="billing",
                     sensitive="[refund]"),
    )
    (root / ".gitignore").write_text(".kbops/\n")
    repo = git.Repo.init(root)
    repo.git.add(A=True)
    first = repo.index.commit("KB", author=ANA, committer=ANA).hexsha
    path = root / "kb" / "export-project-csv.md"
    path.write_text(path.read_text().replace("2. Choose Export, then CSV.", "2. Choose Export, then CSV file."))
    repo.git.add(A=True)
    second = repo.index.commit("steps", author=BEN, committer=BEN).hexsha
    return root, first, second


def ask_json(root: Path, text: str) -> dict:
    result = run_kbops("ask", text, "--json", cwd=root, env={"ANTHROPIC_API_KEY": ""})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_ask_json_citations_carry_commit_and_author(project: tuple[Path, str, str]) -> None:
    root, first, second = project

    decision = ask_json(root, "How do I export my project to a CSV file? Which steps?")

    cited = {c["anchor"]: c for c in decision["citations"] if c["article_id"] == "export-project-csv"}
    assert cited, decision["citations"]
    for anchor, citation in cited.items():
        expected = (second, "Ben Okafor") if anchor == "steps" else (first, "Ana Lima")
        assert (citation["commit"], citation["author"]) == expected
        assert citation["committed_at"] and "@" not in citation["author"]
    assert "Ben Okafor" not in decision["reply"] and "Ana Lima" not in decision["reply"]
    assert (root / ".kbops" / "provenance.json").is_file()


def test_the_escalation_package_names_who_last_changed_each_relevant_section(project: tuple[Path, str, str]) -> None:
    root, first, _ = project

    decision = ask_json(root, "I want a refund for my annual plan, how do I ask for a refund?")

    package = decision["escalation_package"]
    assert decision["action"] == "escalate" and package is not None
    refund = next(a for a in package["relevant_articles"] if a["article_id"] == "refund-policy")
    assert (refund["commit"], refund["author"]) == (first, "Ana Lima") and refund["committed_at"]
    assert "Ana Lima" not in package["draft_reply"]


def test_an_uncommitted_section_says_so(project: tuple[Path, str, str]) -> None:
    root, *_ = project
    path = root / "kb" / "export-project-csv.md"
    path.write_text(path.read_text().replace("2. Choose Export, then CSV file.", "2. Pick Export > CSV file."))

    decision = ask_json(root, "How do I export my project to a CSV file? Which steps?")

    steps = [c for c in decision["citations"] if c["anchor"] == "steps"]
    assert steps and all((c["commit"], c["author"]) == ("uncommitted", "") for c in steps)


def test_outside_git_citations_have_empty_provenance(tmp_path: Path) -> None:
    root = kb_project(tmp_path / "project", article_text("export-project-csv", body=EXPORT_BODY,
                                                         title="Export a project to CSV"))

    decision = ask_json(root, "How do I export my project to a CSV file?")

    assert decision["citations"]
    assert all((c["commit"], c["author"], c["committed_at"]) == ("", "", "") for c in decision["citations"])


def test_the_output_guard_blocks_an_author_name_like_an_owner_name() -> None:
    guard = ReplyGuard({"a": article("a")}, authors=frozenset({"Ben Okafor", "ana"}))

    assert guard.check("Ben Okafor wrote this guide: follow the steps.")["owner-name"] == "Ben Okafor"
    assert "owner-name" in guard.check("Ask ben.okafor, who wrote it.")
    assert guard.check("Ana said the export works.") == {}  # a one-word name is too often a plain word
    assert ReplyGuard({"a": article("a")}).check("Ben Okafor wrote this guide.") == {}
