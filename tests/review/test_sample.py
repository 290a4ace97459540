"""The review sample: which of a week's tickets specialists grade, and why."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from kbops.config import Settings
from kbops.config.loop import ReviewSettings
from kbops.review.sample import SampleItem, allocate, draw_sample, stratified, to_review
from kbops.tickets.model import Ticket, TicketStatus
from kbops.tickets.reviews import ReviewError, ReviewVerdict

AT = datetime(2026, 11, 18, 10, tzinfo=UTC)
CATEGORIES = ("billing", "technical", "bug report", "account management")


def history_ticket(ticket_id: str, status: TicketStatus = TicketStatus.RESOLVED_BY_AGENT, *, category: str = "billing",
                   confidence: float | None = 0.9, csat: float | None = None) -> Ticket:
    return Ticket(id=ticket_id, body=f"question {ticket_id}", resolution=f"reply to {ticket_id}", status=status,
                  category=category, agent_confidence=confidence, csat=csat, created_at=AT,
                  cited_article_ids=("billing-faq",) if status is TicketStatus.RESOLVED_BY_AGENT else ())


def week_of_tickets() -> list[Ticket]:
    """80 confident answers over four categories (40/20/12/8), 20 escalations, and the
    four must-review answers."""
    sizes = dict(zip(CATEGORIES, (40, 20, 12, 8), strict=True))
    plain = [history_ticket(f"T-{category[:3]}-{n:02d}", category=category)
             for category, count in sizes.items() for n in range(count)]
    escalated = [history_ticket(f"T-esc-{n:02d}", TicketStatus.ESCALATED, category=CATEGORIES[n % 2], confidence=0.3)
                 for n in range(20)]
    must = [
        history_ticket("T-near", confidence=0.55),
        history_ticket("T-nearer", confidence=0.49),
        history_ticket("T-angry", csat=1),
        history_ticket("T-reopened", TicketStatus.REOPENED),
    ]
    return plain + escalated + must


def settings(**review: object) -> Settings:
    return Settings(review=ReviewSettings(**review))  # type: ignore[arg-type]


def test_must_review_tickets_come_first_most_urgent_first() -> None:
    sample = draw_sample(week_of_tickets(), settings(size=20), period_label="2026-W47")
    must = [(item.ticket.id, item.reason) for item in sample.items[:4]]
    # reopened and negative feedback before the near-threshold answers, the nearer first
    assert must == [("T-angry", "negative_feedback"), ("T-reopened", "reopened"),
                    ("T-nearer", "near_threshold"), ("T-near", "near_threshold")]
    assert sample.items[3].detail == "confidence 0.55, threshold 0.50"
    assert sample.items[0].detail == "csat 1"
    assert sample.overflow == 0 and len(sample.items) == 20
    assert {item.reason for item in sample.items[4:]} == {"random", "escalated"}


def test_shares_are_kept_and_overflow_counted() -> None:
    sample = draw_sample(week_of_tickets(), settings(size=10, random_share=0.3, escalated_share=0.2))
    reasons = [item.reason for item in sample.items]
    assert reasons.count("escalated") == 2 and reasons.count("random") == 4
    assert len(sample.items) == 10
    assert sample.overflow == 0  # 4 must-review fit in the 5 slots left; the spare one went to random
    small = draw_sample(week_of_tickets(), settings(size=4, random_share=0.25, escalated_share=0.25))
    assert [item.reason for item in small.items].count("random") == 1
    assert small.overflow == 2 and len(small.items) == 4
    assert small.as_dict()["overflow"] == 2


def test_random_picks_are_stratified_by_category() -> None:
    sample = draw_sample(week_of_tickets(), settings(size=18, random_share=0.5, escalated_share=0.0))
    randoms = [item for item in sample.items if item.reason == "random"]
    per_category = {c: sum(item.ticket.category == c for item in randoms) for c in CATEGORIES}
    # 14 picks over 40/20/12/8 other answers: one each first, then ten over the 39/19/11/7 left
    # (5.1, 2.5, 1.4, 0.9: floors 5, 2, 1, 0, the two largest remainders get one more)
    assert sum(per_category.values()) == 14
    assert per_category == {"billing": 6, "technical": 4, "bug report": 2, "account management": 2}
    assert all(item.detail == f"stratum {item.ticket.category}" for item in randoms)


def test_allocation_is_proportional_with_one_per_stratum() -> None:
    assert allocate({"a": 10, "b": 1, "c": 0, "d": 5}, 3) == {"a": 1, "b": 1, "c": 0, "d": 1}
    assert allocate({"a": 10, "b": 1, "d": 5}, 2) == {"a": 1, "b": 0, "d": 1}
    assert allocate({"a": 10, "b": 1, "d": 5}, 99) == {"a": 10, "b": 1, "d": 5}
    assert allocate({"a": 3, "b": 3}, 0) == {"a": 0, "b": 0}
    tickets = [history_ticket(f"T-{n}", category="x") for n in range(5)]
    assert len(stratified(tickets, 3, random.Random(1))) == 3


def test_same_seed_same_sample_other_seed_or_week_differs() -> None:
    tickets = week_of_tickets()

    def ids(**options: object) -> list[str]:
        return [item.ticket.id for item in draw_sample(tickets, settings(size=20), **options).items]  # type: ignore[arg-type]

    first = ids(seed=7, period_label="2026-W47")
    assert ids(seed=7, period_label="2026-W47") == first
    assert ids(seed=7, period_label="2026-W47") == [item.ticket.id for item in draw_sample(
        list(reversed(tickets)), settings(size=20), seed=7, period_label="2026-W47").items]  # order of input
    assert ids(seed=8, period_label="2026-W47") != first
    assert ids(seed=7, period_label="2026-W46") != first
    assert first[:4] == ids(seed=8, period_label="2026-W47")[:4]  # must-review picks do not depend on the seed


def test_size_is_never_exceeded_and_reviewed_tickets_are_skipped() -> None:
    tickets = week_of_tickets()
    for size in (1, 3, 7, 50, 500):
        sample = draw_sample(tickets, settings(), size=size)
        assert len(sample.items) == min(size, 104)
        assert len({item.ticket.id for item in sample.items}) == len(sample.items)
    sample = draw_sample(tickets, settings(size=20), reviewed={"T-angry", "T-reopened", "T-esc-00"})
    picked = {item.ticket.id for item in sample.items}
    assert not picked & {"T-angry", "T-reopened", "T-esc-00"}
    assert {"T-near", "T-nearer"} <= picked
    assert sample.candidates == 101


def test_open_tickets_and_unknown_confidence_are_not_must_review() -> None:
    tickets = [history_ticket("T-open", TicketStatus.OPEN, confidence=0.5),
               history_ticket("T-unknown", confidence=None)]
    sample = draw_sample(tickets, settings(size=5))
    assert [(item.ticket.id, item.reason) for item in sample.items] == [("T-unknown", "random")]


def test_items_say_what_the_agent_did() -> None:
    sample = draw_sample(week_of_tickets(), settings(size=20))
    answered = next(item for item in sample.items if item.reason == "random")
    assert (answered.action, answered.reply, answered.cited_article_ids) == (
        "answer", f"reply to {answered.ticket.id}", ("billing-faq",))
    escalated = next(item for item in sample.items if item.reason == "escalated")
    assert (escalated.action, escalated.reply, escalated.confidence) == ("escalate", "", 0.3)


def test_to_review_records_the_verdict_and_rejects_one_for_the_other_action() -> None:
    sample = draw_sample(week_of_tickets(), settings(size=20))
    item: SampleItem = sample.items[0]
    review = to_review(item, ReviewVerdict.SHOULD_HAVE_ESCALATED, "refund promise", "Ana", ("refunds",), at=AT)
    assert (review.ticket_id, review.sample_reason, review.agent_action, review.reviewed_at) == (
        "T-angry", "negative_feedback", "answer", AT)
    assert review.correct_article_ids == ("refunds",) and review.ticket == item.ticket
    with pytest.raises(ReviewError, match="T-angry"):
        to_review(item, ReviewVerdict.SHOULD_HAVE_ANSWERED, "", "Ana")
