"""Statistics for two arms: rates, intervals, tests, multiplicity and power. Standard library only.

Every function takes counts (k successes of n trials), never percentages. References:
- Wilson (1927), the score interval for one proportion;
- Newcombe (1998), "Interval estimation for the difference between independent proportions",
  method 10: the hybrid score interval built from the two Wilson intervals;
- the pooled two-proportion z-test, and Fisher's exact test, two-sided, with the convention of
  R's fisher.test and SciPy (sum the probabilities of every table no more likely than the one
  observed, with a relative tolerance of 1e-7);
- Holm (1979), step-down adjustment of p-values;
- Fleiss, Levin & Paik, "Statistical Methods for Rates and Proportions", 3rd ed., eq. 4.14: the
  power of the two-sided test with the pooled variance under the null hypothesis and the
  unpooled variance under the alternative, without continuity correction.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist
from typing import Literal

_NORMAL = NormalDist()
FISHER_BELOW = 5.0
"""Fisher's exact test replaces the z-test when an expected cell count is under this."""


@dataclass(frozen=True)
class TestResult:
    """The outcome of a two-sided test of equal proportions."""

    test: Literal["z", "fisher"]
    statistic: float | None
    """z for the z-test; None for Fisher's test, which has no statistic."""
    p_value: float


def _arm(count: int, n: int) -> None:
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be a whole number of at least 1, found {n!r}")
    if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= n:
        raise ValueError(f"count must be a whole number from 0 to n ({n}), found {count!r}")


def _level(value: float, what: str) -> None:
    if not 0 < value < 1:
        raise ValueError(f"{what} must be between 0 and 1, found {value!r}")


def _z(confidence: float) -> float:
    _level(confidence, "confidence")
    return _NORMAL.inv_cdf(1 - (1 - confidence) / 2)


def rate(count: int, n: int) -> float:
    """count / n."""
    _arm(count, n)
    return count / n


def wilson_interval(count: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson's score interval for a proportion (no continuity correction)."""
    _arm(count, n)
    z = _z(confidence)
    p = count / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    low, high = centre - half, centre + half
    # Exact at the edges: 0 events have a lower bound of 0, n events an upper bound of 1.
    return (0.0 if count == 0 else max(0.0, low), 1.0 if count == n else min(1.0, high))


def newcombe_interval(k1: int, n1: int, k2: int, n2: int, confidence: float = 0.95) -> tuple[float, float]:
    """Newcombe's hybrid score interval (method 10) for p1 - p2."""
    p1, p2 = rate(k1, n1), rate(k2, n2)
    l1, u1 = wilson_interval(k1, n1, confidence)
    l2, u2 = wilson_interval(k2, n2, confidence)
    d = p1 - p2
    low = d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return (max(-1.0, low), min(1.0, high))


def z_test(k1: int, n1: int, k2: int, n2: int) -> TestResult:
    """Two-sided two-proportion z-test with the pooled standard error."""
    p1, p2 = rate(k1, n1), rate(k2, n2)
    pooled = (k1 + k2) / (n1 + n2)
    if pooled in (0.0, 1.0):
        return TestResult(test="z", statistic=0.0, p_value=1.0)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    z = (p1 - p2) / se
    return TestResult(test="z", statistic=z, p_value=min(1.0, 2 * _NORMAL.cdf(-abs(z))))


def _log_choose(n: int, k: int) -> float:
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


def fisher_exact(k1: int, n1: int, k2: int, n2: int) -> TestResult:
    """Fisher's exact test, two-sided: the probability of tables no more likely than the observed.

    The table is [[k1, n1-k1], [k2, n2-k2]] with both margins fixed; probabilities are
    hypergeometric, computed in log space so that arms of a million trials do not overflow.
    """
    _arm(k1, n1)
    _arm(k2, n2)
    successes, total = k1 + k2, n1 + n2
    low, high = max(0, successes - n2), min(successes, n1)
    log_denominator = _log_choose(total, successes)

    def log_p(x: int) -> float:
        return _log_choose(n1, x) + _log_choose(n2, successes - x) - log_denominator

    observed = log_p(k1)
    cutoff = observed + math.log1p(1e-7)
    p = math.fsum(math.exp(log_p(x)) for x in range(low, high + 1) if log_p(x) <= cutoff)
    return TestResult(test="fisher", statistic=None, p_value=min(1.0, p))


def min_expected_cell(k1: int, n1: int, k2: int, n2: int) -> float:
    """The smallest expected count of the 2x2 table under independence."""
    _arm(k1, n1)
    _arm(k2, n2)
    successes, total = k1 + k2, n1 + n2
    failures = total - successes
    return min(n * margin / total for n in (n1, n2) for margin in (successes, failures))


def compare_proportions(k1: int, n1: int, k2: int, n2: int) -> TestResult:
    """Fisher's exact test when an expected cell is under 5, else the z-test."""
    if min_expected_cell(k1, n1, k2, n2) < FISHER_BELOW:
        return fisher_exact(k1, n1, k2, n2)
    return z_test(k1, n1, k2, n2)


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm's step-down adjusted p-values, in the order given."""
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted = [0.0] * m
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p_values[i]))
        adjusted[i] = running
    return adjusted


def power_two_proportions(p_low: float, p_high: float, n1: int, n2: int, alpha: float = 0.05) -> float:
    """Power of the two-sided two-proportion z-test (Fleiss, Levin & Paik, eq. 4.14)."""
    _level(alpha, "alpha")
    _arm(0, n1)
    _arm(0, n2)
    for p in (p_low, p_high):
        if not 0 <= p <= 1:
            raise ValueError(f"proportions must be between 0 and 1, found {p!r}")
    delta = abs(p_high - p_low)
    if delta == 0:
        return alpha
    pooled = (n1 * p_low + n2 * p_high) / (n1 + n2)
    se_null = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    se_alt = math.sqrt(p_low * (1 - p_low) / n1 + p_high * (1 - p_high) / n2)
    if se_alt == 0:
        return 1.0
    z_alpha = _NORMAL.inv_cdf(1 - alpha / 2)
    return _NORMAL.cdf((delta - z_alpha * se_null) / se_alt) + _NORMAL.cdf((-delta - z_alpha * se_null) / se_alt)


def detectable_gap(n1: int, n2: int, baseline: float, alpha: float = 0.05, power: float = 0.8) -> float:
    """The smallest increase over `baseline` that the comparison detects with the given power."""
    _level(power, "power")
    if not 0 <= baseline < 1:
        raise ValueError(f"baseline must be from 0 up to (not including) 1, found {baseline!r}")
    low, high = 0.0, 1.0 - baseline
    if power_two_proportions(baseline, 1.0, n1, n2, alpha) < power:
        return high
    while high - low > 1e-7:
        middle = (low + high) / 2
        if power_two_proportions(baseline, baseline + middle, n1, n2, alpha) >= power:
            high = middle
        else:
            low = middle
    return high


def clopper_pearson_upper(count: int, n: int, confidence: float = 0.95) -> float:
    """The upper end of the exact (Clopper-Pearson) two-sided interval for a proportion."""
    _arm(count, n)
    _level(confidence, "confidence")
    tail = (1 - confidence) / 2
    if count == n:
        return 1.0
    if count == 0:
        return float(1 - tail ** (1 / n))

    def cdf(p: float) -> float:  # P(X <= count) for X ~ Binomial(n, p)
        return math.fsum(
            math.exp(_log_choose(n, x) + x * math.log(p) + (n - x) * math.log1p(-p)) for x in range(count + 1)
        )

    low, high = count / n, 1.0
    while high - low > 1e-10:
        middle = (low + high) / 2
        if cdf(middle) > tail:
            low = middle
        else:
            high = middle
    return (low + high) / 2
