"""Settings of replies that fit the customer (issue 17): follow-up questions, and the tone
and language keys the agent adds to `[agent]`. Kept out of `schema.py` (near its size
limit); `AgentSettings` inherits them, so they are ordinary `agent.*` keys in kbops.toml
and docs/configuration.md. Same rules as `schema.py`: frozen, unknown keys are an error."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ReplyFitSettings(BaseModel):
    """The `[agent]` keys of reply fit (tone, follow-ups, language)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_follow_ups: int = Field(
        2, ge=0, le=5, description="Likely next questions a reply ends with, each linking the public article "
        "(section) that answers it (docs/follow-ups.md); 0 = none."
    )
