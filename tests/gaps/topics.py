"""Gap material shared by the gap and drafting tests: escalations in three topics (dark
mode, calendar sync, time tracking), each asked twice in different words, two articles
near them, and the draft a topic gets."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from kbops.config import Settings
from kbops.drafts.model import DraftPlan
from kbops.drafts.outline import OutlineWriter
from kbops.drafts.planner import Drafter
from kbops.gaps.find import find_gaps
from kbops.gaps.model import Gap, GapTicket
from kbops.index.embed import Embedder
from kbops.index.matrix import ArticleMatrix
from kbops.kb.loader import load_kb
from tests.factories import article_text, gap_ticket, kb_project, ticket

TODAY = date(2026, 11, 20)
TOPICS = {
    "dark": [
        ("dark mode", "any plans for a dark mode? working late and the white is blinding",
         "There's no dark mode in Tasklane yet. In the meantime some people use a browser extension like Dark "
         "Reader. I've added your vote to the dark mode request."),
        ("dark theme setting?", "Is there a dark theme toggle? My Mac is set to dark but Tasklane stays bright",
         "Tasklane doesn't support a dark theme on web or mobile right now. A browser extension such as Dark "
         "Reader is a temporary workaround. I've logged your request."),
    ],
    "calendar": [
        ("google calendar", "can my tasks with due dates show up in google calendar automatically?",
         "Tasklane doesn't have a Google Calendar sync or calendar feed yet. You can use Zapier to create "
         "calendar events from new tasks. I've logged your interest."),
        ("Outlook", "We live in Outlook. Is there a calendar sync so due dates appear in our Outlook calendars?",
         "Tasklane doesn't currently sync with Outlook or offer a calendar feed. A workaround is a Zapier zap "
         "that creates an Outlook event when a task with a due date is created."),
    ],
    "time": [
        ("hours per person for payroll", "Our contractors log hours on tasks. Where do I find timesheets?",
         "Tasklane doesn't have built-in time tracking or timesheets yet. As a workaround some teams add a "
         "number custom field like 'Hours spent' and export it with the project CSV. I've logged your request."),
        ("billable hours report", "Is there a way to start a timer on a task and report billable hours per client?",
         "There's no timer or billable-hours reporting in Tasklane today. You could track time in Toggl or "
         "Harvest and link tasks through Zapier. I've added your vote to the time tracking feature request."),
    ],
}


DARK_MODE = article_text(
    "dark-mode", title="Dark mode and themes", category="feature-request", tags="[dark-mode, theme]",
    summary="Whether Tasklane has a dark theme, and a workaround until it does.",
    body="Tasklane doesn't have a dark mode or dark theme yet, on the web app or the mobile apps.\n\n"
         "## Workaround\n\nOn the web app, a browser extension such as Dark Reader can darken Tasklane.\n",
)


EXPORT = article_text(
    "export-project-csv", title="Export a project to CSV", category="technical", tags="[export, csv]",
    body="Open the project, click More and choose Export → CSV. Big projects are emailed as a link.\n",
)


def topic_tickets() -> list[GapTicket]:
    """Every topic's tickets as gap finding sees them (ids `<topic>-<n>`)."""
    tickets = []
    for topic, rows in TOPICS.items():
        for n, (subject, question, resolution) in enumerate(rows):
            tickets.append(gap_ticket(f"{topic}-{n}", subject, question, resolution))
    return tickets


def kb_with(tmp_path: Path, *texts: str) -> Settings:
    """Settings of a project holding these articles (no embedding cache: nothing shared)."""
    return Settings(root=kb_project(tmp_path, *texts), index={"embedding_cache": ""})


def plan_for(tmp_path: Path, embedder: Embedder, topic: str, *articles: str,
             cover: float = 0.7) -> tuple[DraftPlan, Settings, Gap]:
    """The one gap a topic's tickets make against a KB of `articles`, and its draft plan."""
    settings = kb_with(tmp_path, *articles)
    settings = settings.model_copy(update={"gaps": settings.gaps.model_copy(update={"cover_similarity": cover})})
    kb = load_kb(settings)
    matrix = ArticleMatrix.build(kb.articles, embedder)
    tickets = [ticket(f"T-{n}", question, subject=subject, resolution=resolution, customer=f"C-{n}")
               for n, (subject, question, resolution) in enumerate(TOPICS[topic])]
    gap_rows = [gap_ticket(t.id, t.subject, t.body, t.resolution) for t in tickets]
    (gap,) = find_gaps(gap_rows, [], matrix, embedder, settings.gaps, run_tickets=10, today=TODAY)
    drafter = Drafter(settings, matrix, embedder, OutlineWriter(embedder), tmp_path)
    return drafter.plan(gap, tickets, set()), settings, gap
