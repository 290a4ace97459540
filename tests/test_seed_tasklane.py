"""scripts/seed_tasklane.py, the demo ticket history: same seed same bytes, every record
reads cleanly with kbops' own ticket reader, the planted-signal ground truth the
benchmarks score against says what the tickets really hold, and the ordinary noise around
it is left as noisy as real queues (nothing clamped to suit the detector)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from kbops.config.operations import DEFAULT_TAXONOMY
from kbops.tickets.files import read_tickets
from kbops.tickets.model import Ticket
from kbops.tickets.reviews import read_reviews
from tests.conftest import REPO

SCRIPT = REPO / "scripts" / "seed_tasklane.py"
SMALL = ("--tickets", "900", "--customers", "3000", "--weeks", "8")
FILES = ("tickets.jsonl", "releases.toml", "planted-signals.json")


def seed(out: Path, *args: str) -> Path:
    subprocess.run([sys.executable, str(SCRIPT), "--out", str(out), *args], check=True, capture_output=True)
    return out


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return seed(tmp_path_factory.mktemp("small"), "--seed", "11", *SMALL)


def test_same_seed_writes_the_same_bytes_and_another_seed_does_not(small: Path, tmp_path: Path) -> None:
    again = seed(tmp_path / "again", "--seed", "11", *SMALL)
    other = seed(tmp_path / "other", "--seed", "12", *SMALL)
    for name in FILES:
        assert (again / name).read_bytes() == (small / name).read_bytes(), name
    assert (other / "tickets.jsonl").read_bytes() != (small / "tickets.jsonl").read_bytes()


def test_committed_demo_history_is_what_seed_7_writes(tmp_path: Path) -> None:
    fresh = seed(tmp_path / "demo", "--seed", "7")
    for name in FILES:
        assert (fresh / name).read_bytes() == (REPO / "evals" / "history" / name).read_bytes(), (
            f"evals/history/{name} is stale: run python scripts/seed_tasklane.py --seed 7 --out evals/history")


@pytest.mark.parametrize("where", ["demo", "small"])
def test_planted_signals_agree_with_the_tickets(where: str, small: Path) -> None:
    folder = REPO / "evals" / "history" if where == "demo" else small
    read = read_tickets(folder / "tickets.jsonl")
    assert read.problems == ()
    tickets = {t.id: t for t in read.tickets}
    truth = json.loads((folder / "planted-signals.json").read_text(encoding="utf-8"))
    assert truth["generator"]["tickets"] == len(tickets)
    raw = [json.loads(line) for line in (folder / "tickets.jsonl").read_text(encoding="utf-8").splitlines()]
    assert not [r["id"] for r in raw if "sentiment" in r], "sentiment is the importer's to compute"
    assert_history_shape(list(tickets.values()), truth)
    assert_emerging_issue(tickets, truth)
    assert_rising_category(list(tickets.values()), truth)
    assert_churn_accounts(list(tickets.values()), truth)
    assert_doc_gaps(tickets, truth)


def assert_history_shape(tickets: list[Ticket], truth: dict[str, Any]) -> None:
    assert all(t.created_at is not None and t.status is not None for t in tickets)
    newest = max(t.created_at for t in tickets if t.created_at)
    assert newest.isocalendar()[:2] == (2026, 47) and truth["report_week"] == "2026-W47"
    assert {t.category for t in tickets} == set(DEFAULT_TAXONOMY)
    article_ids = {m.group(1) for f in (REPO / "kb").glob("*.md")
                   for m in [re.search(r"^id: (\S+)$", f.read_text(encoding="utf-8"), re.M)] if m}
    assert {a for t in tickets for a in t.cited_article_ids} <= article_ids
    agent_share = sum(t.status == "resolved_by_agent" for t in tickets) / len(tickets)
    assert 0.55 <= agent_share <= 0.78


def assert_emerging_issue(tickets: dict[str, Ticket], truth: dict[str, Any]) -> None:
    issue = truth["emerging_issue"]
    released = date.fromisoformat(issue["release"]["date"])
    planted = [tickets[i] for i in issue["ticket_ids"]]
    assert 25 <= len(planted) <= 40
    assert sorted({t.customer.id for t in planted}) == issue["accounts"] and len(issue["accounts"]) >= 20
    assert all(t.created_at and t.created_at.date() >= released for t in planted)
    assert Counter(t.category for t in planted).most_common(1)[0][0] == "bug report"
    about_it = re.compile(r"(timeline|gantt).*pdf|pdf.*(timeline|gantt)", re.I | re.S)
    assert all("pdf" in t.text.lower() for t in planted)  # a typo may hit 'timeline', never 'PDF'
    assert not [t.id for t in tickets.values() if about_it.search(t.text) and t.id not in issue["ticket_ids"]]
    assert issue["release"]["version"] in (REPO / "evals" / "history" / "releases.toml").read_text()


def weekly_counts(tickets: list[Ticket]) -> dict[str, Counter[str]]:
    weeks: dict[str, Counter[str]] = {}
    for t in tickets:
        assert t.created_at is not None
        year, week, _ = t.created_at.isocalendar()
        weeks.setdefault(f"{year}-W{week:02d}", Counter())[t.category] += 1
    return weeks


def assert_rising_category(tickets: list[Ticket], truth: dict[str, Any]) -> None:
    weeks = weekly_counts(tickets)
    assert {w: dict(c) for w, c in weeks.items()} == truth["volume"]
    rising = truth["rising_category"]
    this_week, previous = weeks["2026-W47"], weeks["2026-W46"]
    assert (rising["this_week"], rising["previous_week"]) == (this_week["billing"], previous["billing"])
    for category, change in truth["other_categories_change_wow"].items():  # whatever the noise did
        assert abs(this_week[category] / previous[category] - 1 - change) < 1e-3
    extra = set(rising["extra_ticket_ids"])
    assert all(t.category == "billing" and t.created_at and t.created_at.isocalendar()[1] == 47
               for t in tickets if t.id in extra)
    # the planted rise is extra tickets, 40-50% of the week before's billing, on top of ordinary ones
    assert 0.4 * previous["billing"] - 0.5 <= len(extra) <= 0.5 * previous["billing"] + 0.5
    assert rising["ordinary_this_week"] == this_week["billing"] - len(extra)


def assert_churn_accounts(tickets: list[Ticket], truth: dict[str, Any]) -> None:
    window = datetime(2026, 11, 23, tzinfo=UTC) - timedelta(days=14)
    recent: dict[str, list[Ticket]] = {}
    for t in tickets:
        if t.created_at and t.created_at >= window:
            recent.setdefault(t.customer.id, []).append(t)
    assert 4 <= len(truth["churn_accounts"]) <= 6
    for account in truth["churn_accounts"]:
        mine = recent[account["account_id"]]
        assert sorted(t.id for t in mine) == sorted(account["ticket_ids"]) and len(mine) >= 3
        assert {t.customer.tier for t in mine} <= {"business", "enterprise"}
        assert sum(t.status == "escalated" for t in mine) / len(mine) >= 0.6
    planted = {i for a in truth["churn_accounts"] for i in a["ticket_ids"] + a["earlier_ticket_ids"]}
    assert {t.id for t in tickets if t.customer.id in {a["account_id"] for a in truth["churn_accounts"]}} == planted


def assert_doc_gaps(tickets: dict[str, Ticket], truth: dict[str, Any]) -> None:
    gap_ids = {i for topic in truth["doc_gap_topics"] for i in topic["ticket_ids"]}
    low = {t.id for t in tickets.values() if t.status == "resolved_by_agent"
           and t.agent_confidence is not None and t.agent_confidence < 0.5}
    assert gap_ids == low and len(truth["doc_gap_topics"]) >= 4


def test_ordinary_noise_is_not_clamped() -> None:
    """The demo's ordinary weeks vary more than Poisson counts would (the level wanders, busy
    days cluster), categories that nothing was planted in move more than 10% from one week
    to the next, and a question's weekly count is not the same every week."""
    truth = json.loads((REPO / "evals" / "history" / "planted-signals.json").read_text(encoding="utf-8"))
    volume, weeks = truth["volume"], truth["weeks"][:-2]  # before the outage and the report week
    pearson = sum((volume[w][c] - mean) ** 2 / mean for c in DEFAULT_TAXONOMY
                  for mean in [sum(volume[v][c] for v in weeks) / len(weeks)] for w in weeks)
    assert pearson / (len(DEFAULT_TAXONOMY) * (len(weeks) - 1)) > 1.2
    moves = [abs(volume[b][c] / volume[a][c] - 1) for a, b in zip(weeks, weeks[1:], strict=False) for c in DEFAULT_TAXONOMY]
    assert max(moves) > 0.2 and sum(m > 0.1 for m in moves) >= 5
    read = read_tickets(REPO / "evals" / "history" / "tickets.jsonl")
    subjects_by_week: dict[str, Counter[str]] = {}
    for t in read.tickets:
        assert t.created_at is not None
        year, week, _ = t.created_at.isocalendar()
        subjects_by_week.setdefault(f"{year}-W{week:02d}", Counter())[t.subject.lower()] += 1
    per_week = [subjects_by_week[w]["payment failed"] for w in weeks]
    assert len(set(per_week)) > 2


def test_escalated_demo_tickets_carry_the_agents_reason_codes() -> None:
    """Every ticket the agent saw and escalated names why, in the policy's codes, consistent
    with the ticket (an enterprise account is `vip_customer`, a refund trips the refund
    gate); answered tickets and phone calls (never seen by the agent) carry none."""
    read = read_tickets(REPO / "evals" / "history" / "tickets.jsonl")
    codes = {"low_confidence", "no_coverage", "human_requested", "vip_customer", "negative_sentiment"}
    escalated = [t for t in read.tickets if t.status in ("escalated", "resolved_by_specialist")]
    for ticket in read.tickets:
        if ticket.status not in ("escalated", "resolved_by_specialist") or ticket.agent_confidence is None:
            assert ticket.escalation_reasons == () or ticket.customer.tier == "enterprise", ticket.id
            continue
        assert ticket.escalation_reasons, ticket.id
        assert all(r in codes or r.startswith("risk_topic:") for r in ticket.escalation_reasons), ticket.id
        assert ("vip_customer" in ticket.escalation_reasons) == (ticket.customer.tier == "enterprise"), ticket.id
        assert "low_confidence" not in ticket.escalation_reasons or ticket.agent_confidence < 0.5, ticket.id
    counts = Counter(r for t in escalated for r in t.escalation_reasons)
    assert counts["risk_topic:refund"] > 10 and counts["low_confidence"] > 100 and counts["no_coverage"] > 100
    assert any(t.escalation_reasons == () for t in escalated)  # phone calls: `unrecorded` in the KPIs


def test_committed_demo_reviews_are_what_seed_reviews_writes_and_say_they_are_simulated(tmp_path: Path) -> None:
    out = tmp_path / "reviews.jsonl"
    subprocess.run([sys.executable, str(REPO / "scripts" / "seed_reviews.py"), "--out", str(out), "--history",
                    str(REPO / "evals" / "history" / "tickets.jsonl")], check=True, capture_output=True)
    assert out.read_bytes() == (REPO / "evals" / "reviews.jsonl").read_bytes(), (
        "evals/reviews.jsonl is stale: run python scripts/seed_reviews.py")
    log = read_reviews(out)
    assert log.problems == () and 35 <= len(log.reviews) <= 45
    assert all(r.reviewer.endswith("(simulated)") and "simulated demo review" in r.note for r in log.reviews)
    assert {r.verdict.value for r in log.reviews} == {"correct", "incorrect", "tone", "should_have_escalated",
                                                      "correctly_escalated", "should_have_answered"}
