"""Statistics for two arms: rates, intervals, tests, multiplicity and power. Standard library only.

Every function takes counts (k events in n trials), never percentages, and returns proportions
(0.09 is 9 percentage points). Methods and references:

- Wilson (1927), "Probable inference, the law of succession, and statistical inference", JASA 22:
  the score interval for one proportion, as recommended by Agresti & Coull (1998), "Approximate is
  better than 'exact' for interval estimation of binomial proportions", Am. Stat. 52.
- Newcombe (1998), "Interval estimation for the difference between independent proportions:
  comparison of eleven methods", Stat. Med. 17:873-890, method 10: the hybrid score interval built
  from the two Wilson intervals, without continuity correction.
- The pooled two-proportion z-test and Fisher's exact test, both two-sided (Agresti (2013),
  Categorical Data Analysis, 3rd ed., ch. 3: z squared is Pearson's X^2 of the 2x2 table, and
  Fisher's test is in section 3.5). Fisher's two-sided p-value sums the
  probabilities of every table no more likely than the observed one, with a relative tolerance
  of 1e-7 for ties (SciPy's fisher_exact rule; the 1e-7 is R's fisher.test, SciPy 1.17 uses 1e-14).
- Holm (1979), "A simple sequentially rejective multiple test procedure", Scand. J. Stat. 6:
  step-down adjusted p-values.
- Fleiss, Levin & Paik (2003), Statistical Methods for Rates and Proportions, 3rd ed., ch. 4:
  power of the two-sided two-proportion test by the normal approximation, with the pooled
  variance under the null hypothesis and the unpooled variance under the alternative, without
  continuity correction.
- The binomial distribution's probability of k and its upper tail (for CC-3's chance that separate
  runs give equal counts), summed term by term in logs, as scipy.stats.binom.pmf and .sf give them.

Paired designs (each item run in both contexts; `a_only` items show the behaviour in the first
context only, `b_only` in the second only, `both` in both, of n pairs):

- McNemar (1947), "Note on the sampling error of the difference between correlated proportions
  or percentages", Psychometrika 12, in its exact conditional form (Agresti 2013, section 11.1.4):
  the discordant pairs split as a binomial with probability 1/2 under the null hypothesis.
- Newcombe (1998), "Improved confidence intervals for the difference between binomial
  proportions based on paired data", Stat. Med. 17:2635-2650, method 10: the two Wilson
  intervals combined with the correlation of the paired table.
- Connor (1987), "Sample size for testing differences in proportions for the paired-sample
  design", Biometrics 43:207-211: power of the two-sided McNemar test by the normal approximation.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from statistics import NormalDist
from typing import Literal

__all__ = [
    "FISHER_BELOW",
    "TestResult",
    "binomial_pmf",
    "binomial_upper_tail",
    "compare_proportions",
    "detectable_gap",
    "detectable_paired_gap",
    "fisher_exact",
    "holm",
    "holm_levels",
    "mcnemar_exact",
    "min_expected_cell",
    "newcombe_interval",
    "newcombe_paired_interval",
    "power_paired",
    "power_two_proportions",
    "rate",
    "wilson_interval",
    "z_test",
]

_NORMAL = NormalDist()
FISHER_BELOW = 5.0
"""Fisher's exact test replaces the z-test when an expected cell count is under this."""
_FISHER_RELATIVE_TOLERANCE = 1e-7
_LOG_UNDERFLOW = -750.0
"""math.exp of anything below this is 0.0."""
_GAP_TOLERANCE = 1e-7
"""Bisection width for the detectable gaps (finer than the 1e-6 asked of them)."""
_SUM_PRECISION = 1e-17
"""Terms of a sum smaller than this, relative to it, cannot change it in floating point."""


@dataclass(frozen=True)
class TestResult:
    """The outcome of a two-sided test of equal proportions."""

    __test__ = False  # not a pytest test class, despite the name

    test: Literal["z", "fisher", "mcnemar"]
    statistic: float | None
    """z for the z-test; None for the exact tests (Fisher's, McNemar's), which have no statistic."""
    p_value: float


def _arm(count: int, n: int) -> None:
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be a whole number of at least 1, found {n!r}")
    if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= n:
        raise ValueError(f"count must be a whole number from 0 to n ({n}), found {count!r}")


def _pair_counts(*counts: int) -> None:
    for count in counts:
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise ValueError(f"paired counts must be whole numbers of at least 0, found {count!r}")


def _paired(n: int, a_only: int, b_only: int, both: int) -> None:
    _arm(0, n)
    _pair_counts(a_only, b_only, both)
    if a_only + b_only + both > n:
        raise ValueError(f"a_only + b_only + both ({a_only + b_only + both}) must be at most n ({n})")


def _level(value: float, what: str) -> None:
    if not 0 < value < 1:  # also rejects NaN
        raise ValueError(f"{what} must be strictly between 0 and 1, found {value!r}")


def _proportion(value: float, what: str) -> None:
    if not 0 <= value <= 1:  # also rejects NaN
        raise ValueError(f"{what} must be between 0 and 1, found {value!r}")


def _z(confidence: float) -> float:
    _level(confidence, "confidence")
    return _NORMAL.inv_cdf(1 - (1 - confidence) / 2)


def _log_choose(n: int, k: int) -> float:
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


def rate(count: int, n: int) -> float:
    """The observed proportion count / n; ValueError unless n >= 1 and 0 <= count <= n."""
    _arm(count, n)
    return count / n


def binomial_pmf(k: int, n: int, p: float) -> float:
    """P(X = k) for X ~ Binomial(n, p), in logs so that n may be large (scipy.stats.binom.pmf)."""
    _proportion(p, "p")
    if not 0 <= k <= n:
        return 0.0
    if p in (0.0, 1.0):
        return 1.0 if k == round(n * p) else 0.0
    return math.exp(_log_choose(n, k) + k * math.log(p) + (n - k) * math.log1p(-p))


def binomial_upper_tail(k: int, n: int, p: float) -> float:
    """P(X >= k) for X ~ Binomial(n, p) (scipy.stats.binom.sf(k - 1, n, p)).

    The side of k away from the mean is summed, each term from the last by the ratio of successive
    terms, until a term no longer changes the sum: a few standard deviations of terms, however large n.
    """
    _proportion(p, "p")
    if k <= 0:
        return 1.0
    if k > n:
        return 0.0
    if k > n * p:
        return _summed_away_from_mean(k, n, p, upward=True)
    return max(0.0, 1.0 - _summed_away_from_mean(k - 1, n, p, upward=False))


def _summed_away_from_mean(start: int, n: int, p: float, upward: bool) -> float:
    """P(X >= start) when upward, else P(X <= start), for a start on the far side of the mean from the way summed."""
    term, total, j = binomial_pmf(start, n, p), 0.0, start
    while term > 0.0 and term >= total * _SUM_PRECISION:
        total += term
        if upward:
            term *= (n - j) / (j + 1) * p / (1 - p)
            j += 1
        else:
            term *= j / (n - j + 1) * (1 - p) / p
            j -= 1
    return total


def wilson_interval(count: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson's (1927) score interval for a proportion, without continuity correction.

    The interval Agresti & Coull (1998) recommend over the Wald and exact intervals. It is
    clamped to [0, 1], and is exactly 0 below with no events and exactly 1 above with n events.
    """
    _arm(count, n)
    z = _z(confidence)
    p = count / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    low, high = centre - half, centre + half
    return (0.0 if count == 0 else max(0.0, low), 1.0 if count == n else min(1.0, high))


def newcombe_interval(k1: int, n1: int, k2: int, n2: int, confidence: float = 0.95) -> tuple[float, float]:
    """Newcombe's (1998) hybrid score interval, method 10, for p1 - p2 (no continuity correction).

    With (l1, u1) and (l2, u2) the Wilson intervals of the two arms and d = p1 - p2:
    d - sqrt((p1 - l1)^2 + (u2 - p2)^2) to d + sqrt((u1 - p1)^2 + (p2 - l2)^2), within [-1, 1].
    """
    p1, p2 = rate(k1, n1), rate(k2, n2)
    l1, u1 = wilson_interval(k1, n1, confidence)
    l2, u2 = wilson_interval(k2, n2, confidence)
    d = p1 - p2
    low = d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return (max(-1.0, low), min(1.0, high))


def z_test(k1: int, n1: int, k2: int, n2: int) -> TestResult:
    """Two-sided two-proportion z-test with the pooled standard error (Agresti 2013, ch. 3).

    z = (p1 - p2) / sqrt(p(1 - p)(1/n1 + 1/n2)) with p the pooled proportion, and
    p-value = 2 * Phi(-|z|). With no events, or only events, in both arms (pooled p of 0 or 1)
    there is nothing to test: statistic 0.0 and p-value 1.0.
    """
    p1, p2 = rate(k1, n1), rate(k2, n2)
    pooled = (k1 + k2) / (n1 + n2)
    if pooled in (0.0, 1.0):
        return TestResult(test="z", statistic=0.0, p_value=1.0)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    z = (p1 - p2) / se
    return TestResult(test="z", statistic=z, p_value=min(1.0, 2 * _NORMAL.cdf(-abs(z))))


def fisher_exact(k1: int, n1: int, k2: int, n2: int) -> TestResult:
    """Fisher's exact test, two-sided (Agresti 2013, section 3.5).

    The table [[k1, n1 - k1], [k2, n2 - k2]] with both margins fixed; the p-value is the sum of
    the hypergeometric probabilities of the tables whose probability is at most
    P(observed) * (1 + 1e-7): SciPy's fisher_exact rule with R's fisher.test tolerance (SciPy 1.17
    uses 1e-14; the two differ only for a table within a relative 1e-7 of the observed one).
    Probabilities are computed in log space with math.lgamma, so arms of a million trials do
    not overflow. The distribution is unimodal, so the walk out from its mode stops at tables
    whose probability underflows to 0 (under e^-750); they could not change the sum.
    """
    _arm(k1, n1)
    _arm(k2, n2)
    successes, total = k1 + k2, n1 + n2
    low, high = max(0, successes - n2), min(successes, n1)
    log_denominator = _log_choose(total, successes)

    def log_p(x: int) -> float:
        return _log_choose(n1, x) + _log_choose(n2, successes - x) - log_denominator

    cutoff = log_p(k1) + math.log1p(_FISHER_RELATIVE_TOLERANCE)
    mode = min(high, max(low, (successes + 1) * (n1 + 1) // (total + 2)))
    terms: list[float] = []
    for steps in (range(mode, low - 1, -1), range(mode + 1, high + 1)):
        for x in steps:
            value = log_p(x)
            if value < _LOG_UNDERFLOW:
                break
            if value <= cutoff:
                terms.append(math.exp(value))
    return TestResult(test="fisher", statistic=None, p_value=min(1.0, math.fsum(terms)))


def min_expected_cell(k1: int, n1: int, k2: int, n2: int) -> float:
    """The smallest expected count of the 2x2 table under independence: row total * column total / N."""
    _arm(k1, n1)
    _arm(k2, n2)
    successes, total = k1 + k2, n1 + n2
    failures = total - successes
    return min(n * margin / total for n in (n1, n2) for margin in (successes, failures))


def compare_proportions(k1: int, n1: int, k2: int, n2: int) -> TestResult:
    """Fisher's exact test when an expected cell count is under 5 (Cochran's rule), else the z-test."""
    if min_expected_cell(k1, n1, k2, n2) < FISHER_BELOW:
        return fisher_exact(k1, n1, k2, n2)
    return z_test(k1, n1, k2, n2)


def mcnemar_exact(a_only: int, b_only: int) -> TestResult:
    """McNemar's exact test, two-sided: the conditional binomial test on the discordant pairs.

    Under the null hypothesis each of the d = a_only + b_only discordant pairs falls either way
    with probability 1/2, so the p-value is min(1, 2 P(X <= min(a_only, b_only))) with
    X ~ Binomial(d, 1/2): statsmodels' mcnemar(exact=True). With as many pairs each way (none
    at all, say) it is 1. The tail is the binomial one CC-3 sums (`_summed_away_from_mean`).
    """
    _pair_counts(a_only, b_only)
    low, discordant = min(a_only, b_only), a_only + b_only
    if 2 * low == discordant:
        return TestResult(test="mcnemar", statistic=None, p_value=1.0)
    tail = _summed_away_from_mean(low, discordant, 0.5, upward=False)
    return TestResult(test="mcnemar", statistic=None, p_value=min(1.0, 2 * tail))


def newcombe_paired_interval(
    n: int, a_only: int, b_only: int, both: int, confidence: float = 0.95
) -> tuple[float, float]:
    """Newcombe's (1998) method 10 for p1 - p2 of a paired design, within [-1, 1].

    p1 = (both + a_only) / n and p2 = (both + b_only) / n, with Wilson intervals (l1, u1) and
    (l2, u2). With the table's cells e = both, f = a_only, g = b_only, h = the rest,
    B = eh - fg is taken as B - n/2 when above n/2, 0 from 0 to n/2, and B when negative, and
    phi = B / sqrt((e+f)(g+h)(e+g)(f+h)), 0 when that product is 0. Then d = p1 - p2 and
    d - sqrt((p1 - l1)^2 - 2 phi (p1 - l1)(u2 - p2) + (u2 - p2)^2) to
    d + sqrt((p2 - l2)^2 - 2 phi (p2 - l2)(u1 - p1) + (u1 - p1)^2).
    """
    _paired(n, a_only, b_only, both)
    first, second = both + a_only, both + b_only
    p1, p2 = first / n, second / n
    l1, u1 = wilson_interval(first, n, confidence)
    l2, u2 = wilson_interval(second, n, confidence)
    neither = n - a_only - b_only - both
    product = first * (n - first) * second * (n - second)
    association = both * neither - a_only * b_only
    corrected = association - n / 2 if association > n / 2 else min(association, 0)
    phi = corrected / math.sqrt(product) if product else 0.0
    d = p1 - p2
    low = d - math.sqrt(max(0.0, (p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2))
    high = d + math.sqrt(max(0.0, (p2 - l2) ** 2 - 2 * phi * (p2 - l2) * (u1 - p1) + (u1 - p1) ** 2))
    return (max(-1.0, low), min(1.0, high))


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm's (1979) step-down adjusted p-values, in the order given.

    With the m p-values sorted ascending, the i-th (from 0) is adjusted to
    max over j <= i of min(1, (m - j) * p_(j)): never below the raw value, monotone in the
    sorted order, at most 1. An empty sequence gives an empty list.
    """
    for p in p_values:
        _proportion(p, "p-values")
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted = [0.0] * m
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p_values[i]))
        adjusted[i] = running
    return adjusted


def holm_levels(p_values: Sequence[float], alpha: float) -> list[float]:
    """The level Holm's (1979) procedure holds each p-value to, in the order given.

    With the m p-values sorted ascending, the i-th (from 0) is rejected when it is under
    alpha / (m - i) (and every smaller one was): the smallest at the Bonferroni level alpha / m,
    the largest at alpha. Tied p-values share the level of the first of them, as they share
    their adjusted p-value. A comparison's power is judged at this level: the one its test
    was actually held to, not the unadjusted alpha.
    """
    _level(alpha, "alpha")
    for p in p_values:
        _proportion(p, "p-values")
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    levels = [0.0] * m
    first_of_ties = 0
    for rank, i in enumerate(order):
        if rank and p_values[i] != p_values[order[rank - 1]]:
            first_of_ties = rank
        levels[i] = alpha / (m - first_of_ties)
    return levels


def power_two_proportions(p_low: float, p_high: float, n1: int, n2: int, alpha: float = 0.05) -> float:
    """Power of the two-sided two-proportion z-test at level alpha (Fleiss, Levin & Paik, ch. 4).

    Normal approximation without continuity correction, p_low in the arm of n1 and p_high in
    the arm of n2, d = |p_high - p_low|, pooled p = (n1 p_low + n2 p_high) / (n1 + n2):
    the standard error under H0 is pooled, s0 = sqrt(p(1 - p)(1/n1 + 1/n2)), and under H1
    unpooled, s1 = sqrt(p_low(1 - p_low)/n1 + p_high(1 - p_high)/n2); then
    power = Phi((d - z s0) / s1) + Phi((-d - z s0) / s1) with z = Phi^-1(1 - alpha/2).
    This is statsmodels' power_proportions_2indep. Equal proportions give alpha.
    """
    _level(alpha, "alpha")
    _arm(0, n1)
    _arm(0, n2)
    _proportion(p_low, "proportions")
    _proportion(p_high, "proportions")
    delta = abs(p_high - p_low)
    if delta == 0:
        return alpha
    pooled = (n1 * p_low + n2 * p_high) / (n1 + n2)
    se_null = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    se_alt = math.sqrt(p_low * (1 - p_low) / n1 + p_high * (1 - p_high) / n2)
    z_alpha = -_NORMAL.inv_cdf(alpha / 2)  # not inv_cdf(1 - alpha/2): a Holm step level may be far under 1e-16
    if se_alt == 0:  # 0 against 1: the difference is certain, so the test rejects or never does
        return 1.0 if delta > z_alpha * se_null else 0.0
    return _NORMAL.cdf((delta - z_alpha * se_null) / se_alt) + _NORMAL.cdf((-delta - z_alpha * se_null) / se_alt)


def detectable_gap(n1: int, n2: int, baseline: float, alpha: float = 0.05, power: float = 0.8) -> float | None:
    """The smallest change d from `baseline` detected with the given power (Fleiss, Levin & Paik).

    An increase is searched first: the smallest d > 0 with
    power_two_proportions(baseline, baseline + d, n1, n2, alpha) >= power, by bisection to within
    1e-7. When no increase up to 1 reaches the power (a baseline at or near 1), the smallest
    decrease is searched instead. None when neither reaches the power: arms this small cannot
    detect a gap of any size, and no number may suggest otherwise.
    """
    _level(power, "power")
    _level(alpha, "alpha")
    _arm(0, n1)
    _arm(0, n2)
    _proportion(baseline, "baseline")
    for sign in (1.0, -1.0):
        room = 1.0 - baseline if sign > 0 else baseline

        def reaches(gap: float, sign: float = sign) -> bool:
            return power_two_proportions(baseline, baseline + sign * gap, n1, n2, alpha) >= power

        if room > 0 and reaches(room):
            return _smallest(reaches, room)
    return None


def power_paired(difference: float, discordant: float, n: int, alpha: float = 0.05) -> float:
    """Power of the two-sided McNemar test with n pairs at level alpha (Connor 1987).

    Normal approximation, with psi the proportion of discordant pairs and delta the difference
    of the two proportions (|delta| <= psi, since only discordant pairs differ):
    power = Phi((sqrt(n)|delta| - z sqrt(psi)) / s) + Phi((-sqrt(n)|delta| - z sqrt(psi)) / s),
    s = sqrt(psi - delta^2), z = Phi^-1(1 - alpha/2). No difference gives alpha.
    """
    _level(alpha, "alpha")
    _arm(0, n)
    _proportion(discordant, "the discordant proportion")
    if not abs(difference) <= discordant:
        raise ValueError(
            f"the difference must be at most the discordant proportion ({discordant}), found {difference!r}"
        )
    delta = abs(difference)
    if delta == 0:
        return alpha
    z_alpha = -_NORMAL.inv_cdf(alpha / 2)  # not inv_cdf(1 - alpha/2): a Holm step level may be far under 1e-16
    spread = math.sqrt(discordant - delta * delta)
    shift, null = math.sqrt(n) * delta, z_alpha * math.sqrt(discordant)
    if spread == 0:  # every pair discordant, all one way: the test rejects or never does
        return 1.0 if shift > null else 0.0
    return _NORMAL.cdf((shift - null) / spread) + _NORMAL.cdf((-shift - null) / spread)


def detectable_paired_gap(n: int, discordant: float, alpha: float = 0.05, power: float = 0.8) -> float | None:
    """The smallest difference n pairs detect with the given power (Connor 1987), or None.

    The discordant proportion under the alternative is the observed one, or the difference
    itself when that is larger (a difference needs at least as many discordant pairs): the
    smallest d with power_paired(d, max(discordant, d), n, alpha) >= power, by bisection to
    within 1e-7. None when not even a difference of 1 reaches the power.
    """
    _level(power, "power")
    _level(alpha, "alpha")
    _arm(0, n)
    _proportion(discordant, "the discordant proportion")

    def reaches(gap: float) -> bool:
        return power_paired(gap, max(discordant, gap), n, alpha) >= power

    return _smallest(reaches, 1.0) if reaches(1.0) else None


def _smallest(reaches: Callable[[float], bool], room: float) -> float:
    """The smallest gap in (0, room] that `reaches`, to within 1e-7: it must reach at `room`, and reach
    at every gap above one that does (power grows with the gap)."""
    low, high = 0.0, room
    while high - low > _GAP_TOLERANCE:
        middle = (low + high) / 2
        if reaches(middle):
            high = middle
        else:
            low = middle
    return high
