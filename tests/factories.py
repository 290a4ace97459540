"""Factories for the objects tests build again and again: articles and projects on disk,
tickets, agent drafts and decisions, ticket results, eval runs, gaps and draft plans.

Each takes only what a test cares about; the rest gets a plain, fixed default (no
randomness, no clock: the same call always builds the same object), so a test reads as
the one thing it changes.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import git

from kbops.agent.decision import Action, Citation, Decision, Draft, Evidence
from kbops.config import Settings
from kbops.drafts.model import DraftAction, DraftPlan
from kbops.evals.runs import (
    Comparison,
    EvalRun,
    GateResult,
    RunSummary,
    TicketResult,
    Verdict,
    summarize,
)
from kbops.gaps.model import Failure, Gap, GapKind, GapTicket, NearArticle
from kbops.index.hybrid import ChunkHit
from kbops.kb.loader import parse_article
from kbops.kb.model import Article
from kbops.tickets.model import Customer, Ticket, Tier
from tests.conftest import REPO

# --- articles and projects on disk -----------------------------------------------------------

FIELDS = (
    "id", "title", "summary", "category", "product_area", "tags", "audience", "status",
    "owner", "reviewed", "review_every_days", "sensitive", "related",
)
"""Order of the front-matter lines `article_text` writes: field N is on file line N + 2."""

DEFAULT_BODY = "Intro.\n\n## Steps\n\n1. Do it.\n"
KB_CONFIG = '[kb]\npath = "kb"\n'


def article_text(article_id: str, body: str = DEFAULT_BODY, **fields: object) -> str:
    """An article file: front matter (valid, published, public by default) and a body.
    A field given as None is left out; the title is unique per id unless given."""
    values: dict[str, object] = {
        "id": article_id,
        "title": f"Guide {hashlib.sha1(article_id.encode()).hexdigest()[:16]}",
        "summary": "What it helps with.",
        "category": "technical",
        "product_area": "tasks",
        "tags": "[demo]",
        "audience": "public",
        "status": "published",
        "owner": "sam",
        "reviewed": "2026-10-01",
        "review_every_days": 180,
        "sensitive": "false",
        "related": "[]",
    }
    values.update(fields)
    lines = ["---"]
    for key, value in values.items():
        if value is not None:
            lines.append(f"{key}: {value}")
    lines.append("---")
    return "\n".join(lines) + "\n" + body


def line_of(field: str) -> int:
    """The file line `article_text` puts a front-matter field on."""
    return FIELDS.index(field) + 2


def write_article(kb: Path, article_id: str, **fields: object) -> Path:
    """`kb/<article_id>.md` written with `article_text(article_id, **fields)`."""
    path = kb / f"{article_id}.md"
    path.write_text(article_text(article_id, **fields))  # type: ignore[arg-type]
    return path


def article(article_id: str = "a", body: str = DEFAULT_BODY, **fields: object) -> Article:
    """An article parsed from `article_text(article_id, body, **fields)` (it must be valid)."""
    parsed = parse_article(f"kb/{article_id}.md", article_text(article_id, body, **fields).encode(), Settings())
    assert isinstance(parsed, Article), parsed
    return parsed

def article_id_of(text: str) -> str:
    return text.split("id: ", 1)[1].split("\n", 1)[0]


def kb_project(root: Path, *articles: str, config: str = KB_CONFIG) -> Path:
    """A project folder: `kbops.toml` (`config`) and `kb/` with the given article texts
    (each saved as `<its id>.md`). Returns the project root."""
    (root / "kb").mkdir(parents=True, exist_ok=True)
    (root / "kbops.toml").write_text(config)
    for text in articles:
        (root / "kb" / f"{article_id_of(text)}.md").write_text(text)
    return root


def demo_kb(root: Path) -> Path:
    """The demo KB and its kbops.toml copied into `root` (no tickets). Returns `root`."""
    shutil.copytree(REPO / "kb", root / "kb")
    shutil.copy(REPO / "kbops.toml", root / "kbops.toml")
    return root


def project_copy(tmp_path: Path) -> Path:
    """The demo project (KB, tickets, kbops.toml) copied into `tmp_path/project`."""
    project = demo_kb(tmp_path / "project")
    (project / "evals").mkdir()
    shutil.copy(REPO / "evals" / "tickets.jsonl", project / "evals" / "tickets.jsonl")
    (project / ".gitignore").write_text(".kbops/\nreports/\n")
    return project


def commit_all(project: Path, message: str = "KB", **dates: str) -> git.Repo:
    """Everything in `project` committed (a repository is created the first time)."""
    try:
        repo = git.Repo(project)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        repo = git.Repo.init(project)
    repo.git.add(A=True)
    repo.index.commit(message, **dates)  # type: ignore[arg-type]
    return repo


SITE_COMMIT_DATE = datetime(2024, 5, 6, 10, 30, tzinfo=UTC)
"""When `site_project` commits the demo KB: the site's 'last updated' dates come from git."""


def site_project(tmp_path: Path) -> Path:
    """The demo project (KB, config, mkdocs.yml) committed to a fresh git
    repository at `SITE_COMMIT_DATE`, so 'last updated' comes from git."""
    project = project_copy(tmp_path)
    shutil.copy(REPO / "mkdocs.yml", project / "mkdocs.yml")
    (project / ".gitignore").write_text(".kbops/\nreports/\nsite/build/\nsite/.staging/\n")
    repo = git.Repo.init(project)
    with repo.config_writer() as config:
        config.set_value("user", "name", "Test").set_value("user", "email", "test@example.com")
    when = f"{int(SITE_COMMIT_DATE.timestamp())} +0000"
    commit_all(project, "demo KB", author_date=when, commit_date=when)
    return project


# --- tickets ---------------------------------------------------------------------------------


def ticket(
    ticket_id: str = "T-1",
    body: str = "How do I export my project to CSV?",
    *,
    subject: str = "",
    resolution: str = "",
    gold: Sequence[str] = (),
    tier: Tier | str = Tier.FREE,
    customer: str | None = None,
    tags: Sequence[str] = (),
) -> Ticket:
    """An escalated ticket; `gold` are the articles that resolved it."""
    return Ticket(
        id=ticket_id, subject=subject, body=body, resolution=resolution,
        customer=Customer(id=customer or f"C-{ticket_id}", tier=Tier(tier)),
        resolved_by_article_ids=tuple(gold), tags=tuple(tags),
    )


# --- the agent -------------------------------------------------------------------------------


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
    memory_score: float = 0.0,
    known_gap: float = 0.0,
) -> Evidence:
    """A retrieved chunk as the agent sees it (the search hit and its article's rank)."""
    hit = ChunkHit(chunk_id, article_id, title, section, anchor, text, score, lexical_rank, dense_rank,
                   lexical_score, dense_score)
    return Evidence(hit, risk_topics=risk_topics, article_rank=article_rank, article_score=article_score,
                    memory_score=memory_score, known_gap=known_gap)


def evidence_like(base: Evidence, **changes: Any) -> Evidence:
    """`base` with some fields changed (hit fields and evidence fields alike)."""
    fields = {**base.as_dict(), "lexical_score": base.hit.lexical_score, **changes}
    fields.pop("risk_topics")
    topics = changes.get("risk_topics", base.risk_topics)
    return evidence(**{k: v for k, v in fields.items() if k != "risk_topics"}, risk_topics=tuple(topics))


CITATION = Citation("export-project-csv", "Export a project to CSV", "Steps", "steps")


def citation(article_id: str) -> Citation:
    """A citation of an article (title and section left empty)."""
    return Citation(article_id, article_id, "", "")


def draft(
    reply: str = "Open the project, click More and choose Export > CSV.",
    confidence: float = 0.9,
    can_answer: bool = True,
    citations: tuple[Citation, ...] = (CITATION,),
    error: str | None = None,
    notes: str = "",
    backend: str = "fake",
) -> Draft:
    """What a drafting backend returns: by default a confident, cited answer."""
    return Draft(reply, citations, confidence, can_answer, backend, notes=notes, error=error)


def decision(
    action: Action = Action.ANSWER,
    *reasons: str,
    ticket_id: str = "T-1",
    reply: str = "reply",
    cited: Iterable[str] = (),
    evidence: Iterable[Evidence] = (),
    confidence: float = 0.9,
    backend: str = "offline",
) -> Decision:
    """What the agent decided for a ticket; `cited` are article ids."""
    return Decision(ticket_id, action, reply, tuple(citation(a) for a in cited), confidence, reasons,
                    tuple(evidence), backend, None)


# --- eval runs -------------------------------------------------------------------------------

ANSWERED = (Verdict.DEFLECTED, Verdict.FALSE_DEFLECTION)
DERIVED: Any = object()
"""`correct` left to the verdict: True when deflected, False when wrong, None when escalated."""
DEFAULT_REASONS = {Verdict.GATED: ("risk_topic:refund",), Verdict.GAP: ("low_confidence",)}


def ticket_result(
    ticket_id: str = "T-1",
    verdict: Verdict = Verdict.DEFLECTED,
    confidence: float = 0.7,
    *,
    reasons: tuple[str, ...] | None = None,
    cited: tuple[str, ...] | None = None,
    gold: tuple[str, ...] = (),
    correct: Any = DERIVED,
    correctness: float | None = None,
    category: str = "billing",
    tier: str = "free",
    subject: str = "how do I export",
    reply: str = "",
    metrics: dict[str, float] | None = None,
    tags: tuple[str, ...] = (),
    protected_by: tuple[str, ...] = (),
) -> TicketResult:
    """One ticket's replay result, consistent with its verdict unless told otherwise:
    answered verdicts cite an article and are graded, escalations carry a reason
    (`risk_topic:refund` when gated, `low_confidence` for a gap)."""
    answered = verdict in ANSWERED
    return TicketResult(
        ticket_id=ticket_id,
        verdict=verdict,
        action=str(Action.ANSWER if answered else Action.ESCALATE),
        confidence=confidence,
        reasons=reasons if reasons is not None else DEFAULT_REASONS.get(verdict, ()),
        cited_article_ids=cited if cited is not None else (("export-project-csv",) if answered else ()),
        gold_article_ids=gold,
        correct=(verdict is Verdict.DEFLECTED if answered else None) if correct is DERIVED else correct,
        correctness=correctness if correctness is not None else (0.8 if answered else 0.0),
        grade_notes="",
        category=category,
        tier=tier,
        subject=subject,
        reply=reply,
        metrics=metrics if metrics is not None else {"rouge_l": 0.5},
        tags=tags,
        protected_by=protected_by,
    )


RUN_ID = "20261101T000000Z-aaaaaa"
RUN_CREATED_AT = "2026-11-01T00:00:00+00:00"


def created_at_of(run_id: str) -> str:
    """The time a run id starts with (`YYYYmmddTHHMMSSZ-...`), else `RUN_CREATED_AT`."""
    try:
        when = datetime.strptime(run_id[:16], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        return RUN_CREATED_AT
    return when.isoformat(timespec="seconds")


def eval_run(
    results: Sequence[TicketResult],
    *,
    run_id: str = RUN_ID,
    created_at: str | None = None,
    kb_ref: str = "working tree",
    kb_commit: str | None = "abcdef1234567",
    kb_dirty: bool = False,
    backend: str = "offline",
    tickets_file: str = "evals/tickets.jsonl",
    comparison: Comparison | None = None,
    gate: GateResult | None = None,
    problems: tuple[str, ...] = (),
) -> EvalRun:
    """A run of these results with its summary; created when its id says, by default."""
    return EvalRun(
        run_id=run_id, created_at=created_at or created_at_of(run_id), kb_ref=kb_ref, kb_commit=kb_commit,
        kb_dirty=kb_dirty, backend=backend, tickets_file=tickets_file, results=tuple(results),
        summary=summarize(results), comparison=comparison, gate=gate, problems=problems,
    )


def comparison(
    baseline: Sequence[TicketResult] | RunSummary,
    *,
    ref: str = "origin/main",
    commit: str | None = "1234567890abc",
    deflection_delta: float = 0.0,
    newly_deflected: tuple[str, ...] = (),
    regressed: tuple[str, ...] = (),
    new_false_deflections: tuple[str, ...] = (),
    verdict_changes: dict[str, tuple[str, str]] | None = None,
) -> Comparison:
    """A baseline comparison as given (nothing is recomputed: a test says what changed)."""
    summary = baseline if isinstance(baseline, RunSummary) else summarize(baseline)
    return Comparison(baseline_ref=ref, baseline_commit=commit, baseline=summary,
                      deflection_delta=deflection_delta, newly_deflected=newly_deflected, regressed=regressed,
                      new_false_deflections=new_false_deflections, verdict_changes=verdict_changes or {})


# --- gaps and drafts -------------------------------------------------------------------------


def gap_ticket(
    ticket_id: str,
    subject: str,
    question: str,
    resolution: str,
    tier: str = "pro",
    verdict: Verdict = Verdict.GAP,
    *,
    gold: tuple[str, ...] = (),
    cited: tuple[str, ...] = (),
    category: str = "feature-request",
) -> GapTicket:
    """An escalated ticket as gap finding sees it (the question starts with the subject)."""
    return GapTicket(id=ticket_id, verdict=verdict, tier=tier, customer=f"C-{ticket_id}", subject=subject,
                     question=f"{subject}\n{question}", resolution=resolution, category=category, gold=gold,
                     cited=cited)


def near_article(article_id: str, similarity: float = 0.5, term_coverage: float = 0.0) -> NearArticle:
    return NearArticle(article_id, "", "", "", "", similarity, term_coverage)


def gap(
    gap_id: str = "gap-1234abcd",
    *,
    rank: int = 1,
    label: str = "time tracking, timesheets",
    key_phrases: tuple[str, ...] = ("time tracking", "timesheets"),
    ticket_ids: tuple[str, ...] = ("T-1", "T-2"),
    false_deflections: int = 1,
    share: float = 0.05,
    tiers: dict[str, int] | None = None,
    examples: tuple[tuple[str, str], ...] = (("T-1", "hours per person"), ("T-2", "billable hours")),
    nearest: tuple[NearArticle, ...] = (),
    kind: GapKind = GapKind.MISSING,
    failure: Failure | None = None,
    covering_article: str | None = None,
    impact: float = 7.0,
) -> Gap:
    """A gap of a run: by default a missing article on time tracking, two tickets."""
    return Gap(
        id=gap_id, rank=rank, label=label, key_phrases=key_phrases, ticket_ids=ticket_ids,
        false_deflections=false_deflections, share=share, customers=tuple(f"C-{t[2:]}" for t in ticket_ids),
        tiers=tiers if tiers is not None else {"business": 1, "pro": 1},
        categories={"feature-request": len(ticket_ids)}, examples=examples, nearest=nearest, kind=kind,
        failure=failure, covering_article=covering_article, impact=impact,
    )


def draft_plan(
    path: str = "kb/drafts/time-tracking.md",
    *,
    of: Gap | None = None,
    article_id: str = "time-tracking",
    action: DraftAction = DraftAction.NEW,
    text: str | None = None,
    original: str = "",
) -> DraftPlan:
    """A plan to write a draft article (a new one, by default) for a gap."""
    for_gap = of or gap()
    body = text if text is not None else article_text(
        article_id, status="draft", owner=None, source_tickets=f"[{', '.join(for_gap.ticket_ids)}]")
    return DraftPlan(for_gap, action, path, article_id, body, original=original, source_tickets=for_gap.ticket_ids)

