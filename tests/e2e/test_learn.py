"""`kbops learn` and ticket memory end to end on the demo project: the CLI learns
incrementally and reports bad records, `kbops search --json` shows which tickets taught a
hit, and an eval replay never lets a ticket learn from itself or from later tickets."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from kbops.config import Settings, load_settings
from kbops.evals.memory_replay import memory_replay
from kbops.evals.replay import replay
from kbops.index.embed import Embedder
from kbops.index.memory import MemoryRoutes, MemoryView
from kbops.index.memory_store import TicketMemory
from kbops.report.json import run_schema
from kbops.workspace import Workspace
from tests.conftest import run_kbops
from tests.factories import project_copy


def learn_json(project: Path, *args: str) -> dict[str, Any]:
    result = run_kbops("learn", "--json", *args, cwd=project)
    assert result.returncode == 0, result.stderr
    return dict(json.loads(result.stdout))


def test_learn_is_incremental_and_search_shows_the_teaching_tickets(tmp_path: Path) -> None:
    project = project_copy(tmp_path)
    tickets = (project / "evals" / "tickets.jsonl").read_text().splitlines()
    first = learn_json(project)
    assert first["version"] == 1 and first["added"] == first["entries"] == len(tickets)
    again = learn_json(project)
    assert (again["added"], again["updated"], again["unchanged"], again["embedded"]) == (0, 0, len(tickets), 0)
    assert (project / ".kbops" / "memory" / "entries.json").exists()

    # T-1001: "How do I export my project to CSV?" -> export-project-csv
    found = run_kbops("search", "--json", "getting all my project's tasks into a csv file", cwd=project)
    assert found.returncode == 0, found.stderr
    hits = json.loads(found.stdout)["hits"]
    routed = [h for h in hits if h["memory"] is not None]
    assert routed and all(h["memory"]["tickets"] and 0 < h["memory"]["score"] <= 1 for h in routed)
    assert any(h["article_id"] == "export-project-csv" and "T-1001" in h["memory"]["tickets"] for h in routed)
    assert all("memory" in h for h in hits)

    text = run_kbops("search", "getting all my project's tasks into a csv file", cwd=project)
    assert text.returncode == 0 and "memory" in text.stdout and "T-1001" in text.stdout


def test_learn_reports_bad_records_and_reads_several_files(tmp_path: Path) -> None:
    project = project_copy(tmp_path)
    extra = project / "more.jsonl"
    extra.write_text(
        '{"id": "N-1", "body": "Where do I change the colour of a board?", "resolution": "Settings > Theme.", '
        '"resolved_by_article_ids": ["board-views"]}\n{"id": "N-2"}\n'
    )
    result = run_kbops("learn", "evals/tickets.jsonl", "more.jsonl", cwd=project)
    assert result.returncode == 0, result.stderr
    assert "more.jsonl:2" in result.stderr and "skipped" in result.stderr
    lines = len((project / "evals" / "tickets.jsonl").read_text().splitlines())
    assert f"{lines + 1} added" in result.stdout
    empty = project / "empty.jsonl"
    empty.write_text("not json\n")
    assert run_kbops("learn", "empty.jsonl", cwd=project).returncode == 2


@pytest.fixture
def demo(tmp_path: Path, embedder: Embedder) -> Workspace:
    project = project_copy(tmp_path)
    settings = load_settings(project / "kbops.toml").with_changes(
        agent={"backend": "offline"}, index={"embedding_cache": ""})
    ws = Workspace(settings, embedder=embedder)
    ws.learn(ws.tickets().tickets)
    return ws


def spy_routes(monkeypatch: pytest.MonkeyPatch) -> list[tuple[MemoryView, MemoryRoutes]]:
    """Every view memory was asked with and the routes it gave."""
    seen: list[tuple[MemoryView, MemoryRoutes]] = []
    original = TicketMemory.routes

    def routes(self: TicketMemory, query: str, view: MemoryView | None = None, *args: Any, **kwargs: Any) -> MemoryRoutes:
        found = original(self, query, view, *args, **kwargs)
        seen.append((view or MemoryView(), found))
        return found

    monkeypatch.setattr(TicketMemory, "routes", routes)
    return seen


def teachers(routes: MemoryRoutes) -> set[str]:
    matches = [*routes.articles, *([routes.gap] if routes.gap else [])]
    return {ticket_id for m in matches for ticket_id in m.ticket_ids}


@pytest.mark.parametrize("mode", ["time", "leave-one-out"])
def test_a_replayed_ticket_never_learns_from_itself_or_the_future(demo: Workspace, monkeypatch: pytest.MonkeyPatch,
                                                                  mode: str) -> None:
    settings: Settings = demo.settings.with_changes(memory={"replay": mode})
    ws = Workspace(settings, kb=demo.kb, embedder=demo.embedder, memory=demo.memory)
    tickets = ws.tickets().tickets
    opened = {t.id: t.created_at.timestamp() for t in tickets if t.created_at is not None}
    assert memory_replay(ws.agent, tickets).mode == mode and len(ws.memory) == len(tickets)
    seen = spy_routes(monkeypatch)
    tickets = tickets if mode == "time" else tickets[::3]  # memory still holds all of them
    results = replay(ws.agent, ws.embedder, tickets, ws.settings.eval.correctness_threshold)
    assert len(results) == len(tickets) and len(seen) >= len(tickets)
    replayed = {view.exclude for view, _ in seen}
    assert replayed == {t.id for t in tickets}
    taught = 0
    for view, routes in seen:
        assert view.exclude is not None and view.exclude not in teachers(routes)
        if mode == "time":
            assert view.before == opened[view.exclude]
            assert all(opened[t] < opened[view.exclude] for t in teachers(routes))
        else:
            assert view.before is None
        taught += bool(teachers(routes))
    assert taught  # memory did route tickets, just never to themselves


def test_without_a_view_a_ticket_would_find_itself(demo: Workspace) -> None:
    """The control for the test above: its own entry is the closest one there is."""
    ticket = next(t for t in demo.tickets().tickets if t.id == "T-1001")
    own = demo.index.memory_routes(ticket.text)
    assert "T-1001" in teachers(own)
    assert "T-1001" not in teachers(demo.index.memory_routes(ticket.text, MemoryView(exclude="T-1001")))


def test_a_run_records_how_it_used_memory(demo: Workspace) -> None:
    lines = (demo.settings.root / "evals" / "tickets.jsonl").read_text().splitlines()
    subset = demo.settings.root / "subset.jsonl"
    subset.write_text("\n".join(lines[:6]) + "\n")
    run = demo.evaluate(subset).run
    assert (run.memory_replay, run.memory_entries) == ("time", len(lines))
    saved = json.loads(run.to_json())
    jsonschema.validate(saved, run_schema())
    assert demo.runs.find(run.run_id).memory_replay == "time"
    off = Workspace(demo.settings.with_changes(retrieval={"memory_weight": 0}), kb=demo.kb, embedder=demo.embedder)
    assert off.evaluate(subset).run.memory_replay == "off"
