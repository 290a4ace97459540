"""Gap finding with the real offline embedder: clustering, labels, ranking, ids, the
missing-vs-failing call, the duplicate guard, and the extractive outline."""

from __future__ import annotations

import json
import random
from datetime import date
from pathlib import Path

import pytest

from conftest import article_text
from kbops.config import Settings
from kbops.drafts.model import DraftAction
from kbops.drafts.outline import OutlineWriter, source_tickets, split_resolution
from kbops.drafts.planner import Drafter, duplicate_of
from kbops.evals.runs import EvalRun, TicketResult, Verdict, summarize
from kbops.gaps.closed import closed_gap_tags, protect
from kbops.gaps.find import classify, cluster, find_gaps, gap_id, ticket_vectors
from kbops.gaps.labels import key_phrases, phrases_of
from kbops.gaps.model import (
    Failure,
    GapError,
    GapKind,
    GapReport,
    GapTicket,
    NearArticle,
    report_from_dict,
)
from kbops.index.embed import EmbeddingModelMissing
from kbops.index.embedders import make_embedder
from kbops.index.matrix import ArticleMatrix
from kbops.index.minilm import BUILTIN_MODEL
from kbops.kb.lint import lint_kb
from kbops.kb.loader import load_kb, parse_article
from kbops.tickets.model import Customer, Ticket

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


@pytest.fixture(scope="module")
def embedder():  # type: ignore[no-untyped-def]
    try:
        return make_embedder(BUILTIN_MODEL)
    except EmbeddingModelMissing as exc:
        pytest.skip(str(exc))


def gap_ticket(ticket_id: str, subject: str, question: str, resolution: str, tier: str = "pro",
               verdict: Verdict = Verdict.GAP, **extra: object) -> GapTicket:
    return GapTicket(id=ticket_id, verdict=verdict, tier=tier, customer=f"C-{ticket_id}", subject=subject,
                     question=f"{subject}\n{question}", resolution=resolution, category="feature-request",
                     **extra)  # type: ignore[arg-type]


def topic_tickets() -> list[GapTicket]:
    tickets = []
    for topic, rows in TOPICS.items():
        for n, (subject, question, resolution) in enumerate(rows):
            tickets.append(gap_ticket(f"{topic}-{n}", subject, question, resolution))
    return tickets


def kb_with(tmp_path: Path, *texts: str) -> Settings:
    (tmp_path / "kb").mkdir(parents=True, exist_ok=True)
    for text in texts:
        article_id = text.split("id: ", 1)[1].split("\n", 1)[0]
        (tmp_path / "kb" / f"{article_id}.md").write_text(text)
    return Settings(root=tmp_path, index={"embedding_cache": ""})


def test_clustering_groups_paraphrases_and_separates_topics(embedder) -> None:  # type: ignore[no-untyped-def]
    tickets = topic_tickets()
    labels = cluster(ticket_vectors(tickets, embedder), Settings().gaps.distance_threshold)
    groups: dict[int, set[str]] = {}
    for ticket, label in zip(tickets, labels, strict=True):
        groups.setdefault(label, set()).add(ticket.id.split("-")[0])
    assert sorted(sorted(g) for g in groups.values()) == [["calendar"], ["dark"], ["time"]]
    assert len(set(labels)) == 3


def test_a_tighter_threshold_splits_and_a_looser_one_merges(embedder) -> None:  # type: ignore[no-untyped-def]
    vectors = ticket_vectors(topic_tickets(), embedder)
    assert len(set(cluster(vectors, 0.05))) == 6  # every ticket its own gap: tiny clusters are allowed
    assert len(set(cluster(vectors, 1.5))) == 1
    assert cluster(vectors[:1], 0.45) == [0] and cluster(vectors[:0], 0.45) == []


def test_labels_name_the_topic_not_the_chat(embedder) -> None:  # type: ignore[no-untyped-def]
    matrix = ArticleMatrix.build([], embedder)
    gaps = find_gaps(topic_tickets(), ["hi thanks, how do I reset my password? I've logged it"], matrix, embedder,
                     Settings().gaps, run_tickets=20, today=TODAY)
    by_topic = {g.ticket_ids[0].split("-")[0]: g for g in gaps}
    assert "dark" in by_topic["dark"].label
    assert "calendar" in by_topic["calendar"].label
    assert "time tracking" in by_topic["time"].key_phrases
    for gap in gaps:
        assert not {"logged", "thanks", "ve", "i've"} & set(" ".join(gap.key_phrases).split())


def test_key_phrases_prefer_a_phrase_over_its_words() -> None:
    clusters = [["time tracking please", "time tracking for payroll", "no time tracking"], ["export csv", "csv export"]]
    labels = key_phrases(clusters, ["how do I reset my password", "time to pay the invoice"])
    assert labels[0][0] == "time tracking"
    assert "time" not in labels[0] and "tracking" not in labels[0]
    assert "csv" in " ".join(labels[1])
    assert "extension dark" not in phrases_of("a browser extension. Dark mode soon")  # no phrase across a stop


def test_ranking_by_impact_and_stable_ids(embedder) -> None:  # type: ignore[no-untyped-def]
    tickets = topic_tickets()
    rows = {t.id: t for t in tickets}
    # calendar: two enterprise tickets (4 + 4); time: one wrong answer to a pro customer (2 x 2) + pro (2)
    rows["calendar-0"] = gap_ticket("calendar-0", *TOPICS["calendar"][0], tier="enterprise")
    rows["calendar-1"] = gap_ticket("calendar-1", *TOPICS["calendar"][1], tier="enterprise")
    rows["time-0"] = gap_ticket("time-0", *TOPICS["time"][0], verdict=Verdict.FALSE_DEFLECTION)
    matrix = ArticleMatrix.build([], embedder)
    settings = Settings().gaps
    gaps = find_gaps(list(rows.values()), [], matrix, embedder, settings, run_tickets=10, today=TODAY)
    assert [g.ticket_ids[0].split("-")[0] for g in gaps] == ["calendar", "time", "dark"]
    assert [g.impact for g in gaps] == [8.0, 6.0, 4.0]
    assert [g.rank for g in gaps] == [1, 2, 3]
    assert gaps[1].false_deflections == 1 and gaps[0].tiers == {"enterprise": 2}
    assert gaps[0].share == 0.2 and len(gaps[0].customers) == 2

    shuffled = list(rows.values())
    random.Random(7).shuffle(shuffled)
    again = find_gaps(shuffled, [], matrix, embedder, settings, run_tickets=10, today=TODAY)
    assert {g.id for g in again} == {g.id for g in gaps}
    assert gaps[0].id == gap_id(["calendar-1", "calendar-0"]) == gap_id(["calendar-0", "calendar-1"])


def test_missing_or_failing(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    stale = article_text("dark-mode", title="Dark mode", reviewed="2024-01-01", tags="[dark]", category="feature-request")
    draft = article_text("calendar-sync", title="Calendar sync", status="draft", tags="[calendar]")
    kb = load_kb(kb_with(tmp_path, stale, draft, EXPORT))
    articles = kb.by_id()
    settings = Settings().gaps

    def near(article_id: str, similarity: float, coverage: float) -> NearArticle:
        return NearArticle(article_id, "", "", "", "", similarity, coverage)

    plain = [gap_ticket("a", "s", "q", "r")]
    assert classify(plain, [near("export-project-csv", 0.5, 1.0)], articles, settings, TODAY) == (GapKind.MISSING, None, None)
    assert classify(plain, [near("export-project-csv", 0.9, 0.0)], articles, settings, TODAY)[0] is GapKind.MISSING
    assert classify(plain, [near("export-project-csv", 0.9, 0.67)], articles, settings, TODAY) == (
        GapKind.FAILING, Failure.UNFINDABLE, "export-project-csv")
    resolved_with = [gap_ticket("b", "s", "q", "r", gold=("export-project-csv",))]
    assert classify(resolved_with, [], articles, settings, TODAY) == (GapKind.FAILING, Failure.UNFINDABLE, "export-project-csv")
    deleted = [gap_ticket("b", "s", "q", "r", gold=("an-article-that-was-removed",))]
    assert classify(deleted, [], articles, settings, TODAY)[0] is GapKind.MISSING
    wrong = [gap_ticket("c", "s", "q", "r", verdict=Verdict.FALSE_DEFLECTION, gold=("dark-mode",), cited=("dark-mode",))]
    assert classify(wrong, [], articles, settings, TODAY)[1] is Failure.OUTDATED  # review due since mid 2024
    assert classify(wrong, [], articles, settings, date(2024, 2, 1))[1] is Failure.WRONG
    assert classify([gap_ticket("d", "s", "q", "r", gold=("calendar-sync",))], [], articles, settings, TODAY)[1] is Failure.UNPUBLISHED


def run_of(results: list[TicketResult]) -> EvalRun:
    return EvalRun("run-1", "2026-11-20T00:00:00+00:00", "working tree", None, False, "offline",
                   "evals/tickets.jsonl", tuple(results), summarize(results))


def result(ticket_id: str, verdict: Verdict, cited: tuple[str, ...] = ()) -> TicketResult:
    return TicketResult(ticket_id, verdict, "answer", 0.7, (), cited, (), None, 0.0, "", "feature-request", "pro",
                        f"subject {ticket_id}", "reply")


def plan_for(tmp_path: Path, embedder, topic: str, *articles: str, cover: float = 0.7):  # type: ignore[no-untyped-def]
    settings = kb_with(tmp_path, *articles)
    settings = settings.model_copy(update={"gaps": settings.gaps.model_copy(update={"cover_similarity": cover})})
    kb = load_kb(settings)
    matrix = ArticleMatrix.build(kb.articles, embedder)
    rows = TOPICS[topic]
    tickets = [Ticket(id=f"T-{n}", subject=s, body=q, resolution=r, customer=Customer(id=f"C-{n}"))
               for n, (s, q, r) in enumerate(rows)]
    gap_rows = [gap_ticket(t.id, t.subject, t.body, t.resolution) for t in tickets]
    (gap,) = find_gaps(gap_rows, [], matrix, embedder, settings.gaps, run_tickets=10, today=TODAY)
    drafter = Drafter(settings, matrix, embedder, OutlineWriter(embedder), tmp_path)
    return drafter.plan(gap, tickets, set()), settings, gap


def test_outline_is_built_from_the_resolutions_and_lints_clean(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    plan, settings, gap = plan_for(tmp_path, embedder, "time", EXPORT)
    assert plan.action is DraftAction.NEW and plan.path.startswith("kb/drafts/") and plan.path.endswith(".md")
    for _, _, resolution in TOPICS["time"]:
        causes, steps = split_resolution(resolution)
        for sentence in causes + steps:
            assert sentence in plan.text  # every reusable sentence of every resolution
    assert "logged your request" not in plan.text and "added your vote" not in plan.text
    assert "## Problem" in plan.text and "## Cause" in plan.text and "## Steps" in plan.text
    assert "1. As a workaround some teams add a number custom field" in plan.text
    article = parse_article(plan.path, plan.text.encode(), settings)
    assert not hasattr(article, "code"), article
    assert article.meta.status == "draft" and article.meta.owner is None
    assert set(article.meta.source_tickets) == {"T-0", "T-1"} == set(gap.ticket_ids)
    (tmp_path / plan.path).parent.mkdir(parents=True)
    (tmp_path / plan.path).write_text(plan.text)
    findings = [f for f in lint_kb(load_kb(settings), settings, today=TODAY) if f.path == plan.path]
    assert [f.code for f in findings] == ["missing-owner"]


def test_duplicate_guard_proposes_an_edit_instead(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    covered, _, covered_gap = plan_for(tmp_path / "covered", embedder, "dark", DARK_MODE, EXPORT)
    assert covered_gap.kind is GapKind.FAILING and covered_gap.covering_article == "dark-mode"
    assert covered.action is DraftAction.EDIT and covered.article_id == "dark-mode"
    # With the coverage call switched off, the guard still catches the near-duplicate draft.
    plan, settings, gap = plan_for(tmp_path, embedder, "dark", DARK_MODE, EXPORT, cover=1.0)
    assert gap.kind is GapKind.MISSING
    assert plan.action is DraftAction.EDIT and plan.article_id == "dark-mode" and plan.path == "kb/dark-mode.md"
    assert any("near-duplicate" in w and "kb/dark-mode.md" in w for w in plan.warnings)
    assert plan.patch.startswith("--- a/kb/dark-mode.md\n+++ b/kb/dark-mode.md\n")
    assert "+source_tickets: [T-0, T-1]" in plan.patch
    added = [line[1:] for line in plan.patch.splitlines() if line.startswith("+") and not line.startswith("+++")]
    assert "## Problem" not in added  # one new section, not a second article inside
    assert any(line.startswith("## ") for line in added) and any(line.startswith("1. ") for line in added)
    assert any("Dark Reader" in line for line in added)
    edited = parse_article(plan.path, plan.text.encode(), settings)
    assert edited.meta.source_tickets == ("T-0", "T-1") and edited.meta.owner == "sam"

    time_plan, _, _ = plan_for(tmp_path / "other", embedder, "time", DARK_MODE, EXPORT)
    assert time_plan.action is DraftAction.NEW  # a different topic is not a duplicate
    matrix = ArticleMatrix.build(load_kb(settings).articles, embedder)
    content = OutlineWriter(embedder).write(gap, source_tickets(gap, [
        Ticket(id=f"T-{n}", subject=s, body=q, resolution=r) for n, (s, q, r) in enumerate(TOPICS["dark"])]), [])
    found = duplicate_of(content, matrix, embedder, settings.gaps.duplicate_similarity)
    assert found is not None and found[0] == "dark-mode"
    assert duplicate_of(content, matrix, embedder, 0.99) is None


def test_report_round_trips_and_finds_by_prefix(embedder) -> None:  # type: ignore[no-untyped-def]
    gaps = find_gaps(topic_tickets(), [], ArticleMatrix.build([], embedder), embedder, Settings().gaps, 10, TODAY)
    report = GapReport("run-1", None, 10, 6, tuple(gaps), 0.45)
    again = report_from_dict(json.loads(report.to_json()))
    assert again == report
    assert report.find(gaps[0].id[:8]) == gaps[0]
    with pytest.raises(GapError, match="not a gap"):
        report.find("gap-nope")


def test_closed_gaps_are_tagged_in_the_ticket_file(tmp_path: Path) -> None:
    published = article_text("time-tracking", source_tickets="[T-1, T-2, T-3]")
    settings = kb_with(tmp_path, published)
    tickets_file = tmp_path / "tickets.jsonl"
    lines = [
        {"id": "T-1", "body": "timer?", "tags": ["feature-request"]},
        {"id": "T-2", "body": "timesheets — «export»?"},
        {"id": "T-3", "body": "hours"},
        {"id": "T-4", "body": "other"},
    ]
    original = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines) + "\n"
    tickets_file.write_text(original)
    tickets = [Ticket(**line) for line in lines]  # type: ignore[arg-type]
    run = run_of([
        result("T-1", Verdict.DEFLECTED, ("time-tracking",)),
        result("T-2", Verdict.DEFLECTED, ("time-tracking",)),
        result("T-3", Verdict.DEFLECTED, ("export-project-csv",)),  # deflected by another article
        result("T-4", Verdict.DEFLECTED, ("time-tracking",)),  # not a source ticket
    ])
    tags = closed_gap_tags(run, tickets, load_kb(settings).articles)
    assert tags == {"T-1": ["protects:time-tracking"], "T-2": ["protects:time-tracking"]}
    done = protect(run, tickets_file, tickets, load_kb(settings).articles)
    assert done.tags == tags and done.changed == 2
    written = tickets_file.read_text().splitlines()
    assert json.loads(written[0])["tags"] == ["feature-request", "protects:time-tracking"]
    assert json.loads(written[1])["tags"] == ["protects:time-tracking"] and "«export»" in written[1]
    assert written[2:] == original.splitlines()[2:]  # untouched lines stay byte for byte
    tagged = [Ticket(**json.loads(line)) for line in written]
    assert closed_gap_tags(run, tagged, load_kb(settings).articles) == {}  # idempotent

    csv_file = tmp_path / "tickets.csv"
    csv_file.write_text("id,body\nT-1,timer?\n")
    with pytest.raises(GapError, match="JSONL"):
        protect(run, csv_file, tickets, load_kb(settings).articles)


def test_no_tickets_and_a_lone_ticket(embedder) -> None:  # type: ignore[no-untyped-def]
    matrix = ArticleMatrix.build([], embedder)
    assert find_gaps([], [], matrix, embedder, Settings().gaps, run_tickets=5, today=TODAY) == []
    (lone,) = find_gaps([gap_ticket("x", "ok", "thanks", "")], [], matrix, embedder, Settings().gaps, 5, TODAY)
    assert lone.ticket_ids == ("x",) and lone.kind is GapKind.MISSING and lone.label  # named by its subject


def test_labels_never_carry_personal_data(embedder) -> None:  # type: ignore[no-untyped-def]
    # Unredacted, the e-mail's words are this ticket's rarest: they would be its label.
    ticket = gap_ticket("p1", "contact form", "please reply to zorbitz.quillon@zorbitz.example or +44 20 7946 0958", "")
    (gap,) = find_gaps([ticket], [], ArticleMatrix.build([], embedder), embedder, Settings().gaps, 5, TODAY)
    text = json.dumps([gap.label, gap.key_phrases, gap.examples]).lower()
    assert "zorbitz" not in text and "quillon" not in text and "7946" not in text and "email" not in text
    assert "contact form" in gap.key_phrases
