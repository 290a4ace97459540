"""Votes per article over a period: what `kbops feedback stats`, `kbops gaps` and the
weekly report read from the store."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from ..errors import EXIT_BAD_INPUT, KbopsError
from .store import FeedbackStore, Vote

STATS_VERSION = 1


@dataclass(frozen=True)
class ArticleFeedback:
    article_id: str
    page: str
    """The page the newest vote came from (an article keeps its id when its page moves)."""
    helpful: int
    unhelpful: int

    @property
    def votes(self) -> int:
        return self.helpful + self.unhelpful

    @property
    def ratio(self) -> float | None:
        """Share of helpful votes (None without votes)."""
        return self.helpful / self.votes if self.votes else None

    @property
    def unhelpful_share(self) -> float:
        return self.unhelpful / self.votes if self.votes else 0.0

    def to_json(self) -> dict[str, Any]:
        ratio = self.ratio
        return {"article_id": self.article_id, "page": self.page, "votes": self.votes, "helpful": self.helpful,
                "unhelpful": self.unhelpful, "ratio": round(ratio, 4) if ratio is not None else None}


def per_article(votes: Iterable[Vote]) -> list[ArticleFeedback]:
    """Counts per article, most unhelpful votes first (then most votes, then id)."""
    counts: dict[str, list[int]] = {}
    pages: dict[str, str] = {}
    for vote in votes:
        counts.setdefault(vote.article_id, [0, 0])[vote.value] += 1
        pages[vote.article_id] = vote.page
    found = [ArticleFeedback(a, pages[a], helpful=c[1], unhelpful=c[0]) for a, c in counts.items()]
    return sorted(found, key=lambda f: (-f.unhelpful, -f.votes, f.article_id))


def feedback_stats(store: FeedbackStore, since: datetime | None, until: datetime | None) -> list[ArticleFeedback]:
    """Votes per article received in [since, until) (None: unbounded)."""
    return per_article(store.votes(since, until))


def unhelpful_articles(stats: Sequence[ArticleFeedback], min_votes: int, share: float) -> list[ArticleFeedback]:
    """Articles with at least `min_votes` votes and `share` or more of them unhelpful:
    customers read them and still needed help."""
    return [f for f in stats if f.votes >= min_votes and f.unhelpful_share >= share]


def stats_json(stats: Sequence[ArticleFeedback], since: datetime | None, until: datetime | None) -> dict[str, Any]:
    """The `kbops feedback stats --json` document."""
    helpful = sum(f.helpful for f in stats)
    unhelpful = sum(f.unhelpful for f in stats)
    votes = helpful + unhelpful
    return {
        "version": STATS_VERSION,
        "since": since.isoformat() if since else None,
        "until": until.isoformat() if until else None,
        "totals": {"votes": votes, "helpful": helpful, "unhelpful": unhelpful,
                   "ratio": round(helpful / votes, 4) if votes else None, "articles": len(stats)},
        "articles": [f.to_json() for f in stats],
    }


class FeedbackError(KbopsError):
    """A period `kbops feedback stats` cannot read."""

    exit_code = EXIT_BAD_INPUT


_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_WEEK = re.compile(r"^(\d{4})-?W(\d{2})$", re.IGNORECASE)


def stats_window(month: str | None = None, week: str | None = None, since: date | None = None,
                 until: date | None = None) -> tuple[datetime | None, datetime | None]:
    """[since, until) in UTC for a calendar month (`2026-11`), an ISO week (`2026-W47`) or
    days (`until` included); nothing given = every vote."""
    if sum(x is not None for x in (month, week)) + (since is not None or until is not None) > 1:
        raise FeedbackError("give one of --period, --week or --since/--until")
    if month is not None:
        found = _MONTH.match(month.strip())
        if found is None or not 1 <= int(found.group(2)) <= 12:
            raise FeedbackError(f"period '{month}' is not a month: write it like 2026-11")
        year, number = int(found.group(1)), int(found.group(2))
        following = date(year + number // 12, number % 12 + 1, 1)
        return _midnight(date(year, number, 1)), _midnight(following)
    if week is not None:
        found = _WEEK.match(week.strip())
        try:
            monday = date.fromisocalendar(int(found.group(1)), int(found.group(2)), 1) if found else None
        except ValueError:
            monday = None
        if monday is None:
            raise FeedbackError(f"week '{week}' is not an ISO week: write it like 2026-W47")
        return _midnight(monday), _midnight(monday + timedelta(days=7))
    return (_midnight(since) if since else None, _midnight(until + timedelta(days=1)) if until else None)


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)
