"""The statistics `kbops tune` fits with."""

from __future__ import annotations

import numpy as np
import pytest

from kbops.agent.confidence import FEATURES, ConfidenceModel
from kbops.evals.crossval import fit_memory_trust
from kbops.evals.fitting import (
    answer_threshold,
    coverage_threshold,
    expected_calibration_error,
    fit_logistic,
    folds,
    predict_logistic,
)
from kbops.evals.tuning import Outcome


def test_logistic_recovers_the_direction_and_size_of_known_coefficients() -> None:
    rng = np.random.default_rng(7)
    x = rng.normal(size=(4000, 3))
    true = np.array([2.0, -1.0, 0.0])
    y = (rng.random(4000) < 1 / (1 + np.exp(-(0.5 + x @ true)))).astype(float)
    intercept, weights = fit_logistic(x, y, l2=0.1)
    assert intercept == pytest.approx(0.5, abs=0.15)
    assert weights == pytest.approx(true, abs=0.15)
    p = predict_logistic(x, intercept, weights)
    assert expected_calibration_error(p, y) < 0.03


def test_logistic_with_one_class_keeps_weights_at_zero() -> None:
    intercept, weights = fit_logistic(np.ones((10, 2)), np.ones(10))
    assert not weights.any()
    assert 0.5 < 1 / (1 + np.exp(-intercept)) < 1


def test_the_answer_threshold_is_the_loosest_that_keeps_the_budget() -> None:
    confidence = np.array([0.95, 0.9, 0.85, 0.8, 0.7, 0.6, 0.5, 0.4])
    correct = np.array([1, 1, 1, 1, 1, 0, 1, 0], dtype=bool)
    everyone = np.ones(8, dtype=bool)
    # estimated rate (wrong + 1) / (answered + 1): down to 0.7 it is 1/6, to 0.5 2/8, to 0.4 3/9
    assert answer_threshold(confidence, correct, everyone, target=0.2) == 0.7
    assert answer_threshold(confidence, correct, everyone, target=0.3) == 0.5
    assert answer_threshold(confidence, correct, everyone, target=0.34) == 0.4


def test_a_few_right_answers_are_not_proof_of_a_low_rate() -> None:
    confidence = np.linspace(0.99, 0.9, 10)
    assert answer_threshold(confidence, np.ones(10, dtype=bool), np.ones(10, dtype=bool), target=0.05) is None
    confidence = np.linspace(0.99, 0.6, 40)
    assert answer_threshold(confidence, np.ones(40, dtype=bool), np.ones(40, dtype=bool), target=0.05) == 0.6


def test_the_answer_threshold_ignores_gated_tickets_and_never_splits_ties() -> None:
    confidence = np.array([0.9, 0.8, 0.8, 0.3])
    correct = np.array([1, 1, 0, 0], dtype=bool)
    assert answer_threshold(confidence, correct, np.array([1, 1, 1, 1], dtype=bool), 0.34) is None
    # the wrong 0.8 answer is gated anyway: 0.8 keeps the budget
    assert answer_threshold(confidence, correct, np.array([1, 1, 0, 1], dtype=bool), 0.34) == 0.8


def test_no_threshold_keeps_the_budget_then_nothing_is_answered() -> None:
    assert answer_threshold(np.array([0.9, 0.8]), np.array([0, 0], dtype=bool), np.ones(2, dtype=bool), 0.05) is None


def test_the_coverage_threshold_separates_unanswerable_tickets_below_the_answer_threshold() -> None:
    confidence = np.array([0.05, 0.1, 0.12, 0.3, 0.4, 0.8, 0.9])
    covered = np.array([0, 0, 0, 1, 1, 1, 1], dtype=bool)
    found = coverage_threshold(confidence, covered, ceiling=0.6)
    assert 0.12 < found <= 0.3
    assert coverage_threshold(confidence, covered, ceiling=0.1) <= 0.1


def test_ece_is_zero_when_confidence_matches_the_hit_rate() -> None:
    p = np.array([0.1] * 10 + [0.9] * 10)
    y = np.array([1] + [0] * 9 + [1] * 9 + [0], dtype=float)
    assert expected_calibration_error(p, y) == pytest.approx(0.0)
    assert expected_calibration_error(np.array([0.9] * 10), np.zeros(10)) == pytest.approx(0.9)


def test_folds_cover_every_ticket_once() -> None:
    ids = [f"T-{i}" for i in range(23)]
    found = folds(ids, 5, seed=1)
    assert len(found) == 5
    assert sorted(i for f in found for i in f) == list(range(23))


def test_folds_of_a_timed_history_are_consecutive_blocks() -> None:
    ids = [f"T-{i}" for i in range(10)]
    times = [float(10 - i) for i in range(10)]  # T-9 is the oldest
    found = folds(ids, 2, times=times)
    assert found == [[5, 6, 7, 8, 9], [0, 1, 2, 3, 4]]


def routed_outcomes(right: list[bool], memory: float = 0.9) -> tuple[list[Outcome], np.ndarray]:
    """Tickets memory routed (the retrieval features alone say 'unsure')."""
    features = {**dict.fromkeys(FEATURES, 0.0), "memory": memory}
    return [Outcome(1, features, r, False, False) for r in right], np.array(right, dtype=bool)


def test_memory_earns_trust_only_from_enough_routed_tickets_that_were_right() -> None:
    model = ConfidenceModel(1, 0.0, {})  # retrieval alone: 0.5
    few, right = routed_outcomes([True] * 10)
    assert fit_memory_trust(model, few, right) == 0.0  # too few to tell
    many, right = routed_outcomes([True] * 30)
    assert fit_memory_trust(model, many, right) >= 0.75
    coin, right = routed_outcomes([True, False] * 15)
    assert fit_memory_trust(model, coin, right) == 0.0  # right half the time: no better than retrieval
