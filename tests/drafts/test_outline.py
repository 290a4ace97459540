"""The offline outline writer: a draft built only from the specialists' reusable sentences."""

from __future__ import annotations

from pathlib import Path

from kbops.drafts.model import DraftAction
from kbops.drafts.outline import sentences, split_resolution
from kbops.index.embed import Embedder
from kbops.kb.lint import lint_kb
from kbops.kb.loader import load_kb, parse_article
from tests.gaps.topics import EXPORT, TODAY, TOPICS, plan_for


def test_resolutions_split_into_causes_and_steps() -> None:
    causes, steps = split_resolution(
        "Hi Jo! Tasklane doesn't have dark mode yet, e.g. on iOS. In the meantime you can use Dark Reader, "
        "though we can't guarantee it. Open Settings → Display and pick High contrast. I've logged your vote. "
        "Thanks!")
    assert causes == ["Tasklane doesn't have dark mode yet, e.g. on iOS."]
    assert steps == ["In the meantime you can use Dark Reader, though we can't guarantee it.",
                     "Open Settings → Display and pick High contrast."]
    assert sentences("One. Two (e.g. three). Four?") == ["One.", "Two (e.g. three).", "Four?"]


def test_outline_is_built_from_the_resolutions_and_lints_clean(tmp_path: Path, embedder: Embedder) -> None:
    plan, settings, gap = plan_for(tmp_path, embedder, "time", EXPORT)
    assert plan.action is DraftAction.NEW and plan.path.startswith("kb/drafts/") and plan.path.endswith(".md")
    for _, _, resolution in TOPICS["time"]:
        causes, steps = split_resolution(resolution)
        for sentence in causes + steps:
            assert sentence in plan.text  # every reusable sentence of every resolution
    assert "logged your request" not in plan.text and "added your vote" not in plan.text
    assert "## Problem" in plan.text and "## Cause" in plan.text and "## Steps" in plan.text
    assert "1. As a workaround some teams add a number custom field" in plan.text
    article = parse_article(plan.path, plan.text.encode(), settings)
    assert not hasattr(article, "code"), article
    assert article.meta.status == "draft" and article.meta.owner is None
    assert set(article.meta.source_tickets) == {"T-0", "T-1"} == set(gap.ticket_ids)
    (tmp_path / plan.path).parent.mkdir(parents=True)
    (tmp_path / plan.path).write_text(plan.text)
    findings = [f for f in lint_kb(load_kb(settings), settings, today=TODAY) if f.path == plan.path]
    assert [f.code for f in findings] == ["missing-owner"]
