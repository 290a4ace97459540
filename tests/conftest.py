"""Shared fixtures (an empty KB project, the offline embedder, the Messages API stub) and
the real `kbops` entry point.

`tests/` is a package, so every test module imports as `tests.<stage>.test_<module>` and
the helpers as `from tests.conftest import ...`, `from tests.factories import ...` (the
objects tests build), `from tests.messages_stub import ...`.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from kbops.index.embed import Embedder, EmbeddingModelMissing
from kbops.index.embedders import make_embedder
from kbops.index.minilm import BUILTIN_MODEL
from tests.messages_stub import MessagesStub, Sleeps, messages_stub

REPO = Path(__file__).resolve().parents[1]
KBOPS = Path(sys.executable).parent / "kbops"


@pytest.fixture
def kb_dir(tmp_path: Path) -> Path:
    """An empty KB folder inside a project folder with a kbops.toml."""
    (tmp_path / "kbops.toml").write_text('[kb]\npath = "kb"\n')
    folder = tmp_path / "kb"
    folder.mkdir()
    return folder


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """The project's default offline embedder (all-MiniLM-L6-v2 in ONNX), loaded once."""
    try:
        return make_embedder(BUILTIN_MODEL)
    except EmbeddingModelMissing as exc:
        pytest.skip(str(exc))


@pytest.fixture
def stub() -> Iterator[MessagesStub]:
    """A local Messages API on 127.0.0.1 for the real `anthropic` SDK (tests/messages_stub.py)."""
    with messages_stub() as server:
        yield server


@pytest.fixture
def sleeps() -> Sleeps:
    """The waits a Claude client under test would have slept, in order."""
    return Sleeps()


def run_kbops(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the installed `kbops` script, as a user would."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([str(KBOPS), *args], cwd=cwd, capture_output=True, text=True, env=full_env, timeout=300)
