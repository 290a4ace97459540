"""Closed gaps become regression cases: once a drafted article is published and the
eval deflects its source tickets, those tickets are tagged `protects:<article-id>` in the
ticket file, and every later eval report lists them as "protected by article X" (with a
warning when one stops being deflected).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..evals.runs import PROTECTS_TAG, EvalRun, Verdict
from ..kb.model import Article, Status
from ..tickets.files import TicketFormat, detect_format
from ..tickets.jsonl import add_tags
from ..tickets.model import Ticket
from .model import GapError


def closed_gap_tags(run: EvalRun, tickets: Iterable[Ticket], articles: Iterable[Article]) -> dict[str, list[str]]:
    """Ticket id -> `protects:<article>` tags to add: tickets a published article was
    drafted from (`source_tickets`) that the run deflected citing that article."""
    sources: dict[str, list[str]] = {}
    for article in articles:
        if article.meta.status is Status.PUBLISHED:
            for ticket_id in article.meta.source_tickets:
                sources.setdefault(ticket_id, []).append(article.id)
    have = {t.id: set(t.tags) for t in tickets}
    tags: dict[str, list[str]] = {}
    for result in run.results:
        if result.verdict is not Verdict.DEFLECTED or result.ticket_id not in have:
            continue
        for article_id in sources.get(result.ticket_id, []):
            tag = f"{PROTECTS_TAG}{article_id}"
            if article_id in result.cited_article_ids and tag not in have[result.ticket_id]:
                tags.setdefault(result.ticket_id, []).append(tag)
    return tags


@dataclass(frozen=True)
class Protection:
    """What `kbops gaps protect` did: the tags per ticket, and how many tickets changed."""

    run_id: str
    tickets_file: Path
    tags: dict[str, list[str]]
    changed: int
    dry_run: bool

    def to_json(self) -> str:
        return json.dumps({"run_id": self.run_id, "tickets_file": str(self.tickets_file), "dry_run": self.dry_run,
                           "tags": self.tags, "changed": self.changed}, indent=2)


def protect(run: EvalRun, tickets_file: Path, tickets: Iterable[Ticket], articles: Iterable[Article],
            dry_run: bool = False) -> Protection:
    """Tag the run's closed-gap tickets `protects:<article>` in their JSONL ticket file."""
    tags = closed_gap_tags(run, tickets, articles)
    if tags and not dry_run and detect_format(tickets_file) is not TicketFormat.JSONL:
        raise GapError(f"{tickets_file}: closed gaps are recorded as ticket tags in JSONL files only; "
                       f"add the tags {', '.join(sorted({t for ts in tags.values() for t in ts}))} by hand")
    changed = 0 if dry_run else add_tags(tickets_file, tags)
    return Protection(run.run_id, tickets_file, tags, changed, dry_run)
