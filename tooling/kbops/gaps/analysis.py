"""Gaps of an eval run: its escalated tickets (re-read in full from the ticket file, since
runs keep only redacted subjects) grouped into gaps, and the report kept beside the run
(`.kbops/runs/gaps/<run_id>.json`) so the eval report can group its gaps by topic."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from ..config import FeedbackSettings, GapsSettings
from ..errors import one_line
from ..evals.history import describe
from ..evals.runs import EvalRun
from ..feedback.stats import ArticleFeedback
from ..files import Notify, ensure_folder, heal, write_atomic
from ..index.embed import Embedder
from ..index.matrix import ArticleMatrix
from ..tickets.model import Ticket
from .feedback import with_feedback
from .find import find_gaps
from .model import GAP_VERDICTS, GAPS_VERSION, GapReport, GapTicket


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
                settings: GapsSettings, today: date | None = None, feedback: Sequence[ArticleFeedback] = (),
                feedback_settings: FeedbackSettings | None = None) -> GapReport:
    """The run's gaps; articles readers voted unhelpful (`feedback`, per article) join them."""
    chosen, background, missing = gap_tickets(run, tickets)
    gaps = find_gaps(chosen, background, matrix, embedder, settings, run.summary.tickets, today)
    if feedback:
        gaps = with_feedback(gaps, feedback, feedback_settings or FeedbackSettings(), matrix.articles)
    return GapReport(
        run_id=run.run_id, kb_commit=run.kb_commit, run_tickets=run.summary.tickets, considered=len(chosen),
        gaps=tuple(gaps), distance_threshold=settings.distance_threshold, missing_tickets=tuple(missing),
    )


def save_report(report: GapReport, runs_dir: Path, notify: Notify | None = None) -> Path:
    """Kept beside the run so the eval report can group its gaps by topic later."""
    path = saved_path(runs_dir, report.run_id)
    ensure_folder(path.parent, path.parent, notify, "eval.runs_dir")
    write_atomic(path, report.to_json())
    return path


def saved_path(runs_dir: Path, run_id: str) -> Path:
    return runs_dir / "gaps" / f"{run_id}.json"


_REPORT = TypeAdapter(GapReport)


def load_saved(runs_dir: Path, run_id: str, notify: Notify | None = None) -> GapReport | None:
    """The gap analysis kept for a run, or None (none kept, or an unreadable one, which is
    set aside with a message: the report is then rendered without gap topics)."""
    path = saved_path(runs_dir, run_id)
    if not path.exists() and not path.is_symlink():
        return None
    try:
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise ValueError(f"cannot read it: {exc.strerror or exc}") from None
        if not isinstance(raw, dict) or raw.get("version") != GAPS_VERSION:
            raise ValueError(f"expected a gap report of format {GAPS_VERSION}")
        report = _REPORT.validate_python(raw)
        if report.run_id != run_id:
            raise ValueError(f"it is the analysis of run {one_line(report.run_id, 60)}")
    except ValidationError as exc:
        heal(path, f"not a readable gap analysis ({describe(exc)})", "rendering without it", notify)
        return None
    except ValueError as exc:
        heal(path, f"not a readable gap analysis ({one_line(exc, 120)})", "rendering without it", notify)
        return None
    return report
