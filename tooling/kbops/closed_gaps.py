"""Closed gaps become regression cases: once a drafted article is published and the
eval deflects its source tickets, those tickets are tagged `protects:<article-id>` in the
ticket file, and every later eval report lists them as "protected by article X" (with a
warning when one stops being deflected).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from .gaps import GapError
from .kb import Article, Status
from .replay import PROTECTS_TAG
from .runs import EvalRun, Verdict
from .tickets import Ticket


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


def add_ticket_tags(path: Path, tags: dict[str, list[str]]) -> int:
    """Append tags to tickets of a JSONL file in place (atomically); other lines are kept
    byte for byte. Returns how many tickets changed."""
    from .evaluation import write_atomic
    from .ticket_files import detect_format

    if not tags:
        return 0
    if detect_format(path) != "jsonl":
        raise GapError(f"{path}: closed gaps are recorded as ticket tags in JSONL files only; "
                       f"add the tags {', '.join(sorted({t for ts in tags.values() for t in ts}))} by hand")
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    changed = 0
    for index, line in enumerate(lines):
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if not isinstance(record, dict) or record.get("id") not in tags:
            continue
        record["tags"] = [*record.get("tags", []), *tags[record["id"]]]
        lines[index] = json.dumps(record, ensure_ascii=False) + ("\n" if line.endswith("\n") else "")
        changed += 1
    write_atomic(path, "".join(lines))
    return changed
