"""Ticket category: a linear model over embeddings, zero-shot from descriptions, out of scope."""

from __future__ import annotations

import numpy as np
import pytest

from kbops.index.embed import Embedder
from kbops.triage.classify import (
    OUT_OF_SCOPE,
    CategoryClassifier,
    ZeroShotClassifier,
    decide,
    out_of_scope_threshold,
)

HISTORY = {
    "billing": ["I was charged twice this month", "where can I download my invoice", "my card payment failed",
                "can I switch to yearly billing", "the invoice shows the wrong VAT number"],
    "technical": ["the app crashes when I open a project", "export to CSV gives an empty file",
                  "sync with google drive stopped working", "API returns error 500", "login page keeps reloading"],
    "feature request": ["please add a dark mode", "could you support gantt dependencies across projects",
                        "we would love an offline mode", "add a time tracking feature", "support for custom fields in reports"],
}
NEW = [("a duplicate charge appeared on my credit card", "billing"), ("the mobile app freezes on startup", "technical"),
       ("would be great to have keyboard shortcuts for everything", "feature request")]


@pytest.fixture(scope="module")
def classifier(embedder: Embedder) -> CategoryClassifier:
    texts = [t for items in HISTORY.values() for t in items]
    labels = [label for label, items in HISTORY.items() for _ in items]
    return CategoryClassifier.fit(embedder, texts, labels)


def test_a_model_fitted_on_history_categorises_new_tickets(classifier: CategoryClassifier) -> None:
    found = classifier.predict([text for text, _ in NEW])
    assert [c.label for c in found] == [label for _, label in NEW]
    assert all(0 < c.confidence <= 1 for c in found)
    assert classifier.probabilities([NEW[0][0]]).sum() == pytest.approx(1.0)


def test_zero_shot_uses_the_category_descriptions(embedder: Embedder) -> None:
    zero = ZeroShotClassifier(embedder, {
        "billing": "payments, invoices, charges, refunds and plans",
        "technical": "errors, crashes, bugs and things that do not work",
        "feature request": "asking for a capability the product does not have yet",
    })
    assert [c.label for c in zero.predict([text for text, _ in NEW])][:2] == ["billing", "technical"]


def test_below_the_threshold_a_ticket_is_out_of_scope() -> None:
    scores = np.array([[0.9, 0.1], [0.55, 0.45]])
    assert [c.label for c in decide(scores, ("a", "b"), 0.6)] == ["a", OUT_OF_SCOPE]
    assert [c.label for c in decide(scores, ("a", "b"), 0.0)] == ["a", "a"]


def test_a_zero_threshold_never_puts_a_ticket_out_of_scope() -> None:
    cosines = np.array([[-0.2, -0.05]])  # zero-shot scores are cosines and may all be negative
    assert [c.label for c in decide(cosines, ("a", "b"), 0.0)] == ["b"]


def test_the_out_of_scope_threshold_keeps_the_asked_share_in_scope() -> None:
    scores = np.array([[s, 1 - s] for s in np.linspace(0.5, 1.0, 101)])
    threshold = out_of_scope_threshold(scores, np.ones(101, dtype=bool), keep_in_scope=0.9)
    kept = (scores.max(axis=1) >= threshold).mean()
    assert 0.89 <= kept <= 0.92


def test_one_category_is_not_a_classifier(embedder: Embedder) -> None:
    with pytest.raises(ValueError, match="at least two categories"):
        CategoryClassifier.fit(embedder, ["a", "b"], ["billing", "billing"])
