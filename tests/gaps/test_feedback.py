"""Help-site votes as gaps: an article readers voted unhelpful becomes a `failing` gap, or
joins the gap the run already found for it; too few votes change nothing."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from kbops.config import FeedbackSettings, Settings
from kbops.feedback.stats import ArticleFeedback
from kbops.feedback.store import FeedbackStore, Vote
from kbops.gaps.feedback import VOTE_DAYS, vote_window, with_feedback
from kbops.gaps.model import Failure, Gap, GapKind, GapReport, VoteCounts, report_from_dict
from kbops.workspace import Workspace
from tests.factories import article

SETTINGS = FeedbackSettings(min_votes=5, unhelpful_share=0.5)
ARTICLES = {"refunds": article("refunds", title="Get a refund"), "export": article("export", title="Export a project")}


def ticket_gap(gap_id: str, covering: str | None, impact: float, tickets: int = 3) -> Gap:
    return Gap(
        id=gap_id, rank=0, label="refund request", key_phrases=("refund",), ticket_ids=tuple(f"T-{i}" for i in range(tickets)),
        false_deflections=1, share=0.1, customers=("customer-1",), tiers={"pro": tickets}, categories={"billing": tickets},
        examples=(), nearest=(), kind=GapKind.FAILING if covering else GapKind.MISSING,
        failure=Failure.WRONG if covering else None, covering_article=covering, impact=impact,
    )


def test_an_article_voted_unhelpful_becomes_a_failing_gap_with_its_votes() -> None:
    votes = [ArticleFeedback("export", "/export/", helpful=2, unhelpful=6)]
    (gap,) = with_feedback([], votes, SETTINGS, ARTICLES)
    assert (gap.kind, gap.failure, gap.covering_article, gap.rank) == (GapKind.FAILING, Failure.UNHELPFUL, "export", 1)
    assert gap.feedback == VoteCounts(2, 6) and gap.tickets == 0 and gap.label == "Export a project (voted not helpful)"
    assert gap.explain() == "export: readers of the help site voted it not helpful; 6 of 8 help-site votes not helpful"
    assert gap.id.startswith("gap-") and with_feedback([], votes, SETTINGS, ARTICLES)[0].id == gap.id


def test_votes_on_an_article_a_gap_already_names_join_that_gap() -> None:
    gaps = [ticket_gap("gap-aaaa", "refunds", impact=3.0), ticket_gap("gap-bbbb", None, impact=2.5)]
    votes = [ArticleFeedback("refunds", "/refunds/", helpful=1, unhelpful=4), ArticleFeedback("export", "/export/", 0, 5)]
    found = with_feedback(gaps, votes, SETTINGS, ARTICLES)
    assert [(g.rank, g.id, g.covering_article, g.failure) for g in found] == [
        (1, "gap-aaaa", "refunds", Failure.WRONG), (2, "gap-bbbb", None, None),
        (3, found[2].id, "export", Failure.UNHELPFUL)]
    merged = found[0]
    assert merged.feedback == VoteCounts(1, 4) and merged.impact == 4.0 and merged.ticket_ids == gaps[0].ticket_ids
    assert merged.explain() == "refunds: answered from it, wrongly; 4 of 5 help-site votes not helpful"
    assert sum(g.covering_article == "refunds" for g in found) == 1


def test_too_few_votes_or_a_helpful_majority_are_no_gap() -> None:
    votes = [ArticleFeedback("export", "/export/", helpful=0, unhelpful=4),
             ArticleFeedback("refunds", "/refunds/", helpful=3, unhelpful=2)]
    gaps = [ticket_gap("gap-aaaa", "refunds", impact=3.0)]
    assert with_feedback(gaps, votes, SETTINGS, ARTICLES) == [replace(gaps[0], rank=1)]


def test_a_report_with_votes_round_trips() -> None:
    gaps = with_feedback([ticket_gap("gap-aaaa", "refunds", 3.0)],
                         [ArticleFeedback("refunds", "/refunds/", 0, 5), ArticleFeedback("export", "/export/", 1, 5)],
                         SETTINGS, ARTICLES)
    report = GapReport("run-1", None, 30, 3, tuple(gaps), 0.45)
    raw = json.loads(report.to_json())
    assert raw["gaps"][0]["feedback"] == {"helpful": 0, "unhelpful": 5}
    assert report_from_dict(raw) == report


def test_the_workspace_reads_the_votes_before_the_run_and_none_without_a_store(tmp_path: Path) -> None:
    ws = Workspace(Settings(root=tmp_path))
    since, until = vote_window("2026-11-30T10:00:00+00:00")
    assert until == datetime(2026, 11, 30, 10, tzinfo=UTC) and (until - since).days == VOTE_DAYS
    assert ws.feedback_stats(since, until) == []
    assert not (tmp_path / ".kbops").exists()  # reading created nothing
    with FeedbackStore.open(tmp_path / ".kbops" / "feedback.sqlite") as store:
        for value, day in ((0, 29), (0, 20), (1, 29), (0, 1)):
            store.add(Vote("/export/", "export", value, datetime(2026, 11, day, tzinfo=UTC), "k"))
    # Nov 1 is more than VOTE_DAYS before the run
    assert ws.feedback_stats(since, until) == [ArticleFeedback("export", "/export/", helpful=1, unhelpful=2)]


def test_min_size_keeps_a_gap_readers_voted_unhelpful() -> None:
    gaps = with_feedback([ticket_gap("gap-aaaa", None, 1.0, tickets=1)], [ArticleFeedback("export", "/export/", 0, 5)],
                         SETTINGS, ARTICLES)
    report = GapReport("run-1", None, 30, 1, tuple(gaps), 0.45).at_least(2)
    assert [g.failure for g in report.gaps] == [Failure.UNHELPFUL]
