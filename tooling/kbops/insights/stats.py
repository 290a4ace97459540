"""The counting statistics behind the report's flags, each small enough to check by hand.

Ticket counts per week are counts of independent arrivals, so the tests are Poisson ones:
a week is a rise when its count would be very unlikely at the rate of the weeks before.
The tails are exact sums of probabilities in log space (a few thousand terms at most).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from math import exp, lgamma, log


def rate_rise_p(current: int, before: int, periods_before: int) -> float:
    """One-sided p-value that the current period's rate is no higher than the rate of the
    `periods_before` periods together holding `before` tickets.

    The conditional (binomial) test for two Poisson rates (Przyborowski & Wilenski, 1940):
    given n = current + before tickets, under equal rates each falls in the current period
    with probability 1 / (periods_before + 1). Unlike a z-test against the rolling average,
    it counts the baseline's own noise: an average of four quiet weeks is itself uncertain."""
    if periods_before <= 0 or current <= 0:
        return 1.0
    total, share = current + before, 1 / (periods_before + 1)

    def term(i: int) -> float:
        return exp(lgamma(total + 1) - lgamma(i + 1) - lgamma(total - i + 1) + i * log(share)
                   + (total - i) * log(1 - share))

    if current <= total * share:
        return max(0.0, 1.0 - sum(term(i) for i in range(current)))
    return min(1.0, _sum_down_from(term, current, total))


def _sum_down_from(term: Callable[[int], float], start: int, last: int | None) -> float:
    """term(start) + term(start + 1) + ... for terms that only shrink past the mode, stopped
    once they no longer change the sum."""
    total, i = 0.0, start
    while last is None or i <= last:
        value = term(i)
        total += value
        if value <= total * 1e-16:
            break
        i += 1
    return total


def peak_within(moments: Iterable[datetime], window: timedelta = timedelta(hours=24)) -> int:
    """The most moments inside any one `window` (a sliding window over the sorted times)."""
    times = sorted(moments)
    best, start = 0, 0
    for end, moment in enumerate(times):
        while moment - times[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


def chao1(tickets_per_account: Sequence[int]) -> int:
    """Accounts affected, seen and not yet seen: the bias-corrected Chao1 estimate
    S + f1 (f1 - 1) / (2 (f2 + 1)), with S the accounts that wrote, f1 those that wrote once
    and f2 those that wrote twice. Many accounts writing once (and few twice) mean many
    more have the problem and have not written yet. A lower bound; equals S when every
    account wrote at least twice."""
    seen = [n for n in tickets_per_account if n > 0]
    counts = Counter(seen)
    f1, f2 = counts.get(1, 0), counts.get(2, 0)
    return len(seen) + round(f1 * (f1 - 1) / (2 * (f2 + 1)))


def slope(values: Sequence[float]) -> float:
    """Least-squares slope of the values against their position (per step); 0 for fewer than 2."""
    n = len(values)
    if n < 2:
        return 0.0
    mean_x, mean_y = (n - 1) / 2, sum(values) / n
    spread = sum((x - mean_x) ** 2 for x in range(n))
    return sum((x - mean_x) * (y - mean_y) for x, y in enumerate(values)) / spread
