"""Settings of the Claude backend (`[claude]`): model, requests, concurrency and Message
Batches. Same rules as `schema.py`: frozen, unknown keys are an error, every key documented
in docs/configuration.md. The API key is never a setting."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

DEFAULT_MODEL = "claude-sonnet-4-6"


class ClaudeSettings(BaseModel):
    """The Claude drafting backend (Anthropic Messages API). The API key is never stored
    here: it comes from ANTHROPIC_API_KEY, so kbops.toml can be committed."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    model: str = Field(DEFAULT_MODEL, min_length=1, description="Anthropic model id used to draft replies "
                       "(docs/claude.md lists the current models; claude-sonnet-4-5 reaches end of life on 2026-11-30).")
    max_tokens: int = Field(1024, gt=0, description="Upper bound on the tokens of one drafted reply.")
    timeout_seconds: float = Field(60.0, gt=0, description="Seconds one API request may take before it counts as a timeout.")
    max_retries: int = Field(
        3, ge=0, le=10, description="Retries after a rate limit (429), server error (5xx, 529) or timeout; backoff is exponential."
    )
    base_url: str = Field("", description="API base URL; empty = the SDK default or ANTHROPIC_BASE_URL.")
    prompt_version: str = Field(
        "answer_v2", description="System prompt template (`kbops/llm/prompts/<version>.md`): `answer_v2` follows "
        "the tone profile and voice guide the agent sends with each ticket; `answer_v1` is the earlier, one-tone prompt."
    )
    max_concurrency: int = Field(4, ge=1, le=64, description="Requests `kbops eval` keeps in flight at once "
                                 "without `--batch` (`eval.workers` overrides it when set).")
    batch_poll_initial_seconds: float = Field(10.0, gt=0, description="`kbops eval --batch`: first wait between "
                                              "two polls of the Message Batch; it doubles up to the maximum.")
    batch_poll_max_seconds: float = Field(120.0, gt=0, description="`kbops eval --batch`: longest wait between "
                                          "two polls.")
    batch_timeout_minutes: float = Field(24 * 60.0, gt=0, description="`kbops eval --batch` stops polling after "
                                         "this long (the batch keeps its id: run the command again to resume).")

    @model_validator(mode="after")
    def _poll_bounds(self) -> ClaudeSettings:
        if self.batch_poll_max_seconds < self.batch_poll_initial_seconds:
            raise ValueError(f"batch_poll_max_seconds ({self.batch_poll_max_seconds}) must be at least "
                             f"batch_poll_initial_seconds ({self.batch_poll_initial_seconds})")
        return self
