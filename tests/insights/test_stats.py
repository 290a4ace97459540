"""The counting statistics, checked against values worked out by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from kbops.insights.stats import chao1, peak_within, rate_rise_p, slope


def test_the_rate_test_counts_the_baselines_own_noise() -> None:
    # five tickets now and none in four periods before: (1/5)^5
    assert rate_rise_p(5, 0, 4) == pytest.approx(0.2 ** 5)
    assert rate_rise_p(1, 0, 4) == pytest.approx(0.2)
    assert rate_rise_p(130, 400, 4) == pytest.approx(0.00624, rel=1e-2)  # +30% on 100 a week
    assert rate_rise_p(100, 400, 4) > 0.4  # no rise
    assert rate_rise_p(10, 0, 0) == 1.0  # nothing to compare with


def test_peak_counts_the_busiest_24_hours() -> None:
    start = datetime(2026, 11, 16, tzinfo=UTC)
    moments = [start, start + timedelta(hours=5), start + timedelta(hours=23), start + timedelta(hours=30),
               start + timedelta(days=3)]
    assert peak_within(moments) == 3
    assert peak_within([]) == 0


def test_chao1_adds_the_accounts_not_seen_yet() -> None:
    assert chao1([2, 2, 3]) == 3  # everyone wrote twice or more: nobody missing
    assert chao1([1, 1, 1, 1, 2]) == 5 + round(4 * 3 / (2 * 2))


def test_slope_per_ticket() -> None:
    assert slope([0.3, 0.0, -0.3]) == pytest.approx(-0.3)
    assert slope([0.1]) == 0.0
