"""Emerging issues on hand-made vectors: a planted new cluster is found with its accounts,
first sighting, release and severity; old topics, growing topics and one-account bursts are not."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from kbops.config import Settings
from kbops.insights.emerging import EmergingIssue, find_emerging, onset
from kbops.insights.releases import Release
from kbops.insights.weeks import IsoWeek, period_of
from kbops.tickets.model import Customer, Ticket, Tier
from tests.insights.geometry import rows

WEEK = IsoWeek(2026, 47)
PERIOD = period_of(WEEK)
OLD_TOPICS = 5
PER_WEEK = 6


def ticket(ticket_id: str, when: datetime, account: str, body: str = "How do I set up recurring tasks?",
           tier: Tier = Tier.PRO, revenue: float | None = 50.0) -> Ticket:
    return Ticket(id=ticket_id, body=body, subject="", created_at=when,
                  customer=Customer(id=account, tier=tier, monthly_revenue=revenue))


def old_topics(week: IsoWeek, per_topic: int = PER_WEEK) -> tuple[list[Ticket], list[int]]:
    tickets, topics = [], []
    for topic in range(OLD_TOPICS):
        for n in range(per_topic):
            tickets.append(ticket(f"O{week.week}-{topic}-{n}", week.start + timedelta(hours=5 + 20 * n + topic),
                                  f"C-{week.week}-{topic}-{n}", body=f"Ordinary question number {topic}."))
            topics.append(topic)
    return tickets, topics


def prior_weeks() -> tuple[list[Ticket], np.ndarray]:
    tickets, topics = [], []
    for offset in range(4, 0, -1):
        found, own = old_topics(WEEK.shift(-offset))
        tickets += found
        topics += own
    return tickets, rows(topics)


def outage(count: int = 6, accounts: int = 4, topic: int = 30, start_day: int = 1) -> tuple[list[Ticket], list[int]]:
    tickets = [ticket(f"N-{n}", WEEK.start + timedelta(days=start_day, hours=3 * n), f"A-{n % accounts}",
                      body="The board is down: nobody can open tasks since the update. Error 502 everywhere.",
                      tier=Tier.ENTERPRISE if n % accounts == 0 else Tier.PRO,
                      revenue=6000.0 if n % accounts == 0 else 50.0)
               for n in range(count)]
    return tickets, [topic] * count


def run(now: list[Ticket], now_topics: list[int], *, releases: tuple[Release, ...] = (),
        prior: tuple[list[Ticket], np.ndarray] | None = None) -> list[EmergingIssue]:
    before, before_vectors = prior if prior is not None else prior_weeks()
    settings = Settings(root=Path("."))
    return find_emerging(now, rows(now_topics), before, before_vectors, period=PERIOD, prior_periods=4,
                         settings=settings, releases=releases)


def this_week(*extra: tuple[list[Ticket], list[int]]) -> tuple[list[Ticket], list[int]]:
    tickets, topics = old_topics(WEEK)
    for found, own in extra:
        tickets += found
        topics += own
    return tickets, topics


def test_a_new_cluster_is_found_with_everything_a_reader_needs() -> None:
    release = Release("2.4.0", date(2026, 11, 16), "new board engine", "releases.toml")
    issues = run(*this_week(outage()), releases=(Release("2.3.0", date(2026, 10, 1)), release))
    assert len(issues) == 1
    issue = issues[0]
    assert sorted(issue.ticket_ids) == [f"N-{n}" for n in range(6)]
    assert issue.accounts == ("A-0", "A-1", "A-2", "A-3") and issue.estimated_accounts >= 4
    assert issue.first_seen == WEEK.start + timedelta(days=1)
    assert issue.release == release and issue.prior_tickets == 0
    assert issue.tiers == {"enterprise": 2, "pro": 4} and issue.monthly_revenue == 6150.0
    assert issue.severity.level == "P1"
    assert any("enterprise" in r for r in issue.severity.reasons)
    assert any(r.startswith("outage") for r in issue.severity.reasons)
    assert sum(issue.daily) == 6 and issue.daily[1] == 6
    assert "board" in " ".join(issue.key_phrases) or "board" in issue.title.lower()
    data = issue.to_json()
    assert data["release"] == {"version": "2.4.0", "date": "2026-11-16", "source": "releases.toml"}
    assert data["severity"] == "P1" and data["affected_accounts"] == 4 and len(data["representative_ticket_ids"]) == 3


def test_a_stable_week_has_no_emerging_issue() -> None:
    assert run(*this_week()) == []


def test_a_topic_that_only_grew_is_not_new() -> None:
    tickets, topics = old_topics(WEEK, per_topic=PER_WEEK * 3)  # every topic three times as busy
    assert run(tickets, topics) == []


def test_one_accounts_burst_is_not_an_emerging_issue() -> None:
    assert run(*this_week(outage(accounts=2))) == []


def test_a_cluster_too_small_is_not_reported() -> None:
    assert run(*this_week(outage(count=4))) == []


def test_a_problem_seen_as_often_before_is_not_new() -> None:
    before, vectors = prior_weeks()
    for offset in range(4, 0, -1):  # the same outage-like tickets, six a week, every week
        found, own = outage(topic=30)
        week = WEEK.shift(-offset)
        before += [t.model_copy(update={"id": f"{t.id}-{week.week}", "created_at": t.created_at - timedelta(weeks=offset)})
                   for t in found]
        vectors = np.vstack([vectors, rows(own)])
    assert run(*this_week(outage()), prior=(before, vectors)) == []


def test_a_rare_question_that_doubled_is_not_new() -> None:
    """One ticket a week for four weeks, eight this week: a lot more, but the prior rate rests
    on four tickets, so 8 of 12 in one week of five is p = 6e-4, not new (a known rate of one
    a week would have made it p = 2e-5)."""
    before, vectors = prior_weeks()
    for offset in range(4, 0, -1):
        found, own = outage(count=1, topic=30)
        week = WEEK.shift(-offset)
        before += [t.model_copy(update={"id": f"{t.id}-{week.week}", "created_at": t.created_at - timedelta(weeks=offset)})
                   for t in found]
        vectors = np.vstack([vectors, rows(own)])
    assert run(*this_week(outage(count=8)), prior=(before, vectors)) == []


def test_a_never_seen_problem_needs_six_tickets_against_four_weeks() -> None:
    """0.2^5 = 3e-4 is not below 1e-4; 0.2^6 = 6e-5 is (the chance that every ticket of a
    problem as common before falls into this week)."""
    assert run(*this_week(outage(count=5))) == []
    assert len(run(*this_week(outage(count=6)))) == 1


def test_an_issue_without_a_release_nearby_follows_none() -> None:
    issues = run(*this_week(outage()), releases=(Release("2.3.0", date(2026, 10, 1)),))
    assert len(issues) == 1 and issues[0].release is None


def test_first_seen_reaches_back_through_an_unbroken_run() -> None:
    first = datetime(2026, 11, 16, 9, tzinfo=UTC)
    leading = [first - timedelta(days=1), first - timedelta(days=2, hours=12)]
    assert onset(first, leading) == first - timedelta(days=2, hours=12)
    assert onset(first, [first - timedelta(days=20)]) == first  # a lone look-alike weeks ago is not the start


@pytest.mark.parametrize("prior_periods", [0])
def test_without_prior_periods_nothing_can_be_new(prior_periods: int) -> None:
    tickets, topics = this_week(outage())
    issues = find_emerging(tickets, rows(topics), [], rows([]), period=PERIOD, prior_periods=prior_periods,
                           settings=Settings(root=Path(".")), releases=())
    assert issues == []
