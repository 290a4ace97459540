"""Fusion of lexical and dense rankings into article hits (pure functions of `hybrid.py`)."""

from __future__ import annotations

import pytest

from kbops.index.hybrid import convex_fusion, group_by_article, minmax, rrf_scores

ARTICLE = {"a#1": "a", "a#2": "a", "b#1": "b", "c#1": "c"}


def test_minmax() -> None:
    assert minmax([("x", 10.0), ("y", 5.0), ("z", 0.0)]) == {"x": 1.0, "y": 0.5, "z": 0.0}
    assert minmax([("x", 3.0)]) == {"x": 1.0}
    assert minmax([]) == {}


def test_convex_fusion_prefers_agreement_and_respects_weights() -> None:
    rankings = {
        "lexical": [("b#1", 12.0), ("a#1", 6.0), ("c#1", 0.5)],
        "dense": [("a#2", 0.8), ("a#1", 0.7), ("b#1", 0.3)],
    }
    grouped, chunk_scores = convex_fusion(rankings, {"lexical": 0.4, "dense": 0.6}, ARTICLE)
    assert [g[0] for g in grouped] == ["a", "b", "c"]
    assert grouped[0][2][0] in ("a#1", "a#2")
    assert chunk_scores["b#1"] == pytest.approx(0.4)
    lexical_heavy, _ = convex_fusion(rankings, {"lexical": 1.0, "dense": 0.0}, ARTICLE)
    assert lexical_heavy[0][0] == "b"


def test_rrf_and_grouping() -> None:
    fused = rrf_scores({"lexical": [("a#1", 9), ("b#1", 1)], "dense": [("b#1", 0.9)]}, {}, k=60)
    assert fused["b#1"] == pytest.approx(1 / 62 + 1 / 61)
    grouped = group_by_article(fused, ARTICLE)
    assert [g[0] for g in grouped] == ["b", "a"]
