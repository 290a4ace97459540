"""The statistics `kbops tune` fits with: pure numpy, no model download, seconds on 2 cores.

A regularised logistic regression (the confidence model), the answer threshold for a
target false-deflection rate, the no-coverage threshold, the expected calibration error,
and k folds that keep a ticket's paraphrases honest (every fold is a random split by
ticket; a time-ordered history is split into consecutive blocks instead).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

ECE_BUCKETS = ((0.0, 0.2), (0.2, 0.4), (0.4, 0.6), (0.6, 0.8), (0.8, 1.01))


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1.0, iterations: int = 50) -> tuple[float, np.ndarray]:
    """(intercept, weights) maximising the L2-penalised log-likelihood (Newton steps).

    The penalty (on weights, not the intercept) keeps a small history from producing
    extreme coefficients; with one class only the weights stay 0 and the intercept
    matches the (smoothed) base rate."""
    n, d = x.shape
    design = np.hstack([np.ones((n, 1)), x])
    penalty = np.eye(d + 1) * l2
    penalty[0, 0] = 1e-6
    beta = np.zeros(d + 1)
    base = (y.sum() + 0.5) / (n + 1.0)
    beta[0] = math.log(base / (1 - base))
    if y.min() == y.max():
        return float(beta[0]), beta[1:]
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(design @ beta, -50, 50)))
        gradient = design.T @ (y - p) - penalty @ beta
        hessian = design.T @ (design * (p * (1 - p))[:, None]) + penalty
        step = np.linalg.solve(hessian, gradient)
        beta += step
        if np.abs(step).max() < 1e-8:
            break
    return float(beta[0]), beta[1:]


def predict_logistic(x: np.ndarray, intercept: float, weights: np.ndarray) -> np.ndarray:
    return np.asarray(1.0 / (1.0 + np.exp(-np.clip(intercept + x @ weights, -50, 50))))


def answer_threshold(
    confidence: np.ndarray, correct: np.ndarray, answerable: np.ndarray, target: float, prior: int = 1
) -> float | None:
    """The lowest threshold whose estimated false-deflection rate (wrong / answered, among
    tickets no gate stops) stays at or below `target`: the most deflection the team's risk
    budget allows. With `prior` 1 the rate is estimated as (wrong + 1) / (answered + 1)
    (Laplace's rule: on a small history "0 wrong of 10" is not proof of a 0% rate, so a 5%
    budget needs at least 19 right answers in a row at the top); with 0 it is the plain
    count. None when no threshold keeps the budget."""
    values, hits = confidence[answerable], correct[answerable]
    order = np.argsort(-values, kind="stable")
    values, hits = values[order], hits[order]
    best = None
    wrong = 0
    for count, (value, hit) in enumerate(zip(values, hits, strict=True), start=1):
        wrong += int(not hit)
        tie_ends = count == len(values) or values[count] < value  # a threshold cannot split ties
        if tie_ends and (wrong + prior) / (count + prior) <= target:
            best = round(float(value), 4)
    return best


def coverage_threshold(confidence: np.ndarray, covered: np.ndarray, ceiling: float) -> float:
    """The threshold (at most `ceiling`) below which a ticket is called not covered: the one
    that best separates tickets the KB cannot answer from those it can (Youden's J)."""
    if covered.all() or not covered.any():
        return round(min(ceiling, 0.2), 4)
    best, best_j = 0.0, -1.0
    for candidate in np.unique(np.concatenate([[0.0], confidence[confidence <= ceiling], [ceiling]])):
        uncovered_below = float((confidence[~covered] < candidate).mean())
        covered_below = float((confidence[covered] < candidate).mean())
        j = uncovered_below - covered_below
        if j > best_j + 1e-9:
            best, best_j = float(candidate), j
    return round(best, 4)


def expected_calibration_error(probabilities: np.ndarray, labels: np.ndarray) -> float:
    """Weighted mean |mean confidence - share correct| over five equal-width buckets."""
    if len(probabilities) == 0:
        return 0.0
    total = 0.0
    for low, high in ECE_BUCKETS:
        mask = (probabilities >= low) & (probabilities < high)
        if mask.any():
            total += mask.mean() * abs(probabilities[mask].mean() - labels[mask].mean())
    return round(float(total), 4)


def folds(ids: Sequence[str], k: int, seed: int = 0, times: Sequence[float | None] | None = None) -> list[list[int]]:
    """k disjoint test folds over positions of `ids`: random by ticket, or consecutive
    blocks in time order when every ticket has a time (later tickets are tested on a model
    that also saw some later history, which is what cross-validation means; the replay of
    `kbops eval` is where strict time order holds)."""
    n = len(ids)
    k = max(2, min(k, n))
    if times is not None and all(t is not None for t in times):
        order = sorted(range(n), key=lambda i: (times[i], ids[i]))
    else:
        order = list(np.random.default_rng(seed).permutation(n))
    return [sorted(int(i) for i in block) for block in np.array_split(np.array(order, dtype=int), k)]
