"""Ragas metrics of `kbops eval`: real ragas, the real offline embedder, decisions from
the factories.

The Claude-judged metrics run through the real `anthropic` SDK and ragas' own prompts
against the local Messages API stub, which answers each ragas prompt by the tool ragas
forces (one per output model) and rejects what the real API rejects.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from kbops.agent.decision import Action, Decision, Evidence
from kbops.config import RAGAS_LLM_METRICS, Settings, load_settings, settings_from_dict
from kbops.evals.metrics import RagasMetrics, llm_metrics_allowed, make_metrics_hook
from kbops.index.embed import Embedder
from kbops.kb.chunking import Chunk, chunk_article
from kbops.kb.loader import load_kb
from kbops.llm.claude import MissingAPIKey
from kbops.redact import redact
from kbops.tickets.model import Ticket
from kbops.workspace import Workspace
from tests.conftest import REPO
from tests.factories import decision as make_decision
from tests.factories import evidence as make_evidence
from tests.factories import ticket as make_ticket
from tests.factories import write_article
from tests.messages_stub import MessagesStub, StubResponse, error, tool_use

KEY = "sk-ant-test-ragas-SECRET"
MODEL = "claude-test-judge"

EXPORT_BODY = (
    "You can export every task in a project to a CSV file and open it in Excel or Google Sheets.\n\n"
    "## Steps\n\n"
    "1. Open the project.\n2. Click More in the top-right corner and choose Export, then CSV.\n"
    "3. Pick All tasks to include completed and archived tasks.\n4. Click Export.\n\n"
    "## Limits\n\n"
    "An export holds up to 50,000 tasks. Download links in emails expire after seven days.\n"
)
INVOICE_BODY = (
    "Invoices for every payment are kept in the billing settings of your workspace.\n\n"
    "## Download an invoice\n\n"
    "Go to Settings, then Billing, then Invoices, and click the PDF icon next to a payment.\n\n"
    "## Change the billing address\n\n"
    "Owners can edit the company name, VAT number and postal address printed on future invoices.\n"
)
RESOLUTION = (
    "Open the project, click More in the top-right corner and choose Export then CSV. "
    "Pick All tasks if you also want completed and archived tasks."
)
CLOSE_REPLY = (
    "Open the project, click More at the top right and choose Export, then CSV. "
    "Choose All tasks to also get completed and archived tasks."
)
UNRELATED_REPLY = (
    "Owners can change the VAT number printed on invoices from the billing settings page."
)


@pytest.fixture
def settings(kb_dir: Path) -> Settings:
    write_article(kb_dir, "export-csv", title="Export a project to CSV", body=EXPORT_BODY)
    write_article(kb_dir, "invoices", title="Download invoices", category="billing", body=INVOICE_BODY)
    return load_settings(start=kb_dir.parent)


@pytest.fixture
def hook(settings: Settings, embedder: Embedder) -> Iterator[RagasMetrics]:
    made = Workspace(settings, embedder=embedder).metrics
    assert made is not None
    yield made
    made.close()


def judged_hook(settings: Settings, embedder: Embedder) -> RagasMetrics:
    made = make_metrics_hook(settings, Workspace(settings).kb.by_id(), embedder, KEY)
    assert made is not None
    return made


def sections(settings: Settings, article_id: str) -> list[Chunk]:
    return chunk_article(load_kb(settings).get(article_id))


def evidence(chunks: list[Chunk]) -> tuple[Evidence, ...]:
    """The chunks as retrieved evidence, best first."""
    return tuple(
        make_evidence(c.id, c.article_id, c.title, c.section, c.anchor, c.text, score=1 / rank)
        for rank, c in enumerate(chunks, start=1)
    )


def decision(
    cited: tuple[str, ...] = (),
    found: tuple[Evidence, ...] = (),
    reply: str = CLOSE_REPLY,
    action: Action = Action.ANSWER,
) -> Decision:
    """The agent's decision on the export ticket: answered with CLOSE_REPLY unless told."""
    reasons = () if action is Action.ANSWER else ("low_confidence",)
    return make_decision(action, *reasons, cited=cited, evidence=found, reply=reply)


def ticket(gold: tuple[str, ...] = ("export-csv",), resolution: str = RESOLUTION, body: str = "") -> Ticket:
    """The export ticket this module scores, resolved by `export-csv` unless told."""
    return make_ticket("T-1", body or "How do I get all tasks of our project into Excel?",
                       subject="Export to a spreadsheet", resolution=resolution, gold=gold)


# --- offline metrics ------------------------------------------------------------------------


def test_right_citations_score_one_and_wrong_citations_zero(hook: RagasMetrics, settings: Settings) -> None:
    export, invoices = sections(settings, "export-csv"), sections(settings, "invoices")
    assert len(export) == 3 and len(invoices) == 3

    right = hook(ticket(), decision(("export-csv",), evidence(export)))
    wrong = hook(ticket(), decision(("invoices",), evidence(invoices)))

    context = ("context_recall_ids", "context_precision_ids", "context_recall", "context_precision")
    assert {name: right[name] for name in context} == dict.fromkeys(context, 1.0)
    assert {name: wrong[name] for name in context} == dict.fromkeys(context, 0.0)


def test_partial_citations_and_ranking(hook: RagasMetrics, settings: Settings) -> None:
    export, invoices = sections(settings, "export-csv"), sections(settings, "invoices")

    both = hook(ticket(), decision(("export-csv", "invoices"), evidence(export[:1] + invoices)))
    assert both["context_recall_ids"] == 1.0  # the gold article is cited...
    assert both["context_precision_ids"] == 0.5  # ...next to one that is not
    assert both["context_recall"] == pytest.approx(1 / 3, abs=1e-4)  # 1 of 3 gold sections retrieved

    gold_first = hook(ticket(), decision(("export-csv",), evidence(export[:2] + invoices)))
    gold_last = hook(ticket(), decision(("export-csv",), evidence(invoices + export[:2])))
    assert gold_first["context_recall"] == gold_last["context_recall"] == pytest.approx(2 / 3, abs=1e-4)
    assert gold_first["context_precision"] == 1.0
    assert gold_last["context_precision"] < 0.5  # same sections, ranked below the wrong ones


def test_a_reply_close_to_the_resolution_scores_higher(hook: RagasMetrics, settings: Settings) -> None:
    found = evidence(sections(settings, "export-csv"))
    close = hook(ticket(), decision(("export-csv",), found, reply=CLOSE_REPLY))
    unrelated = hook(ticket(), decision(("export-csv",), found, reply=UNRELATED_REPLY))

    for name in ("rouge_l", "string_similarity", "semantic_similarity"):
        assert 0 <= unrelated[name] < close[name] <= 1, name
    assert close["rouge_l"] > 0.5 and unrelated["rouge_l"] < 0.2
    assert close["semantic_similarity"] > 0.8 and unrelated["semantic_similarity"] < 0.4
    assert hook(ticket(), decision(("export-csv",), found, reply=RESOLUTION))["rouge_l"] == 1.0


def test_metrics_are_absent_where_undefined(hook: RagasMetrics, settings: Settings) -> None:
    found = evidence(sections(settings, "export-csv"))
    answer_metrics = {"rouge_l", "string_similarity", "semantic_similarity"}
    context_metrics = {"context_recall_ids", "context_precision_ids", "context_recall", "context_precision"}

    escalated = hook(ticket(), decision(("export-csv",), found, action=Action.ESCALATE))
    assert set(escalated) == context_metrics  # the draft's sources still count; its text was not sent

    no_resolution = hook(ticket(resolution=""), decision(("export-csv",), found))
    assert set(no_resolution) == context_metrics

    gap = hook(ticket(gold=()), decision(("export-csv",), found))
    assert set(gap) == answer_metrics  # no gold article: nothing to compare the sources with

    uncited = hook(ticket(), decision((), found))
    assert set(uncited) == answer_metrics | {"context_recall", "context_precision"}

    nothing_found = hook(ticket(), decision((), (), reply="", action=Action.ESCALATE))
    assert nothing_found == {}

    unknown_gold = hook(ticket(gold=("deleted-article",)), decision(("export-csv",), found))
    assert unknown_gold["context_recall_ids"] == 0.0
    assert "context_recall" not in unknown_gold  # no text to compare with in the current KB


def test_disabled_or_empty_config_gives_no_hook(kb_dir: Path) -> None:
    root = kb_dir.parent
    assert Workspace(settings_from_dict({"ragas": {"enabled": False}}, root)).metrics is None
    assert Workspace(settings_from_dict({"ragas": {"metrics": []}}, root)).metrics is None


def test_only_the_chosen_metrics_are_computed(settings: Settings) -> None:
    chosen = settings.model_copy(update={"ragas": settings.ragas.model_copy(update={"metrics": ("rouge_l",)})})
    made = Workspace(chosen).metrics  # the project's own embedder, as the CLI builds it
    assert made is not None
    try:
        found = evidence(sections(settings, "export-csv"))
        assert set(made(ticket(), decision(("export-csv",), found))) == {"rouge_l"}
    finally:
        made.close()


def test_ragas_is_imported_lazily_and_never_tracks() -> None:
    script = (
        "import os, sys\n"
        "os.environ['RAGAS_DO_NOT_TRACK'] = '1'\n"  # ragas only honours the exact string "true"
        "import kbops.cli, kbops.workspace, kbops.evals.metrics as m\n"
        "before = 'ragas' in sys.modules\n"
        "m.load_ragas()\n"
        "from ragas import _analytics\n"
        "print(before, os.environ['RAGAS_DO_NOT_TRACK'], _analytics.do_not_track())\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "RAGAS_DO_NOT_TRACK"}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env,
                          cwd=REPO, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "true", "True"]


# --- when Claude may judge ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "backend", "key", "allowed"),
    [
        ("auto", "auto", KEY, True),
        ("auto", "claude", KEY, True),
        ("auto", "offline", KEY, False),  # an offline eval stays offline
        ("auto", "auto", "", False),
        ("off", "claude", KEY, False),
        ("on", "offline", KEY, True),
    ],
)
def test_when_llm_metrics_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: str, backend: str, key: str, allowed: bool
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", key)
    settings = settings_from_dict({"ragas": {"llm_metrics": mode}, "agent": {"backend": backend}}, tmp_path)
    assert llm_metrics_allowed(settings) is allowed


def test_llm_metrics_on_without_a_key_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, embedder: Embedder
) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    settings = settings_from_dict({"ragas": {"llm_metrics": "on"}}, tmp_path)
    with pytest.raises(MissingAPIKey, match="ANTHROPIC_API_KEY"):
        make_metrics_hook(settings, {}, embedder)
    offline_only = settings_from_dict(
        {"ragas": {"llm_metrics": "on", "metrics": ["rouge_l"]}}, tmp_path
    )
    assert llm_metrics_allowed(offline_only) is False  # no LLM metric chosen: no key needed


def judge_reply(question: str) -> Any:
    """Answer each ragas prompt like a model would, by the output tool ragas forces."""

    def reply(request: dict[str, Any]) -> StubResponse:
        if "temperature" in request and "top_p" in request:
            return error(400, "`temperature` and `top_p` cannot both be specified for this model.")
        tool = request["tool_choice"]["name"]
        outputs: dict[str, Any] = {
            "StatementGeneratorOutput": {"statements": ["Export is under More.", "Exports are free."]},
            "ClaimDecompositionOutput": {"claims": ["Export is under More.", "Exports are free."]},
            "NLIStatementOutput": {"statements": [
                {"statement": "Export is under More.", "reason": "stated", "verdict": 1},
                {"statement": "Exports are free.", "reason": "not stated", "verdict": 0},
            ]},
            "AnswerRelevanceOutput": {"question": question, "noncommittal": 0},
        }
        return tool_use(outputs[tool], name=tool, model=MODEL)

    return reply


def judged_settings(settings: Settings, stub: MessagesStub) -> Settings:
    raw = {
        "claude": {"model": MODEL, "base_url": stub.base_url, "max_retries": 0, "timeout_seconds": 10},
        "ragas": {"llm_metrics": "on"},
    }
    return settings_from_dict(raw, settings.root)


@pytest.mark.server
def test_claude_judges_through_ragas_on_redacted_text(
    stub: MessagesStub, settings: Settings, embedder: Embedder
) -> None:
    body = "How do I get all tasks into Excel? Reply to jane.doe@example.com or +44 20 7946 0958."
    customer = ticket(body=body, resolution=RESOLUTION + " Sent to jane.doe@example.com.")
    question = redact(customer.text).text
    stub.queue(*[judge_reply(question)] * 9)
    hook = judged_hook(judged_settings(settings, stub), embedder)
    assert hook is not None
    try:
        values = hook(customer, decision(("export-csv",), evidence(sections(settings, "export-csv"))))
    finally:
        hook.close()

    # 1 of 2 statements supported (faithfulness); tp=1, fp=1, fn=1 (factual F1); the
    # generated question is the ticket itself, so relevancy is a cosine of 1
    assert values["faithfulness"] == 0.5
    assert values["factual_correctness"] == 0.5
    assert values["answer_relevancy"] == pytest.approx(1.0, abs=1e-3)
    assert {"rouge_l", "context_recall_ids"} <= set(values)  # the offline ones still come

    # 2 faithfulness + 4 factual correctness (both directions) + 3 relevancy questions
    assert len(stub.requests) == 9 and stub.pending == 0
    for request in stub.requests:
        assert request.path.startswith("/v1/messages")
        assert request.json["model"] == MODEL
        assert not {"temperature", "top_p", "top_k"} & set(request.json)
        sent = json.dumps(request.json)
        assert "jane.doe@example.com" not in sent and "7946" not in sent
    assert any("[EMAIL]" in json.dumps(r.json) and "[PHONE]" in json.dumps(r.json) for r in stub.requests)
    tools = sorted(r.json["tool_choice"]["name"] for r in stub.requests)
    assert tools.count("AnswerRelevanceOutput") == 3 and tools.count("NLIStatementOutput") == 3


@pytest.mark.server
def test_judge_serves_replay_worker_threads(stub: MessagesStub, settings: Settings, embedder: Embedder) -> None:
    tickets = [ticket().model_copy(update={"id": f"T-{n}"}) for n in range(4)]
    stub.queue(*[judge_reply(redact(tickets[0].text).text)] * 36)
    hook = judged_hook(judged_settings(settings, stub), embedder)
    assert hook is not None
    found = evidence(sections(settings, "export-csv"))
    try:
        with ThreadPoolExecutor(max_workers=4) as pool:
            results = list(pool.map(lambda t: hook(t, decision(("export-csv",), found)), tickets))
    finally:
        hook.close()
    for values in results:
        assert set(RAGAS_LLM_METRICS) <= set(values)
    assert len(stub.requests) == 36


@pytest.mark.server
def test_a_failing_judge_leaves_out_only_its_metrics(
    stub: MessagesStub, settings: Settings, embedder: Embedder, caplog: pytest.LogCaptureFixture
) -> None:
    stub.queue(*[error(400, "stub says no")] * 20)
    hook = judged_hook(judged_settings(settings, stub), embedder)
    assert hook is not None
    found = evidence(sections(settings, "export-csv"))
    try:
        values = hook(ticket(), decision(("export-csv",), found))
    finally:
        hook.close()
    assert not set(RAGAS_LLM_METRICS) & set(values)
    assert {"rouge_l", "semantic_similarity", "context_recall"} <= set(values)
    failed = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert any("faithfulness failed on ticket T-1" in message for message in failed)
