"""`kbops tune`: fit fusion weights, confidence and thresholds on a team's history, k-fold.

Each fold's settings are fitted on the other folds only and scored on the held-out one, so
the "after" numbers are what the team can expect on tickets the fit never saw; the
settings written to kbops.tuned.toml are then fitted on the whole history. Ticket memory
in a fold holds training tickets only, never the ticket itself (and, for a history with
times, only earlier tickets).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from itertools import product

import numpy as np

from ..agent.confidence import FEATURES, ConfidenceModel, configured_model
from ..config import Settings
from .fitting import (
    answer_threshold,
    coverage_threshold,
    expected_calibration_error,
    fit_logistic,
    folds,
)
from .tuning import History, Outcome, Setting, feature_matrix

MIN_HISTORY = 30
"""Labelled tickets below which tuning keeps the shipped settings (ticket memory still
learns): fewer cannot tell a fusion weight or a threshold apart from noise."""
MIN_CLASS = 5
"""Right and wrong top articles each needed to refit the confidence model."""
LEXICAL_GRID = (0.25, 0.4, 0.55)
MEMORY_GRID = (0.0, 0.2, 0.4, 0.8)
MEMORY_TRUST_GRID = (0.0, 0.25, 0.5, 0.75, 0.9)
MIN_ROUTED = 20
"""Training tickets memory must have routed before a tuned model lets it raise confidence."""
WEIGHT_MARGIN = 0.02
"""How much better (hit@1, or MRR at equal hit@1) fitted weights must do than those in use."""
CURVE = (0.0, 0.25, 0.5, 0.75, 1.0)
"""Shares of each fold's training history the learning curve is drawn at."""


@dataclass(frozen=True)
class Metrics:
    hit_at_1: float | None
    hit_at_10: float | None
    mrr: float | None
    deflection_rate: float
    false_deflection_rate: float
    no_coverage_recall: float | None
    ece: float
    tickets: int

    def as_json(self) -> dict[str, float | int | None]:
        """The keys `benchmarks/learning.py` prints."""
        return {"hit@1": self.hit_at_1, "hit@10": self.hit_at_10, "mrr": self.mrr,
                "deflection_rate": self.deflection_rate, "false_deflection_rate": self.false_deflection_rate,
                "no_coverage_recall": self.no_coverage_recall, "ece": self.ece}


@dataclass(frozen=True)
class TuneResult:
    tickets: int
    folds: int
    time_ordered: bool
    target_false_deflection_rate: float
    before: Metrics
    after: Metrics
    curve: tuple[tuple[int, Metrics], ...]
    """(history size, cross-validated metrics with that much history per fold)."""
    fitted: Setting
    """Fitted on the whole history: what kbops.tuned.toml receives."""
    fallback: bool
    """Too little history: the shipped settings were kept."""
    seconds: float


def shipped_setting(settings: Settings, memory: bool) -> Setting:
    """The settings as configured (without a tuned file, the shipped defaults)."""
    retrieval, policy = settings.retrieval, settings.policy
    return Setting(retrieval.lexical_weight, retrieval.dense_weight, retrieval.memory_weight if memory else 0.0,
                   configured_model(settings.calibration), policy.confidence_threshold, policy.no_coverage_threshold,
                   policy.known_gap_threshold)


def score(outcomes: Sequence[Outcome], golds: Sequence[frozenset[str]], settings: Sequence[Setting]) -> Metrics:
    """Each ticket decided under its own setting (its fold's): retrieval over tickets with a
    gold article, deflection over all, coverage over those the KB cannot answer."""
    confidence = np.array([s.model.predict(o.features) for o, s in zip(outcomes, settings, strict=True)])
    threshold = np.array([s.answer_threshold for s in settings])
    correct = np.array([o.top_correct for o in outcomes], dtype=bool)
    answered = np.array([o.may_answer for o in outcomes], dtype=bool) & (confidence >= threshold)
    ranks = [o.gold_rank for o, gold in zip(outcomes, golds, strict=True) if gold]
    n = len(outcomes)
    hit_at_1, mrr = _ranking(ranks)
    return Metrics(
        hit_at_1=hit_at_1,
        hit_at_10=_mean([r is not None for r in ranks]),
        mrr=mrr,
        deflection_rate=round(float((answered & correct).sum()) / n, 4) if n else 0.0,
        false_deflection_rate=round(float((answered & ~correct).sum()) / max(1, int(answered.sum())), 4),
        no_coverage_recall=_mean([not answered[i] for i, gold in enumerate(golds) if not gold]),
        ece=expected_calibration_error(confidence, correct.astype(float)),
        tickets=n,
    )


def fit(history: History, train: Sequence[int], defaults: Setting, target: float, time_ordered: bool) -> Setting:
    """Weights by hit@1 (then MRR) on the training tickets: the configured fusion without
    memory, unless a candidate (memory included) is clearly better, so memory has to earn
    its place on this team's history; then the confidence model on the features those
    weights give; then the thresholds for the false-deflection target (the conservative
    estimate when the history is large enough to show it, else the plain count's)."""
    if len(train) < MIN_HISTORY:
        return defaults

    def quality(candidate: Setting) -> tuple[tuple[float, float], list[Outcome]]:
        outcomes = [history.outcome(i, candidate, train, time_ordered) for i in train]
        ranks = [o.gold_rank for i, o in zip(train, outcomes, strict=True) if history.cases[i].gold]
        hit_at_1, mrr = _ranking(ranks)
        return (hit_at_1 or 0.0, mrr or 0.0), outcomes

    without_memory = replace(defaults, memory_weight=0.0)
    best, outcomes = quality(without_memory)
    chosen = (without_memory, outcomes)
    for lexical, memory in product(LEXICAL_GRID, MEMORY_GRID):
        candidate = replace(defaults, lexical_weight=lexical, dense_weight=round(1 - lexical, 4), memory_weight=memory)
        key, outcomes = quality(candidate)
        if _clearly_better(key, best):
            best, chosen = key, (candidate, outcomes)
    setting, outcomes = chosen
    labels = np.array([o.top_correct for o in outcomes], dtype=bool)
    covered = np.array([bool(history.cases[i].gold) for i in train], dtype=bool)
    x = feature_matrix(outcomes)
    model = fit_model(x, labels, covered) or setting.model
    model = replace(model, memory_trust=fit_memory_trust(model, outcomes, labels))
    confidence = np.array([model.predict(o.features) for o in outcomes])
    open_ = np.array([o.may_answer for o in outcomes], dtype=bool)
    threshold = answer_threshold(confidence, labels, open_, target)
    budget_met = threshold is not None
    if threshold is None:  # too few answers to show the budget is kept: the plain count's best estimate
        threshold = answer_threshold(confidence, labels, open_, target, prior=0)
    if threshold is None:  # not even that: the threshold in use stays
        threshold = setting.answer_threshold
    return replace(setting, model=model, answer_threshold=threshold, budget_met=budget_met,
                   no_coverage_threshold=coverage_threshold(confidence, covered, threshold))


def fit_model(x: np.ndarray, right: np.ndarray, covered: np.ndarray) -> ConfidenceModel | None:
    """P(right | covered), fitted on the tickets the KB covers, times P(covered) when the
    history has enough of both kinds; None when it has too few right or wrong answers."""
    answerable = x[covered], right[covered]
    if min(int(answerable[1].sum()), int((~answerable[1]).sum())) < MIN_CLASS:
        return None
    intercept, weights = fit_logistic(answerable[0], answerable[1].astype(float))
    model = ConfidenceModel(1, round(intercept, 6), _named(weights))
    if min(int(covered.sum()), int((~covered).sum())) < MIN_CLASS:
        return model
    coverage_intercept, coverage_weights = fit_logistic(x, covered.astype(float))
    return replace(model, coverage_intercept=round(coverage_intercept, 6), coverage_weights=_named(coverage_weights))


def fit_memory_trust(model: ConfidenceModel, outcomes: Sequence[Outcome], right: np.ndarray) -> float:
    """How far memory's routes may raise a tuned model's confidence: 0 unless at least
    MIN_ROUTED training tickets were routed by memory and a trust from MEMORY_TRUST_GRID
    explains their right and wrong answers better by a log-likelihood of 1 or more (the
    AIC price of one parameter). On WixQA, 13-18 routed tickets per fold made any trust a
    coin toss on held-out tickets (benchmarks/results/learning.md)."""
    routed = [i for i, o in enumerate(outcomes) if o.features.get("memory", 0.0) > 0]
    if len(routed) < MIN_ROUTED:
        return 0.0

    def likelihood(trust: float) -> float:
        candidate = replace(model, memory_trust=trust)
        p = np.clip([candidate.predict(outcomes[i].features) for i in routed], 1e-6, 1 - 1e-6)
        y = right[routed]
        return float(np.sum(y * np.log(p) + (1 - y) * np.log(1 - p)))

    scores = {trust: likelihood(trust) for trust in MEMORY_TRUST_GRID}
    best = max(scores, key=scores.__getitem__)
    return best if scores[best] >= scores[0.0] + 1.0 else 0.0


def _named(weights: np.ndarray) -> dict[str, float]:
    return {name: round(float(w), 6) for name, w in zip(FEATURES, weights, strict=True)}


def cross_validate(history: History, settings: Settings, k: int = 5, target: float = 0.05, seed: int = 0,
                   curve: Sequence[float] = (), progress: Callable[[int, int], None] | None = None) -> TuneResult:
    started = time.perf_counter()
    cases = history.cases
    ids = [c.ticket_id for c in cases]
    times = [c.created_at for c in cases]
    time_ordered = settings.memory.replay == "time" and all(t is not None for t in times)
    defaults = shipped_setting(settings, memory=True)
    golds = [c.gold for c in cases]
    everything = list(range(len(cases)))
    before_setting = shipped_setting(settings, memory=False)
    before = score([history.outcome(i, before_setting, [], time_ordered) for i in everything], golds,
                   [before_setting] * len(everything))
    test_folds = folds(ids, k, seed, times if time_ordered else None)
    shares = sorted(set(curve) | {1.0})
    pooled: dict[float, list[tuple[int, Outcome, Setting]]] = {share: [] for share in shares}
    steps, done = len(shares) * len(test_folds) + 1, 0
    rng = np.random.default_rng(seed)
    for test in test_folds:
        train_all = [i for i in everything if i not in set(test)]
        order = train_all if time_ordered else [int(i) for i in rng.permutation(train_all)]
        for share in shares:
            train = sorted(order[: int(round(share * len(order)))])
            setting = fit(history, train, defaults if train else before_setting, target, time_ordered)
            pooled[share] += [(i, history.outcome(i, setting, train, time_ordered), setting) for i in test]
            done += 1
            if progress:
                progress(done, steps)
    fitted = fit(history, everything, defaults, target, time_ordered)
    if progress:
        progress(steps, steps)
    curve_rows = tuple((int(round(share * (len(cases) - len(cases) / len(test_folds)))), _pooled(pooled[share], golds))
                       for share in shares if share in curve)
    return TuneResult(len(cases), len(test_folds), time_ordered, target, before, _pooled(pooled[1.0], golds), curve_rows,
                      fitted, len(cases) < MIN_HISTORY, round(time.perf_counter() - started, 1))


def _pooled(rows: list[tuple[int, Outcome, Setting]], golds: Sequence[frozenset[str]]) -> Metrics:
    """Metrics over all held-out tickets, each scored with its own fold's setting."""
    return score([o for _, o, _ in rows], [golds[i] for i, _, _ in rows], [s for _, _, s in rows])


def _clearly_better(key: tuple[float, float], incumbent: tuple[float, float]) -> bool:
    """A candidate replaces the weights in use only when it wins by a margin (hit@1 by
    WEIGHT_MARGIN, or MRR by as much at equal hit@1): a tie on a small history is noise,
    and memory must never cost hit@1 for nothing."""
    hit, mrr = key
    best_hit, best_mrr = incumbent
    return hit >= best_hit + WEIGHT_MARGIN or (abs(hit - best_hit) < WEIGHT_MARGIN / 2 and mrr >= best_mrr + WEIGHT_MARGIN)


def _ranking(ranks: Sequence[int | None]) -> tuple[float | None, float | None]:
    """hit@1 and MRR of the gold articles' ranks (None: not in the top 10)."""
    return _mean([r == 1 for r in ranks]), _mean([1 / r if r else 0.0 for r in ranks])


def _mean(values: Sequence[bool | float]) -> float | None:
    return round(float(np.mean(values)), 4) if len(values) else None


