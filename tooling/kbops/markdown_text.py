"""Untrusted text inside Markdown: ticket subjects, labels and ids in tables and PR text."""

from __future__ import annotations

_MD_SPECIAL = str.maketrans({
    "\\": "\\\\", "|": "\\|", "`": "\\`", "*": "\\*", "_": "\\_", "[": "\\[", "]": "\\]",
    "<": "&lt;", ">": "&gt;", "&": "&amp;", "\n": " ", "\r": " ",
})


def md_text(value: object) -> str:
    """Ticket text is untrusted customer text: it must not break a table (`|`, newlines),
    open HTML (`<details>`), or become a link or emphasis in the comment."""
    return str(value).translate(_MD_SPECIAL).strip()
