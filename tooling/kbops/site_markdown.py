"""Markdown rewrites applied to an article before it is staged for the help site.

Customers must never reach what is internal, so a published article's body is cleaned on
its way to mkdocs: links to pages that will not exist (internal, draft, archived or
missing articles) become plain text, and HTML comments (authors' notes, invisible in the
editor preview but present in the page source) are dropped. Code blocks and code spans
are left exactly as written.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

_FENCE = re.compile(r"^\s*(```|~~~)")
_CODE_SPAN = re.compile(r"`[^`\n]*`")
_INLINE_LINK = re.compile(r"(?<!!)\[([^\]\n]*)\]\(\s*<?([^)\s>]+)>?(?:\s+[\"'][^\"']*[\"'])?\s*\)")
_IMAGE = re.compile(r"!\[[^\]\n]*\]\(\s*<?([^)\s>]+)>?(?:\s+[\"'][^\"']*[\"'])?\s*\)")
_REF_DEFINITION = re.compile(r"^ {0,3}\[([^\]\n]+)\]:\s*<?(\S+?)>?(?:\s+[\"'(].*)?\s*$")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)

Decide = Callable[[str], str | None]
"""Link target -> None to keep the link, or a reason (`unpublished`, `missing`) to unlink it."""


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


def _blocks(body: str) -> Iterator[tuple[bool, int, str]]:
    """(inside a code fence, first line number, text) runs of the body, in order."""
    run: list[str] = []
    start, in_fence = 1, False
    for number, line in enumerate(body.split("\n"), start=1):
        if _FENCE.match(line):
            if not in_fence:
                if run:
                    yield False, start, "\n".join(run)
                run, start, in_fence = [line], number, True
                continue
            run.append(line)
            yield True, start, "\n".join(run)
            run, start, in_fence = [], number + 1, False
            continue
        run.append(line)
    if run or not body:
        yield in_fence, start, "\n".join(run)


def _outside_code_spans(text: str, change: Callable[[str], str]) -> str:
    """Apply `change` to the parts of one prose block that are not inside `code spans`."""
    out: list[str] = []
    last = 0
    for span in _CODE_SPAN.finditer(text):
        out.append(change(text[last : span.start()]))
        out.append(span.group(0))
        last = span.end()
    out.append(change(text[last:]))
    return "".join(out)


def clean_body(body: str, decide: Decide) -> CleanBody:
    """The body with unwanted links unlinked (inline and reference style) and HTML comments
    removed. Images and code are kept; `decide` sees every link target that is not in code."""
    unlinked: list[Unlinked] = []
    comments = 0
    parts: list[str] = []
    dropped_labels: set[str] = set()

    for in_fence, first_line, text in _blocks(body):
        if in_fence:
            parts.append(text)
            continue
        comments += len(_COMMENT.findall(text))
        text = _COMMENT.sub(lambda match: "\n" * match.group(0).count("\n"), text)  # keep line numbers
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

                return _INLINE_LINK.sub(replace, chunk)

            definition = _REF_DEFINITION.match(line)
            if definition is not None:
                reason = decide(definition.group(2))
                if reason is not None:
                    unlinked.append(Unlinked(number, definition.group(2), reason))
                    dropped_labels.add(definition.group(1).strip().casefold())
                    lines[offset] = ""
                continue
            lines[offset] = _outside_code_spans(line, unlink_inline)
        parts.append("\n".join(lines))

    text = "\n".join(parts)
    if dropped_labels:
        text = _unlink_references(text, dropped_labels)
    return CleanBody(text, tuple(unlinked), comments)


def _unlink_references(body: str, labels: set[str]) -> str:
    """`[text][label]`, `[label][]` and `[label]` whose definition was dropped -> text."""
    full = re.compile(r"(?<!!)\[([^\]\n]*)\]\[([^\]\n]*)\]")
    shortcut = re.compile(r"(?<![!\]])\[([^\]\n]+)\](?![\[(:])")

    def change(chunk: str) -> str:
        def replace_full(match: re.Match[str]) -> str:
            label = (match.group(2) or match.group(1)).strip().casefold()
            return match.group(1) if label in labels else match.group(0)

        def replace_shortcut(match: re.Match[str]) -> str:
            return match.group(1) if match.group(1).strip().casefold() in labels else match.group(0)

        return shortcut.sub(replace_shortcut, full.sub(replace_full, chunk))

    parts = []
    for in_fence, _, text in _blocks(body):
        parts.append(text if in_fence else _outside_code_spans(text, change))
    return "\n".join(parts)


def local_targets(body: str) -> Iterator[str]:
    """Relative targets of links and images outside code (files the page needs)."""
    for in_fence, _, text in _blocks(body):
        if in_fence:
            continue
        prose = _CODE_SPAN.sub("", text)
        for match in _INLINE_LINK.finditer(prose):
            yield match.group(2)
        for match in _IMAGE.finditer(prose):
            yield match.group(1)
        for line in prose.split("\n"):
            definition = _REF_DEFINITION.match(line)
            if definition is not None:
                yield definition.group(2)
