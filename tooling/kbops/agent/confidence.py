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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from ..config import CalibrationSettings
from ..index.lexical import tokenize
from .decision import Evidence

FEATURES = ("top_score", "margin", "dense_cosine", "term_coverage", "agreement", "dense_margin", "lexical_share",
            "rank_support", "known_gap")
"""The logistic model's inputs. `retrieval_features` also gives `memory`, which is combined
outside the logistic (see `ConfidenceModel.predict`)."""
MEMORY_TRUST = 0.5
"""How far the shipped model lets a memory route raise confidence: half way, because the
paraphrase model's probabilities assume as many paraphrases as other questions (they
overstate), and one article is not always the whole answer (44 of WixQA's 160 questions
need two). `kbops tune` sets a team's own (`calibration.memory_trust`): 0 until its history
shows memory's routes are right."""


@dataclass(frozen=True)
class ConfidenceModel:
    """P(the top article answers the question), as one logistic model (the shipped one) or,
    when a team's history allows (`kbops tune`), as P(the KB covers the question) times
    P(the top article is right | it does): tickets the KB cannot answer then shape only
    the first factor, so a history full of off-topic tickets does not blur how the model
    ranks the answerable ones."""

    version: int
    intercept: float
    weights: dict[str, float]
    coverage_intercept: float | None = None
    coverage_weights: dict[str, float] = field(default_factory=dict)
    memory_trust: float = MEMORY_TRUST

    def predict(self, features: dict[str, float]) -> float:
        """The retrieval evidence's probability (a feature without a weight counts 0), then
        ticket memory as independent evidence: the top article is wrong only if retrieval
        is wrong *and* no earlier customer asked the same question and was answered with it
        (`memory` is that chance, a noisy-or of paraphrase probabilities, `index/memory.py`)."""
        answered = _logistic(self.intercept, self.weights, features)
        if self.coverage_intercept is not None:
            answered *= _logistic(self.coverage_intercept, self.coverage_weights, features)
        memory = min(1.0, max(0.0, features.get("memory", 0.0)))
        return 1.0 - (1.0 - answered) * (1.0 - self.memory_trust * memory)


def _logistic(intercept: float, weights: dict[str, float], features: dict[str, float]) -> float:
    z = intercept + sum(weights.get(name, 0.0) * features[name] for name in FEATURES)
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))


@lru_cache(maxsize=1)
def shipped_model() -> ConfidenceModel:
    raw = json.loads(resources.files(__package__).joinpath("confidence_model.json").read_text())
    return ConfidenceModel(raw["version"], raw["intercept"], raw["weights"])


def configured_model(calibration: CalibrationSettings) -> ConfidenceModel:
    """The team's fitted model (`[calibration]`, written by `kbops tune`), else the shipped one."""
    if calibration.intercept is None:
        return shipped_model()
    return ConfidenceModel(1, calibration.intercept, dict(calibration.weights), calibration.coverage_intercept,
                           dict(calibration.coverage_weights),
                           MEMORY_TRUST if calibration.memory_trust is None else calibration.memory_trust)


def retrieval_features(query: str, evidence: Sequence[Evidence]) -> dict[str, float]:
    """Features of the top article against the rest (all zero without evidence).

    Besides the fused scores (normalised within the query), the absolute evidence: how far
    the top article's best cosine beats any other article's (`dense_margin`), its share of
    the best BM25 score (`lexical_share`), and how high each ranker put it (`rank_support`,
    the mean of 1/rank): an article only one ranker likes is a weaker bet."""
    if not evidence:
        return dict.fromkeys(FEATURES, 0.0)
    top_article = min(evidence, key=lambda e: e.article_rank).article_id
    top = [e for e in evidence if e.article_id == top_article]
    rest = [e for e in evidence if e.article_id != top_article]
    runner_up = max((e.article_score for e in rest), default=0.0)
    top_score = top[0].article_score
    dense = _best(e.dense_score for e in top)
    lexical_best = _best(e.hit.lexical_score for e in evidence)
    lexical_rank = min((e.lexical_rank for e in top if e.lexical_rank), default=None)
    dense_rank = min((e.dense_rank for e in top if e.dense_rank), default=None)
    agreement = float(lexical_rank == 1 and dense_rank == 1)
    return {
        "top_score": top_score,
        "margin": top_score - runner_up,
        "dense_cosine": dense,
        "term_coverage": term_coverage(query, " ".join(f"{e.title} {e.section} {e.text}" for e in top)),
        "agreement": agreement,
        "dense_margin": dense - _best(e.dense_score for e in rest),
        "lexical_share": _best(e.hit.lexical_score for e in top) / lexical_best if lexical_best > 0 else 0.0,
        "rank_support": 0.5 * (1 / lexical_rank if lexical_rank else 0.0) + 0.5 * (1 / dense_rank if dense_rank else 0.0),
        "memory": top[0].memory_score,
        "known_gap": top[0].known_gap,
    }


def _best(values: Iterable[float | None]) -> float:
    return max((v for v in values if v is not None), default=0.0)


def term_coverage(query: str, text: str) -> float:
    """Share of the query's distinct stemmed content words that occur in `text`."""
    query_terms, text_terms = tokenize([query, text])
    wanted = set(query_terms)
    return len(wanted & set(text_terms)) / len(wanted) if wanted else 0.0


def retrieval_confidence(query: str, evidence: Sequence[Evidence], model: ConfidenceModel | None = None) -> float:
    return (model or shipped_model()).predict(retrieval_features(query, evidence))
