"""Knowledge gaps: group the escalations the KB failed on into topics, name each topic,
find the articles nearest to it, and rank the topics by what closing them is worth.

Input: an eval run's `gap` and `false_deflection` results, with the full tickets re-read
from the ticket file (runs keep only redacted subjects). Output: a `GapReport`.

1. Each ticket is embedded as the mean of its question and its resolution: the
   specialist's answer names the topic in product words the customer may not use.
2. Agglomerative clustering, average linkage over cosine distance, cut at
   `gaps.distance_threshold`: the number of topics is not preset, a lone ticket is a gap.
3. Label: c-TF-IDF key phrases of each cluster against the other clusters and the rest of
   the run's tickets (`gap_labels.py`).
4. Nearest articles: cosine between the cluster centre and every chunk of the KB (all
   audiences and statuses, so a forgotten draft is found too).
5. Missing or failing: an article *covers* the gap when specialists resolved its tickets
   with it (`resolved_by_article_ids`), or when it is similar (`gaps.cover_similarity`)
   and mentions at least half of the gap's key phrases. No covering article: `missing`.
   Otherwise `failing`, and why: `unpublished` (draft, archived or internal), `outdated`
   (the agent answered from it wrongly and its review is overdue), `wrong` (answered from
   it wrongly) or `unfindable` (it exists but the agent did not answer from it).
6. Impact = sum over tickets of tier weight x (`false_deflection_weight` for a wrong answer
   that reached the customer, else 1). Ranked by impact, then size, then id.

Gap ids are a hash of the sorted ticket ids, so the same tickets give the same id on
every run and `kbops gaps draft GAP_ID` keeps working after a re-run.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

import numpy as np

from .agent.redact import redact
from .chunking import chunk_articles
from .config import GapsSettings
from .errors import KbopsError
from .gap_labels import key_phrases
from .index.embed import Embedder
from .kb import Article, Audience, Status
from .runs import EvalRun, Verdict
from .tickets import Ticket

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
        }
        return f"{self.covering_article}: {reasons[self.failure] if self.failure else 'fails'}"


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
        })
        for g in raw["gaps"]
    )
    return GapReport(
        run_id=raw["run_id"], kb_commit=raw["kb_commit"], run_tickets=raw["run_tickets"],
        considered=raw["considered"], gaps=gaps, distance_threshold=raw["distance_threshold"],
        missing_tickets=tuple(raw.get("missing_tickets", ())),
    )


# ---------------------------------------------------------------- from a run


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


# ---------------------------------------------------------------- the pure steps


def ticket_vectors(tickets: Sequence[GapTicket], embedder: Embedder) -> np.ndarray:
    """Unit vectors: mean of the question's and the resolution's embeddings."""
    if not tickets:
        return np.zeros((0, embedder.dim), dtype=np.float32)
    vectors = np.array(embedder.embed([t.question for t in tickets]), dtype=np.float32)
    answered = [i for i, t in enumerate(tickets) if t.resolution.strip()]
    if answered:
        vectors[answered] += embedder.embed([tickets[i].resolution for i in answered])
    return _unit(vectors)


def cluster(vectors: np.ndarray, distance_threshold: float) -> list[int]:
    """A cluster number per row: average linkage over cosine distance, cut at the threshold."""
    if len(vectors) < 2:
        return [0] * len(vectors)
    from sklearn.cluster import AgglomerativeClustering

    model = AgglomerativeClustering(
        n_clusters=None, distance_threshold=distance_threshold, metric="cosine", linkage="average"
    )
    return [int(label) for label in model.fit_predict(vectors)]


def impact(tickets: Sequence[GapTicket], settings: GapsSettings) -> float:
    total = 0.0
    for t in tickets:
        weight = settings.tier_weights.get(t.tier, 1.0)
        total += weight * (settings.false_deflection_weight if t.verdict is Verdict.FALSE_DEFLECTION else 1.0)
    return round(total, 3)


def gap_id(ticket_ids: Iterable[str]) -> str:
    digest = hashlib.sha1("\n".join(sorted(ticket_ids)).encode()).hexdigest()
    return f"gap-{digest[:8]}"


def mentions(text: str, phrase: str) -> bool:
    """Every word of the phrase appears in the text (as a prefix of a word: plurals count)."""
    return all(re.search(rf"\b{re.escape(word)}", text) for word in phrase.lower().split())


# ---------------------------------------------------------------- articles


@dataclass
class ArticleMatrix:
    """Every chunk of the KB as a unit vector, to compare gaps and drafts with articles.
    Chunk texts are the index's own, so a shared embedding cache serves them."""

    articles: dict[str, Article]
    chunk_articles: list[str]
    vectors: np.ndarray
    texts: dict[str, str] = field(default_factory=dict)

    @classmethod
    def build(cls, articles: Iterable[Article], embedder: Embedder) -> ArticleMatrix:
        by_id: dict[str, Article] = {}
        for article in articles:
            by_id.setdefault(article.id, article)
        chunks = chunk_articles(by_id.values())
        vectors = embedder.embed([c.embed_text for c in chunks]) if chunks else np.zeros((0, embedder.dim))
        texts = {a.id: f"{a.title}\n{a.meta.summary}\n{' '.join(a.meta.tags)}\n{a.body}".lower() for a in by_id.values()}
        return cls(by_id, [c.article_id for c in chunks], _unit(np.asarray(vectors, dtype=np.float32)), texts)

    def similarities(self, vector: np.ndarray) -> dict[str, float]:
        """Article id -> best chunk cosine with `vector`."""
        best: dict[str, float] = {}
        if not len(self.vectors):
            return best
        for article_id, score in zip(self.chunk_articles, self.vectors @ vector, strict=True):
            if score > best.get(article_id, -1.0):
                best[article_id] = float(score)
        return best

    def nearest(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        return sorted(self.similarities(vector).items(), key=lambda item: (-item[1], item[0]))[:k]


def _near(matrix: ArticleMatrix, article_id: str, similarity: float, phrases: Sequence[str],
          members: Sequence[GapTicket]) -> NearArticle:
    article = matrix.articles[article_id]
    text = matrix.texts[article_id]
    coverage = sum(mentions(text, p) for p in phrases) / len(phrases) if phrases else 0.0
    return NearArticle(
        article_id=article_id, title=article.title, path=article.path, status=str(article.meta.status),
        audience=str(article.meta.audience), similarity=round(similarity, 4), term_coverage=round(coverage, 3),
        resolved_tickets=sum(article_id in t.gold for t in members),
        cited_tickets=sum(article_id in t.cited for t in members),
    )


def classify(members: Sequence[GapTicket], nearest: Sequence[NearArticle], articles: dict[str, Article],
             settings: GapsSettings, today: date) -> tuple[GapKind, Failure | None, str | None]:
    """Missing or failing, and why (see the module docstring for the rule)."""
    resolved = Counter(a for t in members for a in t.gold if a in articles)
    similarity = {n.article_id: n.similarity for n in nearest}
    covering = None
    if resolved:
        covering = min(resolved, key=lambda a: (-resolved[a], -similarity.get(a, 0.0), a))
    else:
        covering = next((n.article_id for n in nearest
                         if n.similarity >= settings.cover_similarity and n.term_coverage >= COVERED_TERMS), None)
    if covering is None:
        return GapKind.MISSING, None, None
    article = articles[covering]
    if article.meta.status is not Status.PUBLISHED or article.meta.audience is not Audience.PUBLIC:
        return GapKind.FAILING, Failure.UNPUBLISHED, covering
    answered_wrongly = any(t.verdict is Verdict.FALSE_DEFLECTION and covering in t.cited for t in members)
    if not answered_wrongly:
        return GapKind.FAILING, Failure.UNFINDABLE, covering
    return GapKind.FAILING, Failure.OUTDATED if review_overdue(article, today) else Failure.WRONG, covering


def review_overdue(article: Article, today: date) -> bool:
    reviewed = article.meta.reviewed
    return reviewed is None or reviewed + timedelta(days=article.meta.review_every_days) < today


# ---------------------------------------------------------------- putting it together


def find_gaps(
    tickets: Sequence[GapTicket],
    background: Sequence[str],
    matrix: ArticleMatrix,
    embedder: Embedder,
    settings: GapsSettings,
    run_tickets: int,
    today: date | None = None,
) -> list[Gap]:
    """Gaps of these tickets, ranked by impact (rank 1 = most worth closing)."""
    today = today or date.today()
    vectors = ticket_vectors(tickets, embedder)
    labels = cluster(vectors, settings.distance_threshold)
    groups: dict[int, list[int]] = {}
    for index, label in enumerate(labels):
        groups.setdefault(label, []).append(index)
    members_of = list(groups.values())
    # Labels are written into reports: they are taken from redacted text.
    docs = [[redact(f"{tickets[i].question}\n{tickets[i].resolution}").text for i in group] for group in members_of]
    phrases_of = key_phrases(docs, background)
    gaps = []
    for group, phrases in zip(members_of, phrases_of, strict=True):
        centre = _unit(vectors[group].mean(axis=0, keepdims=True))[0]
        order = sorted(group, key=lambda i: (-float(vectors[i] @ centre), tickets[i].id))
        members = [tickets[i] for i in order]
        near_ids = dict(matrix.nearest(centre, NEAREST))
        similarities = matrix.similarities(centre)
        for t in members:  # the articles specialists answered with are always shown
            for article_id in t.gold:
                if article_id in matrix.articles:
                    near_ids.setdefault(article_id, similarities.get(article_id, 0.0))
        nearest = tuple(_near(matrix, a, s, phrases, members) for a, s in near_ids.items())
        kind, failure, covering = classify(members, nearest, matrix.articles, settings, today)
        ids = [t.id for t in members]
        gaps.append(Gap(
            id=gap_id(ids), rank=0, label=", ".join(phrases) or members[0].subject, key_phrases=tuple(phrases),
            ticket_ids=tuple(ids), false_deflections=sum(t.verdict is Verdict.FALSE_DEFLECTION for t in members),
            share=round(len(ids) / run_tickets, 4) if run_tickets else 0.0,
            customers=tuple(sorted({t.customer for t in members})),
            tiers=dict(sorted(Counter(t.tier for t in members).items())),
            categories=dict(sorted(Counter(t.category for t in members).items())),
            examples=tuple((t.id, redact(t.subject).text) for t in members[:EXAMPLES]),
            nearest=nearest, kind=kind, failure=failure, covering_article=covering,
            impact=impact(members, settings),
        ))
    ranked = sorted(gaps, key=lambda g: (-g.impact, -g.tickets, g.id))
    return [Gap(**{**g.__dict__, "rank": rank}) for rank, g in enumerate(ranked, start=1)]


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
    from .evaluation import write_atomic

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


def _unit(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.maximum(norms, 1e-12)).astype(np.float32)


def deflection_gain(gap: Gap) -> str:
    """The share as percentage points of deflection, as a PR description says it."""
    return f"+{gap.share * 100:.1f} pts" if not math.isnan(gap.share) else "?"
