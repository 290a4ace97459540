"""Factories for the objects tests build again and again: evidence, drafts, tickets,
results and runs. Each takes only what a test cares about; the rest gets a plain default."""

from __future__ import annotations

from typing import Any

from kbops.agent.decision import Evidence
from kbops.index.hybrid import ChunkHit


def evidence(
    chunk_id: str = "export-project-csv#steps#0",
    article_id: str = "export-project-csv",
    title: str = "Export a project to CSV",
    section: str = "Steps",
    anchor: str = "steps",
    text: str = "Open the project and choose Export > CSV.",
    score: float = 1.0,
    *,
    lexical_rank: int | None = None,
    dense_rank: int | None = None,
    lexical_score: float | None = None,
    dense_score: float | None = None,
    risk_topics: tuple[str, ...] = (),
    article_rank: int = 1,
    article_score: float = 0.0,
) -> Evidence:
    """A retrieved chunk as the agent sees it (the search hit and its article's rank)."""
    hit = ChunkHit(chunk_id, article_id, title, section, anchor, text, score, lexical_rank, dense_rank,
                   lexical_score, dense_score)
    return Evidence(hit, risk_topics=risk_topics, article_rank=article_rank, article_score=article_score)


def evidence_like(base: Evidence, **changes: Any) -> Evidence:
    """`base` with some fields changed (hit fields and evidence fields alike)."""
    fields = {**base.as_dict(), "lexical_score": base.hit.lexical_score, **changes}
    fields.pop("risk_topics")
    topics = changes.get("risk_topics", base.risk_topics)
    return evidence(**{k: v for k, v in fields.items() if k != "risk_topics"}, risk_topics=tuple(topics))
