"""The review log: verdicts round-trip, bad lines name file:line, PII never reaches the file,
and each verdict becomes the eval case docs/reviews.md promises."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kbops.tickets.model import Ticket
from kbops.tickets.reviews import (
    Review,
    ReviewVerdict,
    append_reviews,
    read_reviews,
    review_case,
    review_cases,
)

TICKET = Ticket.model_validate({"id": "T-9", "body": "Where is the gantt chart? Mail me at ann@example.com",
                                "resolution": "Open Timeline view.", "tags": ["navigation"]})


def review(verdict: str, action: str = "answer", **fields: object) -> Review:
    return Review.model_validate({
        "ticket_id": "T-9", "verdict": verdict, "reviewed_at": datetime(2026, 11, 30, tzinfo=UTC),
        "agent_action": action, "agent_reply": "See Timeline.", "cited_article_ids": ["gantt-timeline"],
        "ticket": TICKET.model_dump(mode="json"), **fields})


def test_reviews_are_appended_redacted_and_read_back_in_order(tmp_path: Path) -> None:
    path = tmp_path / "evals" / "reviews.jsonl"
    append_reviews(path, [review("correct"), review("incorrect", note="customer is ann@example.com")])
    append_reviews(path, [review("tone")])
    text = path.read_text()
    assert "ann@example.com" not in text and text.count("\n") == 3
    log = read_reviews(path)
    assert [r.verdict for r in log.reviews] == [ReviewVerdict.CORRECT, ReviewVerdict.INCORRECT, ReviewVerdict.TONE]
    assert log.latest()["T-9"].verdict is ReviewVerdict.TONE
    assert log.problems == ()


def test_a_bad_line_names_the_file_the_line_and_the_ticket(tmp_path: Path) -> None:
    path = tmp_path / "reviews.jsonl"
    good = json.dumps(review("correct").model_dump(mode="json"))
    wrong = json.loads(good) | {"verdict": "correctly_escalated"}
    path.write_text(good + "\n{not json\n" + json.dumps(wrong) + "\n")
    log = read_reviews(path)
    assert len(log.reviews) == 1
    rendered = [p.render() for p in log.problems]
    assert rendered[0].startswith(f"{path}:2: not a valid JSON line")
    assert rendered[1].startswith(f"{path}:3 (ticket T-9): ") and "is for the other action" in rendered[1]


def test_a_missing_log_is_empty() -> None:
    assert read_reviews(Path("/nonexistent/reviews.jsonl")).reviews == ()


@pytest.mark.parametrize(("verdict", "action", "extra", "expected", "gold"), [
    ("incorrect", "answer", {}, "escalate", ()),
    ("incorrect", "answer", {"correct_article_ids": ["views"]}, "", ("views",)),
    ("should_have_escalated", "answer", {}, "escalate", ()),
    ("correctly_escalated", "escalate", {}, "escalate", ()),
    ("should_have_answered", "escalate", {}, "answer", ("gantt-timeline",)),
    ("correct", "answer", {}, "", ("gantt-timeline",)),
])
def test_each_verdict_becomes_its_eval_case(verdict: str, action: str, extra: dict[str, object], expected: str,
                                            gold: tuple[str, ...]) -> None:
    case = review_case(review(verdict, action, **extra))
    assert case is not None
    assert (case.expected_action, case.resolved_by_article_ids) == (expected, gold)
    assert case.tags == ("navigation", f"review:{verdict}")


def test_tone_has_no_offline_case_and_the_latest_verdict_wins() -> None:
    assert review_case(review("tone")) is None
    cases = review_cases([review("correct"), review("should_have_escalated")])
    assert [(c.id, c.expected_action) for c in cases] == [("T-9", "escalate")]
