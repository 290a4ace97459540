"""Draft the article a gap is missing, or the edit a failing article needs.

A draft is built only from the specialists' resolutions of the gap's tickets (redacted):
offline, an extractive outline (problem, cause, steps, related articles); with Claude, a
written article grounded in the same resolutions (`drafts_claude.py`). New articles go to
`gaps.drafts_dir` with `status: draft`, no `owner` (so lint asks for one) and
`source_tickets` naming the tickets, which later become the article's regression cases.

Before a new article is written the duplicate guard compares it with every article: when
one is already this close (`gaps.duplicate_similarity`), an edit of that article is
proposed instead of a near-duplicate. A gap whose article exists but fails always gets an
edit. Edits are unified diffs (`git apply`-able) beside the drafts, or commits on a branch.
Writing the plans out (files or a branch) is `draft_output.py`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import Protocol

import numpy as np
import yaml

from .agent.redact import redact
from .config import Settings
from .errors import KbopsError
from .gaps import ArticleMatrix, Gap, GapKind
from .index.embed import Embedder
from .kb import ID_PATTERN, Article, Audience, Finding, Status, parse_article, slugify
from .tickets import Ticket

MAX_SUMMARY_CHARS = 160
MAX_ID_CHARS = 60
RELATED_SIMILARITY = 0.6
"""A nearest article this close to the gap is listed as related (weaker ones are noise)."""
SENTENCE_DUPLICATE = 0.85
"""Resolutions often say the same thing twice; a sentence this close to a kept one is dropped."""

_ABBREVIATIONS = re.compile(r"\b(e\.g|i\.e|etc|vs|approx|incl)\.", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[]?[A-Z0-9])")
_SPECIALIST_ACTION = re.compile(
    r"^(?:i(?:'ve|’ve| have| will|'ll|’ll|'m|’m| am)?\b|we(?:'ve|’ve| have) (?:logged|added|raised|passed|recorded)"
    r"|thanks\b|thank you|sorry\b|hi\b|hello\b|hope\b|let me know|let us know|feel free)"
    r"|\b(?:logged (?:your|the|this|it)|added your vote|raised (?:it|this)|recorded (?:this|it|your)"
    r"|passed (?:it|this) on)",
    re.IGNORECASE,
)
"""What a specialist did for this customer ("I've logged your request"): not article content."""
_LIMITATION = re.compile(
    r"\b(?:doesn[’']t|does not|don[’']t|do not|isn[’']t|is not|aren[’']t|are not|can[’']t|cannot|won[’']t|"
    r"not (?:yet )?(?:supported|available|possible|included)|there[’']s no|there is no|no (?:native|built-in)|"
    r"because|due to|only|always|never|at the moment|right now|today)\b",
    re.IGNORECASE,
)
"""A sentence stating why the customer is stuck (a limitation or a cause), not a step."""
_STEP = re.compile(
    r"\b(?:you can|you could|you'll|workaround|in the meantime|meanwhile|instead|for now|some (?:teams|people|customers))\b"
    r"|^(?:click|open|go to|choose|select|set|use|try|add|connect|save|map|check|make sure|pick|tick|enter|type|"
    r"turn|enable|disable|install|update|sign|log in|create|delete|remove|contact|ask|forward|export|import)\b",
    re.IGNORECASE,
)
"""A workaround or an instruction: a step even when it also names a limitation."""


class DraftError(KbopsError):
    """A draft cannot be written where asked (file or branch exists, not a repository)."""

    exit_code = 2


class Action(StrEnum):
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
    action: Action
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
        if self.action is not Action.EDIT:
            return ""
        diff = difflib.unified_diff(self.original.splitlines(keepends=True), self.text.splitlines(keepends=True),
                                    fromfile=f"a/{self.path}", tofile=f"b/{self.path}")
        return "".join(diff)

    @property
    def patch_path(self) -> str:
        """Where an edit is proposed when not committed: beside the drafts."""
        return f"{self.article_id}.patch"


# ---------------------------------------------------------------- sources


def source_tickets(gap: Gap, tickets: Sequence[Ticket]) -> list[SourceTicket]:
    """The gap's tickets in its order (most central first), redacted."""
    by_id = {t.id: t for t in tickets}
    found = []
    for ticket_id in gap.ticket_ids:
        ticket = by_id.get(ticket_id)
        if ticket is None:
            continue
        found.append(SourceTicket(ticket.id, redact(ticket.subject).text, redact(ticket.body).text,
                                  redact(ticket.resolution).text))
    return found


def sentences(text: str) -> list[str]:
    protected = _ABBREVIATIONS.sub(lambda m: m.group(0).replace(".", "\x00"), text.strip())
    parts = _SENTENCE_END.split(protected)
    return [" ".join(p.replace("\x00", ".").split()) for p in parts if p.strip()]


def split_resolution(text: str) -> tuple[list[str], list[str]]:
    """(causes, steps) of one resolution; what the specialist did for the customer is dropped."""
    causes, steps = [], []
    for sentence in sentences(text):
        if _SPECIALIST_ACTION.search(sentence):
            continue
        is_cause = _LIMITATION.search(sentence) and not _STEP.search(sentence)
        (causes if is_cause else steps).append(_as_article_voice(sentence))
    return causes, steps


def _as_article_voice(sentence: str) -> str:
    """Resolutions are chat: a leading "So," or "Sure," is dropped, the rest is kept as written."""
    sentence = re.sub(r"^(?:so|ok|okay|sure|also|and)[, ]+", "", sentence, flags=re.IGNORECASE)
    return sentence[:1].upper() + sentence[1:]


def _unique(candidates: list[str], embedder: Embedder | None) -> list[str]:
    """Drop exact and near-duplicate sentences, keeping the first (most central ticket)."""
    seen: dict[str, None] = {}
    for sentence in candidates:
        seen.setdefault(sentence, None)
    kept = list(seen)
    if embedder is None or len(kept) < 2:
        return kept
    vectors = embedder.embed(kept)
    chosen: list[int] = []
    for i in range(len(kept)):
        if all(float(vectors[i] @ vectors[j]) < SENTENCE_DUPLICATE for j in chosen):
            chosen.append(i)
    return [kept[i] for i in chosen]


# ---------------------------------------------------------------- the offline outline


def gap_title(gap: Gap, texts: Sequence[str] = ()) -> str:
    """Key phrases as a title, multi-word phrases first ("Time tracking and hours"), in the
    spelling the tickets use most ("Microsoft Teams")."""
    ordered = sorted(gap.key_phrases, key=lambda p: -len(p.split())) or [gap.label]
    chosen = [ordered[0]]
    for phrase in ordered[1:]:
        if not set(phrase.split()) & set(" ".join(chosen).split()):
            chosen.append(phrase)
            break
    title = " and ".join(original_case(p, texts) for p in chosen)
    return title[:1].upper() + title[1:]


def original_case(phrase: str, texts: Sequence[str]) -> str:
    """The most common spelling of a (lower-cased) phrase in the texts; itself if absent."""
    pattern = re.compile(r"\b" + r"\s+".join(re.escape(w) for w in phrase.split()) + r"\b", re.IGNORECASE)
    spellings = [m.group(0) for text in texts for m in pattern.finditer(text)]
    if not spellings:
        return phrase
    return max(sorted(set(spellings)), key=spellings.count)


class OutlineWriter:
    """Extractive: every sentence of the outline is a specialist's sentence."""

    name = "offline"

    def __init__(self, embedder: Embedder | None = None) -> None:
        self.embedder = embedder

    def write(self, gap: Gap, sources: Sequence[SourceTicket], related: Sequence[Article]) -> DraftContent:
        causes: list[str] = []
        steps: list[str] = []
        for source in sources:
            found_causes, found_steps = split_resolution(source.resolution)
            causes += found_causes
            steps += found_steps
        causes, steps = _unique(causes, self.embedder), _unique(steps, self.embedder)
        texts = [f"{s.subject}\n{s.question}\n{s.resolution}" for s in sources]
        title = gap_title(gap, texts)
        warnings = []
        if not causes and not steps:
            warnings.append("the resolutions hold no reusable sentence: write the article from scratch")
        answer = " ".join((causes or steps)[:2]) or f"This article answers questions about {gap.label}."
        asked = "; ".join(f"“{s.subject or sentences(s.question)[0][:100]}”" for s in sources[:5])
        topic = ", ".join(original_case(p, texts) for p in gap.key_phrases) or gap.label
        body = [
            "## Problem",
            "",
            f"Customers ask about {topic}, for example: {asked}.",
            "",
            answer,  # with the question, so the section a search finds first answers it
            "",
            "## Cause",
            "",
            " ".join(causes) or "The resolutions do not say why; ask the specialists who handled the source tickets.",
            "",
            "## Steps",
            "",
            *([f"{n}. {step}" for n, step in enumerate(steps, start=1)]
              or ["1. The resolutions give no steps; add them, or remove this section if none apply."]),
            "",
        ]
        if related:
            body += ["## Related articles", "", *[f"- {a.title} (`{a.id}`)" for a in related], ""]
        summary = _shorten(sentences(answer)[0] if answer else title, MAX_SUMMARY_CHARS)
        tags = tuple(dict.fromkeys(slugify(p) for p in gap.key_phrases if slugify(p)))
        return DraftContent(title, summary, "\n".join(body), tags, self.name, tuple(warnings),
                            answer=" ".join(causes) or answer, steps=tuple(steps))


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    return cut + "…"


# ---------------------------------------------------------------- articles and edits


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
                return DraftPlan(gap, Action.SKIP, target.path, target.id, "", writer=content.writer,
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
        return DraftPlan(gap, Action.NEW, path, article_id, text, writer=content.writer, warnings=tuple(warnings),
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
        return DraftPlan(gap, Action.EDIT, target.path, target.id, text, original=original, writer=content.writer,
                         warnings=tuple(warnings), source_tickets=gap.ticket_ids)

    def _drafts_prefix(self) -> str:
        folder = (self.settings.root / self.settings.gaps.drafts_dir).resolve()
        try:
            return folder.relative_to(self.repo_root.resolve()).as_posix().rstrip("/") + "/"
        except ValueError as exc:
            raise DraftError(f"gaps.drafts_dir {folder} is outside the project {self.repo_root}") from exc


class DraftWriterFailed(Exception):
    """A writer backend could not produce a usable draft (the offline outline is used)."""


def make_writer(settings: Settings, embedder: Embedder, choice: str = "auto") -> tuple[DraftWriter, DraftWriter | None]:
    """(writer, fallback): the offline outline, or Claude with the outline as fallback.
    `auto` follows `agent.backend` (Claude when ANTHROPIC_API_KEY is set)."""
    from .agent.agent import choose_backend

    backend = choose_backend(settings) if choice == "auto" else choice
    outline = OutlineWriter(embedder)
    if backend == "claude":
        from .drafts_claude import ClaudeDraftWriter

        return ClaudeDraftWriter(settings.claude), outline
    return outline, None
