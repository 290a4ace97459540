"""Gaps of an eval run: its escalated tickets (re-read in full from the ticket file, since
runs keep only redacted subjects) grouped into gaps, and the report kept beside the run
(`.kbops/runs/gaps/<run_id>.json`) so the eval report can group its gaps by topic."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from ..config import GapsSettings
from ..evals.runs import EvalRun
from ..files import write_atomic
from ..index.embed import Embedder
from ..index.matrix import ArticleMatrix
from ..tickets.model import Ticket
from .find import find_gaps
from .model import GAP_VERDICTS, GapReport, GapTicket, report_from_dict


def gap_tickets(run: EvalRun, tickets: Iterable[Ticket]) -> tuple[list[GapTicket], list[str], list[str]]:
    """(gap tickets, background texts of the other tickets, ids missing from the file)."""
    by_id = {t.id: t for t in tickets}
    chosen: list[GapTicket] = []
    background: list[str] = []
    missing: list[str] = []
    for result in run.results:
        ticket = by_id.get(result.ticket_id)
        if result.verdict not in GAP_VERDICTS:
            if ticket is not None:
                background.append(f"{ticket.text}\n{ticket.resolution}")
            continue
        if ticket is None:
            missing.append(result.ticket_id)
        chosen.append(GapTicket(
            id=result.ticket_id,
            verdict=result.verdict,
            tier=result.tier,
            customer=ticket.customer.id if ticket else "unknown",
            subject=result.subject,
            question=ticket.text if ticket else result.subject,
            resolution=ticket.resolution if ticket else "",
            category=result.category,
            gold=ticket.resolved_by_article_ids if ticket else result.gold_article_ids,
            cited=result.cited_article_ids,
        ))
    return chosen, background, missing


def analyse_run(run: EvalRun, tickets: Iterable[Ticket], matrix: ArticleMatrix, embedder: Embedder,
                settings: GapsSettings, today: date | None = None) -> GapReport:
    chosen, background, missing = gap_tickets(run, tickets)
    gaps = find_gaps(chosen, background, matrix, embedder, settings, run.summary.tickets, today)
    return GapReport(
        run_id=run.run_id, kb_commit=run.kb_commit, run_tickets=run.summary.tickets, considered=len(chosen),
        gaps=tuple(gaps), distance_threshold=settings.distance_threshold, missing_tickets=tuple(missing),
    )


def save_report(report: GapReport, runs_dir: Path) -> Path:
    """Kept beside the run so the eval report can group its gaps by topic later."""
    path = saved_path(runs_dir, report.run_id)
    write_atomic(path, report.to_json())
    return path


def saved_path(runs_dir: Path, run_id: str) -> Path:
    return runs_dir / "gaps" / f"{run_id}.json"


def load_saved(runs_dir: Path, run_id: str) -> GapReport | None:
    path = saved_path(runs_dir, run_id)
    try:
        return report_from_dict(json.loads(path.read_text()))
    except (OSError, ValueError, KeyError, TypeError):
        return None
