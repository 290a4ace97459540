"""`kbops eval --backend claude` at scale, end to end against the local Messages API stub:
concurrent requests (never more than `claude.max_concurrency` in flight, results in ticket
order, a 429 retried), `--batch` giving the same verdicts as the sequential replay, and a
`--batch` run killed while polling that resumes the same batch when run again."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import KBOPS, run_kbops
from tests.factories import project_copy
from tests.messages_stub import MessagesStub, StubResponse, error, messages_stub, tool_use

pytestmark = pytest.mark.server

TICKETS = 20
FAILING = "Outlook"
"""Tickets mentioning this fail: a 400 one by one, an errored request in a batch."""
ENV = {"ANTHROPIC_API_KEY": "sk-ant-test-batch"}


def answer(params: Any) -> StubResponse:
    """A deterministic 'model': reply with the text of source [1] and cite it."""
    content = params["messages"][0]["content"]
    if FAILING in content:
        return error(400, "stub: refused")
    sources = content.split("<sources>\n", 1)[1].split("\n</sources>", 1)[0]
    first = sources.split("\n\n[2] ", 1)[0].split("\n", 1)[1]
    reply = tool_use({"reply": first, "cited_sources": [1], "can_answer": True, "confidence": 0.9})
    return replace(reply, delay_seconds=0.05)  # slow enough for requests to overlap


def batch_outcome(custom_id: str, params: dict[str, Any]) -> str:
    return "errored" if FAILING in params["messages"][0]["content"] else "succeeded"


@pytest.fixture
def model() -> Iterator[MessagesStub]:
    with messages_stub() as stub:
        stub.respond_with(answer)
        stub.batch_outcome = batch_outcome
        yield stub


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo project with its first tickets, indexed once for every test here."""
    project = project_copy(tmp_path_factory.mktemp("indexed"))
    tickets = project / "evals" / "tickets.jsonl"
    tickets.write_text("".join(tickets.read_text().splitlines(keepends=True)[:TICKETS]))
    result = run_kbops("index", cwd=project)
    assert result.returncode == 0, result.stderr
    return project


def claude_project(indexed: Path, root: Path, stub: MessagesStub) -> Path:
    """A copy of the indexed project, Claude pointed at the stub."""
    project = root / "project"
    shutil.copytree(indexed, project)
    with (project / "kbops.toml").open("a") as config:
        config.write(f'\n[claude]\nbase_url = "{stub.base_url}"\nmodel = "claude-test"\nmax_retries = 2\n'
                     "max_concurrency = 3\nbatch_poll_initial_seconds = 0.05\nbatch_poll_max_seconds = 0.2\n"
                     '\n[ragas]\nllm_metrics = "off"\n')  # the ragas judge would call the stub too
    return project


def eval_run(project: Path, *args: str) -> dict[str, Any]:
    result = run_kbops("eval", "--backend", "claude", "--format", "json", *args, cwd=project, env=ENV)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def outcomes(run: dict[str, Any]) -> dict[str, tuple[str, str, tuple[str, ...]]]:
    return {r["ticket_id"]: (r["verdict"], r["action"], tuple(r["reasons"])) for r in run["results"]}


def ticket_ids(project: Path) -> list[str]:
    return [json.loads(line)["id"] for line in (project / "evals" / "tickets.jsonl").read_text().splitlines()]


@pytest.fixture(scope="module")
def sequential(indexed: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The sequential (concurrent, not batched) replay: the reference verdicts, and what the
    stub saw while serving it."""
    with messages_stub() as stub:
        stub.respond_with(answer)
        stub.queue(error(429, retry_after="0"))  # the first request is rate limited once
        project = claude_project(indexed, tmp_path_factory.mktemp("sequential"), stub)
        run = eval_run(project)
        return {"run": run, "ids": ticket_ids(project), "max_in_flight": stub.max_in_flight,
                "requests": len(stub.requests), "batches": len(stub.batches)}


def test_concurrent_replay_keeps_to_the_limit_and_the_ticket_order(sequential: dict[str, Any]) -> None:
    run = sequential["run"]
    assert [r["ticket_id"] for r in run["results"]] == sequential["ids"]
    assert 2 <= sequential["max_in_flight"] <= 3
    assert sequential["batches"] == 0
    found = outcomes(run)
    assert found["T-1006"][0] == "gated"  # a refund stays with humans whatever the model says
    assert {verdict for verdict, _, _ in found.values()} >= {"deflected", "gated"}
    failed = [tid for tid, (_, _, reasons) in found.items() if "backend_error" in reasons]
    assert failed, "the ticket the stub refuses escalates with backend_error"
    asked = sum(1 for r in run["results"] if r["action"] == "answer") + len(failed)
    assert sequential["requests"] > asked  # the 429 was retried


def test_batch_gives_the_same_verdicts_as_the_sequential_replay(
    sequential: dict[str, Any], indexed: Path, model: MessagesStub, tmp_path: Path
) -> None:
    project = claude_project(indexed, tmp_path, model)
    run = eval_run(project, "--batch")
    assert outcomes(run) == outcomes(sequential["run"])
    assert [r["ticket_id"] for r in run["results"]] == sequential["ids"]
    assert len(model.batches) == 1
    assert not [r for r in model.requests if r.path == "/v1/messages"]  # nothing sent one by one
    batch = next(iter(model.batches.values()))
    assert "errored" in batch.outcomes.values()
    assert not (project / ".kbops" / "runs" / "checkpoint.batch.json").exists()


def test_a_batch_run_killed_while_polling_resumes_the_same_batch(
    sequential: dict[str, Any], indexed: Path, model: MessagesStub, tmp_path: Path
) -> None:
    project = claude_project(indexed, tmp_path, model)
    model.batch_polls = 1_000_000  # never ends until the test says so
    command = [str(KBOPS), "eval", "--backend", "claude", "--batch", "--format", "json"]
    process = subprocess.Popen(command, cwd=project, env={**os.environ, **ENV}, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 240
        while not [r for r in model.batch_calls if r.method == "GET"]:
            assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
            assert time.monotonic() < deadline, "the batch was never polled"
            time.sleep(0.1)
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        if process.stderr:
            process.stderr.close()
    record = project / ".kbops" / "runs" / "checkpoint.batch.json"
    assert json.loads(record.read_text())["batch_id"] in model.batches

    model.end_batches()
    result = run_kbops("eval", "--backend", "claude", "--batch", "--format", "json", cwd=project, env=ENV)

    assert result.returncode == 0, result.stderr
    assert "resuming Message Batch" in result.stderr
    assert len(model.batches) == 1  # polled again, never submitted twice
    assert outcomes(json.loads(result.stdout)) == outcomes(sequential["run"])
    assert not record.exists()


def test_batch_needs_the_claude_backend(indexed: Path) -> None:
    result = run_kbops("eval", "--backend", "offline", "--batch", cwd=indexed, env=ENV)
    assert result.returncode == 2
    assert "--batch needs the Claude backend" in result.stderr and "Traceback" not in result.stderr
