"""The review loop end to end: a week of history imported into DuckDB, `kbops review sample`
picks the tickets with their reasons, verdicts are appended to `evals/reviews.jsonl`, and the
next `kbops eval` replays them as cases graded by the verdict."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import jsonschema
import pytest

from kbops.report.json import run_schema
from kbops.review.sample import SampleItem, to_review
from kbops.tickets.model import Customer, Ticket, TicketStatus
from kbops.tickets.reviews import ReviewVerdict, append_reviews, read_reviews
from tests.conftest import run_kbops
from tests.factories import project_copy

WEEK = "2026-W47"
AT = datetime(2026, 11, 18, 9, 30, tzinfo=UTC)


def history_ticket(ticket_id: str, body: str, status: TicketStatus, confidence: float, **fields: object) -> Ticket:
    return Ticket(id=ticket_id, body=body, status=status, agent_confidence=confidence, created_at=AT,
                  resolved_at=AT, customer=Customer(id=f"C-{ticket_id}"), **fields)  # type: ignore[arg-type]


HISTORY = [
    # the agent answered unsure: must be reviewed (near the 0.5 threshold)
    history_ticket("H-export", "How do I export my project to CSV?", TicketStatus.RESOLVED_BY_AGENT, 0.55,
                   category="technical", resolution="Use More > Export > CSV.",
                   cited_article_ids=("export-project-csv",)),
    # the customer reopened it
    history_ticket("H-charge", "I was charged twice this month, please refund the second charge.",
                   TicketStatus.REOPENED, 0.81, category="billing", resolution="Charges settle in a few days.",
                   csat=1),
    # escalated: a specialist checks the agent's flag
    history_ticket("H-outlook", "Can Tasklane put my due dates into my Outlook calendar?",
                   TicketStatus.ESCALATED, 0.2, category="feature request", escalation_reasons=("no_coverage",)),
    # confident answers: only random picks
    *(history_ticket(f"H-plain-{n}", f"How do I rename project number {n}?", TicketStatus.RESOLVED_BY_AGENT, 0.9,
                     category="technical", resolution="Open the project settings.") for n in range(4)),
]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = project_copy(tmp_path_factory.mktemp("review"))
    empty = run_kbops("review", "sample", "--week", WEEK, cwd=root)
    assert empty.returncode == 2 and "kbops tickets import" in empty.stderr
    (root / "history.jsonl").write_text("".join(t.model_dump_json(exclude_none=True) + "\n" for t in HISTORY))
    done = run_kbops("tickets", "import", "history.jsonl", cwd=root)
    assert done.returncode == 0, done.stderr
    return root


def sample_json(project: Path, *args: str) -> dict:
    done = run_kbops("review", "sample", "--week", WEEK, "--json", *args, cwd=project)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_sample_gives_the_reason_of_each_pick(project: Path) -> None:
    sample = sample_json(project, "--size", "5", "--seed", "3")
    assert (sample["period"], sample["seed"], sample["size"], sample["candidates"]) == (WEEK, 3, 5, 7)
    reasons = {item["ticket_id"]: (item["reason"], item["action"]) for item in sample["items"]}
    assert reasons["H-charge"] == ("reopened", "answer")
    assert reasons["H-export"] == ("near_threshold", "answer")
    assert reasons["H-outlook"] == ("escalated", "escalate")
    assert [item["reason"] for item in sample["items"]].count("random") == 2
    assert next(i for i in sample["items"] if i["ticket_id"] == "H-export")["detail"] == \
        "confidence 0.55, threshold 0.50"
    assert sample_json(project, "--size", "5", "--seed", "3") == sample  # same seed, same sample

    table = run_kbops("review", "sample", "--week", WEEK, "--size", "5", cwd=project)
    assert table.returncode == 0 and "near_threshold" in table.stdout and "H-charge" in table.stdout
    assert "2026-W47: 5 of 7 unreviewed tickets sampled" in table.stderr


def test_verdicts_become_eval_cases_graded_by_the_verdict(project: Path) -> None:
    items = {item["ticket_id"]: item for item in sample_json(project, "--size", "7")["items"]}
    log = project / "evals" / "reviews.jsonl"
    history = {t.id: t for t in HISTORY}

    def item(ticket_id: str) -> SampleItem:
        raw = items[ticket_id]
        return SampleItem(history[ticket_id], raw["reason"], raw["detail"], raw["action"], raw["reply"],
                          raw["confidence"], tuple(raw["cited_article_ids"]), tuple(raw["escalation_reasons"]))

    append_reviews(log, [
        to_review(item("H-export"), ReviewVerdict.SHOULD_HAVE_ESCALATED, "enterprise data, needs a human", "Ana"),
        to_review(item("H-charge"), ReviewVerdict.INCORRECT, "promised nothing about the refund", "Ana"),
        to_review(item("H-outlook"), ReviewVerdict.CORRECTLY_ESCALATED, "", "Ana"),
    ])
    assert len(read_reviews(log).reviews) == 3

    resampled = sample_json(project, "--size", "7")  # reviewed tickets are not sampled again
    assert {i["ticket_id"] for i in resampled["items"]} == {f"H-plain-{n}" for n in range(4)}

    done = run_kbops("eval", "--format", "json", cwd=project)
    assert done.returncode == 0, done.stderr
    run = json.loads(done.stdout)
    jsonschema.validate(run, run_schema())
    results = {r["ticket_id"]: r for r in run["results"]}
    assert "review:should_have_escalated" in results["H-export"]["tags"]
    # the agent answers the export question: now a false deflection, the note names the verdict
    assert results["H-export"]["verdict"] == "false_deflection"
    assert "should_have_escalated" in results["H-export"]["grade_notes"]
    # a wrong answer with no right article named must escalate, as must a confirmed escalation
    assert results["H-charge"]["verdict"] in ("gated", "gap")
    assert results["H-outlook"]["verdict"] in ("gated", "gap")
    assert run["review_cases"] == {"replayed": 3, "passing": 2, "failing": ["H-export"]}
    assert run["summary"]["tickets"] == len(results)

    markdown = run_kbops("report", "--format", "md", cwd=project)
    assert "2 of 3 replayed now handled as the reviewer said; still wrong: `H-export`" in markdown.stdout


def test_a_bad_review_line_is_reported_with_its_line(project: Path) -> None:
    log = project / "evals" / "reviews.jsonl"
    before = log.read_text() if log.is_file() else ""
    line = len(before.splitlines()) + 1
    try:
        log.write_text(before + '{"ticket_id": "H-x", "verdict": "meh"}\n')
        done = run_kbops("eval", "--format", "json", cwd=project)
        assert done.returncode == 0, done.stderr
        problems = json.loads(done.stdout)["problems"]
        assert [p.split(": verdict:")[0] for p in problems] == [f"{log}:{line} (ticket H-x)"]
        assert f"skipped {log}:{line} (ticket H-x): verdict" in " ".join(done.stderr.split())
    finally:
        log.write_text(before)
