"""The Article model: who may see an article, and what makes it sensitive."""

from __future__ import annotations

from tests.factories import article


def test_public_means_public_and_published() -> None:
    assert article("a").is_public
    assert not article("a", audience="internal").is_public
    assert not article("a", status="draft").is_public


def test_sensitive_true_is_a_generic_risk() -> None:
    assert article("a", sensitive="true").risk_topics == ("sensitive",)
