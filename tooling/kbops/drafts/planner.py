"""Draft the article a gap is missing, or the edit a failing article needs.

A draft is built only from the specialists' resolutions of the gap's tickets (redacted):
offline, an extractive outline (problem, cause, steps, related articles); with Claude, a
written article grounded in the same resolutions (`claude.py`). New articles go to
`gaps.drafts_dir` with `status: draft`, no `owner` (so lint asks for one) and
`source_tickets` naming the tickets, which later become the article's regression cases.

Before a new article is written the duplicate guard compares it with every article: when
one is already this close (`gaps.duplicate_similarity`), an edit of that article is
proposed instead of a near-duplicate. A gap whose article exists but fails always gets an
edit. Edits are unified diffs (`git apply`-able) beside the drafts, or commits on a branch.
Writing the plans out (files or a branch) is `output.py`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import yaml

from ..agent.agent import choose_backend
from ..config import Settings
from ..gaps.model import Gap, GapKind
from ..index.embed import Embedder
from ..index.matrix import ArticleMatrix
from ..kb.loader import parse_article
from ..kb.markdown import slugify
from ..kb.model import ID_PATTERN, Article, Audience, Finding, Status
from ..tickets.model import Ticket
from .claude import ClaudeDraftWriter
from .model import (
    DraftAction,
    DraftContent,
    DraftError,
    DraftPlan,
    DraftWriter,
    DraftWriterFailed,
    SourceTicket,
)
from .outline import OutlineWriter, source_tickets

MAX_ID_CHARS = 60
RELATED_SIMILARITY = 0.6
"""A nearest article this close to the gap is listed as related (weaker ones are noise)."""


def article_id_for(title: str, taken: set[str]) -> str:
    base = slugify(title)[:MAX_ID_CHARS].strip("-") or "kb-gap"
    base = re.sub(r"[^a-z0-9-]", "", base.replace("_", "-"))
    base = re.sub(r"-+", "-", base).strip("-") or "kb-gap"
    candidate, n = base, 2
    while candidate in taken or not re.match(ID_PATTERN, candidate):
        candidate = f"{base}-{n}"
        n += 1
    return candidate


def choose_category(gap: Gap, categories: Sequence[str]) -> str:
    for category, _ in sorted(gap.categories.items(), key=lambda item: (-item[1], item[0])):
        if category in categories:
            return category
    return "feature-request" if "feature-request" in categories else categories[0]


def render_article(article_id: str, content: DraftContent, gap: Gap, category: str,
                   related: Sequence[Article]) -> str:
    """Front matter (valid for the schema; `owner` left unset on purpose) and body."""
    fields = {
        "id": article_id,
        "title": content.title,
        "summary": content.summary,
        "category": category,
        "tags": list(content.tags),
        "audience": str(Audience.PUBLIC),
        "status": str(Status.DRAFT),
        "related": [a.id for a in related],
        "source_tickets": list(gap.ticket_ids),
    }
    front = yaml.safe_dump(fields, sort_keys=False, allow_unicode=True, width=1000)
    return f"---\n{front}---\n\n{content.body.strip()}\n"


def edit_article(article: Article, original: str, content: DraftContent, gap: Gap) -> str:
    """The article with the gap's answer added as a section and its tickets in
    `source_tickets` (only a one-line list is rewritten; anything else is left alone)."""
    answer, steps = content.answer_and_steps()
    section = [f"## {content.title}", ""]
    if answer:
        section += [answer, ""]
    if steps:
        section += [*(f"{n}. {step}" for n, step in enumerate(steps, start=1)), ""]
    text = original.rstrip("\n") + "\n\n" + "\n".join(section)
    wanted = list(dict.fromkeys([*article.meta.source_tickets, *gap.ticket_ids]))
    listed = f"source_tickets: [{', '.join(wanted)}]"
    lines = text.split("\n")
    end = next(i for i in range(1, len(lines)) if lines[i].strip() in ("---", "..."))
    existing = [i for i in range(1, end) if lines[i].startswith("source_tickets:")]
    if not existing:
        lines.insert(end, listed)
    elif lines[existing[0]].rstrip().endswith("]"):
        lines[existing[0]] = listed
    return "\n".join(lines)


def duplicate_of(content: DraftContent, matrix: ArticleMatrix, embedder: Embedder,
                 threshold: float) -> tuple[str, float] | None:
    """(article id, similarity) of an existing article that already says what the draft
    says, compared on the draft's title, answer and steps."""
    text = f"{content.title}\n{content.body.split('## Related articles')[0]}"
    vector = np.asarray(embedder.embed([text])[0], dtype=np.float32)
    best = matrix.nearest(vector / max(float(np.linalg.norm(vector)), 1e-12), 1)
    if best and best[0][1] >= threshold:
        return best[0]
    return None


@dataclass
class Drafter:
    """Plans the drafts of gaps: which writer, new article or edit, where."""

    settings: Settings
    matrix: ArticleMatrix
    embedder: Embedder
    writer: DraftWriter
    repo_root: Path
    fallback: DraftWriter | None = None

    def plan(self, gap: Gap, tickets: Sequence[Ticket], taken: set[str]) -> DraftPlan:
        articles = self.matrix.articles
        related = [articles[n.article_id] for n in gap.nearest if n.article_id in articles
                   and articles[n.article_id].is_public and n.similarity >= RELATED_SIMILARITY][:3]
        sources = source_tickets(gap, tickets)
        content = self._write(gap, sources, related)
        warnings = list(content.warnings)
        if gap.kind is GapKind.FAILING and gap.covering_article in articles:
            target = articles[gap.covering_article]
            if target.meta.status is Status.DRAFT and target.path.startswith(self._drafts_prefix()):
                return DraftPlan(gap, DraftAction.SKIP, target.path, target.id, "", writer=content.writer,
                                 warnings=(f"a draft for this gap already exists: {target.path} (review and publish it)",),
                                 source_tickets=gap.ticket_ids)
            warnings.append(f"an article covers this topic but fails ({gap.explain()}): proposing an edit to it")
            return self._edit(gap, target, content, warnings)
        duplicate = duplicate_of(content, self.matrix, self.embedder, self.settings.gaps.duplicate_similarity)
        if duplicate is not None:
            target = articles[duplicate[0]]
            warnings.append(f"near-duplicate: {target.path} already covers this topic (similarity "
                            f"{duplicate[1]:.2f} >= {self.settings.gaps.duplicate_similarity}): proposing an edit to it")
            return self._edit(gap, target, content, warnings)
        article_id = article_id_for(content.title, taken | set(articles))
        taken.add(article_id)
        category = choose_category(gap, self.settings.kb.categories)
        text = render_article(article_id, content, gap, category, related)
        path = f"{self._drafts_prefix()}{article_id}.md"
        parsed = parse_article(path, text.encode("utf-8"), self.settings)
        if isinstance(parsed, Finding):  # a writer produced something the schema rejects
            raise DraftError(f"the {content.writer} draft of {gap.id} is not a valid article: {parsed.render()}")
        return DraftPlan(gap, DraftAction.NEW, path, article_id, text, writer=content.writer, warnings=tuple(warnings),
                         source_tickets=gap.ticket_ids)

    def _write(self, gap: Gap, sources: Sequence[SourceTicket], related: Sequence[Article]) -> DraftContent:
        try:
            return self.writer.write(gap, sources, related)
        except DraftWriterFailed as failure:
            if self.fallback is None:
                raise
            content = self.fallback.write(gap, sources, related)
            note = f"{self.writer.name} draft failed ({failure}); offline outline instead"
            return replace(content, warnings=(note, *content.warnings))

    def _edit(self, gap: Gap, target: Article, content: DraftContent, warnings: list[str]) -> DraftPlan:
        original = (self.repo_root / target.path).read_text(encoding="utf-8")
        text = edit_article(target, original, content, gap)
        if not text.endswith("\n"):
            text += "\n"
        return DraftPlan(gap, DraftAction.EDIT, target.path, target.id, text, original=original, writer=content.writer,
                         warnings=tuple(warnings), source_tickets=gap.ticket_ids)

    def _drafts_prefix(self) -> str:
        folder = (self.settings.root / self.settings.gaps.drafts_dir).resolve()
        try:
            return folder.relative_to(self.repo_root.resolve()).as_posix().rstrip("/") + "/"
        except ValueError as exc:
            raise DraftError(f"gaps.drafts_dir {folder} is outside the project {self.repo_root}") from exc


def make_writer(settings: Settings, embedder: Embedder, choice: str = "auto") -> tuple[DraftWriter, DraftWriter | None]:
    """(writer, fallback): the offline outline, or Claude with the outline as fallback.
    `auto` follows `agent.backend` (Claude when ANTHROPIC_API_KEY is set)."""
    backend = choose_backend(settings) if choice == "auto" else choice
    outline = OutlineWriter(embedder)
    if backend == "claude":
        return ClaudeDraftWriter(settings.claude), outline
    return outline, None
