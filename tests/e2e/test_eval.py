"""`kbops eval` end to end: verdicts on the demo data, a git baseline, the gate, resume."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from kbops.report.json import run_schema
from tests.conftest import run_kbops
from tests.factories import article_text, commit_all, kb_project, project_copy

DARK_MODE = article_text(
    "dark-mode",
    title="Dark mode and themes",
    summary="Whether Tasklane has a dark theme, and a workaround until it does.",
    category="feature-request",
    product_area="ui",
    tags="[dark-mode, theme, ui]",
    body=(
        "Tasklane doesn't have a dark mode or dark theme yet, on the web app or the mobile apps, and it "
        "doesn't follow your system's dark appearance setting.\n\n"
        "## Workaround\n\n"
        "On the web app, a browser extension such as Dark Reader can darken Tasklane. We can't guarantee "
        "everything displays correctly with it.\n\n"
        "## Vote for the feature\n\n"
        "Tell support you want dark mode: we add your vote to the dark mode request for the product team.\n"
    ),
)


def eval_json(project: Path, *args: str) -> tuple[int, dict]:
    result = run_kbops("eval", "--format", "json", *args, cwd=project)
    assert result.returncode in (0, 3), result.stderr
    return result.returncode, json.loads(result.stdout)


def verdicts(run: dict) -> dict[str, str]:
    return {r["ticket_id"]: r["verdict"] for r in run["results"]}


def test_demo_verdicts(tmp_path: Path) -> None:
    code, run = eval_json(project_copy(tmp_path))
    assert code == 0
    jsonschema.validate(run, run_schema())
    found = verdicts(run)
    assert set(found.values()) == {"deflected", "false_deflection", "gated", "gap"}
    assert found["T-1006"] == "gated"  # "refund" request: stays with humans
    assert found["T-1001"] == "deflected"  # How do I export my project to CSV?
    assert found["T-1011"] == "gap"  # Outlook calendar sync: no article
    assert found["T-1035"] == "gated"  # prompt injection asking for a refund
    summary = run["summary"]
    assert summary["tickets"] == len(found) >= 60
    assert summary["deflection_rate_ungated"] > summary["deflection_rate"]


def test_baseline_shows_a_closed_gap_and_the_gate_catches_a_deletion(tmp_path: Path) -> None:
    project = project_copy(tmp_path)
    commit_all(project, "KB as it was")
    (project / "kb" / "dark-mode.md").write_text(DARK_MODE)
    repo = commit_all(project, "Add dark mode article")

    code, run = eval_json(project, "--baseline", "HEAD~1")
    assert code == 0
    before, after = run["comparison"]["verdict_changes"]["T-1066"]
    assert after == "deflected"
    assert before in ("gap", "false_deflection")  # no dark-mode article: escalated or a neighbour borrowed
    assert "T-1066" in run["comparison"]["newly_deflected"]
    assert run["comparison"]["deflection_delta"] > 0
    assert verdicts(run)["T-1066"] == "deflected"

    (project / "kb" / "export-project-csv.md").unlink()
    for path in (project / "kb").glob("*.md"):  # keep lint-clean: drop links to it
        path.write_text(path.read_text().replace("export-project-csv", "export-project-pdf"))
    commit_all(project, "Remove the CSV export article")
    gated = run_kbops("eval", "--baseline", "HEAD~1", "--max-regressions", "0", cwd=project)
    assert gated.returncode == 3, gated.stdout + gated.stderr
    assert "gate failed" in gated.stderr and "T-1001" in gated.stderr
    # The user's checkout was never touched by the baseline replay.
    assert repo.head.commit.message == "Remove the CSV export article" and not repo.is_dirty()


def test_bad_baseline_ref_is_a_usage_error(tmp_path: Path) -> None:
    project = project_copy(tmp_path)
    commit_all(project)
    result = run_kbops("eval", "--baseline", "no-such-branch", cwd=project)
    assert result.returncode == 2 and "does not resolve" in result.stderr


KILLED_EVAL = """
import os, signal, sys

from kbops.cli import main
from kbops.evals import replay

kill_after, count_file, *argv = sys.argv[1:]
appended, replayed = [], []
append, replay_ticket = replay.Checkpoint.append, replay.replay_ticket


def append_then_maybe_die(self, result):
    append(self, result)  # written and fsynced: the result survives what follows
    appended.append(result.ticket_id)
    if len(appended) == int(kill_after):
        os.kill(os.getpid(), signal.SIGKILL)


def counting_replay_ticket(agent, embedder, ticket, *args, **kwargs):
    replayed.append(ticket.id)
    return replay_ticket(agent, embedder, ticket, *args, **kwargs)


replay.Checkpoint.append = append_then_maybe_die
replay.replay_ticket = counting_replay_ticket
sys.argv = ["kbops", *argv]
try:
    main()
finally:
    with open(count_file, "w") as out:
        out.write("\\n".join(replayed))
"""
"""`kbops eval` in a child process that kills itself with SIGKILL right after the Nth result
reaches the checkpoint (0: never), and writes the ids of the tickets it replayed."""


def killable_eval(project: Path, kill_after: int, *args: str) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """Run KILLED_EVAL in `project`: the finished process and the tickets it replayed
    (none are known of a killed run: it had no chance to say)."""
    replayed = project.parent / f"replayed-{kill_after}.txt"
    done = subprocess.run([sys.executable, "-c", KILLED_EVAL, str(kill_after), str(replayed), "eval", *args],
                          cwd=project, capture_output=True, text=True, timeout=300)
    return done, replayed.read_text().split() if replayed.exists() else []


def test_killed_run_resumes_to_the_same_report(tmp_path: Path) -> None:
    """Killed at a known point (after the 15th finished ticket), never racing the run."""
    project = project_copy(tmp_path)
    _, uninterrupted = eval_json(project)
    tickets = [r["ticket_id"] for r in uninterrupted["results"]]
    checkpoint = project / ".kbops" / "runs" / "checkpoint.jsonl"

    killed, _ = killable_eval(project, 15, "--format", "json")
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert killed.stdout == ""  # no report from a killed run
    lines = checkpoint.read_text().splitlines()
    assert len(lines) == 1 + 15  # the run's key, then one line per finished ticket
    assert [json.loads(line)["ticket_id"] for line in lines[1:]] == tickets[:15]

    resumed_run, replayed = killable_eval(project, 0, "--format", "json", "--resume")
    assert resumed_run.returncode == 0, resumed_run.stderr
    assert replayed == tickets[15:]  # the 15 finished tickets are not replayed again
    resumed = json.loads(resumed_run.stdout)
    assert resumed["results"] == uninterrupted["results"]
    assert resumed["summary"] == uninterrupted["summary"]
    assert not checkpoint.exists()


@pytest.mark.parametrize("flag", ["--fail-under", "--max-false-deflections"])
def test_gate_without_baseline(tmp_path: Path, flag: str) -> None:
    project = project_copy(tmp_path)
    value = "0.99" if flag == "--fail-under" else "0"
    result = run_kbops("eval", flag, value, cwd=project)
    assert result.returncode == 3, result.stderr
    assert "gate failed" in result.stderr
    ok = run_kbops("eval", flag, "0" if flag == "--fail-under" else "50", cwd=project)
    assert ok.returncode == 0, ok.stderr


def test_a_baseline_scores_its_contexts_against_its_own_kb(tmp_path: Path) -> None:
    """The baseline replay's ragas context metrics compare what it retrieved with the gold
    article *as it was at the ref*, not as it is in the working tree."""
    project = tmp_path / "project"
    kb_project(
        project,
        article_text("export-csv", title="Export a project to CSV", body=(
            "Download every task of a project as a spreadsheet.\n\n## Steps\n\n"
            "Open the project, choose Export and then CSV; the file downloads at once.\n")),
        article_text("sso", title="Single sign-on with Okta"),
        config='[kb]\npath = "kb"\n[ragas]\nmetrics = ["context_recall"]\n',
    )
    (project / "evals").mkdir()
    guide = project / "kb" / "export-csv.md"
    ticket = {"id": "T-1", "body": "How do I export my project to CSV?", "resolution": "Export > CSV",
              "resolved_by_article_ids": ["export-csv"]}
    (project / "evals" / "tickets.jsonl").write_text(json.dumps(ticket) + "\n")
    commit_all(project)
    guide.write_text(article_text("export-csv", title="Export a project to CSV", body=(
        "Spreadsheets of a project's tasks are on their way.\n\n## Steps\n\n"
        "Ask the workspace owner, who can request an archive from the account team.\n")))

    code, run = eval_json(project, "--baseline", "HEAD")
    assert code == 0
    baseline = run["comparison"]["baseline"]["metrics"]["context_recall"]
    assert baseline == 1.0  # retrieved at HEAD, judged against the article at HEAD
    assert run["summary"]["metrics"]["context_recall"] == 1.0  # the working tree against itself


def test_eval_opens_the_index_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One store opened and one index read per KB: the working tree's (and the baseline's)."""
    from typer.testing import CliRunner

    from kbops.cli import app
    from kbops.index import retriever

    project = project_copy(tmp_path)
    commit_all(project)
    opened: list[tuple[str, str]] = []
    open_store, load_retriever = retriever.open_store, retriever.load_retriever

    def counting_open_store(settings, *args, **kwargs):  # type: ignore[no-untyped-def]
        opened.append(("store", str(settings.index_dir)))
        return open_store(settings, *args, **kwargs)

    def counting_load_retriever(settings, *args, **kwargs):  # type: ignore[no-untyped-def]
        opened.append(("read", str(settings.index_dir)))
        return load_retriever(settings, *args, **kwargs)

    monkeypatch.setattr(retriever, "open_store", counting_open_store)
    monkeypatch.setattr(retriever, "load_retriever", counting_load_retriever)
    monkeypatch.chdir(project)
    result = CliRunner().invoke(app, ["eval", "--format", "json"])
    assert result.exit_code == 0, result.output
    working = str((project / ".kbops" / "index").resolve())
    assert opened == [("store", working), ("read", working)]

    opened.clear()
    result = CliRunner().invoke(app, ["eval", "--baseline", "HEAD", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert sorted(kind for kind, _ in opened) == ["read", "read", "store", "store"]
    folders = {folder for _, folder in opened}
    assert working in folders and len(folders) == 2  # the baseline has an index of its own
