"""Specialists' verdicts on what the agent did (`evals/reviews.jsonl`): the review log.

A review records one verdict on one ticket, with a redacted snapshot of the ticket and of
what the agent did, so the file alone is enough to replay it: it is tracked in git and
travels through pull requests like articles do, while the ticket history under `.kbops/`
does not. A later review of the same ticket overrides an earlier one. `review_case`
turns a verdict into the eval case `kbops eval` replays (docs/reviews.md).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..errors import EXIT_BAD_INPUT, KbopsError, one_line
from ..files import write_atomic
from ..redact import redacted
from .limits import TooDeep, loads_bounded
from .model import Ticket, TicketProblem

REVIEW_VERSION = 1
REVIEW_TAG = "review:"
"""Tag `review:<verdict>` on the eval case a review becomes."""


class ReviewError(KbopsError):
    """The review log cannot be read or written."""

    exit_code = EXIT_BAD_INPUT


class ReviewVerdict(StrEnum):
    CORRECT = "correct"
    """The agent's answer was right and well put."""
    INCORRECT = "incorrect"
    """The agent's answer was wrong: a regression case."""
    TONE = "tone"
    """Right content, wrong tone (what a customer would not flag)."""
    SHOULD_HAVE_ESCALATED = "should_have_escalated"
    """The agent answered what a human had to handle: a policy case."""
    SHOULD_HAVE_ANSWERED = "should_have_answered"
    """An escalation the agent should have handled: a policy case."""
    CORRECTLY_ESCALATED = "correctly_escalated"
    """An escalation a human did need: confirms the agent's flag."""


ANSWER_VERDICTS = (ReviewVerdict.CORRECT, ReviewVerdict.INCORRECT, ReviewVerdict.TONE,
                   ReviewVerdict.SHOULD_HAVE_ESCALATED)
"""Verdicts on a ticket the agent answered."""
ESCALATION_VERDICTS = (ReviewVerdict.CORRECTLY_ESCALATED, ReviewVerdict.SHOULD_HAVE_ANSWERED)
"""Verdicts on a ticket the agent escalated."""


class Review(BaseModel):
    """One verdict, self-contained: the ticket and the agent's action as they were reviewed."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = Field(REVIEW_VERSION, description="Schema version of the record.")
    ticket_id: str = Field(min_length=1, description="The reviewed ticket's id.")
    verdict: ReviewVerdict = Field(description="The reviewer's verdict (see ReviewVerdict).")
    note: str = Field("", max_length=4000, description="The reviewer's note, redacted.")
    reviewer: str = Field("", max_length=200, description="Who reviewed it (git user.name, or the login).")
    reviewed_at: datetime = Field(description="When the verdict was recorded (ISO 8601, UTC).")
    sample_reason: str = Field("", description="Why the ticket was sampled (near_threshold, negative_feedback, ...).")
    agent_action: Literal["answer", "escalate"] = Field(description="What the agent did with the ticket.")
    agent_reply: str = Field("", description="The reply the agent sent (or drafted), redacted.")
    agent_confidence: float | None = Field(None, ge=0, le=1, description="The agent's confidence.")
    escalation_reasons: tuple[str, ...] = Field((), description="Why the agent escalated, when it did.")
    cited_article_ids: tuple[str, ...] = Field((), description="Articles the agent cited.")
    correct_article_ids: tuple[str, ...] = Field(
        (), description="Articles that do answer it, when the reviewer named them (the eval case's gold articles)."
    )
    ticket: Ticket = Field(description="The ticket as reviewed (redacted snapshot): what `kbops eval` replays.")

    @model_validator(mode="after")
    def _verdict_fits_action(self) -> Review:
        allowed = ANSWER_VERDICTS if self.agent_action == "answer" else ESCALATION_VERDICTS
        if self.verdict not in allowed:
            raise ValueError(f"verdict {self.verdict.value!r} is for the other action: a ticket the agent chose to "
                             f"{self.agent_action} takes one of {', '.join(v.value for v in allowed)}")
        if self.ticket.id != self.ticket_id:
            raise ValueError(f"ticket.id {self.ticket.id!r} differs from ticket_id {self.ticket_id!r}")
        return self

    def redacted(self) -> Review:
        """The copy that may be written: free text and the ticket snapshot without PII."""
        ticket = self.ticket.model_copy(update={
            "subject": redacted(self.ticket.subject), "body": redacted(self.ticket.body) or "(empty)",
            "resolution": redacted(self.ticket.resolution)})
        return self.model_copy(update={"note": redacted(self.note), "agent_reply": redacted(self.agent_reply),
                                       "ticket": ticket})


@dataclass(frozen=True)
class ReviewLog:
    reviews: tuple[Review, ...]
    problems: tuple[TicketProblem, ...]

    def latest(self) -> dict[str, Review]:
        """Ticket id -> its latest review (a later line overrides an earlier one)."""
        found: dict[str, Review] = {}
        for review in self.reviews:
            found[review.ticket_id] = review
        return found


def read_reviews(path: Path) -> ReviewLog:
    """Every valid review in file order; each bad line is a problem naming file:line. A
    missing file is an empty log (nobody has reviewed yet)."""
    if not path.is_file():
        return ReviewLog((), ())
    reviews: list[Review] = []
    problems: list[TicketProblem] = []
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            ticket_id = None
            try:
                record = loads_bounded(raw.decode("utf-8"))
                if isinstance(record, dict) and isinstance(record.get("ticket_id"), str):
                    ticket_id = record["ticket_id"]
                reviews.append(Review.model_validate(record))
            except (UnicodeDecodeError, json.JSONDecodeError, TooDeep) as exc:
                problems.append(TicketProblem(str(path), number, ticket_id, f"not a valid JSON line: {one_line(exc)}"))
            except ValidationError as exc:
                first = exc.errors()[0]
                where = ".".join(str(part) for part in first["loc"]) or "record"
                problems.append(TicketProblem(str(path), number, ticket_id, f"{where}: {first['msg']}"))
    return ReviewLog(tuple(reviews), tuple(problems))


_WRITING = threading.Lock()


def append_reviews(path: Path, reviews: Sequence[Review]) -> None:
    """Add reviews (redacted) at the end of the log, atomically: the file is rewritten beside
    itself and renamed, so a crash leaves the old log or the new one, never half a line."""
    if not reviews:
        return
    lines = "".join(json.dumps(r.redacted().model_dump(mode="json"), ensure_ascii=False) + "\n" for r in reviews)
    with _WRITING:
        try:
            old = path.read_text(encoding="utf-8") if path.is_file() else ""
        except (OSError, UnicodeDecodeError) as exc:
            raise ReviewError(f"{path}: cannot read the review log: {one_line(exc)}") from None
        if old and not old.endswith("\n"):
            old += "\n"
        write_atomic(path, old + lines)


def review_case(review: Review) -> Ticket | None:
    """The eval case a verdict becomes; None for a verdict an offline eval cannot grade (tone).

    - incorrect: a regression case. With the reviewer's articles it must cite one of them;
      without, it must escalate until an article answers it.
    - should_have_escalated, correctly_escalated: a policy case that must escalate.
    - should_have_answered: a policy case that must be answered from the articles the
      reviewer named (else the ones the agent cited in its draft).
    - correct: kept answering from the articles it cited.
    """
    verdict = review.verdict
    tags = (*(t for t in review.ticket.tags if not t.startswith(REVIEW_TAG)), f"{REVIEW_TAG}{verdict.value}")
    update: dict[str, object] = {"tags": tags}
    if verdict is ReviewVerdict.TONE:
        return None
    if verdict is ReviewVerdict.INCORRECT:
        gold = review.correct_article_ids
        update |= {"resolved_by_article_ids": gold, "expected_action": "" if gold else "escalate"}
    elif verdict in (ReviewVerdict.SHOULD_HAVE_ESCALATED, ReviewVerdict.CORRECTLY_ESCALATED):
        update |= {"expected_action": "escalate"}
    elif verdict is ReviewVerdict.SHOULD_HAVE_ANSWERED:
        update |= {"expected_action": "answer",
                   "resolved_by_article_ids": review.correct_article_ids or review.cited_article_ids}
    else:
        update |= {"resolved_by_article_ids": review.correct_article_ids or review.cited_article_ids}
    return review.ticket.model_copy(update=update)


def review_cases(reviews: Iterable[Review]) -> list[Ticket]:
    """The eval cases of the latest review of each ticket, in log order."""
    latest: dict[str, Review] = {}
    for review in reviews:
        latest.pop(review.ticket_id, None)
        latest[review.ticket_id] = review
    return [case for case in map(review_case, latest.values()) if case is not None]
