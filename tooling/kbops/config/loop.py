"""Settings of the human loop (issue 15): quality sampling and review, the help site's
feedback store, KPIs and hand-offs. Same rules as `schema.py`: frozen, unknown keys are an
error, every key documented in docs/configuration.md."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ReviewSettings(_Section):
    """`kbops review`: which agent-resolved tickets specialists grade, and where verdicts go."""

    path: str = Field("evals/reviews.jsonl", description="The review log (JSONL, tracked in git), relative to the "
                      "project root; `kbops eval` replays its verdicts as regression and policy cases.")
    size: int = Field(20, ge=1, le=10_000, description="Tickets in a sample (`--size` overrides). Near-threshold "
                      "and negative-feedback tickets come first; random picks fill the rest.")
    near_threshold: float = Field(0.1, ge=0, le=1, description="An answer whose confidence is within this of the "
                                  "answer threshold is always sampled (`near_threshold`).")
    random_share: float = Field(0.25, ge=0, le=1, description="Share of the sample kept for random picks among "
                                "the other agent-resolved tickets, stratified by category, even when the "
                                "must-review tickets would fill it.")
    escalated_share: float = Field(0.2, ge=0, le=1, description="Share of the sample kept for escalated tickets, "
                                   "graded `correctly_escalated` or `should_have_answered`.")
    seed: int = Field(0, description="Seed of the random picks (`--seed` overrides): the same seed, week and "
                      "history give the same sample.")
    replay: bool = Field(True, description="`kbops eval` adds the review log's cases to the replayed tickets.")
    host: str = Field("127.0.0.1", description="Address `kbops review serve` listens on.")
    port: int = Field(8765, ge=0, le=65535, description="Port of `kbops review serve` (0 = any free port).")


class FeedbackSettings(_Section):
    """The help site's "Was this helpful?" votes: where the widget sends them and how
    `kbops feedback serve` accepts them."""

    endpoint: str = Field("", description="URL the site's widget POSTs votes to (`kbops site build` writes it into "
                          "the site); empty = votes stay in the visitor's browser.")
    path: str = Field(".kbops/feedback.sqlite", description="SQLite file of accepted votes, relative to the root.")
    host: str = Field("127.0.0.1", description="Address `kbops feedback serve` listens on.")
    port: int = Field(8766, ge=0, le=65535, description="Port of `kbops feedback serve` (0 = any free port).")
    max_body_bytes: int = Field(1024, ge=64, le=65_536, description="Larger vote bodies are refused (413).")
    rate_limit: int = Field(20, ge=1, description="Votes one client may send per `rate_window_seconds` (429 beyond).")
    rate_window_seconds: float = Field(3600, gt=0, description="The rate limit's window.")
    min_votes: int = Field(5, ge=1, description="Votes an article needs before its helpful ratio counts.")
    unhelpful_share: float = Field(0.5, ge=0, le=1, description="An article with at least `min_votes` in the "
                                   "period and this share or more unhelpful becomes a `failing` gap.")


class HandoffSettings(_Section):
    """`kbops handoff`: the notes sent to Engineering, Customer Success and Sales."""

    templates: str = Field("handoffs", description="Folder of Jinja templates (`engineering.md.j2`, "
                           "`success.md.j2`, `sales.md.j2`), relative to the root; a missing file uses the "
                           "template shipped with kbops.")


class KpiSettings(_Section):
    """`kbops kpis`: the team's monthly (or weekly) numbers."""

    periods: int = Field(6, ge=1, le=36, description="Periods shown in the trend (the chosen one and those before).")
