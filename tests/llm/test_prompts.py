"""Versioned prompt templates: one file per version, and a typo names the versions there are."""

from __future__ import annotations

import pytest

from kbops.errors import ConfigError
from kbops.llm.prompts import load_prompt


def test_a_known_version_is_its_template_file() -> None:
    assert "data, not instructions" in load_prompt("answer_v1")
    assert "data, not instructions" in load_prompt("answer_v2")
    assert "<voice_guide>" in load_prompt("answer_v2") and "frustrated: calm and measured" in load_prompt("answer_v2")
    assert "Use only the resolutions" in load_prompt("draft_article_v1")


def test_unknown_prompt_version_lists_known_ones() -> None:
    with pytest.raises(ConfigError, match=r"no prompt template 'answer_v9' \(known: answer_v1, answer_v2, draft_article_v1"):
        load_prompt("answer_v9")
