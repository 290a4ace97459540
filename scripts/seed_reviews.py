"""SIMULATED specialists' verdicts for the demo: evals/reviews.jsonl is written by this
script, not by people. No specialist graded these tickets.

    python scripts/seed_reviews.py [--history evals/history/tickets.jsonl] [--out evals/reviews.jsonl] [--seed 7]

About 40 tickets of the demo history's last four weeks (ISO 2026-W44 to W47), ten a week,
picked the way `kbops review sample` picks (answers that were reopened or rated badly, answers
near the confidence threshold, random answers, escalations), each graded from what the seeded
history says really happened:
- a reopened answer is `incorrect`; an answer rated 1-2 is `tone`; an answer the agent gave
  with confidence under 0.4 is `should_have_escalated`; any other answer is `correct`;
- an escalation with a risk gate, a VIP account, an angry customer or a request for a person
  is `correctly_escalated`, as is one the KB did not cover (`no_coverage`) or one made with
  low confidence under 0.4; a `low_confidence` escalation at 0.4 or more, with no other
  reason, is `should_have_answered` (the draft was good enough: the threshold is too strict).
Each review is dated the working day after the ticket was resolved. Same history and seed,
same bytes. The reviewer names say `(simulated)`, and so does every note, so the demo's
review log cannot be mistaken for real grading; `kbops eval` replays these verdicts as it
would real ones (docs/kpis.md).
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from kbops.tickets.files import read_tickets
from kbops.tickets.model import Ticket, TicketStatus
from kbops.tickets.reviews import Review, ReviewVerdict, append_reviews

FIRST_MONDAY = date(2026, 10, 26)
"""Monday of ISO 2026-W44: the first of the demo history's last four weeks."""
WEEKS, ANSWERS_A_WEEK, ESCALATIONS_A_WEEK = 4, 7, 3
REVIEWERS = ("maria.lopez", "jon.brooks", "aiko.tanaka", "dev.patel")
"""The KB owners of the demo, one reviewing each week."""
ANSWERED = (TicketStatus.RESOLVED_BY_AGENT, TicketStatus.REOPENED)
ESCALATED = (TicketStatus.ESCALATED, TicketStatus.RESOLVED_BY_SPECIALIST)
CONFIRMING = ("risk_topic:", "vip_customer", "negative_sentiment", "human_requested", "no_coverage")
SUFFIX = " (simulated demo review)"


def answer_verdict(ticket: Ticket) -> tuple[ReviewVerdict, str, str]:
    """Verdict, why the ticket was sampled, and the note."""
    confidence = ticket.agent_confidence or 0.0
    if ticket.status is TicketStatus.REOPENED:
        return ReviewVerdict.INCORRECT, "reopened", "The customer reopened it: the answer did not solve the problem."
    if ticket.csat is not None and ticket.csat <= 2:
        return ReviewVerdict.TONE, "negative_feedback", "Right steps, but curt; the customer rated it badly."
    if confidence < 0.4:
        return (ReviewVerdict.SHOULD_HAVE_ESCALATED, "near_threshold",
                "The KB barely covers this; a specialist should have answered.")
    reason = "near_threshold" if confidence < 0.6 else "random"
    return ReviewVerdict.CORRECT, reason, "Correct and complete."


def escalation_verdict(ticket: Ticket) -> tuple[ReviewVerdict, str]:
    reasons = ticket.escalation_reasons
    confidence = ticket.agent_confidence or 0.0
    if any(r.startswith(CONFIRMING) for r in reasons):
        gate = next(r for r in reasons if r.startswith(CONFIRMING))
        return ReviewVerdict.CORRECTLY_ESCALATED, f"Right to hand over ({gate})."
    if "low_confidence" in reasons and confidence >= 0.4:
        return ReviewVerdict.SHOULD_HAVE_ANSWERED, f"The draft at {confidence:.2f} was good enough to send."
    return ReviewVerdict.CORRECTLY_ESCALATED, "The KB could not answer this yet."


def pick_week(tickets: Sequence[Ticket], rng: random.Random) -> list[Ticket]:
    """Answers: reopened and badly rated first, then near the threshold, then random;
    escalations: confident low_confidence ones first (the flags most worth checking)."""
    answers = [t for t in tickets if t.status in ANSWERED and t.resolved_at is not None and t.cited_article_ids]
    reopened = [t for t in answers if t.status is TicketStatus.REOPENED]
    unhappy = [t for t in answers if t not in reopened and t.csat is not None and t.csat <= 2]
    flagged = rng.sample(reopened, min(1, len(reopened))) + rng.sample(unhappy, min(1, len(unhappy)))
    near = [t for t in answers if t not in flagged and t.agent_confidence is not None and t.agent_confidence < 0.6]
    rest = [t for t in answers if t not in flagged and t not in near]
    chosen = flagged + rng.sample(near, min(2, len(near)))
    chosen += rng.sample(rest, ANSWERS_A_WEEK - len(chosen))
    escalated = [t for t in tickets if t.status in ESCALATED and t.escalation_reasons and t.resolved_at is not None]
    confident = [t for t in escalated if t.escalation_reasons == ("low_confidence",) and (t.agent_confidence or 0) >= 0.4
                 and t.resolved_by_article_ids]  # the specialist's articles: what the agent should have cited
    others = [t for t in escalated if t not in confident]
    chosen += rng.sample(confident, min(1, len(confident)))
    chosen += rng.sample(others, ESCALATIONS_A_WEEK - min(1, len(confident)))
    return sorted(chosen, key=lambda t: t.id)


def reviewed_at(ticket: Ticket, rng: random.Random) -> datetime:
    """The working day after the ticket was resolved, in office hours."""
    assert ticket.resolved_at is not None
    day = ticket.resolved_at.date() + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime.combine(day, time(9, tzinfo=UTC)) + timedelta(minutes=rng.randint(0, 480))


def review(ticket: Ticket, reviewer: str, rng: random.Random) -> Review:
    answered = ticket.status in ANSWERED
    if answered:
        verdict, reason, note = answer_verdict(ticket)
    else:
        (verdict, note), reason = escalation_verdict(ticket), "escalated"
    correct = ticket.resolved_by_article_ids if verdict is ReviewVerdict.SHOULD_HAVE_ANSWERED else ()
    return Review(
        ticket_id=ticket.id, verdict=verdict, note=note + SUFFIX, reviewer=f"{reviewer} (simulated)",
        reviewed_at=reviewed_at(ticket, rng), sample_reason=reason, agent_action="answer" if answered else "escalate",
        agent_reply=ticket.resolution if answered else "", agent_confidence=ticket.agent_confidence,
        escalation_reasons=ticket.escalation_reasons, cited_article_ids=ticket.cited_article_ids,
        correct_article_ids=correct, ticket=ticket,
    )


def simulated_reviews(tickets: Sequence[Ticket], seed: int) -> list[Review]:
    rng = random.Random(seed)
    reviews: list[Review] = []
    for week in range(WEEKS):
        start = datetime.combine(FIRST_MONDAY + timedelta(weeks=week), time(tzinfo=UTC))
        mine = [t for t in tickets if t.created_at and start <= t.created_at < start + timedelta(weeks=1)]
        reviews += [review(t, REVIEWERS[week], rng) for t in pick_week(mine, rng)]
    return sorted(reviews, key=lambda r: (r.reviewed_at, r.ticket_id))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--history", type=Path, default=Path("evals/history/tickets.jsonl"), help="demo history")
    parser.add_argument("--out", type=Path, default=Path("evals/reviews.jsonl"), help="review log to (re)write")
    parser.add_argument("--seed", type=int, default=7, help="random seed (same seed, same file)")
    args = parser.parse_args()
    read = read_tickets(args.history)
    if read.problems:
        raise SystemExit(f"{args.history}: {read.problems[0].render()}")
    reviews = simulated_reviews(read.tickets, args.seed)
    args.out.unlink(missing_ok=True)
    append_reviews(args.out, reviews)
    counts: dict[str, int] = {}
    for r in reviews:
        counts[r.verdict.value] = counts.get(r.verdict.value, 0) + 1
    print(f"{len(reviews)} simulated reviews -> {args.out}: " + ", ".join(f"{v} {n}" for v, n in sorted(counts.items())))


if __name__ == "__main__":
    main()
