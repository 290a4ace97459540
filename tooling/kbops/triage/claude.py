"""Claude as the category classifier: it picks one taxonomy label, and nothing else.

The request goes through the shared client (`llm/claude.py`: retries, status mapping, the
forced tool call). The ticket is sent redacted and fenced as untrusted data, and the reply
is checked here: a label that is not in the taxonomy, a missing or out-of-range
confidence, or any failure makes the caller fall back to the offline classifier. Claude
never sees or sets a severity or a queue.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..config import ClaudeSettings
from ..llm.claude import ClaudeClient, defang, require_api_key
from ..llm.prompts import load_prompt
from ..redact import redacted
from .category import CLAUDE, CategoryChoice

PROMPT_VERSION = "triage_category_v1"
TOOL_NAME = "choose_category"
TICKET_TAG = "untrusted_ticket"
MAX_TOKENS = 200


def category_tool(labels: list[str]) -> dict[str, Any]:
    return {
        "name": TOOL_NAME,
        "description": "Submit the ticket's category.",
        "input_schema": {
            "type": "object",
            "properties": {
                "category": {"type": "string", "enum": labels, "description": "One category, spelled as listed."},
                "confidence": {"type": "number", "minimum": 0, "maximum": 1},
            },
            "required": ["category", "confidence"],
            "additionalProperties": False,
        },
    }


class ClaudeCategorizer:
    """One forced tool call per ticket; `choose` returns a CategoryChoice or why not."""

    name = CLAUDE

    def __init__(self, settings: ClaudeSettings, taxonomy: Mapping[str, str], api_key: str | None = None, *,
                 sleep: Callable[[float], None] = time.sleep, rng: random.Random | None = None) -> None:
        key = require_api_key(api_key, "triage with backend claude", "set triage.backend = \"offline\"")
        self._api = ClaudeClient(settings, key, sleep=sleep, rng=rng)
        self.taxonomy = dict(taxonomy)
        self._system_prompt = load_prompt(PROMPT_VERSION)
        self._tool = category_tool(list(self.taxonomy))

    def choose(self, text: str) -> CategoryChoice | NoChoice:
        """The category of one ticket's visible text, or why there is none."""
        reply = self._api.call_tool(self._system_prompt, user_message(text, self.taxonomy), self._tool,
                                    max_tokens=MAX_TOKENS)
        if reply.input is None:
            assert reply.failure is not None
            return NoChoice(self._api.scrub(reply.failure.reason), request_failed=not reply.failure.malformed)
        found = parse_choice(reply.input, self.taxonomy)
        return NoChoice(found) if isinstance(found, str) else found


@dataclass(frozen=True)
class NoChoice:
    """Why Claude gave no usable category for a ticket."""

    reason: str
    request_failed: bool = False
    """The API could not be reached or refused the request (after the client's retries):
    the rest of a batch goes straight to the offline classifier."""


def user_message(text: str, taxonomy: Mapping[str, str]) -> str:
    """The categories, then the ticket (redacted: it leaves the machine), fenced."""
    categories = "\n".join(f"- {label}: {description}" for label, description in taxonomy.items())
    ticket = defang(redacted(text), (TICKET_TAG,))
    return (f"<categories>\n{categories}\n</categories>\n\n<{TICKET_TAG}>\n{ticket}\n</{TICKET_TAG}>\n\n"
            f"Choose the ticket's category with the {TOOL_NAME} tool.")


def parse_choice(data: Mapping[str, Any], taxonomy: Mapping[str, str]) -> CategoryChoice | str:
    """A choice only when the label is a taxonomy label and the confidence a number in [0, 1]."""
    label, confidence = data.get("category"), data.get("confidence")
    if not isinstance(label, str) or label not in taxonomy:
        return f"malformed output: category {str(label)[:60]!r} is not in triage.taxonomy"
    if isinstance(confidence, bool) or not isinstance(confidence, int | float) or not math.isfinite(confidence) \
            or not 0 <= confidence <= 1:
        return "malformed output: confidence is not a number between 0 and 1"
    return CategoryChoice(label, round(float(confidence), 4), CLAUDE)
