"""Planning a draft: a new article, or an edit of the article it would duplicate (a patch
`git apply` takes)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from kbops.config import Settings
from kbops.drafts.model import DraftAction, DraftContent
from kbops.drafts.outline import OutlineWriter, source_tickets
from kbops.drafts.planner import duplicate_of, edit_article
from kbops.gaps.model import GapKind
from kbops.index.embed import Embedder
from kbops.index.matrix import ArticleMatrix
from kbops.kb.loader import load_kb, parse_article
from tests.factories import article_text, commit_all, draft_plan, kb_project, ticket
from tests.factories import gap as make_gap
from tests.gaps.topics import DARK_MODE, EXPORT, TOPICS, plan_for

GAP = make_gap()


def test_duplicate_guard_proposes_an_edit_instead(tmp_path: Path, embedder: Embedder) -> None:
    covered, _, covered_gap = plan_for(tmp_path / "covered", embedder, "dark", DARK_MODE, EXPORT)
    assert covered_gap.kind is GapKind.FAILING and covered_gap.covering_article == "dark-mode"
    assert covered.action is DraftAction.EDIT and covered.article_id == "dark-mode"
    # With the coverage call switched off, the guard still catches the near-duplicate draft.
    plan, settings, gap = plan_for(tmp_path, embedder, "dark", DARK_MODE, EXPORT, cover=1.0)
    assert gap.kind is GapKind.MISSING
    assert plan.action is DraftAction.EDIT and plan.article_id == "dark-mode" and plan.path == "kb/dark-mode.md"
    assert any("near-duplicate" in w and "kb/dark-mode.md" in w for w in plan.warnings)
    assert plan.patch.startswith("--- a/kb/dark-mode.md\n+++ b/kb/dark-mode.md\n")
    assert "+source_tickets: [T-0, T-1]" in plan.patch
    added = [line[1:] for line in plan.patch.splitlines() if line.startswith("+") and not line.startswith("+++")]
    assert "## Problem" not in added  # one new section, not a second article inside
    assert any(line.startswith("## ") for line in added) and any(line.startswith("1. ") for line in added)
    assert any("Dark Reader" in line for line in added)
    edited = parse_article(plan.path, plan.text.encode(), settings)
    assert edited.meta.source_tickets == ("T-0", "T-1") and edited.meta.owner == "sam"

    time_plan, _, _ = plan_for(tmp_path / "other", embedder, "time", DARK_MODE, EXPORT)
    assert time_plan.action is DraftAction.NEW  # a different topic is not a duplicate
    matrix = ArticleMatrix.build(load_kb(settings).articles, embedder)
    content = OutlineWriter(embedder).write(gap, source_tickets(gap, [
        ticket(f"T-{n}", q, subject=s, resolution=r) for n, (s, q, r) in enumerate(TOPICS["dark"])]), [])
    found = duplicate_of(content, matrix, embedder, settings.gaps.duplicate_similarity)
    assert found is not None and found[0] == "dark-mode"
    assert duplicate_of(content, matrix, embedder, 0.99) is None


def test_edit_is_a_patch_git_applies(tmp_path: Path) -> None:
    root = kb_project(tmp_path / "project", article_text("export-project-csv", title="Export to CSV"))
    commit_all(root)
    settings = Settings(root=root)
    article = load_kb(settings).get("export-project-csv")
    original = (root / article.path).read_text()
    content = DraftContent("Time tracking", "s", "Answer first.\n\n## Steps\n\n1. Do it.\n", (), "offline")
    plan = draft_plan(article.path, of=GAP, article_id=article.id, action=DraftAction.EDIT,
                      text=edit_article(article, original, content, GAP), original=original)
    edited = parse_article(plan.path, plan.text.encode(), settings)
    assert edited.meta.source_tickets == ("T-1", "T-2") and "## Time tracking" in edited.body
    patch = tmp_path / "edit.patch"
    patch.write_text(plan.patch)
    subprocess.run(["git", "apply", "--check", str(patch)], cwd=root, check=True)
