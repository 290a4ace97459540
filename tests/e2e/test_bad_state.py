"""Every file kbops writes under `.kbops/`, damaged in a real project, then the real CLI:
no traceback, one line naming the file (set aside as `<name>.corrupt`), the documented exit
code, and the next run works without a word.

One healthy project (part of the demo KB, eight tickets, committed to git) is built once with
`kbops eval --baseline HEAD` and `kbops gaps`, so every kind of state file exists; each
test damages a copy of it.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

import pytest

from kbops.evals.history import read_run
from kbops.evals.replay import Checkpoint, run_key
from kbops.index.embed import Embedder
from kbops.workspace import Workspace
from tests.conftest import REPO, run_kbops
from tests.factories import commit_all, demo_kb

QUERY = "how do I export my project to csv"
TICKETS = 8
ARTICLES = (
    "export-project-csv", "export-project-pdf", "import-projects-csv", "reset-password", "gantt-timeline",
    "plans-and-pricing", "refund-policy", "two-factor-authentication", "workspace-settings",
    "import-from-trello", "storage-attachment-limits", "refund-approval-playbook",
)
"""The demo articles the first tickets are about, and a few neighbours: small enough that a
lost embedding cache is rebuilt in seconds."""


@pytest.fixture(scope="module")
def healthy(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Path:
    project = demo_kb(tmp_path_factory.mktemp("healthy") / "project")
    for article in (project / "kb").glob("*.md"):
        if article.stem not in ARTICLES:
            article.unlink()
    config = project / "kbops.toml"
    demo = config.read_text()
    assert demo.count("\n[agent]\n") == 1  # the demo's own [agent] table gains the backend
    config.write_text(demo.replace("\n[agent]\n", '\n[agent]\nbackend = "offline"\n')
                      + '\n[ragas]\nenabled = false  # not what these tests are about\n')
    (project / "evals").mkdir()
    lines = (REPO / "evals" / "tickets.jsonl").read_text().splitlines()[:TICKETS]
    (project / "evals" / "tickets.jsonl").write_text("\n".join(lines) + "\n")
    (project / ".gitignore").write_text(".kbops/\n")
    commit_all(project)
    for args in (("eval", "--baseline", "HEAD", "--format", "json"), ("gaps",), ("search", QUERY, "--json")):
        done = run_kbops(*args, cwd=project)
        assert done.returncode == 0, done.stderr
    (project / "search.json").write_text(done.stdout)
    runs = project / ".kbops" / "runs"
    (newest,) = runs.glob("*.json")
    # a second, later run, so a damaged newest run leaves an older one to fall back on
    older = newest.with_name("20000101T000000Z-000000.json")
    older.write_text(newest.read_text().replace(newest.stem, older.stem))
    with Workspace.open(project / "kbops.toml", embedder=embedder) as ws:  # the key a killed eval leaves
        key = run_key(ws.tickets().tickets, ws.agent, ws.settings.eval.correctness_threshold)
    checkpoint = Checkpoint(project / "checkpoint.jsonl", key)
    checkpoint.start(keep=False)
    for result in read_run(newest).results[: TICKETS // 2]:
        checkpoint.append(result)
    return project


@pytest.fixture
def project(healthy: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "project"
    shutil.copytree(healthy, copy, symlinks=True)
    return copy


def newest_run(project: Path) -> Path:
    return max((project / ".kbops" / "runs").glob("2*.json"))


def baseline_folder(project: Path) -> Path:
    (folder,) = (project / ".kbops" / "baselines").iterdir()
    return folder


def replace_with_file(path: Path) -> None:
    shutil.rmtree(path) if path.is_dir() else path.unlink()
    path.write_text("not a folder")


def garbage(path: Path) -> None:
    path.write_bytes(b"\x00garbage{[" * 50)


def truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: max(1, path.stat().st_size // 3)])


def assert_one_line_about(result_stderr: str, name: str) -> None:
    """No traceback; exactly one line names the damaged file and where it went."""
    assert "Traceback" not in result_stderr
    about = [line for line in result_stderr.splitlines() if f"moved it to {name}" in line]
    assert len(about) == 1, result_stderr
    assert f"{name}: " in about[0] and ".corrupt" in about[0]


INDEX_DAMAGE: dict[str, tuple[Callable[[Path], Path], Callable[[Path], None], str]] = {
    "manifest": (lambda p: p / ".kbops/index/manifest.json", garbage, "manifest.json"),
    "lexical-index": (lambda p: p / ".kbops/index/lexical/bm25/indices.csc.index.npy", truncate, "lexical"),
    "chroma-store": (lambda p: p / ".kbops/index/chroma/chroma.sqlite3", garbage, "chroma"),
    "embedding-cache": (lambda p: p / ".kbops/embeddings.sqlite", garbage, "embeddings.sqlite"),
    "index-folder-is-a-file": (lambda p: p / ".kbops/index", replace_with_file, "index"),
}
"""One case per kind of index file; tests/index/test_heal.py holds the other ways to damage each."""


@pytest.mark.slow
@pytest.mark.parametrize("case", INDEX_DAMAGE)
def test_damaged_index_state_is_set_aside_and_rebuilt(project: Path, case: str) -> None:
    locate, damage, name = INDEX_DAMAGE[case]
    damage(locate(project))
    first = run_kbops("search", QUERY, "--json", cwd=project)
    assert first.returncode == 0, first.stderr
    assert_one_line_about(first.stderr, name)
    assert json.loads(first.stdout) == json.loads((project / "search.json").read_text())
    again = run_kbops("search", QUERY, "--json", cwd=project)
    assert again.returncode == 0 and again.stderr.strip() == "", again.stderr
    assert list((project / ".kbops").rglob(f"{name}*.corrupt"))


@pytest.mark.slow
def test_kbops_folder_replaced_by_a_file(project: Path) -> None:
    replace_with_file(project / ".kbops")
    first = run_kbops("search", QUERY, "--json", cwd=project)
    assert first.returncode == 0, first.stderr
    assert_one_line_about(first.stderr, ".kbops")
    assert json.loads(first.stdout) == json.loads((project / "search.json").read_text())
    assert (project / ".kbops.corrupt").read_text() == "not a folder"


@pytest.mark.slow
def test_a_damaged_newest_run_is_skipped_once(project: Path) -> None:
    bad = newest_run(project)
    bad.write_text('{"version": 1, "run_id": ')
    first = run_kbops("report", "--format", "json", cwd=project)
    assert first.returncode == 0, first.stderr
    assert_one_line_about(first.stderr, bad.name)
    assert json.loads(first.stdout)["run_id"] == "20000101T000000Z-000000"  # the older run
    again = run_kbops("report", "--format", "html", cwd=project)
    assert again.returncode == 0 and "Traceback" not in again.stderr and bad.name not in again.stderr


@pytest.mark.slow
def test_report_of_a_damaged_run_by_id_names_the_file(project: Path) -> None:
    bad = newest_run(project)
    run = json.loads(bad.read_text())
    run["results"][0]["confidence"] = "high"  # valid JSON; an HTML report would have crashed on it
    bad.write_text(json.dumps(run))
    first = run_kbops("report", "--run", bad.stem, "--format", "html", cwd=project)
    assert first.returncode == 1 and "Traceback" not in first.stderr
    (line,) = [line for line in first.stderr.splitlines() if line.strip()]
    assert f"{bad.name}: not a readable eval run (results.0.confidence" in line and f"{bad.name}.corrupt" in line
    again = run_kbops("report", "--run", bad.stem, cwd=project)
    assert again.returncode == 2 and f"no run '{bad.stem}'" in again.stderr


@pytest.mark.slow
def test_runs_folder_replaced_by_a_file(project: Path) -> None:
    replace_with_file(project / ".kbops" / "runs")
    first = run_kbops("eval", "--format", "json", cwd=project)
    assert first.returncode == 0, first.stderr
    assert_one_line_about(first.stderr, "runs")
    assert json.loads(first.stdout)["summary"]["tickets"] == TICKETS


@pytest.mark.slow
def test_a_damaged_gap_analysis_is_left_out_of_the_report(project: Path) -> None:
    (saved,) = (project / ".kbops" / "runs" / "gaps").glob("*.json")
    saved.write_text(json.dumps({"version": 1, "run_id": saved.stem, "gaps": [{"id": 5}]}))
    first = run_kbops("report", "--run", saved.stem, cwd=project)
    assert first.returncode == 0, first.stderr
    assert_one_line_about(first.stderr, saved.name)


@pytest.mark.slow
def test_eval_resumes_from_every_valid_checkpoint_line(project: Path) -> None:
    checkpoint = project / ".kbops" / "runs" / "checkpoint.jsonl"
    lines = (project / "checkpoint.jsonl").read_text().splitlines()
    lines[3] = lines[3][: len(lines[3]) // 2]  # a torn line in the middle
    lines.insert(5, '{"ticket_id": "T-1001"}')  # JSON, but not a result
    checkpoint.write_text("\n".join(lines) + "\n")
    resumed = run_kbops("eval", "--resume", "--format", "json", cwd=project)
    assert resumed.returncode == 0, resumed.stderr
    assert_one_line_about(resumed.stderr, "checkpoint.jsonl")
    assert f"resuming from the {TICKETS // 2 - 1} valid result(s)" in resumed.stderr
    whole = read_run(project / ".kbops" / "runs" / "20000101T000000Z-000000.json")  # the same tickets, replayed whole
    assert json.loads(resumed.stdout)["summary"] == asdict(whole.summary)


@pytest.mark.slow
@pytest.mark.parametrize("damaged", ["cached-run", "baseline-folder-is-a-file"])
def test_damaged_baseline_cache_is_set_aside_and_replayed(project: Path, damaged: str) -> None:
    folder = baseline_folder(project)
    if damaged == "cached-run":
        (target,) = folder.glob("run-*.json")
        target.write_text('{"version": 1, "results": 7}')
    else:
        target = folder
        replace_with_file(folder)
    first = run_kbops("eval", "--baseline", "HEAD", "--format", "json", cwd=project)
    assert first.returncode == 0, first.stderr
    assert_one_line_about(first.stderr, target.name)
    comparison = json.loads(first.stdout)["comparison"]
    assert comparison["regressed"] == [] and comparison["deflection_delta"] == 0
    again = run_kbops("eval", "--baseline", "HEAD", "--format", "json", cwd=project)
    assert again.returncode == 0 and ".corrupt" not in again.stderr
