"""Pick the embedding model named in kbops.toml (`embedding.model`), behind the shared cache.

`builtin:all-MiniLM-L6-v2` (default) never downloads; a folder holding `model.onnx` runs
the same ONNX recipe; `chroma:default` and `sentence-transformers:<name>` are for online
users and may download weights.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Sequence
from pathlib import Path

from ..config import Settings
from ..errors import ConfigError, KbopsError
from ..files import Notify
from .embed import ChromaFunctionEmbedder, Embedder
from .embed_cache import CachedEmbedder
from .minilm import BATCH_SIZE, BUILTIN_MODEL, MiniLMOnnxEmbedder, ensure_model

CHROMA_DEFAULT = "chroma:default"
SENTENCE_TRANSFORMERS_PREFIX = "sentence-transformers:"
ACCEPTED_FORMS = (
    f"{BUILTIN_MODEL!r} (default, offline), a path to a folder containing model.onnx, "
    f"{CHROMA_DEFAULT!r} (downloads chromadb's model), or "
    f"'{SENTENCE_TRANSFORMERS_PREFIX}<model name or path>' (needs sentence-transformers)"
)


def _chroma_default() -> Embedder:
    from chromadb.utils.embedding_functions import (
        DefaultEmbeddingFunction,  # lazy: chromadb is slow to import
    )

    return ChromaFunctionEmbedder(DefaultEmbeddingFunction(), CHROMA_DEFAULT, dim=384)


def _sentence_transformers(model_name: str) -> Embedder:
    if not model_name:
        raise ConfigError(
            f"embedding.model: {SENTENCE_TRANSFORMERS_PREFIX!r} needs a model name or path after the colon"
        )
    if importlib.util.find_spec("sentence_transformers") is None:
        raise KbopsError(
            f"embedding model '{SENTENCE_TRANSFORMERS_PREFIX}{model_name}' needs the sentence-transformers "
            f"package; run `pip install sentence-transformers`, or use {BUILTIN_MODEL!r}"
        )
    # lazy: chromadb is slow to import, and this route needs sentence-transformers
    from chromadb.utils.embedding_functions import SentenceTransformerEmbeddingFunction

    function = SentenceTransformerEmbeddingFunction(
        model_name=model_name, device="cpu", normalize_embeddings=True
    )
    model = getattr(function, "_model", None)
    probe = getattr(model, "get_sentence_embedding_dimension", None)
    dim = probe() if callable(probe) else None
    return ChromaFunctionEmbedder(function, f"{SENTENCE_TRANSFORMERS_PREFIX}{model_name}", dim=dim)


def _looks_like_path(model: str) -> bool:
    return model.startswith((".", "~", "/")) or os.sep in model or "/" in model


def _from_folder(model: str, batch_size: int) -> Embedder | None:
    folder = Path(model).expanduser()
    if folder.is_dir():
        if not (folder / "model.onnx").is_file():
            raise ConfigError(
                f"embedding.model: model folder {folder} has no model.onnx; accepted: {ACCEPTED_FORMS}"
            )
        return MiniLMOnnxEmbedder(folder, batch_size=batch_size)
    if _looks_like_path(model):
        raise ConfigError(
            f"embedding.model: model folder {folder} does not exist; accepted: {ACCEPTED_FORMS}"
        )
    return None


def make_embedder(
    model: str = BUILTIN_MODEL,
    *,
    cache_dir: Path | None = None,
    wheel_dirs: Sequence[Path] | None = None,
    batch_size: int = BATCH_SIZE,
) -> Embedder:
    """Build the embedder named by `embedding.model` in kbops.toml."""
    model = model.strip()
    if model == BUILTIN_MODEL:
        return MiniLMOnnxEmbedder(
            ensure_model(cache_dir, wheel_dirs), name=BUILTIN_MODEL, batch_size=batch_size
        )
    if model == CHROMA_DEFAULT:
        return _chroma_default()
    if model.startswith(SENTENCE_TRANSFORMERS_PREFIX):
        return _sentence_transformers(model.removeprefix(SENTENCE_TRANSFORMERS_PREFIX).strip())
    if (
        not model.startswith(("builtin:", "chroma:"))
        and (embedder := _from_folder(model, batch_size)) is not None
    ):
        return embedder
    raise ConfigError(f"embedding.model: unknown model {model!r}; accepted: {ACCEPTED_FORMS}")


def embedder_for(settings: Settings, notify: Notify | None = None) -> Embedder:
    """The configured model, behind the shared embedding cache unless it is disabled. A
    model folder is relative to the project, like every path in kbops.toml."""
    model = settings.embedding.model.strip()
    if _looks_like_path(model) and not model.startswith(("builtin:", "chroma:", SENTENCE_TRANSFORMERS_PREFIX)):
        model = str(settings.root / Path(model).expanduser())
    embedder = make_embedder(model)
    cache = settings.embedding_cache_path
    return CachedEmbedder(embedder, cache, notify, project=settings.root) if cache else embedder
