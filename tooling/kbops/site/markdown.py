"""Markdown rewrites applied to an article before it is staged for the help site.

Customers must never reach what is internal, so a published article's body is cleaned on
its way to mkdocs: links and images whose target will not be on the site (internal,
draft, archived or missing articles, files the attachment rules refuse) become plain
text (the link text, the image's alt text), and HTML comments (authors' notes, invisible
in the editor preview but present in the page source) are dropped, an unclosed `<!--`
with everything after it. Code blocks and code spans are left exactly as written. Raw
HTML is the sanitiser's job (`sanitise.py`), on the rendered page.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ..kb.markdown import INLINE_LINK, REF_DEFINITION, blocks, outside_code_spans
from ..kb.rawhtml import comment_spans, without_comments

Decide = Callable[[str], str | None]
"""Link target -> None to keep the link, or a reason (`unpublished`, `missing`) to unlink it."""
IMAGE = re.compile(r"!\[([^\]\n]*)\]\(\s*<?([^)\s>]+)>?(?:\s+[\"'][^\"']*[\"'])?\s*\)")


@dataclass(frozen=True)
class Unlinked:
    line: int
    """Line within the body (1 = its first line)."""
    target: str
    reason: str


@dataclass(frozen=True)
class CleanBody:
    text: str
    unlinked: tuple[Unlinked, ...]
    comments_removed: int
    unclosed_comment: bool = False


def clean_body(body: str, decide: Decide) -> CleanBody:
    """The body with unwanted links and images unlinked (inline and reference style) and
    HTML comments removed; `decide` sees every link and image target that is not in code."""
    unlinked: list[Unlinked] = []
    parts: list[str] = []
    dropped_labels: set[str] = set()
    spans = comment_spans(body)
    body = without_comments(body, spans)  # keeps line numbers

    for in_fence, first_line, text in blocks(body):
        if in_fence:
            parts.append(text)
            continue
        lines = text.split("\n")
        for offset, line in enumerate(lines):
            number = first_line + offset

            def unlink_inline(chunk: str, number: int = number) -> str:
                def replace(match: re.Match[str]) -> str:
                    reason = decide(match.group(2))
                    if reason is None:
                        return match.group(0)
                    unlinked.append(Unlinked(number, match.group(2), reason))
                    return match.group(1)

                return INLINE_LINK.sub(replace, IMAGE.sub(replace, chunk))

            definition = REF_DEFINITION.match(line)
            if definition is not None:
                reason = decide(definition.group(2))
                if reason is not None:
                    unlinked.append(Unlinked(number, definition.group(2), reason))
                    dropped_labels.add(definition.group(1).strip().casefold())
                    lines[offset] = ""
                continue
            lines[offset] = outside_code_spans(line, unlink_inline)
        parts.append("\n".join(lines))

    text = "\n".join(parts)
    if dropped_labels:
        text = _unlink_references(text, dropped_labels)
    unclosed = bool(spans) and not spans[-1].closed
    return CleanBody(text, tuple(unlinked), len(spans), unclosed)


def _unlink_references(body: str, labels: set[str]) -> str:
    """`[text][label]`, `![alt][label]`, `[label][]` and `[label]` whose definition was
    dropped -> text."""
    full = re.compile(r"!?\[([^\]\n]*)\]\[([^\]\n]*)\]")
    shortcut = re.compile(r"(?<![!\]])\[([^\]\n]+)\](?![\[(:])")

    def change(chunk: str) -> str:
        def replace_full(match: re.Match[str]) -> str:
            label = (match.group(2) or match.group(1)).strip().casefold()
            return match.group(1) if label in labels else match.group(0)

        def replace_shortcut(match: re.Match[str]) -> str:
            return match.group(1) if match.group(1).strip().casefold() in labels else match.group(0)

        return shortcut.sub(replace_shortcut, full.sub(replace_full, chunk))

    parts = []
    for in_fence, _, text in blocks(body):
        parts.append(text if in_fence else outside_code_spans(text, change))
    return "\n".join(parts)
