"""Documentation gaps: unsure answers the agent gave without escalation, grouped, each with
an article outline from the drafts machinery."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from kbops.config import Settings
from kbops.index.embed import Embedder
from kbops.index.matrix import ArticleMatrix
from kbops.insights.doc_gaps import find_doc_gaps, sections, unsure_answers
from kbops.tickets.model import Customer, Ticket, TicketStatus
from tests.factories import article
from tests.insights.geometry import rows

START = datetime(2026, 11, 16, tzinfo=UTC)
ARCHIVE = ("How do I archive a project without deleting it?",
           "Open the project menu and choose Archive. Archived projects keep their tasks. "
           "You can restore them from Settings > Archived projects.")


def answer(ticket_id: str, confidence: float | None, status: TicketStatus = TicketStatus.RESOLVED_BY_AGENT,
           body: str = ARCHIVE[0], resolution: str = ARCHIVE[1], cited: tuple[str, ...] = ()) -> Ticket:
    return Ticket(id=ticket_id, body=body, resolution=resolution, created_at=START + timedelta(hours=len(ticket_id)),
                  customer=Customer(id=f"C-{ticket_id}"), status=status, agent_confidence=confidence,
                  cited_article_ids=cited)


def test_only_unsure_answers_without_escalation_count() -> None:
    tickets = [answer("a", 0.2), answer("b", 0.7), answer("c", 0.2, TicketStatus.ESCALATED), answer("d", None),
               answer("e", 0.49)]
    assert unsure_answers(tickets, 0.5) == [0, 4]


def test_groups_are_ranked_by_size_with_question_confidence_and_outline(embedder: Embedder) -> None:
    archive = [answer(f"A-{n}", 0.2 + n / 100, cited=("projects-basics",)) for n in range(3)]
    export = [answer(f"X-{n}", 0.1, body="Can I export my timesheet to Excel?",
                     resolution="Use Reports > Timesheet > Export and pick XLSX.") for n in range(2)]
    confident = [answer(f"K-{n}", 0.9) for n in range(4)]
    lone = [answer("L-1", 0.1, body="Why is the sky blue?")]
    tickets = [*archive, *export, *confident, *lone]
    vectors = rows([1, 1, 1, 2, 2, 1, 1, 1, 1, 3])
    gaps = find_doc_gaps(tickets, vectors, settings=Settings(root=Path(".")), embedder=embedder)
    assert [g.ticket_ids for g in gaps] == [("A-0", "A-1", "A-2"), ("X-0", "X-1")]  # a lone question is no gap
    first = gaps[0]
    assert first.question == ARCHIVE[0] and first.mean_confidence == 0.21 and first.accounts == 3
    assert first.cited_articles == (("projects-basics", 3),)
    headings = [h for h, _ in first.outline.sections]
    assert headings[:3] == ["Problem", "Cause", "Steps"]
    steps = dict(first.outline.sections)["Steps"]
    assert any("choose Archive" in line for line in steps)  # the outline is built from the resolutions
    assert first.outline.writer == "offline" and first.to_json()["outline"]["title"]


def test_the_top_n_setting_limits_the_list(embedder: Embedder) -> None:
    tickets = [answer(f"G{g}-{n}", 0.2, body=f"Question {g}") for g in range(4) for n in range(2)]
    settings = Settings(root=Path(".")).with_changes(weekly={"doc_gaps": 2})
    gaps = find_doc_gaps(tickets, rows([g for g in range(4) for _ in range(2)]), settings=settings, embedder=embedder)
    assert len(gaps) == 2


def test_with_a_kb_the_nearest_articles_are_named(embedder: Embedder) -> None:
    kb_article = article("archive-projects", title="Archive a project", body="Archive a project to keep it.\n")
    matrix = ArticleMatrix.build([kb_article], embedder)
    tickets = [answer(f"A-{n}", 0.2) for n in range(2)]
    gaps = find_doc_gaps(tickets, embedder.embed([t.text for t in tickets]), settings=Settings(root=Path(".")),
                         embedder=embedder, matrix=matrix)
    assert gaps[0].nearest_articles[0][:2] == ("archive-projects", "Archive a project")


def test_sections_of_a_markdown_body() -> None:
    assert sections("## A\n\nx\n\n## B\n1. y\n") == (("A", ("x",)), ("B", ("1. y",)))
