"""The Embedder protocol: a counting wrapper for tests and benchmarks, and an import that
stays light (no ONNX runtime, tokenizer or chromadb until an embedder is built)."""

from __future__ import annotations

import subprocess
import sys

from kbops.index import embed
from kbops.index import minilm as E
from tests.index.conftest import SENTENCES


def test_counting_embedder(minilm: E.MiniLMOnnxEmbedder) -> None:
    counting = embed.CountingEmbedder(minilm)
    counting.embed(SENTENCES[:2])
    counting.embed([SENTENCES[2]])
    assert (counting.calls, counting.texts) == (2, 3)
    assert counting.name == minilm.name and counting.dim == 384
    assert isinstance(counting, embed.Embedder)
    counting.reset()
    assert (counting.calls, counting.texts) == (0, 0)


def test_import_does_not_load_heavy_libraries() -> None:
    code = (
        "import sys, kbops.index.embed; "
        "print(','.join(m for m in ('onnxruntime', 'tokenizers', 'onnx', 'chromadb', 'torch') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""
