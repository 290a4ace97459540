"""Ticket category, offline: a linear model over sentence embeddings, or zero-shot.

The first piece of triage (issue 14). With a team's labelled history the category is a
multinomial logistic regression over the project's embeddings (normalised MiniLM vectors:
one embedding per ticket, shared with retrieval's cache, seconds to fit on 2 cores). With
no history, each category's description is embedded and a ticket takes the closest one
(zero-shot). Either way a ticket whose best probability (or similarity) is below a
threshold is `out_of_scope` rather than forced into the nearest category.
Measured by benchmarks/triage_bench.py (banking77, CLINC150).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ..index.embed import Embedder

OUT_OF_SCOPE = "out_of_scope"


@dataclass(frozen=True)
class Category:
    label: str
    """A taxonomy label, or `out_of_scope`."""
    confidence: float
    """The model's probability of `label` (zero-shot: the cosine to its description)."""


class CategoryClassifier:
    """Fitted on (text, label) pairs; predicts a Category per text."""

    def __init__(self, embedder: Embedder, labels: Sequence[str], model: object, threshold: float = 0.0) -> None:
        self.embedder = embedder
        self.labels = tuple(labels)
        self._model = model
        self.threshold = threshold
        """Best probability below which a ticket is `out_of_scope` (0: never)."""

    @classmethod
    def fit(cls, embedder: Embedder, texts: Sequence[str], labels: Sequence[str],
            regularisation: float = 10.0) -> CategoryClassifier:
        """A multinomial logistic regression on the texts' embeddings (L2, `regularisation`
        is sklearn's C: larger trusts the examples more)."""
        from sklearn.linear_model import LogisticRegression  # lazy: only triage fits models

        if len(set(labels)) < 2:
            raise ValueError("a category classifier needs examples of at least two categories")
        model = LogisticRegression(C=regularisation, max_iter=2000)
        model.fit(embedder.embed(list(texts)), list(labels))
        return cls(embedder, [str(c) for c in model.classes_], model)

    @property
    def model(self) -> object:
        """The fitted model (anything with `predict_proba` over embedding rows)."""
        return self._model

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """Rows of P(category | text), columns in `self.labels` order."""
        return self.scores(self.embedder.embed(list(texts)))

    def scores(self, vectors: np.ndarray) -> np.ndarray:
        """`probabilities` of texts already embedded (with this classifier's embedder)."""
        return np.asarray(self._model.predict_proba(vectors))  # type: ignore[attr-defined]

    def predict(self, texts: Sequence[str]) -> list[Category]:
        return decide(self.probabilities(texts), self.labels, self.threshold)


class ZeroShotClassifier:
    """No history yet: the category whose description is closest to the ticket."""

    def __init__(self, embedder: Embedder, descriptions: Mapping[str, str], threshold: float = 0.0) -> None:
        if not descriptions:
            raise ValueError("zero-shot triage needs at least one category description")
        self.embedder = embedder
        self.labels = tuple(descriptions)
        self._vectors = embedder.embed([f"{label}: {text}" for label, text in descriptions.items()])
        self.threshold = threshold
        """Cosine below which a ticket is `out_of_scope` (0: never)."""

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """Cosine similarity to each description (a score, not a probability)."""
        return self.scores(self.embedder.embed(list(texts)))

    def scores(self, vectors: np.ndarray) -> np.ndarray:
        """`probabilities` of texts already embedded (with this classifier's embedder)."""
        return np.asarray(vectors @ self._vectors.T)

    def predict(self, texts: Sequence[str]) -> list[Category]:
        return decide(self.probabilities(texts), self.labels, self.threshold)


def decide(scores: np.ndarray, labels: Sequence[str], threshold: float) -> list[Category]:
    """The best label per row, or `out_of_scope` when its score is below a positive `threshold`."""
    found = []
    for row in scores:
        best = int(np.argmax(row))
        score = float(row[best])
        in_scope = threshold <= 0 or score >= threshold  # 0 means never: a cosine may be negative
        found.append(Category(labels[best] if in_scope else OUT_OF_SCOPE, round(score, 4)))
    return found


def out_of_scope_threshold(scores: np.ndarray, in_scope: np.ndarray, keep_in_scope: float = 0.95) -> float:
    """The threshold on the best score that keeps `keep_in_scope` of in-scope tickets in
    scope (a validation split's best scores; the rest of them become out of scope)."""
    best = scores.max(axis=1)[in_scope]
    if len(best) == 0:
        return 0.0
    return round(float(np.quantile(best, 1 - keep_in_scope)), 4)
