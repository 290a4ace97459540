"""The types of a gap analysis: a Gap (a topic the KB fails on), its nearest articles, and
the ranked report `kbops gaps` prints and keeps beside the run it analysed."""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, replace
from enum import StrEnum
from typing import Any

from ..errors import KbopsError
from ..evals.runs import Verdict

GAPS_VERSION = 1
EXAMPLES = 3
NEAREST = 3
COVERED_TERMS = 0.5
"""Share of a gap's key phrases an article must mention to count as covering it."""

GAP_VERDICTS = (Verdict.GAP, Verdict.FALSE_DEFLECTION)

class GapError(KbopsError):
    """A gap id that does not exist, or a run without the data gaps need."""

    exit_code = 2


class GapKind(StrEnum):
    MISSING = "missing"
    """No article covers the topic: write one."""
    FAILING = "failing"
    """An article covers it but did not deflect the tickets: fix, publish or reword it."""


class Failure(StrEnum):
    UNPUBLISHED = "unpublished"
    WRONG = "wrong"
    OUTDATED = "outdated"
    UNFINDABLE = "unfindable"
    UNHELPFUL = "unhelpful"
    """Readers of the help site voted it not helpful (`[feedback]`)."""


@dataclass(frozen=True)
class VoteCounts:
    """Help-site votes on the covering article in the analysed period."""

    helpful: int
    unhelpful: int

    @property
    def votes(self) -> int:
        return self.helpful + self.unhelpful


@dataclass(frozen=True)
class GapTicket:
    """What gap finding needs of one escalated ticket. `question` and `resolution` are the
    full texts (never written out unredacted); `subject` is already redacted."""

    id: str
    verdict: Verdict
    tier: str
    customer: str
    subject: str
    question: str
    resolution: str
    category: str
    gold: tuple[str, ...] = ()
    cited: tuple[str, ...] = ()


@dataclass(frozen=True)
class NearArticle:
    article_id: str
    title: str
    path: str
    status: str
    audience: str
    similarity: float
    """Best cosine between the gap's centre and one of the article's chunks."""
    term_coverage: float
    """Share of the gap's key phrases the article mentions."""
    resolved_tickets: int = 0
    """Gap tickets whose specialist named this article as the answer."""
    cited_tickets: int = 0
    """Gap tickets whose (escalated or wrong) draft cited this article."""


@dataclass(frozen=True)
class Gap:
    id: str
    rank: int
    label: str
    key_phrases: tuple[str, ...]
    ticket_ids: tuple[str, ...]
    """Most central first."""
    false_deflections: int
    share: float
    """Tickets / all tickets of the run: the deflection gain if the gap is closed."""
    customers: tuple[str, ...]
    tiers: dict[str, int]
    categories: dict[str, int]
    examples: tuple[tuple[str, str], ...]
    """(ticket id, redacted subject) of the most central tickets."""
    nearest: tuple[NearArticle, ...]
    kind: GapKind
    failure: Failure | None
    covering_article: str | None
    impact: float
    feedback: VoteCounts | None = None
    """Help-site votes, when readers voted the covering article unhelpful (`[feedback]`)."""

    @property
    def tickets(self) -> int:
        return len(self.ticket_ids)

    def explain(self) -> str:
        """One line saying what kind of gap this is, for tables and PR descriptions."""
        if self.kind is GapKind.MISSING:
            near = self.nearest[0] if self.nearest else None
            closest = f" (closest: {near.article_id}, similarity {near.similarity:.2f})" if near else ""
            return f"missing article{closest}"
        reasons = {
            Failure.UNPUBLISHED: "exists but is not published to customers",
            Failure.WRONG: "answered from it, wrongly",
            Failure.OUTDATED: "answered from it, wrongly, and its review is overdue",
            Failure.UNFINDABLE: "exists but the agent did not answer from it",
            Failure.UNHELPFUL: "readers of the help site voted it not helpful",
        }
        votes = (f"; {self.feedback.unhelpful} of {self.feedback.votes} help-site votes not helpful"
                 if self.feedback else "")
        return f"{self.covering_article}: {reasons[self.failure] if self.failure else 'fails'}{votes}"


@dataclass(frozen=True)
class GapReport:
    run_id: str
    kb_commit: str | None
    run_tickets: int
    considered: int
    """Gap and false-deflection tickets that were clustered."""
    gaps: tuple[Gap, ...]
    distance_threshold: float
    missing_tickets: tuple[str, ...] = ()
    """Run tickets no longer in the ticket file (clustered on their subject only)."""
    version: int = GAPS_VERSION

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, default=str)

    def find(self, gap_id: str) -> Gap:
        """A gap by id or unique id prefix."""
        exact = [g for g in self.gaps if g.id == gap_id]
        matches = exact or [g for g in self.gaps if g.id.startswith(gap_id)]
        if len(matches) == 1:
            return matches[0]
        known = ", ".join(g.id for g in self.gaps[:10]) or "none"
        problem = "is ambiguous" if matches else "is not a gap of this run"
        raise GapError(f"gap '{gap_id}' {problem} (gaps: {known}; see `kbops gaps`)")

    def select(self, gap_id: str | None = None, top: int | None = None) -> list[Gap]:
        """One gap by id (or id prefix), or the `top` most impactful ones."""
        if (gap_id is None) == (top is None):
            raise GapError("give a GAP_ID or --top N (see `kbops gaps` for the ids)")
        chosen = [self.find(gap_id)] if gap_id is not None else list(self.gaps[:top])
        if not chosen:
            raise GapError(f"run {self.run_id} has no gaps to draft")
        return chosen

    def at_least(self, min_size: int) -> GapReport:
        """The report with gaps of fewer than `min_size` tickets left out (gaps readers
        voted unhelpful stay: their evidence is votes, not tickets)."""
        return replace(self, gaps=tuple(g for g in self.gaps if g.tickets >= min_size or g.feedback is not None))


def report_from_dict(raw: dict[str, Any]) -> GapReport:
    if raw.get("version") != GAPS_VERSION:
        raise ValueError(f"gap report format {raw.get('version')} is not {GAPS_VERSION}")
    gaps = tuple(
        Gap(**{
            **g,
            "key_phrases": tuple(g["key_phrases"]),
            "ticket_ids": tuple(g["ticket_ids"]),
            "customers": tuple(g["customers"]),
            "examples": tuple(tuple(e) for e in g["examples"]),
            "nearest": tuple(NearArticle(**n) for n in g["nearest"]),
            "kind": GapKind(g["kind"]),
            "failure": Failure(g["failure"]) if g["failure"] else None,
            "feedback": VoteCounts(**g["feedback"]) if g.get("feedback") else None,
        })
        for g in raw["gaps"]
    )
    return GapReport(
        run_id=raw["run_id"], kb_commit=raw["kb_commit"], run_tickets=raw["run_tickets"],
        considered=raw["considered"], gaps=gaps, distance_threshold=raw["distance_threshold"],
        missing_tickets=tuple(raw.get("missing_tickets", ())),
    )


def deflection_gain(gap: Gap) -> str:
    """The share as percentage points of deflection, as a PR description says it."""
    return f"+{gap.share * 100:.1f} pts" if not math.isnan(gap.share) else "?"
