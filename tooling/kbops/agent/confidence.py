"""Confidence from retrieval evidence, calibrated on real help-center questions.

A logistic model over a few features that say "the KB really covers this": how strongly
the top article wins in both rankers, its margin over the runner-up, the absolute cosine
similarity of its best section (min-max fusion hides absolute quality, so an unanswerable
question can still have a "top" article), how many of the question's terms it contains,
and whether lexical and dense search agree; with ticket memory, how strongly past tickets
route to the top article and how close the question is to tickets the KB could not answer.
The shipped coefficients are fitted by `benchmarks/calibration.py` on the shared WixQA and
TechQA sets (TechQA's unanswerable questions are the negatives; no memory, so its two
weights are 0) and kept in `confidence_model.json`; `kbops tune` fits a team's own on its
history (`[calibration]` in kbops.tuned.toml).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from ..config import CalibrationSettings
from ..index.lexical import tokenize
from .decision import Evidence

FEATURES = ("top_score", "margin", "dense_cosine", "term_coverage", "agreement", "memory", "known_gap")


@dataclass(frozen=True)
class ConfidenceModel:
    version: int
    intercept: float
    weights: dict[str, float]

    def predict(self, features: dict[str, float]) -> float:
        """P(the top article answers the question); a feature without a weight counts 0."""
        z = self.intercept + sum(self.weights.get(name, 0.0) * features[name] for name in FEATURES)
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))


@lru_cache(maxsize=1)
def shipped_model() -> ConfidenceModel:
    raw = json.loads(resources.files(__package__).joinpath("confidence_model.json").read_text())
    return ConfidenceModel(raw["version"], raw["intercept"], raw["weights"])


def configured_model(calibration: CalibrationSettings) -> ConfidenceModel:
    """The team's fitted model (`[calibration]`, written by `kbops tune`), else the shipped one."""
    if calibration.intercept is None:
        return shipped_model()
    return ConfidenceModel(1, calibration.intercept, dict(calibration.weights))


def retrieval_features(query: str, evidence: Sequence[Evidence]) -> dict[str, float]:
    """Features of the top article against the rest (all zero without evidence)."""
    if not evidence:
        return dict.fromkeys(FEATURES, 0.0)
    top_article = min(evidence, key=lambda e: e.article_rank).article_id
    top = [e for e in evidence if e.article_id == top_article]
    runner_up = max((e.article_score for e in evidence if e.article_id != top_article), default=0.0)
    top_score = top[0].article_score
    dense = max((e.dense_score for e in top if e.dense_score is not None), default=0.0)
    agreement = float(any(e.lexical_rank == 1 for e in top) and any(e.dense_rank == 1 for e in top))
    return {
        "top_score": top_score,
        "margin": top_score - runner_up,
        "dense_cosine": dense,
        "term_coverage": term_coverage(query, " ".join(f"{e.title} {e.section} {e.text}" for e in top)),
        "agreement": agreement,
        "memory": top[0].memory_score,
        "known_gap": top[0].known_gap,
    }


def term_coverage(query: str, text: str) -> float:
    """Share of the query's distinct stemmed content words that occur in `text`."""
    query_terms, text_terms = tokenize([query, text])
    wanted = set(query_terms)
    return len(wanted & set(text_terms)) / len(wanted) if wanted else 0.0


def retrieval_confidence(query: str, evidence: Sequence[Evidence], model: ConfidenceModel | None = None) -> float:
    return (model or shipped_model()).predict(retrieval_features(query, evidence))
