"""Adapter from the shared dataset layout (`kb/*.md` + `tickets.jsonl`) to kbops types.

The shared datasets use their own front matter (id, title, source_url, ...), not kbops's
schema, so they are mapped here: every article is public and published. Read in place
from ../shared; nothing is copied into the project.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import yaml

from kbops.kb.model import Article, ArticleMeta, Audience, KnowledgeBase, Status

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "datasets"
KB_DATASETS = ("wixqa", "techqa", "dstc10_track2")
CONTEXT_TURNS = 3
"""Earlier conversation turns prepended to a DSTC10 question (it needs the context)."""


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    gold: tuple[str, ...]
    reference: str
    answerable: bool


@dataclass(frozen=True)
class Dataset:
    name: str
    articles: tuple[Article, ...]
    questions: tuple[Question, ...]

    def kb(self, root: Path) -> KnowledgeBase:
        return KnowledgeBase(articles=self.articles, problems=(), root=root, base=root)


def _article(path: Path, prefix: str) -> Article:
    text = path.read_text(encoding="utf-8")
    _, front, body = text.split("---", 2)
    meta = yaml.safe_load(front)
    title = str(meta.get("title") or path.stem)
    lines = body.strip("\n").split("\n")
    if lines and lines[0].lstrip("# ").strip() == title.strip():
        lines = lines[1:]  # the title lives in front matter; chunks carry it anyway
    article_meta = ArticleMeta.model_construct(
        id=f"{prefix}{meta['id']}",
        title=title,
        summary="",
        category="technical",
        product_area="",
        tags=(),
        audience=Audience.PUBLIC,
        status=Status.PUBLISHED,
        owner=None,
        reviewed=None,
        review_every_days=180,
        sensitive=False,
        related=(),
        source_tickets=(),
    )
    return Article(meta=article_meta, path=f"{path.parent.parent.name}/kb/{path.name}", body="\n".join(lines), body_line=1)


def _question_text(row: dict) -> str:
    parts = []
    for turn in (row.get("context") or [])[-CONTEXT_TURNS:]:
        parts.append(str(turn.get("text", "")))
    if row.get("subject"):
        parts.append(str(row["subject"]))
    parts.append(str(row.get("body", "")))
    return "\n".join(p for p in parts if p.strip())


def load_dataset(folder: Path, prefix: str = "") -> Dataset:
    """Articles and questions of one dataset folder; `prefix` keeps ids unique when
    several datasets share one index."""
    articles = tuple(_article(p, prefix) for p in sorted((folder / "kb").glob("*.md")))
    questions = []
    with (folder / "tickets.jsonl").open() as handle:
        for line in handle:
            row = json.loads(line)
            gold = tuple(f"{prefix}{g}" for g in (row.get("gold_article_ids") or []))
            answerable = bool(gold) and row.get("answerable", True) is not False
            questions.append(
                Question(str(row["id"]), _question_text(row), gold, str(row.get("reference_answer") or ""), answerable)
            )
    return Dataset(folder.name, articles, tuple(questions))


def demo_dataset() -> Dataset:
    """The bundled demo KB (public, published articles only, as customers see them) and its
    escalated tickets, in the benchmarks' shape: a ticket resolved without an article is one
    the KB cannot answer."""
    from kbops.config import load_settings  # here: only the demo needs the project's settings
    from kbops.kb.loader import load_kb

    articles = tuple(a for a in load_kb(load_settings(REPO / "kbops.toml")).articles if a.is_public)
    questions = []
    with (REPO / "evals" / "tickets.jsonl").open() as handle:
        for line in handle:
            row = json.loads(line)
            gold = tuple(row.get("resolved_by_article_ids") or ())
            text = "\n".join(part for part in (row.get("subject", ""), row["body"]) if part)
            questions.append(Question(row["id"], text, gold, str(row.get("resolution", "")), bool(gold)))
    return Dataset("demo", articles, tuple(questions))


def shared_datasets() -> list[Path]:
    return [SHARED / name for name in KB_DATASETS if (SHARED / name / "kb").is_dir()]
