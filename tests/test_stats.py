"""The statistics against published values and independently computed ones.

Reference values, and how each was obtained (never by this module):
- DOMAIN.md's table (computed with statsmodels / SciPy by the project's domain notes).
- Newcombe (1998), Statistics in Medicine 17:873-890, Table II examples, checked here with
  statsmodels 0.15.0 `confint_proportions_2indep(..., method="newcomb", compare="diff")`.
- Wilson intervals: SciPy 1.17.1 `binomtest(k, n).proportion_ci(method="wilson")`.
- Clopper-Pearson upper bounds: SciPy 1.17.1 `binomtest(k, n).proportion_ci(method="exact")`.
- Fisher's exact test: SciPy 1.17.1 `fisher_exact([[k1, n1-k1], [k2, n2-k2]])` (two-sided).
- z-test: statsmodels 0.15.0 `proportions_ztest([k1, k2], [n1, n2])`.
- Holm: statsmodels 0.15.0 `multipletests(p, method="holm")`.
- Power: statsmodels 0.15.0 `power_proportions_2indep(diff, p1, n, alpha=0.05)` (the same
  Fleiss formula: pooled variance under H0, unpooled under H1); and Fleiss, Levin & Paik's
  sample size of 435 a group for 5% vs 10% at 80% power.
SciPy and statsmodels ran in a throwaway virtual environment outside the repository; they are
not dependencies of safetycase.
"""

from __future__ import annotations

import math

import pytest

from checker import stats

PP = 1e-4  # tolerance on proportions (0.01 percentage points)


@pytest.mark.parametrize(
    ("arms", "difference", "interval_pp", "z", "z_p", "fisher_p"),
    [
        ((60, 500, 15, 500), 0.09, (5.82, 12.35), 5.40, 6.6e-8, 5.4e-8),
        ((6, 50, 1, 50), 0.10, (-0.63, 21.92), None, 0.0500, 0.112),
        ((3, 25, 0, 25), 0.12, (-3.45, 29.96), None, 0.074, 0.235),
        ((12, 100, 6, 100), 0.06, (-2.18, 14.45), None, 0.138, 0.216),
    ],
)
def test_domain_table(
    arms: tuple[int, int, int, int],
    difference: float,
    interval_pp: tuple[float, float],
    z: float | None,
    z_p: float,
    fisher_p: float,
) -> None:
    k1, n1, k2, n2 = arms
    assert stats.rate(k1, n1) - stats.rate(k2, n2) == pytest.approx(difference, abs=1e-12)
    low, high = stats.newcombe_interval(*arms)
    # The table rounds to 0.01 pp, so agreement is to half of that.
    assert low * 100 == pytest.approx(interval_pp[0], abs=0.005)
    assert high * 100 == pytest.approx(interval_pp[1], abs=0.005)
    result = stats.z_test(*arms)
    if z is not None:
        assert result.statistic == pytest.approx(z, abs=0.005)
    assert result.p_value == pytest.approx(z_p, rel=0.05)
    assert stats.fisher_exact(*arms).p_value == pytest.approx(fisher_p, rel=0.05)


@pytest.mark.parametrize(
    ("arms", "low", "high"),
    [
        ((60, 500, 15, 500), 0.05815672184937625, 0.12354017504660192),
        ((6, 50, 1, 50), -0.00625798304979161, 0.21919029880994184),
        ((3, 25, 0, 25), -0.03451877253484126, 0.2995579392092733),
        ((12, 100, 6, 100), -0.021826080379252003, 0.1445022103533249),
        ((56, 70, 48, 80), 0.05243147240236498, 0.33387265403690614),  # Newcombe 1998, example (a)
        ((9, 10, 3, 10), 0.1705227239345029, 0.809017973535488),  # example (b)
        ((6, 7, 2, 7), 0.05822792748231209, 0.8062496375242278),  # example (c)
        ((5, 56, 0, 29), -0.038137147903536936, 0.19256001385511165),  # example (d)
        ((0, 10, 0, 20), -0.1611251580528194, 0.27753279986288926),  # example (e)
        ((10, 10, 0, 20), 0.6790860371419145, 1.0),  # example (f)
        ((51, 360, 10, 360), 0.07451572775694859, 0.15565448123736497),
    ],
)
def test_newcombe_against_statsmodels(arms: tuple[int, int, int, int], low: float, high: float) -> None:
    got = stats.newcombe_interval(*arms)
    assert got[0] == pytest.approx(low, abs=PP)
    assert got[1] == pytest.approx(high, abs=PP)


@pytest.mark.parametrize(
    ("count", "n", "low", "high"),
    [
        (81, 263, 0.2552885198782742, 0.36620957698280004),
        (15, 148, 0.06238639953073629, 0.16048724172330803),
        (0, 20, 0.0, 0.16112515805281935),
        (1, 29, 0.006113214292762667, 0.17175521879320282),
        (648, 1200, 0.5117181268715222, 0.5680265930802589),
    ],
)
def test_wilson_against_scipy(count: int, n: int, low: float, high: float) -> None:
    got = stats.wilson_interval(count, n)
    assert got[0] == pytest.approx(low, abs=PP)
    assert got[1] == pytest.approx(high, abs=PP)


@pytest.mark.parametrize(
    ("count", "n", "upper"),
    [
        (0, 20, 0.16843347098308548),  # DOMAIN.md: 16.8%
        (0, 50, 0.07112173646420458),  # 7.1%
        (0, 100, 0.03621669264519054),  # 3.6%
        (0, 400, 0.009179804583673406),  # 0.9%
        (4, 300, 0.03378489626190417),
        (2, 300, 0.02387349757217363),
    ],
)
def test_clopper_pearson_upper_against_scipy(count: int, n: int, upper: float) -> None:
    assert stats.clopper_pearson_upper(count, n) == pytest.approx(upper, abs=PP)


@pytest.mark.parametrize(
    ("arms", "p_value"),
    [
        ((60, 500, 15, 500), 5.37172830015818e-08),
        ((6, 50, 1, 50), 0.11174961771814726),
        ((3, 25, 0, 25), 0.23469387755102045),
        ((12, 100, 6, 100), 0.21587448776186122),
        ((300, 100000, 200, 100000), 8.713112338431009e-06),
        ((0, 10, 0, 20), 1.0),
        ((1, 3, 2, 2), 0.4000000000000001),
        ((7, 12, 1, 9), 0.06687306501547988),
        ((45, 60, 30, 60), 0.007953318732958611),
        ((0, 1000, 4, 1000), 0.12462490634400823),
    ],
)
def test_fisher_against_scipy(arms: tuple[int, int, int, int], p_value: float) -> None:
    result = stats.fisher_exact(*arms)
    assert result.test == "fisher" and result.statistic is None
    assert result.p_value == pytest.approx(p_value, rel=1e-6)


@pytest.mark.parametrize(
    ("arms", "z", "p_value"),
    [
        ((60, 500, 15, 500), 5.402702026688978, 6.564445710999319e-08),
        ((56, 70, 48, 80), 2.6501719512585336, 0.00804508136819656),
        ((9, 10, 3, 10), 2.738612787525831, 0.006169899320544151),
        ((51, 360, 10, 360), 5.487095009844088, 4.08597394571203e-08),
    ],
)
def test_z_test_against_statsmodels(arms: tuple[int, int, int, int], z: float, p_value: float) -> None:
    result = stats.z_test(*arms)
    assert result.test == "z"
    assert result.statistic == pytest.approx(z, abs=1e-9)
    assert result.p_value == pytest.approx(p_value, rel=1e-6)


def test_z_test_without_any_event_is_not_significant() -> None:
    assert stats.z_test(0, 10, 0, 20) == stats.TestResult(test="z", statistic=0.0, p_value=1.0)


@pytest.mark.parametrize(
    ("p_values", "adjusted"),
    [
        ([0.01, 0.04, 0.03, 0.005, 0.20], [0.04, 0.09, 0.09, 0.025, 0.2]),
        ([0.5, 0.001, 0.02, 0.02, 0.04, 0.3], [0.6, 0.006, 0.1, 0.1, 0.12, 0.6]),
        ([], []),
        ([0.7], [0.7]),
    ],
)
def test_holm_against_statsmodels(p_values: list[float], adjusted: list[float]) -> None:
    assert stats.holm(p_values) == pytest.approx(adjusted, abs=1e-12)


@pytest.mark.parametrize(
    ("p_low", "p_high", "n", "power"),
    [
        (0.05, 0.10, 435, 0.8005146549205072),
        (0.02, 0.07, 300, 0.8416655022277968),
        (0.03, 0.08, 800, 0.9926787445437296),
        (0.10, 0.15, 1000, 0.9228823416294454),
    ],
)
def test_power_against_statsmodels(p_low: float, p_high: float, n: int, power: float) -> None:
    assert stats.power_two_proportions(p_low, p_high, n, n) == pytest.approx(power, abs=PP)


def test_detectable_gap_matches_fleiss_sample_size() -> None:
    # Fleiss, Levin & Paik: 435 a group detect 5% vs 10% with 80% power at alpha 0.05.
    assert stats.detectable_gap(435, 435, 0.05) == pytest.approx(0.05, abs=0.001)
    gap = stats.detectable_gap(500, 500, 0.03)
    assert stats.power_two_proportions(0.03, 0.03 + gap, 500, 500) == pytest.approx(0.8, abs=1e-5)


def test_detectable_gap_shrinks_as_arms_grow() -> None:
    gaps = [stats.detectable_gap(n, n, 0.02) for n in (50, 100, 400, 1600)]
    assert gaps == sorted(gaps, reverse=True)
    assert gaps[-1] < gaps[0] / 4


def test_detectable_gap_when_no_gap_is_detectable() -> None:
    assert stats.detectable_gap(1, 1, 0.5) == 0.5


def test_compare_proportions_chooses_fisher_for_small_expected_cells() -> None:
    assert stats.min_expected_cell(3, 25, 0, 25) == pytest.approx(1.5)
    assert stats.compare_proportions(3, 25, 0, 25).test == "fisher"
    assert stats.min_expected_cell(60, 500, 15, 500) == pytest.approx(37.5)
    assert stats.compare_proportions(60, 500, 15, 500).test == "z"
    # At exactly 5 the z-test is used: 10 events in 200 trials, expected 5 in each arm.
    assert stats.min_expected_cell(6, 100, 4, 100) == pytest.approx(5.0)
    assert stats.compare_proportions(6, 100, 4, 100).test == "z"


def test_intervals_contain_their_estimates() -> None:
    for n in (1, 2, 7, 30, 250):
        for k in range(0, n + 1, max(1, n // 7)):
            low, high = stats.wilson_interval(k, n)
            assert 0.0 <= low <= k / n <= high <= 1.0
            for k2, n2 in ((0, 9), (5, 9), (9, 9)):
                d_low, d_high = stats.newcombe_interval(k, n, k2, n2)
                assert -1.0 <= d_low <= k / n - k2 / n2 <= d_high <= 1.0


def test_holm_is_monotone_and_never_below_raw() -> None:
    raw = [0.03, 0.001, 0.2, 0.049, 0.011, 0.9]
    adjusted = stats.holm(raw)
    assert all(a >= r for a, r in zip(adjusted, raw, strict=True))
    ordered = [adjusted[i] for i in sorted(range(len(raw)), key=raw.__getitem__)]
    assert ordered == sorted(ordered)
    assert max(adjusted) <= 1.0


def test_fisher_handles_a_million_trials() -> None:
    result = stats.fisher_exact(5000, 1_000_000, 4700, 1_000_000)
    assert 0.0 < result.p_value < 0.01 and math.isfinite(result.p_value)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: stats.rate(1, 0), "n must be"),
        (lambda: stats.rate(5, 4), "count must be"),
        (lambda: stats.rate(-1, 4), "count must be"),
        (lambda: stats.wilson_interval(1, 4, confidence=1.0), "confidence must be"),
        (lambda: stats.detectable_gap(100, 100, 0.05, power=0.0), "power must be"),
        (lambda: stats.power_two_proportions(0.1, 1.2, 10, 10), "proportions must be"),
        (lambda: stats.detectable_gap(100, 100, 1.0), "baseline must be"),
    ],
)
def test_bad_arguments(call: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()  # type: ignore[operator]
