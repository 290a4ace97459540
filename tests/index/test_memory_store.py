"""Ticket memory on disk (real chromadb in a temp folder, the offline MiniLM): learning is
incremental, only redacted text is stored, paraphrases route to their article, routes stop
at articles that are no longer public, and memory off changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from kbops.config import Settings
from kbops.index.embed import CountingEmbedder, Embedder
from kbops.index.memory import MemoryView
from kbops.index.memory_store import TicketMemory, memory_dir, record_of
from kbops.index.query import Method, Scope
from kbops.index.retriever import search_json
from kbops.tickets.model import Ticket
from kbops.workspace import Workspace
from tests.factories import ticket, write_article

START = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)
EXCEL = "My manager wants every to-do from our workspace in an Excel file, how do I do that?"
PARAPHRASE = "boss needs all our todos from the workspace in excel, how?"


def resolved(ticket_id: str, body: str, gold: tuple[str, ...] = ("export-csv",), day: int | None = 0,
             resolution: str = "Sent the steps.") -> Ticket:
    created = START + timedelta(days=day) if day is not None else None
    return Ticket(id=ticket_id, body=body, resolution=resolution, resolved_by_article_ids=gold, created_at=created)


TICKETS = (
    resolved("T-1", EXCEL, day=0),
    resolved("T-2", "The mobile app logs me out every morning", ("stay-signed-in",), day=1),
    resolved("T-3", "Can I pay with a purchase order and bank transfer?", (), day=2),  # a known gap
    Ticket(id="T-4", body="Still waiting on this one"),  # not resolved: skipped
)


@pytest.fixture
def project(kb_dir: Path) -> Path:
    write_article(kb_dir, "export-csv", title="Export a project to CSV",
                  body="Download tasks as a spreadsheet.\n\n## Steps\n\n1. Open the project.\n2. Choose Export > CSV.\n")
    write_article(kb_dir, "stay-signed-in", title="Stay signed in on mobile",
                  body="Sessions last 30 days.\n\n## Steps\n\n1. Turn on Remember this device.\n")
    write_article(kb_dir, "reset-password", title="Reset your password",
                  body="Use the sign-in page link.\n\n## Steps\n\n1. Click **Forgot password**.\n")
    return kb_dir.parent


def settings_for(project: Path, **retrieval: object) -> Settings:
    return Settings(root=project, index={"path": ".kbops/index", "embedding_cache": ""},
                    agent={"backend": "offline"}, retrieval=retrieval)


def test_open_without_learning_is_empty_and_writes_nothing(project: Path, embedder: Embedder) -> None:
    memory = TicketMemory.open(settings_for(project), embedder)
    assert len(memory) == 0 and memory.routes(EXCEL).articles == ()
    assert not memory_dir(settings_for(project)).exists()


def test_learning_is_incremental_by_ticket_and_content(project: Path, embedder: Embedder) -> None:
    settings = settings_for(project)
    counting = CountingEmbedder(embedder)
    first = TicketMemory.open(settings, counting).learn(TICKETS)
    assert (first.added, first.updated, first.unchanged, first.skipped_unresolved) == (3, 0, 0, 1)
    assert first.entries == 3 and first.known_gaps == 1 and counting.texts == 3
    counting.reset()

    again = TicketMemory.open(settings, counting).learn(TICKETS)
    assert (again.added, again.updated, again.unchanged, again.embedded) == (0, 0, 3, 0)
    assert counting.texts == 0

    edited = (TICKETS[0], resolved("T-2", "The iPhone app signs me out every single morning", ("stay-signed-in",),
                                   day=1), *TICKETS[2:])
    third = TicketMemory.open(settings, counting).learn(edited)
    assert (third.added, third.updated, third.unchanged) == (0, 1, 2)
    assert counting.texts == 1  # only the edited ticket was embedded

    pruned = TicketMemory.open(settings, counting).learn(edited[:1], prune=True)
    assert pruned.removed == 2 and len(TicketMemory.open(settings, counting)) == 1


def test_only_redacted_text_is_stored(project: Path, embedder: Embedder) -> None:
    settings = settings_for(project).with_changes(redaction={"enabled": False})  # memory redacts regardless
    pii = resolved("T-9", "I'm jane.doe@example.com, call +44 20 7946 0958: export my board to Excel?")
    memory = TicketMemory.open(settings, embedder)
    memory.learn([pii])
    assert "[EMAIL]" in memory.entries[0].text
    for path in memory_dir(settings).rglob("*"):
        if path.is_file():
            assert b"jane.doe" not in path.read_bytes(), path
            assert b"7946" not in path.read_bytes(), path


def test_a_paraphrase_is_routed_to_the_article_that_answered(project: Path, embedder: Embedder) -> None:
    ws = Workspace(settings_for(project), embedder=embedder)
    ws.learn(TICKETS)
    before = Workspace(settings_for(project, memory_weight=0), embedder=embedder).index.search(PARAPHRASE, k=3)
    hits = ws.index.search(PARAPHRASE, k=3)
    assert hits[0].article_id == "export-csv" and hits[0].memory is not None
    assert hits[0].memory.ticket_ids == ("T-1",)
    assert hits[0].score > next(h.score for h in before if h.article_id == "export-csv")
    payload = search_json(PARAPHRASE, Scope.CUSTOMER, Method.HYBRID, None, hits)
    assert '"tickets": [\n          "T-1"\n        ]' in payload


def test_an_article_only_memory_finds_still_becomes_a_hit(project: Path, embedder: Embedder) -> None:
    ws = Workspace(settings_for(project), embedder=embedder)
    ws.learn([resolved("T-7", "Zorblax widget frobnicates wrongly", ("reset-password",))])
    hits = ws.index.search("zorblax widget frobnicating wrong", k=5)
    found = next(h for h in hits if h.article_id == "reset-password")
    assert found.memory is not None and found.chunks and found.memory.ticket_ids == ("T-7",)


def test_views_hide_the_ticket_itself_and_later_tickets(project: Path, embedder: Embedder) -> None:
    memory = TicketMemory.open(settings_for(project), embedder)
    memory.learn([*TICKETS, resolved("T-5", EXCEL + " Thanks!", day=5)])
    everything = memory.routes(EXCEL)
    assert set(everything.articles[0].ticket_ids) == {"T-1", "T-5"}
    alone = memory.routes(EXCEL, MemoryView(exclude="T-1"))
    assert alone.articles[0].ticket_ids == ("T-5",)
    earlier = memory.routes(EXCEL, MemoryView(exclude="T-5", before=(START + timedelta(days=5)).timestamp()))
    assert earlier.articles[0].ticket_ids == ("T-1",)
    nothing_yet = memory.routes(EXCEL, MemoryView(exclude="T-1", before=START.timestamp()))
    assert nothing_yet.articles == ()
    assert memory.routes("Pay by purchase order and bank wire?").gap_score > 0  # the known gap


@pytest.mark.parametrize("change", ["archived", "internal", "deleted"])
def test_memory_stops_routing_to_an_article_customers_cannot_see(project: Path, embedder: Embedder,
                                                                 change: str) -> None:
    Workspace(settings_for(project), embedder=embedder).learn(TICKETS)
    kb = project / "kb"
    if change == "deleted":
        (kb / "export-csv.md").unlink()
    else:
        fields = {"status": "archived"} if change == "archived" else {"audience": "internal"}
        write_article(kb, "export-csv", title="Export a project to CSV", body="Download tasks as a spreadsheet.\n",
                      **fields)
    ws = Workspace(settings_for(project), embedder=embedder)
    assert all(m.article_id != "export-csv" for m in ws.index.memory_routes(PARAPHRASE).articles)
    assert all(h.article_id != "export-csv" for h in ws.index.search(PARAPHRASE, k=5))


def test_memory_weight_zero_or_empty_memory_changes_nothing(project: Path, embedder: Embedder) -> None:
    queries = [PARAPHRASE, "mobile app signs me out", "forgot password", "purchase order"]
    plain = Workspace(settings_for(project), embedder=embedder).index
    expected = [search_json(q, Scope.CUSTOMER, Method.HYBRID, None, plain.search(q)) for q in queries]
    assert '"memory": {' not in "".join(expected)
    ws = Workspace(settings_for(project, memory_weight=0), embedder=embedder)
    ws.learn(TICKETS)
    off = ws.index
    assert [search_json(q, Scope.CUSTOMER, Method.HYBRID, None, off.search(q)) for q in queries] == expected
    fusion = settings_for(project, fusion="rrf")
    rrf_plain = Workspace(fusion.with_changes(memory={"path": ".kbops/empty"}), embedder=embedder).index
    rrf_off = Workspace(fusion.with_changes(retrieval={"memory_weight": 0}), embedder=embedder).index
    assert [rrf_plain.search(q) for q in queries] == [rrf_off.search(q) for q in queries]


def test_a_damaged_memory_is_set_aside_and_starts_empty(project: Path, embedder: Embedder) -> None:
    settings = settings_for(project)
    TicketMemory.open(settings, embedder).learn(TICKETS)
    entries = memory_dir(settings) / "entries.json"
    entries.write_text('{"version": 1, "entries": [{"ticket_id": 5}]}')
    said: list[str] = []
    memory = TicketMemory.open(settings, embedder, said.append)
    assert len(memory) == 0 and memory.routes(EXCEL).articles == ()
    assert "unreadable" in said[0] and (entries.parent / "entries.json.corrupt").exists()


def test_lost_vectors_are_embedded_again(project: Path, embedder: Embedder) -> None:
    settings = settings_for(project)
    TicketMemory.open(settings, embedder).learn(TICKETS)
    chroma = memory_dir(settings) / "chroma"
    for path in sorted(chroma.rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    chroma.rmdir()
    chroma.write_text("not a folder")
    said: list[str] = []
    memory = TicketMemory.open(settings, embedder, said.append)
    assert memory.routes(EXCEL).articles[0].article_id == "export-csv"
    assert any("embedding" in message for message in said)


def test_a_closed_gap_routes_to_the_article_written_for_it() -> None:
    """`kbops gaps protect` tags a closed gap's tickets; memory then routes them to the new
    article instead of calling their paraphrases a known gap forever."""
    open_gap = record_of(ticket("T-9", "Can I track time on tasks?", resolution="Not yet.", gold=()))
    closed = record_of(ticket("T-9", "Can I track time on tasks?", resolution="Not yet.", gold=(),
                              tags=("time", "protects:time-tracking")))
    assert open_gap is not None and open_gap.article_ids == ()
    assert closed is not None and closed.article_ids == ("time-tracking",)
    assert record_of(ticket("T-10", "still waiting", resolution="", gold=())) is None
