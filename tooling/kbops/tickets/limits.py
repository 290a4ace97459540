"""The limits every ticket reader applies to JSON: tickets are untrusted input, so a record
nested a thousand levels deep is a bad record at its line, not a RecursionError."""

from __future__ import annotations

import json

MAX_JSON_DEPTH = 64
"""Nesting a ticket record may have. Real exports nest a handful of levels (ticket ->
comments -> attachments -> thumbnails); Python's own parser gives up near 1,000."""


class TooDeep(ValueError):
    """JSON nested past `MAX_JSON_DEPTH`."""

    def __init__(self, line_offset: int = 0) -> None:
        super().__init__(f"JSON nested more than {MAX_JSON_DEPTH} levels deep (flatten the record)")
        self.line_offset = line_offset
        """Lines after the start of the parsed text where the limit was crossed."""


def loads_bounded(text: str | bytes) -> object:
    """`json.loads` with a nesting limit: TooDeep (a ValueError) past `MAX_JSON_DEPTH`,
    json.JSONDecodeError for text that is not JSON."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise TooDeep(line_of_depth(text)) from None
    if too_deep(value):
        raise TooDeep(line_of_depth(text))
    return value


def too_deep(value: object, limit: int = MAX_JSON_DEPTH) -> bool:
    """Does a parsed JSON value nest more than `limit` lists or objects? (no recursion)"""
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def line_of_depth(text: str | bytes) -> int:
    """Newlines before the bracket that crosses the limit (brackets inside strings skipped),
    so the reader can name the line."""
    data = text.decode("utf-8", errors="replace") if isinstance(text, bytes) else text
    depth, newlines, in_string, escaped = 0, 0, False, False
    for char in data:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                return newlines
        elif char in "]}":
            depth -= 1
        if char == "\n":
            newlines += 1
    return newlines
