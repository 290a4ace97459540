"""Documentation gaps: questions the agent answered without escalation but with low
confidence. The customer got an answer, so no eval or escalation shows them; the agent was
unsure, so the KB barely covers them. These are the cheapest articles to write: the
agent's (and any specialist's) replies are the material.

The period's tickets with status `resolved_by_agent` and `agent_confidence` below
`weekly.doc_gap_confidence` are clustered like `kbops gaps` clusters escalations; the
`weekly.doc_gaps` biggest groups of at least `MIN_TICKETS` are listed (ties: the less
confident first), each with an article outline from the offline draft writer
(`drafts.outline`), built only from the tickets' redacted resolutions.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..config import Settings
from ..drafts.outline import OutlineWriter, source_tickets
from ..drafts.planner import RELATED_SIMILARITY
from ..index.embed import Embedder
from ..index.matrix import ArticleMatrix
from ..kb.model import Article
from ..tickets.model import Ticket, TicketStatus
from .groups import account_of, as_gap, central_first, group_rows, name_groups, question_of

MIN_TICKETS = 2
"""A single unsure answer is an anecdote; two customers asking the same is a gap."""
MAX_CLUSTERED = 4000
"""Least confident tickets clustered at most: bounds the clustering's memory."""
NEAREST_ARTICLES = 3


@dataclass(frozen=True)
class Outline:
    title: str
    summary: str
    sections: tuple[tuple[str, tuple[str, ...]], ...]
    """(heading, lines) in order: Problem, Cause, Steps, Related articles."""
    markdown: str
    writer: str
    warnings: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"title": self.title, "summary": self.summary, "writer": self.writer,
                "sections": [{"heading": h, "lines": list(lines)} for h, lines in self.sections],
                "markdown": self.markdown, "warnings": list(self.warnings)}


@dataclass(frozen=True)
class DocGap:
    id: str
    question: str
    """The most central ticket's question (redacted)."""
    key_phrases: tuple[str, ...]
    ticket_ids: tuple[str, ...]
    mean_confidence: float
    accounts: int
    cited_articles: tuple[tuple[str, int], ...]
    """Articles the agent cited in these answers, most cited first (the ones to improve)."""
    nearest_articles: tuple[tuple[str, str, float], ...]
    """(id, title, similarity) of the KB's closest articles, when the KB was given."""
    outline: Outline

    @property
    def tickets(self) -> int:
        return len(self.ticket_ids)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "question": self.question, "key_phrases": list(self.key_phrases),
            "tickets": self.tickets, "ticket_ids": list(self.ticket_ids),
            "mean_confidence": self.mean_confidence, "affected_accounts": self.accounts,
            "cited_articles": [{"article_id": a, "tickets": n} for a, n in self.cited_articles],
            "nearest_articles": [{"article_id": a, "title": t, "similarity": s} for a, t, s in self.nearest_articles],
            "outline": self.outline.to_json(),
        }


def unsure_answers(tickets: Sequence[Ticket], threshold: float) -> list[int]:
    """Rows of the tickets the agent resolved with confidence below `threshold`."""
    return [i for i, t in enumerate(tickets) if t.status is TicketStatus.RESOLVED_BY_AGENT
            and t.agent_confidence is not None and t.agent_confidence < threshold]


def find_doc_gaps(now: Sequence[Ticket], now_vectors: np.ndarray, *, settings: Settings, embedder: Embedder,
                  matrix: ArticleMatrix | None = None) -> list[DocGap]:
    """The period's documentation gaps, biggest first (see the module docstring)."""
    rows = unsure_answers(now, settings.weekly.doc_gap_confidence)
    rows = sorted(rows, key=lambda i: (now[i].agent_confidence or 0.0, now[i].id))[:MAX_CLUSTERED]
    if len(rows) < MIN_TICKETS:
        return []
    groups = [central_first(now_vectors, g, now) for g in
              group_rows(now_vectors, sorted(rows), settings.gaps.distance_threshold) if len(g) >= MIN_TICKETS]

    def confidence(rows: Sequence[int]) -> float:
        return sum(now[r].agent_confidence or 0.0 for r in rows) / len(rows)

    groups.sort(key=lambda g: (-len(g.rows), confidence(g.rows), now[g.rows[0]].id))
    chosen = groups[: settings.weekly.doc_gaps]
    if not chosen:
        return []
    members = [[now[r] for r in g.rows] for g in chosen]
    in_groups = {r for g in chosen for r in g.rows}
    phrases = name_groups(members, [t for i, t in enumerate(now) if i not in in_groups])
    writer = OutlineWriter(embedder)
    return [_doc_gap(tickets, words, group.centre, confidence(group.rows), writer, matrix)
            for tickets, words, group in zip(members, phrases, chosen, strict=True)]


def _doc_gap(tickets: list[Ticket], phrases: list[str], middle: np.ndarray, confidence: float,
             writer: OutlineWriter, matrix: ArticleMatrix | None) -> DocGap:
    gap = as_gap(tickets, phrases)
    nearest = matrix.nearest(middle, NEAREST_ARTICLES) if matrix is not None and len(matrix.vectors) else []
    related: list[Article] = []
    if matrix is not None:
        related = [matrix.articles[a] for a, s in nearest if s >= RELATED_SIMILARITY and matrix.articles[a].is_public]
    content = writer.write(gap, source_tickets(gap, tickets), related)
    cited = Counter(a for t in tickets for a in t.cited_article_ids)
    return DocGap(
        id=gap.id.replace("gap-", "docgap-"), question=question_of(tickets[0]), key_phrases=tuple(phrases),
        ticket_ids=gap.ticket_ids, mean_confidence=round(confidence, 3),
        accounts=len({account_of(t) for t in tickets}),
        cited_articles=tuple(sorted(cited.items(), key=lambda item: (-item[1], item[0]))),
        nearest_articles=tuple((a, matrix.articles[a].title, round(s, 3)) for a, s in nearest) if matrix else (),
        outline=Outline(content.title, content.summary, sections(content.body), content.body, content.writer,
                        content.warnings),
    )


def sections(body: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """A Markdown body's `## ` sections as (heading, non-empty lines)."""
    found: list[tuple[str, list[str]]] = []
    for line in body.splitlines():
        if line.startswith("## "):
            found.append((line[3:].strip(), []))
        elif line.strip() and found:
            found[-1][1].append(line.strip())
    return tuple((heading, tuple(lines)) for heading, lines in found)
