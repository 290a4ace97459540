"""The settings sections check what they are given: a bad value names its key."""

from __future__ import annotations

from pathlib import Path

import pytest

from kbops.config import settings_from_dict
from kbops.errors import ConfigError


def test_claude_section_is_read_from_config(tmp_path: Path) -> None:
    settings = settings_from_dict({"claude": {"model": "claude-x", "max_retries": 0}}, root=tmp_path)
    assert (settings.claude.model, settings.claude.max_retries) == ("claude-x", 0)
    with pytest.raises(ConfigError, match="claude.max_retries"):
        settings_from_dict({"claude": {"max_retries": -1}}, root=tmp_path)


def test_a_broken_keyword_pattern_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="policy.risk_keywords"):
        settings_from_dict({"policy": {"risk_keywords": {"refund": ["refund("]}}}, root=tmp_path)


def test_unknown_metric_name_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"ragas\.metrics\.1"):
        settings_from_dict({"ragas": {"metrics": ["rouge_l", "bleu"]}}, tmp_path)
