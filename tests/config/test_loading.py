"""Finding and reading kbops.toml: defaults, the file found upwards, environment overrides,
and errors that name the bad key."""

from __future__ import annotations

from pathlib import Path

import pytest

from kbops.config import load_settings
from kbops.errors import ConfigError
from tests.conftest import run_kbops


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


# --- values the types accept but kbops cannot use: exit 2, naming kbops.toml and the key -------


@pytest.mark.parametrize(
    ("toml", "key", "says"),
    [
        ('[embedding]\nmodel = "openai:text-embedding-3-small"\n', "embedding.model", "is not a known model"),
        ('[embedding]\nmodel = "builtin:bge-small"\n', "embedding.model", "unknown model"),
        ('[embedding]\nmodel = "models/missing"\n', "embedding.model", "nor an existing folder"),
        ('[embedding]\nmodel = "sentence-transformers:"\n', "embedding.model", "needs a model name"),
        ('[index]\nchroma_url = "http://:99999"\n', "index.chroma_url", "Port out of range"),
        ('[index]\nchroma_url = "ftp://[::1"\n', "index.chroma_url", "Invalid IPv6 URL"),
        ('[index]\nchroma_url = "not a url"\n', "index.chroma_url", "is not a URL like http://127.0.0.1:8000"),
        ('[claude]\nprompt_version = "answer_v9"\n', "claude.prompt_version", "known: answer_v1"),
        ('[claude]\nprompt_version = "../../etc/passwd"\n', "claude.prompt_version", "no prompt template"),
        ('[claude]\nbase_url = "api.anthropic.com"\n', "claude.base_url", "is not a URL like"),
        ('[agent]\narticle_url = "https://help.example.com/{slug}/"\n', "agent.article_url", "not a link template"),
    ],
)
def test_unusable_values_name_the_file_and_key(tmp_path: Path, toml: str, key: str, says: str) -> None:
    config = tmp_path / "kbops.toml"
    config.write_text(toml)
    with pytest.raises(ConfigError) as err:
        load_settings(config)
    assert err.value.exit_code == 2
    assert str(err.value).startswith(f"{config}: invalid configuration:")
    assert f"  {key}: " in str(err.value) and says in str(err.value)


def test_usable_values_pass(tmp_path: Path) -> None:
    model = tmp_path / "models" / "mini"
    model.mkdir(parents=True)
    (model / "model.onnx").write_bytes(b"")
    (model / "tokenizer.json").write_text("{}")
    config = tmp_path / "kbops.toml"
    config.write_text('[embedding]\nmodel = "models/mini"\n[index]\nchroma_url = "localhost:8000"\n'
                      '[agent]\narticle_url = "https://help.example.com/{id}/"\n')
    settings = load_settings(config)
    assert settings.index.chroma_url == "localhost:8000"


def test_a_bad_chroma_url_in_the_environment_names_the_variable(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KBOPS_CHROMA_URL", "http://:abc")
    with pytest.raises(ConfigError, match=r"^KBOPS_CHROMA_URL \(overrides index.chroma_url of kbops.toml\): "):
        load_settings(start=tmp_path)


@pytest.mark.slow
def test_cli_exits_2_naming_kbops_toml(tmp_path: Path) -> None:
    (tmp_path / "kb").mkdir()
    (tmp_path / "kbops.toml").write_text('[index]\nchroma_url = "http://:99999"\n[embedding]\nmodel = "nope"\n')
    result = run_kbops("search", "export", cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "kbops.toml: invalid configuration:" in result.stderr
    assert "index.chroma_url: 'http://:99999'" in result.stderr and "embedding.model: 'nope'" in result.stderr
