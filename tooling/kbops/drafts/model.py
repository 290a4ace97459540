"""The types of drafting: the material a draft may use (redacted source tickets), what a
writer returns, and the plan of one draft (a new article, an edit, or nothing)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from ..errors import KbopsError
from ..gaps.model import Gap
from ..kb.model import Article


class DraftError(KbopsError):
    """A draft cannot be written where asked (file or branch exists, not a repository)."""

    exit_code = 2


class DraftAction(StrEnum):
    NEW = "new"
    EDIT = "edit"
    SKIP = "skip"


@dataclass(frozen=True)
class SourceTicket:
    """One of the gap's tickets, redacted: the only material a draft may use."""

    id: str
    subject: str
    question: str
    resolution: str


@dataclass(frozen=True)
class DraftContent:
    title: str
    summary: str
    body: str
    tags: tuple[str, ...]
    writer: str
    warnings: tuple[str, ...] = ()
    answer: str = ""
    """The direct answer (a paragraph), what an edit of an existing article adds first."""
    steps: tuple[str, ...] = ()

    def answer_and_steps(self) -> tuple[str, tuple[str, ...]]:
        """The answer and steps; read from the body's sections when a writer gave only a body."""
        if self.answer or self.steps:
            return self.answer, self.steps
        answer = re.split(r"(?m)^## ", self.body, maxsplit=1)[0].strip()
        found = re.search(r"(?ms)^## Steps\s*\n(.*?)(?=^## |\Z)", self.body)
        steps = tuple(re.sub(r"^\d+[.)]\s*", "", line).strip() for line in (found.group(1) if found else "").splitlines()
                      if re.match(r"^\d+[.)]\s", line.strip()))
        return answer, steps


class DraftWriter(Protocol):
    """Turns a gap and its redacted source tickets into article content."""

    name: str

    def write(self, gap: Gap, sources: Sequence[SourceTicket], related: Sequence[Article]) -> DraftContent: ...


@dataclass(frozen=True)
class DraftPlan:
    gap: Gap
    action: DraftAction
    path: str
    """Relative to the repository (or project) root: the new article, or the edited one."""
    article_id: str
    text: str
    """The new article, or the edited article's full new text."""
    original: str = ""
    writer: str = "offline"
    warnings: tuple[str, ...] = ()
    source_tickets: tuple[str, ...] = ()

    @property
    def patch(self) -> str:
        if self.action is not DraftAction.EDIT:
            return ""
        diff = difflib.unified_diff(self.original.splitlines(keepends=True), self.text.splitlines(keepends=True),
                                    fromfile=f"a/{self.path}", tofile=f"b/{self.path}")
        return "".join(diff)

    @property
    def patch_path(self) -> str:
        """Where an edit is proposed when not committed: beside the drafts."""
        return f"{self.article_id}.patch"


class DraftWriterFailed(Exception):
    """A writer backend could not produce a usable draft (the offline outline is used)."""
