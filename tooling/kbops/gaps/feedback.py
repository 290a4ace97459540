"""Help-site votes as gaps: an article that enough readers voted "not helpful" fails them
even when no escalated ticket says so (they may have given up rather than written in).

Such an article becomes a `failing` gap (`Failure.UNHELPFUL`) with the vote counts in its
explanation, unless a gap of the run already names it as its covering article: then that
gap carries the votes instead, so one article is never two gaps.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from ..config import FeedbackSettings
from ..feedback.stats import ArticleFeedback, unhelpful_articles
from ..kb.model import Article
from .find import gap_id
from .model import Failure, Gap, GapKind, VoteCounts

VOTE_IMPACT = 0.25
"""Impact of one unhelpful vote, against 1.0 for an escalated ticket of weight 1: a vote
costs a reader's time, a ticket a specialist's."""
VOTE_DAYS = 28
"""Votes of the four weeks before a run count for its gaps (votes arrive live, tickets
are replayed: the run's own time is the only period both share)."""


def with_feedback(gaps: Sequence[Gap], feedback: Sequence[ArticleFeedback], settings: FeedbackSettings,
                  articles: Mapping[str, Article]) -> list[Gap]:
    """`gaps` with the unhelpful articles of `feedback` merged in or added, re-ranked."""
    failing = {f.article_id: f for f in unhelpful_articles(feedback, settings.min_votes, settings.unhelpful_share)}
    merged: list[Gap] = []
    for gap in gaps:
        votes = failing.pop(gap.covering_article, None) if gap.covering_article else None
        if votes is None:
            merged.append(gap)
            continue
        counts = VoteCounts(votes.helpful, votes.unhelpful)
        merged.append(replace(gap, feedback=counts, impact=round(gap.impact + VOTE_IMPACT * votes.unhelpful, 3)))
    merged += [_vote_gap(votes, articles.get(article_id)) for article_id, votes in sorted(failing.items())]
    ranked = sorted(merged, key=lambda g: (-g.impact, -g.tickets, g.id))
    return [replace(gap, rank=rank) for rank, gap in enumerate(ranked, start=1)]


def _vote_gap(votes: ArticleFeedback, article: Article | None) -> Gap:
    title = article.title if article is not None else votes.article_id
    return Gap(
        id=gap_id([f"feedback:{votes.article_id}"]), rank=0, label=f"{title} (voted not helpful)",
        key_phrases=(), ticket_ids=(), false_deflections=0, share=0.0, customers=(), tiers={}, categories={},
        examples=(), nearest=(), kind=GapKind.FAILING, failure=Failure.UNHELPFUL,
        covering_article=votes.article_id, impact=round(VOTE_IMPACT * votes.unhelpful, 3),
        feedback=VoteCounts(votes.helpful, votes.unhelpful),
    )


def vote_window(run_created_at: str) -> tuple[datetime, datetime]:
    """The votes a run's gap analysis reads: the `VOTE_DAYS` before the run was made (an
    unreadable time counts as now)."""
    try:
        end = datetime.fromisoformat(run_created_at)
    except ValueError:
        end = datetime.now(UTC)
    end = end.replace(tzinfo=UTC) if end.tzinfo is None else end.astimezone(UTC)
    return end - timedelta(days=VOTE_DAYS), end
