"""Finding and reading kbops.toml: defaults, the file found upwards, environment overrides,
and errors that name the bad key."""

from __future__ import annotations

from pathlib import Path

import pytest

from kbops.config import load_settings
from kbops.errors import ConfigError


def test_defaults_without_a_file(tmp_path: Path) -> None:
    settings = load_settings(start=tmp_path)
    assert settings.kb_dir == (tmp_path / "kb").resolve()
    assert settings.embedding.model == "builtin:all-MiniLM-L6-v2"


def test_found_upwards_and_relative_to_its_folder(tmp_path: Path) -> None:
    (tmp_path / "kbops.toml").write_text('[kb]\npath = "articles"\n')
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    assert load_settings(start=nested).kb_dir == (tmp_path / "articles").resolve()


def test_unknown_key_lists_the_known_ones(tmp_path: Path) -> None:
    config = tmp_path / "kbops.toml"
    config.write_text('[index]\nchroma_ur = "http://x"\n')
    with pytest.raises(ConfigError) as err:
        load_settings(config)
    assert "index.chroma_ur: unknown key" in str(err.value)
    assert "chroma_url" in str(err.value)


def test_wrong_type_and_bad_toml(tmp_path: Path) -> None:
    config = tmp_path / "kbops.toml"
    config.write_text("[lint]\nnear_duplicate_title = 'high'\n")
    with pytest.raises(ConfigError, match="lint.near_duplicate_title"):
        load_settings(config)
    config.write_text("[lint\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(config)


def test_env_overrides_chroma_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KBOPS_CHROMA_URL", "http://127.0.0.1:9")
    assert load_settings(start=tmp_path).chroma_url == "http://127.0.0.1:9"
