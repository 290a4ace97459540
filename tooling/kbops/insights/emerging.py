"""Emerging issues: problems customers write about this period that the prior periods did
not have.

"Did not exist before" is a density ratio, measured with nearest neighbours:

1. Seeds. Around each ticket of this period, the radius r that holds it and its k =
   `emerging_min_tickets` - 1 nearest tickets of this period (k-th neighbour similarity).
   Radii looser than a gap cluster (1 - `gaps.distance_threshold`) are noise: no seed.
   Within r, count the tickets of the prior periods. At an unchanged rate the prior
   periods hold about k + 1 per period there; a seed's neighbourhood holds at most
   `NEW_SHARE` of that. Only seeds are clustered, so an old topic cannot swallow a new
   problem that resembles it, and the cost is one block-wise matrix product per period
   pair (`neighbours.py`), never a clustering of the whole history.
2. Clusters of seeds (the gap finder's agglomerative clustering). Each cluster's radius is
   the similarity of its least central seed to its centre (no looser than a gap cluster);
   its tickets are every ticket of this period inside that radius.
3. A cluster is an emerging issue when it has at least `emerging_min_tickets` tickets
   from `emerging_min_accounts` accounts, the prior periods' rate inside the same radius
   is at most `NEW_SHARE` of this period's count, and this period's count is significant
   against the prior periods': the conditional test for two Poisson rates
   (`stats.rate_rise_p`, as for volume) gives p < `SIGNIFICANCE`. Hundreds of candidate
   groups are tested in a busy week, so the level is strict. The prior rate comes from a
   handful of tickets, so the test must count its uncertainty: treating 4 tickets in 4 weeks
   as a known rate of about 1 a week makes 8 this week look like p ~ 2e-5, when the two counts
   together (8 of 12 in one week of five) give p = 6e-4. Ordinary questions whose weekly
   count happens to double were reported as new that way. The price: with 4 prior periods
   a never-seen problem needs 6 tickets (0.2^6 < 1e-4), with fewer prior periods more.
   Both must also hold `RADIUS_MARGIN` looser (never looser than a gap cluster): the
   radius was chosen by this week's tickets, and a radius that happens to fit them
   tightly must not make a topic that merely grew look new.

First seen is the earliest ticket of the issue's current run: this period's first ticket,
extended back through prior tickets inside the radius while they are less than
`ONSET_GAP` apart (an issue that began on the Friday before is dated then; a lone
look-alike a month ago is not). The issue follows a release when it was first seen within
`weekly.release_window_days` after one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import median
from typing import Any

import numpy as np

from ..config import Settings
from ..drafts.outline import gap_title
from ..gaps.find import gap_id
from ..tickets.model import Ticket
from ..triage.severity import Severity, assess_severity
from .groups import (
    account_of,
    account_revenue,
    as_gap,
    central_first,
    group_rows,
    highest_tier,
    name_groups,
)
from .neighbours import count_within, kth_neighbour_similarity, ticket_text
from .releases import Release, release_before
from .stats import chao1, peak_within, rate_rise_p
from .weeks import Period, as_utc

NEW_SHARE = 0.2
"""The prior periods' rate near a new issue is at most a fifth of this period's count."""
SIGNIFICANCE = 1e-4
RADIUS_MARGIN = 0.05
ONSET_GAP = timedelta(days=3)
MAX_SEEDS = 3000
"""Seeds clustered at most (the most novel first): bounds the clustering's memory."""
REPRESENTATIVES = 3


@dataclass(frozen=True)
class EmergingIssue:
    id: str
    title: str
    key_phrases: tuple[str, ...]
    ticket_ids: tuple[str, ...]
    """Most central first."""
    accounts: tuple[str, ...]
    estimated_accounts: int
    """Chao1 estimate of all affected accounts, including those that have not written yet."""
    tiers: dict[str, int]
    monthly_revenue: float | None
    """Of the affected accounts together, when known."""
    first_seen: datetime
    prior_tickets: int
    """Tickets inside the issue's radius in the prior periods together."""
    prior_periods: int
    peak_24h: int
    daily: tuple[int, ...]
    """Tickets per day of the period."""
    release: Release | None
    severity: Severity
    examples: tuple[tuple[str, str], ...]
    """(ticket id, redacted subject) of the most central tickets."""

    @property
    def tickets(self) -> int:
        return len(self.ticket_ids)

    @property
    def representative_ticket_ids(self) -> tuple[str, ...]:
        return self.ticket_ids[:REPRESENTATIVES]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "title": self.title, "key_phrases": list(self.key_phrases), "tickets": self.tickets,
            "ticket_ids": list(self.ticket_ids), "representative_ticket_ids": list(self.representative_ticket_ids),
            "examples": [{"ticket_id": i, "subject": s} for i, s in self.examples],
            "affected_accounts": len(self.accounts), "estimated_affected_accounts": self.estimated_accounts,
            "accounts": list(self.accounts), "tiers": self.tiers, "monthly_revenue": self.monthly_revenue,
            "first_seen": self.first_seen.isoformat(), "prior_tickets": self.prior_tickets,
            "prior_periods": self.prior_periods, "peak_24h": self.peak_24h, "daily": list(self.daily),
            "release": {"version": self.release.version, "date": self.release.date.isoformat(),
                        "source": self.release.source} if self.release else None,
            "severity": self.severity.level, "severity_points": self.severity.points,
            "severity_reasons": list(self.severity.reasons),
        }


def find_emerging(now: Sequence[Ticket], now_vectors: np.ndarray, prior: Sequence[Ticket], prior_vectors: np.ndarray,
                  *, period: Period, prior_periods: int, settings: Settings,
                  releases: Sequence[Release]) -> list[EmergingIssue]:
    """This period's emerging issues, biggest first (see the module docstring). `prior`: the
    tickets of the `prior_periods` periods before `period` the history covers."""
    weekly = settings.weekly
    if prior_periods < 1 or len(now) < weekly.emerging_min_tickets:
        return []  # nothing to be new against, or too few tickets for any issue
    floor = 1.0 - settings.gaps.distance_threshold
    seeds = _seeds(now_vectors, prior_vectors, prior_periods, weekly.emerging_min_tickets, floor)
    if len(seeds) < 2:
        return []
    groups = [central_first(now_vectors, rows, now) for rows in
              group_rows(now_vectors, seeds, settings.gaps.distance_threshold) if len(rows) >= 2]
    groups.sort(key=lambda g: (-len(g.rows), now[g.rows[0]].id))
    radii = np.array([max(min(g.similarities), floor) for g in groups], dtype=np.float32)
    looser = np.maximum(radii - RADIUS_MARGIN, floor).astype(np.float32)
    centres = np.array([g.centre for g in groups], dtype=np.float32).reshape(len(groups), -1)
    prior_counts = count_within(centres, prior_vectors, radii)
    prior_looser = count_within(centres, prior_vectors, looser)
    claimed: set[int] = set()
    found: list[tuple[list[Ticket], list[Ticket]]] = []
    for radius, loose, prior_count, prior_loose, middle in zip(radii, looser, prior_counts, prior_looser, centres,
                                                               strict=True):
        similarity = now_vectors @ middle
        rows = [int(r) for r in np.argsort(-similarity, kind="stable") if similarity[r] >= radius and int(r) not in claimed]
        members = [now[r] for r in rows]
        if not _is_new(members, int(prior_count), prior_periods, settings) or not _is_new(
                members, int(prior_loose), prior_periods, settings, int((similarity >= loose).sum())):
            continue
        claimed.update(rows)
        earlier = [prior[int(r)] for r in np.flatnonzero(prior_vectors @ middle >= radius)] if prior_count else []
        found.append((members, earlier))
    if not found:
        return []
    rest = [t for i, t in enumerate(now) if i not in claimed]
    phrases = name_groups([members for members, _ in found], rest)
    issues = [_issue(members, earlier, words, period, prior_periods, settings, releases)
              for (members, earlier), words in zip(found, phrases, strict=True)]
    return sorted(issues, key=lambda i: (-i.tickets, -len(i.accounts), i.id))


def _seeds(now_vectors: np.ndarray, prior_vectors: np.ndarray, prior_periods: int, group_size: int,
           floor: float) -> list[int]:
    radius = kth_neighbour_similarity(now_vectors, group_size - 1)
    candidates = np.flatnonzero(radius >= floor)
    if not len(candidates):
        return []
    prior_near = count_within(now_vectors[candidates], prior_vectors, radius[candidates])
    novel = prior_near / prior_periods <= NEW_SHARE * group_size
    order = sorted(zip(prior_near[novel], -radius[candidates][novel], candidates[novel], strict=True))
    return sorted(int(row) for _, _, row in order[:MAX_SEEDS])


def _is_new(members: Sequence[Ticket], prior_count: int, prior_periods: int, settings: Settings,
            count: int | None = None) -> bool:
    """`count`: this period's tickets in the radius the prior count was taken in (default: the members)."""
    weekly = settings.weekly
    count = len(members) if count is None else count
    if count < weekly.emerging_min_tickets or len({t.customer.id for t in members}) < weekly.emerging_min_accounts:
        return False
    prior_rate = prior_count / prior_periods
    if prior_rate > NEW_SHARE * count:
        return False
    return rate_rise_p(count, prior_count, prior_periods) < SIGNIFICANCE


def _issue(members: list[Ticket], earlier: list[Ticket], phrases: list[str], period: Period, prior_periods: int,
           settings: Settings, releases: Sequence[Release]) -> EmergingIssue:
    gap = as_gap(members, phrases)
    texts = [ticket_text(t) for t in members[:10]]
    times = [as_utc(t.created_at) for t in members if t.created_at is not None]
    first = onset(min(times), [as_utc(t.created_at) for t in earlier if t.created_at is not None])
    per_account = Counter(t.customer.id for t in members)
    sentiments = [t.sentiment for t in members if t.sentiment is not None]
    peak = peak_within(times)
    revenue = account_revenue(members)
    severity = assess_severity(
        settings.triage, text="\n".join(ticket_text(t) for t in members[:REPRESENTATIVES]), tier=highest_tier(members),
        monthly_revenue=revenue, similar_24h=peak, sentiment=median(sentiments) if sentiments else None,
    )
    days = [0] * period.days
    for moment in times:
        index = (moment - period.start).days
        if 0 <= index < len(days):
            days[index] += 1
    return EmergingIssue(
        id=gap_id(t.id for t in members).replace("gap-", "issue-"), title=gap_title(gap, texts),
        key_phrases=tuple(phrases), ticket_ids=gap.ticket_ids,
        accounts=tuple(sorted({account_of(t) for t in members})), estimated_accounts=chao1(list(per_account.values())),
        tiers=gap.tiers, monthly_revenue=revenue, first_seen=first, prior_tickets=len(earlier),
        prior_periods=prior_periods, peak_24h=peak, daily=tuple(days),
        release=release_before(releases, first.date(), settings.weekly.release_window_days), severity=severity,
        examples=gap.examples,
    )


def onset(first_now: datetime, earlier: Sequence[datetime]) -> datetime:
    """`first_now` moved back through the earlier look-alikes that lead up to it without a
    pause of `ONSET_GAP` or more."""
    start = first_now
    for moment in sorted(earlier, reverse=True):
        if moment >= start:
            continue
        if start - moment >= ONSET_GAP:
            break
        start = moment
    return start
