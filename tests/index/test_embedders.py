"""`embedding.model` to an embedder: the built-in model, a model folder, and errors that
list the accepted forms."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kbops.errors import ConfigError, KbopsError
from kbops.index import embedders
from kbops.index import minilm as E
from tests.index.conftest import SENTENCES


def test_make_embedder_builtin_and_folder(model_dir: Path) -> None:
    builtin = embedders.make_embedder(E.BUILTIN_MODEL, cache_dir=model_dir.parent.parent, wheel_dirs=[])
    assert builtin.name == "builtin:all-MiniLM-L6-v2" and builtin.dim == 384
    from_path = embedders.make_embedder(str(model_dir))
    assert isinstance(from_path, E.MiniLMOnnxEmbedder)
    np.testing.assert_allclose(
        from_path.embed(SENTENCES[:1]), builtin.embed(SENTENCES[:1]), atol=1e-6
    )


@pytest.mark.parametrize(
    "spec", ["openai:text-embedding-3-small", "builtin:bge-small", "chroma:other", "minilm"]
)
def test_unknown_model_lists_accepted_forms(spec: str) -> None:
    with pytest.raises(ConfigError) as info:
        embedders.make_embedder(spec)
    assert "builtin:all-MiniLM-L6-v2" in str(info.value) and "chroma:default" in str(info.value)


def test_missing_model_folder(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        embedders.make_embedder(str(tmp_path / "nope"))
    with pytest.raises(ConfigError, match="no model.onnx"):
        embedders.make_embedder(str(tmp_path))


def test_sentence_transformers_not_installed_is_clear() -> None:
    try:
        import sentence_transformers  # noqa: F401
    except ImportError:
        pass
    else:
        pytest.skip("sentence-transformers is installed")
    with pytest.raises(KbopsError, match="pip install sentence-transformers"):
        embedders.make_embedder("sentence-transformers:all-MiniLM-L6-v2")
