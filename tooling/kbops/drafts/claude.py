"""Claude as a draft writer: the gap's (redacted) resolutions in, an article out.

The request, the retry policy and the error mapping are the shared client's
(`llm/claude.py`): one forced tool call, our own retries with backoff, every failure a
short reason. A failure raises `DraftWriterFailed`, and the drafter falls back to the
offline outline, so a rate limit never loses a draft. What the model returns is checked
here: the shape of the tool input, and every number in the body must occur in the
resolutions (an invented limit or price is the most harmful thing an article can say).
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable, Sequence
from typing import Any

from ..config import ClaudeSettings
from ..gaps.model import Gap
from ..kb.markdown import slugify, strip_html
from ..kb.model import Article
from ..llm.claude import ClaudeClient, defang, require_api_key, tool_request
from ..llm.prompts import load_prompt
from ..redact import redacted
from .model import DraftContent, DraftWriterFailed, SourceTicket

PROMPT_VERSION = "draft_article_v1"
TOOL_NAME = "submit_article"
RESOLUTIONS_TAG = "resolutions"
TICKETS_TAG = "untrusted_tickets"
UNTRUSTED_TAGS = (RESOLUTIONS_TAG, TICKETS_TAG)
MAX_TITLE_CHARS = 120
MAX_TAGS = 8

ARTICLE_TOOL: dict[str, Any] = {
    "name": TOOL_NAME,
    "description": "Submit the drafted help-center article.",
    "input_schema": {
        "type": "object",
        "properties": {
            "title": {"type": "string", "description": "What a customer would search for."},
            "summary": {"type": "string", "description": "One sentence for search results."},
            "body": {"type": "string", "description": "Markdown body: answer, ## Problem, ## Cause, ## Steps."},
            "tags": {"type": "array", "items": {"type": "string"}, "description": "A few lowercase keywords."},
        },
        "required": ["title", "summary", "body", "tags"],
        "additionalProperties": False,
    },
}

_NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)*(?![\w])")


class ClaudeDraftWriter:
    name = "claude"

    def __init__(self, settings: ClaudeSettings, api_key: str | None = None, *,
                 sleep: Callable[[float], None] = time.sleep, rng: random.Random | None = None) -> None:
        key = require_api_key(api_key, "the Claude draft writer", "use `--writer offline`")
        self._api = ClaudeClient(settings, key, sleep=sleep, rng=rng)
        self.settings = settings
        self._system_prompt = load_prompt(PROMPT_VERSION)

    def write(self, gap: Gap, sources: Sequence[SourceTicket], related: Sequence[Article]) -> DraftContent:
        if not sources:
            raise DraftWriterFailed("the gap's tickets are not in the ticket file")
        reply = self._api.call_tool(self._system_prompt, user_message(gap, sources, related), ARTICLE_TOOL,
                                    max_tokens=draft_max_tokens(self.settings))
        if reply.input is None:
            assert reply.failure is not None
            reason = reply.failure.reason
            raise DraftWriterFailed(f"malformed output: {reason}" if reply.failure.malformed else reason)
        article = parse_article(reply.input)
        if isinstance(article, str):
            raise DraftWriterFailed(f"malformed output: {article}")
        title, summary, body, tags = article
        warnings = []
        unsupported = unsupported_numbers(f"{title}\n{summary}\n{body}", sources)
        if unsupported:
            warnings.append(f"numbers not found in the resolutions (check them): {', '.join(unsupported)}")
        return DraftContent(title, summary, body, tags, self.name, tuple(warnings))


def draft_max_tokens(settings: ClaudeSettings) -> int:
    """An article is longer than a reply: at least 2048 tokens."""
    return max(settings.max_tokens, 2048)


def build_request(settings: ClaudeSettings, system_prompt: str, gap: Gap, sources: Sequence[SourceTicket],
                  related: Sequence[Article]) -> dict[str, Any]:
    """Keyword arguments of `messages.create` for one draft (what `write` sends)."""
    return tool_request(settings, system_prompt, user_message(gap, sources, related), ARTICLE_TOOL,
                        draft_max_tokens(settings))


def user_message(gap: Gap, sources: Sequence[SourceTicket], related: Sequence[Article]) -> str:
    """The request: every piece of ticket text is redacted here again (sources come redacted
    from `outline.source_tickets`; this is the exit, so it does not rely on that)."""
    resolutions = "\n\n".join(f"[{s.id}] {defang(redacted(s.resolution.strip()), UNTRUSTED_TAGS)}"
                                for s in sources if s.resolution.strip())
    tickets = "\n\n".join(
        f"[{s.id}] " + defang(redacted("\n".join(part for part in (s.subject, s.question.strip()) if part)), UNTRUSTED_TAGS)
        for s in sources
    )
    see_also = "\n".join(f"- {a.title} ({a.id})" for a in related) or "- none"
    return (
        f"<{RESOLUTIONS_TAG}>\n{resolutions}\n</{RESOLUTIONS_TAG}>\n\n"
        f"<{TICKETS_TAG}>\n{tickets}\n</{TICKETS_TAG}>\n\n"
        f"Existing articles near this topic (do not repeat them):\n{see_also}\n\n"
        f"Key phrases of the topic: {redacted(gap.label)}.\n"
        f"Draft one help-center article that answers these tickets using only the resolutions above, "
        f"and submit it with the {TOOL_NAME} tool."
    )


def parse_article(data: dict[str, Any]) -> tuple[str, str, str, tuple[str, ...]] | str:
    """(title, summary, body, tags) from the tool call's input, or what is wrong with it."""
    title, summary, body, tags = (data.get(k) for k in ("title", "summary", "body", "tags"))
    if not isinstance(title, str) or not title.strip():
        return "title must be a non-empty string"
    if not isinstance(summary, str) or not isinstance(body, str):
        return "summary and body must be strings"
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        return "tags must be a list of strings"
    title, summary = strip_html(title), strip_html(summary)  # published later: no raw HTML from a ticket
    body = strip_html(_strip_front_matter(body)).strip()
    body = re.sub(r"\A#\s+[^\n]*\n+", "", body)  # the title lives in front matter
    if not body:
        return "body is empty"
    clean_tags = tuple(dict.fromkeys(slugify(t) for t in tags if slugify(t)))[:MAX_TAGS]
    return " ".join(title.split())[:MAX_TITLE_CHARS], " ".join(summary.split()), body, clean_tags


def _strip_front_matter(body: str) -> str:
    match = re.match(r"\A\s*---\n.*?\n---\n", body, flags=re.DOTALL)
    return body[match.end():] if match else body


def unsupported_numbers(text: str, sources: Sequence[SourceTicket]) -> list[str]:
    """Numbers in the draft that no resolution (or question) contains."""
    known = {n for s in sources for n in _NUMBER.findall(f"{s.resolution}\n{s.question}\n{s.subject}")}
    step_numbers = set(re.findall(r"(?m)^\s*(\d+)\.\s", text))  # "1." of a numbered list
    found = dict.fromkeys(n for n in _NUMBER.findall(text) if n not in known and n not in step_numbers)
    return list(found)
