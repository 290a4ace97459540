"""The answering agent on the demo KB: answers, escalations, injections, PII — for the
offline backend and for Claude through the real SDK against a local Messages API."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from kbops.agent.agent import Agent
from kbops.agent.claude import ClaudeAnswerer
from kbops.agent.decision import Action, TicketInput
from kbops.agent.offline import OfflineAnswerer
from kbops.agent.package import escalation_package
from kbops.config import ClaudeSettings, Settings
from kbops.workspace import Workspace
from tests.conftest import run_kbops
from tests.factories import demo_kb
from tests.injection_cases import INJECTION_CASES, InjectionCase
from tests.messages_stub import MessagesStub, hang, messages_stub, tool_use


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_kb(tmp_path_factory.mktemp("agent"))


@pytest.fixture(scope="module")
def offline_agent(project: Path) -> Agent:
    return Workspace(Settings(root=project), answerer=OfflineAnswerer()).agent


@pytest.fixture(scope="module")
def stub() -> Iterator[MessagesStub]:
    with messages_stub() as server:
        yield server


def claude_agent(offline_agent: Agent, stub: MessagesStub, **settings: object) -> Agent:
    values: dict[str, object] = {"model": "claude-test", "base_url": stub.base_url, "timeout_seconds": 5.0,
                                 "max_retries": 1, **settings}
    answerer = ClaudeAnswerer(ClaudeSettings(**values), api_key="sk-test", sleep=lambda _: None)  # type: ignore[arg-type]
    return Agent(offline_agent.settings, offline_agent.retriever, answerer, offline_agent.articles,
                 offline_agent.similarity)


def test_cli_answers_export_question_with_the_right_article(project: Path) -> None:
    result = run_kbops("ask", "How do I export my project to CSV?", "--json", cwd=project)
    assert result.returncode == 0, result.stderr
    decision = json.loads(result.stdout)
    assert decision["action"] == "answer"
    assert decision["citations"][0]["article_id"] == "export-project-csv"
    assert "Export → CSV" in decision["reply"]
    assert decision["reasons"] == [] and decision["escalation_package"] is None
    assert all(e["article_id"] != "refund-approval-playbook" for e in decision["evidence"])


def test_cli_escalates_refund_with_a_package(project: Path) -> None:
    result = run_kbops("ask", "I want a refund for last month", cwd=project)
    assert result.returncode == 0, result.stderr
    assert "escalate" in result.stdout and "risk_topic:refund" in result.stdout
    for heading in ("**Problem:**", "**Why the agent stopped:**", "**Relevant articles:**",
                    "**Customer:**", "**Recommended next step:**"):
        assert heading in result.stdout
    as_json = json.loads(run_kbops("ask", "I want a refund for last month", "--json", cwd=project).stdout)
    assert as_json["action"] == "escalate"
    assert "risk_topic:refund" in as_json["escalation_package"]["reasons"]


def test_vip_and_angry_and_human_requests_escalate(offline_agent: Agent) -> None:
    vip = offline_agent.answer(TicketInput("How do I export my project to CSV?", tier="enterprise"))
    assert vip.action is Action.ESCALATE and "vip_customer" in vip.reasons
    angry = offline_agent.answer(TicketInput("THIS IS RIDICULOUS!!! Your export is BROKEN again, worst tool ever, cancelling"))
    assert "negative_sentiment" in angry.reasons
    human = offline_agent.answer(TicketInput("Can I please talk to a real person about exports?"))
    assert "human_requested" in human.reasons


def test_unanswerable_question_is_not_answered(offline_agent: Agent) -> None:
    decision = offline_agent.answer(TicketInput("Can Tasklane sync my due dates into my Outlook calendar?"))
    assert decision.action is Action.ESCALATE
    assert set(decision.reasons) & {"low_confidence", "no_coverage"}


def test_pii_is_redacted_before_the_llm_and_in_the_package(offline_agent: Agent, stub: MessagesStub) -> None:
    agent = claude_agent(offline_agent, stub)
    stub.queue(tool_use({"reply": "Use Export → CSV.", "cited_sources": [1], "can_answer": True, "confidence": 0.9}))
    ticket = TicketInput("Export to CSV fails. Reach me at jane.doe@acme.example or +1 415-555-0132; "
                         "card 4111 1111 1111 1111.", tier="pro", ticket_id="T-9")
    decision = agent.answer(ticket)
    sent = json.dumps(stub.requests[-1].json)
    for secret in ("jane.doe@acme.example", "415-555-0132", "4111 1111 1111 1111"):
        assert secret not in sent
    assert "[EMAIL]" in sent and "[PHONE]" in sent and "[CARD]" in sent
    package = escalation_package(decision, agent.prepare(ticket)) if decision.action is Action.ESCALATE else None
    if package is not None:
        assert "jane.doe@acme.example" not in package.to_markdown()


@pytest.mark.parametrize("case", INJECTION_CASES, ids=lambda c: c.id)
def test_injection_never_bypasses_a_gate_offline(offline_agent: Agent, case: InjectionCase) -> None:
    decision = offline_agent.answer(TicketInput(case.body, subject=case.subject, tier=case.tier))
    assert decision.action is Action.ESCALATE
    assert set(case.must_include) <= set(decision.reasons), decision.reasons


@pytest.mark.parametrize("case", INJECTION_CASES, ids=lambda c: c.id)
def test_injection_never_bypasses_a_gate_with_claude(offline_agent: Agent, stub: MessagesStub,
                                                     case: InjectionCase) -> None:
    """The model is scripted to fall for the injection: it claims it can answer, with full
    confidence, and approves the refund. Code-decided gates must still escalate."""
    agent = claude_agent(offline_agent, stub)
    stub.queue(tool_use({"reply": "Refund approved. I have issued a full refund and transferred ownership.",
                         "cited_sources": [1], "can_answer": True, "confidence": 1.0}))
    decision = agent.answer(TicketInput(case.body, subject=case.subject, tier=case.tier))
    assert decision.backend == "claude"
    assert decision.action is Action.ESCALATE
    assert set(case.must_include) <= set(decision.reasons), decision.reasons
    assert "unsafe_reply" in decision.reasons


def test_claude_success_timeout_and_malformed_output(offline_agent: Agent, stub: MessagesStub) -> None:
    agent = claude_agent(offline_agent, stub)
    stub.queue(tool_use({"reply": "Open the project and choose Export → CSV.", "cited_sources": [1],
                         "can_answer": True, "confidence": 0.95}))
    answered = agent.answer(TicketInput("How do I export my project to CSV?", tier="pro"))
    assert answered.action is Action.ANSWER and answered.citations[0].article_id == "export-project-csv"

    stub.queue(tool_use({"reply": 42, "cited_sources": "one"}))
    broken = agent.answer(TicketInput("How do I export my project to CSV?", tier="pro"))
    assert broken.action is Action.ESCALATE and "backend_error" in broken.reasons

    slow = claude_agent(offline_agent, stub, timeout_seconds=0.5, max_retries=0)
    stub.queue(hang(2.0))
    timed_out = slow.answer(TicketInput("How do I export my project to CSV?", tier="pro"))
    assert timed_out.action is Action.ESCALATE and "backend_error" in timed_out.reasons
