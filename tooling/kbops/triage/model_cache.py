"""The fitted category model as plain numbers, cached as JSON under `.kbops/triage/`.

Fitting on a few thousand labelled tickets takes seconds; `kbops triage` runs per ticket,
so the weights are kept between commands, keyed by the history's fingerprint, the
embedder's name and what the fit learns from (a new import, another model or another
example cap means a new fit). JSON, not pickle: a state file must never be able to run
code, and a bad one is set aside and refitted.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..files import Notify, heal, write_atomic

CACHE_VERSION = 1
PREFIX = "classifier-"


@dataclass(frozen=True)
class LinearModel:
    """A logistic regression's weights: P(class | x) = softmax(x @ coef.T + intercept)
    (one row of weights for two classes, as scikit-learn stores a binary model)."""

    classes: tuple[str, ...]
    coef: np.ndarray
    intercept: np.ndarray

    @classmethod
    def from_sklearn(cls, model: Any) -> LinearModel:
        return cls(tuple(str(c) for c in model.classes_), np.asarray(model.coef_, dtype=np.float64),
                   np.asarray(model.intercept_, dtype=np.float64))

    def predict_proba(self, vectors: np.ndarray) -> np.ndarray:
        scores = np.asarray(vectors, dtype=np.float64) @ self.coef.T + self.intercept
        if len(self.classes) == 2 and scores.shape[1] == 1:
            scores = np.hstack([np.zeros_like(scores), scores])
        scores -= scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        return exp / exp.sum(axis=1, keepdims=True)

    def to_json(self) -> dict[str, Any]:
        return {"classes": list(self.classes), "coef": self.coef.tolist(), "intercept": self.intercept.tolist()}

    @classmethod
    def from_json(cls, data: Any) -> LinearModel:
        """ValueError when the data is not a consistent model."""
        if not isinstance(data, dict):
            raise ValueError("not an object")
        classes = data.get("classes")
        if not isinstance(classes, list) or len(classes) < 2 or not all(isinstance(c, str) for c in classes):
            raise ValueError("classes must be a list of at least two names")
        coef = np.asarray(data.get("coef"), dtype=np.float64)
        intercept = np.asarray(data.get("intercept"), dtype=np.float64)
        rows = 1 if len(classes) == 2 else len(classes)
        if coef.ndim != 2 or coef.shape[0] != rows or intercept.shape != (rows,) or not np.isfinite(coef).all():
            raise ValueError(f"weights do not fit {len(classes)} classes")
        return cls(tuple(classes), coef, intercept)


def cache_key(fingerprint: str, embedder: str, labels: Sequence[str], min_examples: int,
              max_examples_per_category: int) -> str:
    """What the fit depends on: the history, the embedder, the labels it learns from and
    how many examples of each."""
    text = json.dumps([CACHE_VERSION, fingerprint, embedder, sorted(set(labels)), min_examples,
                       max_examples_per_category])
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def load_or_fit(folder: Path | None, key: str, fit: Callable[[], LinearModel], notify: Notify | None) -> LinearModel:
    """The cached model for `key`, or `fit()` saved atomically (older fits are removed)."""
    if folder is None:
        return fit()
    path = folder / f"{PREFIX}{key}.json"
    if path.is_file():
        try:
            return LinearModel.from_json(json.loads(path.read_text(encoding="utf-8"))["model"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            heal(path, f"unreadable category model ({exc})", "refitting it", notify)
    model = fit()
    write_atomic(path, json.dumps({"version": CACHE_VERSION, "key": key, "model": model.to_json()}))
    for old in folder.glob(f"{PREFIX}*.json"):
        if old != path:
            old.unlink(missing_ok=True)
    return model
