"""checker.stats against published values and values computed independently of it.

Where every reference value comes from (none was produced by checker.stats):

- DOMAIN: the project's domain notes (DOMAIN.md, "Statistics, with values to test against"),
  whose table was computed with statsmodels / SciPy and is printed rounded; each value is
  checked to half a unit of its last printed digit.
- NEWCOMBE: Newcombe RG (1998), "Interval estimation for the difference between independent
  proportions: comparison of eleven methods", Statistics in Medicine 17:873-890, Table II,
  examples (a)-(h), method 10, printed to 4 decimals.
- WILSON-PUBLISHED: Wilson score intervals printed to 4 decimals in Newcombe RG (1998),
  "Two-sided confidence intervals for the single proportion: comparison of seven methods",
  Statistics in Medicine 17:857-872 (the examples 81/263, 15/148, 0/20, 1/29), the interval
  Agresti & Coull (1998) recommend.
- FLEISS: Fleiss, Levin & Paik, Statistical Methods for Rates and Proportions, 3rd ed. (2003),
  ch. 4: 435 per group detect 0.05 against 0.10 with power 0.80 at two-sided alpha 0.05, without
  continuity correction (474 with it).
- Library values, full precision, computed on 2026-11-24 with Python 3.11.7 in a throwaway
  virtual environment outside the repository (/tmp/statsref; scipy and statsmodels are not
  dependencies of this project), with statsmodels 0.15.0, SciPy 1.17.1, NumPy 2.4.6:
  - SM-NEWCOMBE: statsmodels.stats.proportion.confint_proportions_2indep(k1, n1, k2, n2,
    method="newcomb", compare="diff", alpha=0.05) (alpha=0.10 where a test says 90%).
  - SP-WILSON: scipy.stats.binomtest(k, n).proportion_ci(confidence_level=0.95,
    method="wilson"); statsmodels proportion_confint(k, n, alpha=0.10, method="wilson") for 90%.
  - SP-FISHER: scipy.stats.fisher_exact([[k1, n1 - k1], [k2, n2 - k2]],
    alternative="two-sided").pvalue.
  - SM-ZTEST: statsmodels.stats.proportion.proportions_ztest([k1, k2], [n1, n2],
    alternative="two-sided") -> (z, p).
  - SM-HOLM: statsmodels.stats.multitest.multipletests(p, method="holm")[1].
  - SM-POWER: statsmodels.stats.proportion.power_proportions_2indep(p_high - p_low, p_low, n2,
    ratio=n1 / n2, alpha=0.05, alternative="two-sided").power (the same Fleiss formula: pooled
    variance under H0, unpooled under H1, no continuity correction; p_low is the arm of n1).
  - SM-GAP: scipy.optimize.brentq(lambda d: SM-POWER(b, b + d, n1, n2) - 0.80, 1e-9,
    1 - b - 1e-12, xtol=1e-14).

Paired designs (issue 13):

- NEWCOMBE-PAIRED: Newcombe RG (1998), "Improved confidence intervals for the difference between
  binomial proportions based on paired data", Statistics in Medicine 17:2635-2650, Table III,
  the method-10 rows, printed to 4 decimals (cells e, f, g, h: both, first only, second only,
  neither).
- FAGERLAND: Fagerland, Lydersen & Laake (2017), Statistical Analysis of Contingency Tables,
  ch. 8, the Newcombe square-and-add interval for Cavo et al. (2012) (59, 6, 16, 80):
  -0.0621 (-0.1186 to -0.0046), as their R package contingencytables prints it.
- ARMITAGE: Armitage & Berry (1994), Statistical Methods in Medical Research, p. 127: two media
  for culturing 50 sputum specimens, 12 and 2 discordant pairs; the exact (conditional
  binomial) McNemar p-value 0.0129 (as StatsDirect's manual prints it).
- CONNOR: Connor RJ (1987), "Sample size for testing differences in proportions for the
  paired-sample design", Biometrics 43:207-211, p. 209: with discordant proportions 0.45 and 0.05,
  two-sided alpha 0.05 and power 0.80, 23 pairs (22.01 before rounding up; the worked example of
  powerandsamplesize.com's McNemar calculator, which cites Connor's formula).
- Library values computed on 2026-12-07 with Python 3.11.7, statsmodels 0.15.0, SciPy 1.17.1 in a
  throwaway virtual environment (/tmp/stats13ref):
  - SM-MCNEMAR: statsmodels.stats.contingency_tables.mcnemar([[10, b], [c, 10]], exact=True).pvalue.
  - SP-CONNOR: Connor's power, Phi((sqrt(n)|d| - z sqrt(psi)) / sqrt(psi - d^2)) + Phi((-sqrt(n)|d|
    - z sqrt(psi)) / sqrt(psi - d^2)), with scipy.stats.norm; the detectable difference solved with
    scipy.optimize.brentq (xtol 1e-14) for psi = max(observed, d).

Tolerances: published 4-decimal values to 1e-4 absolute; full-precision interval and power
values to 1e-9 absolute; p-values relatively (1e-6, or 1e-9 for the z-test).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from checker import stats

PUBLISHED = 1e-4  # values printed to 4 decimals
TIGHT = 1e-9  # full-precision library values

Arms = tuple[int, int, int, int]


# --- DOMAIN: the project's table -------------------------------------------------------------


@pytest.mark.parametrize(
    ("arms", "difference_pp", "interval_pp", "z", "z_p", "z_p_half_unit", "fisher_p", "fisher_p_half_unit"),
    [
        ((60, 500, 15, 500), 9.0, (5.82, 12.35), 5.40, 6.6e-8, 0.05e-8, 5.4e-8, 0.05e-8),
        ((6, 50, 1, 50), 10.0, (-0.63, 21.92), None, 0.0500, 0.00005, 0.112, 0.0005),
        ((3, 25, 0, 25), 12.0, (-3.45, 29.96), None, 0.074, 0.0005, 0.235, 0.0005),
        ((12, 100, 6, 100), 6.0, (-2.18, 14.45), None, 0.138, 0.0005, 0.216, 0.0005),
    ],
)
def test_domain_table(
    arms: Arms,
    difference_pp: float,
    interval_pp: tuple[float, float],
    z: float | None,
    z_p: float,
    z_p_half_unit: float,
    fisher_p: float,
    fisher_p_half_unit: float,
) -> None:
    k1, n1, k2, n2 = arms
    assert (stats.rate(k1, n1) - stats.rate(k2, n2)) * 100 == pytest.approx(difference_pp, abs=1e-9)
    low, high = stats.newcombe_interval(*arms)
    # Printed to 0.01 pp, i.e. 1e-4 as a proportion: agree to half of that.
    assert low * 100 == pytest.approx(interval_pp[0], abs=0.005)
    assert high * 100 == pytest.approx(interval_pp[1], abs=0.005)
    result = stats.z_test(*arms)
    assert result.test == "z"
    if z is not None:
        assert result.statistic == pytest.approx(z, abs=0.005)
    assert result.p_value == pytest.approx(z_p, abs=z_p_half_unit)
    assert stats.fisher_exact(*arms).p_value == pytest.approx(fisher_p, abs=fisher_p_half_unit)


# --- Newcombe's hybrid score interval ----------------------------------------------------------


@pytest.mark.parametrize(
    ("arms", "low", "high"),
    [
        # NEWCOMBE (1998), Table II, method 10: examples (a) to (h).
        ((56, 70, 48, 80), 0.0524, 0.3339),
        ((9, 10, 3, 10), 0.1705, 0.8090),
        ((6, 7, 2, 7), 0.0582, 0.8062),
        ((5, 56, 0, 29), -0.0381, 0.1926),
        ((0, 10, 0, 20), -0.1611, 0.2775),
        ((0, 10, 0, 10), -0.2775, 0.2775),
        ((10, 10, 0, 20), 0.6791, 1.0000),
        ((10, 10, 0, 10), 0.6075, 1.0000),
    ],
)
def test_newcombe_published_table(arms: Arms, low: float, high: float) -> None:
    got = stats.newcombe_interval(*arms)
    assert got[0] == pytest.approx(low, abs=PUBLISHED)
    assert got[1] == pytest.approx(high, abs=PUBLISHED)


@pytest.mark.parametrize(
    ("arms", "low", "high"),
    [
        # SM-NEWCOMBE, statsmodels 0.15.0, alpha=0.05.
        ((60, 500, 15, 500), 0.05815672184937625, 0.12354017504660192),
        ((6, 50, 1, 50), -0.00625798304979161, 0.21919029880994184),
        ((3, 25, 0, 25), -0.03451877253484126, 0.2995579392092733),
        ((12, 100, 6, 100), -0.021826080379252003, 0.1445022103533249),
        ((56, 70, 48, 80), 0.05243147240236498, 0.33387265403690614),
        ((9, 10, 3, 10), 0.1705227239345029, 0.809017973535488),
        ((6, 7, 2, 7), 0.05822792748231209, 0.8062496375242278),
        ((5, 56, 0, 29), -0.038137147903536936, 0.19256001385511165),
        ((0, 10, 0, 20), -0.1611251580528194, 0.27753279986288926),
        ((10, 10, 0, 20), 0.6790860371419145, 1.0),
        ((10, 10, 0, 10), 0.6075093504305241, 1.0),
        ((51, 360, 10, 360), 0.07451572775694859, 0.15565448123736497),
    ],
)
def test_newcombe_against_statsmodels(arms: Arms, low: float, high: float) -> None:
    got = stats.newcombe_interval(*arms)
    assert got[0] == pytest.approx(low, abs=TIGHT)
    assert got[1] == pytest.approx(high, abs=TIGHT)


def test_newcombe_other_confidence_against_statsmodels() -> None:
    # SM-NEWCOMBE with alpha=0.10, statsmodels 0.15.0.
    got = stats.newcombe_interval(56, 70, 48, 80, confidence=0.90)
    assert got == pytest.approx((0.07656419154407207, 0.31364458358294384), abs=TIGHT)


# --- Wilson's score interval -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "n", "low", "high"),
    [(81, 263, 0.2553, 0.3662), (15, 148, 0.0624, 0.1605), (0, 20, 0.0, 0.1611), (1, 29, 0.0061, 0.1718)],
)
def test_wilson_published(count: int, n: int, low: float, high: float) -> None:
    # WILSON-PUBLISHED: Newcombe (1998a), printed to 4 decimals.
    got = stats.wilson_interval(count, n)
    assert got[0] == pytest.approx(low, abs=PUBLISHED)
    assert got[1] == pytest.approx(high, abs=PUBLISHED)


@pytest.mark.parametrize(
    ("count", "n", "low", "high"),
    [
        # SP-WILSON, SciPy 1.17.1, 95%.
        (81, 263, 0.2552885198782742, 0.36620957698280004),
        (15, 148, 0.06238639953073629, 0.16048724172330803),
        (0, 20, 0.0, 0.16112515805281935),
        (1, 29, 0.006113214292762667, 0.17175521879320282),
        (648, 1200, 0.5117181268715222, 0.5680265930802589),
        (29, 29, 0.8830302015002592, 1.0),
    ],
)
def test_wilson_against_scipy(count: int, n: int, low: float, high: float) -> None:
    got = stats.wilson_interval(count, n)
    assert got[0] == pytest.approx(low, abs=TIGHT)
    assert got[1] == pytest.approx(high, abs=TIGHT)


def test_wilson_other_confidence_against_statsmodels() -> None:
    # statsmodels 0.15.0 proportion_confint(81, 263, alpha=0.10, method="wilson").
    got = stats.wilson_interval(81, 263, confidence=0.90)
    assert got == pytest.approx((0.2633136171884814, 0.35656634960848815), abs=TIGHT)


def test_wilson_is_exact_at_the_edges() -> None:
    assert stats.wilson_interval(0, 7)[0] == 0.0
    assert stats.wilson_interval(7, 7)[1] == 1.0


# --- Clopper-Pearson upper bound ---------------------------------------------------------------


# --- Tests of equal proportions ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("arms", "p_value"),
    [
        # SP-FISHER, SciPy 1.17.1.
        ((60, 500, 15, 500), 5.37172830015818e-08),
        ((6, 50, 1, 50), 0.11174961771814726),
        ((3, 25, 0, 25), 0.23469387755102045),
        ((12, 100, 6, 100), 0.21587448776186122),
        ((300, 100_000, 200, 100_000), 8.713112338431009e-06),
        ((0, 10, 0, 20), 1.0),
        ((1, 3, 2, 2), 0.4000000000000001),
        ((7, 12, 1, 9), 0.06687306501547988),
        ((45, 60, 30, 60), 0.007953318732958611),
        ((0, 1000, 4, 1000), 0.12462490634400823),
        ((3, 10, 3, 10), 1.0),
        ((2, 7, 5, 7), 0.28613053613053613),
        ((5000, 1_000_000, 4700, 1_000_000), 0.002338528281562058),
        ((500_000, 1_000_000, 499_000, 1_000_000), 0.15771450486976657),
        # Half the trials are events, so the table mirrored in the first arm is exactly as likely;
        # in floating point it comes out a few ulps more likely, and only the 1e-7 tolerance keeps it.
        ((0, 2, 4, 6), 0.4285714285714286),
        ((0, 7, 10, 13), 0.0030959752321981426),
        ((4, 12, 17, 30), 0.30576379199510595),
        ((2, 25, 31, 41), 9.562639561424933e-08),
    ],
)
def test_fisher_against_scipy(arms: Arms, p_value: float) -> None:
    result = stats.fisher_exact(*arms)
    assert result.test == "fisher"
    assert result.statistic is None
    assert result.p_value == pytest.approx(p_value, rel=1e-6)


def test_fisher_is_symmetric_in_the_arms() -> None:
    for arms in ((7, 12, 1, 9), (300, 100_000, 200, 100_000), (2, 7, 5, 7)):
        k1, n1, k2, n2 = arms
        assert stats.fisher_exact(k2, n2, k1, n1).p_value == pytest.approx(stats.fisher_exact(*arms).p_value, rel=1e-9)


@pytest.mark.parametrize(
    ("arms", "z", "p_value"),
    [
        # SM-ZTEST, statsmodels 0.15.0.
        ((60, 500, 15, 500), 5.402702026688978, 6.564445710999319e-08),
        ((6, 50, 1, 50), 1.959654504174051, 0.0500361861762328),
        ((3, 25, 0, 25), 1.7864740025262411, 0.07402254292538106),
        ((12, 100, 6, 100), 1.482498633322202, 0.13820766697402584),
        ((56, 70, 48, 80), 2.6501719512585336, 0.00804508136819656),
        ((9, 10, 3, 10), 2.738612787525831, 0.006169899320544151),
        ((51, 360, 10, 360), 5.487095009844088, 4.08597394571203e-08),
        ((30, 400, 45, 400), -1.8194353045893685, 0.06884504460752014),
    ],
)
def test_z_test_against_statsmodels(arms: Arms, z: float, p_value: float) -> None:
    result = stats.z_test(*arms)
    assert result.test == "z"
    assert result.statistic == pytest.approx(z, abs=1e-9)
    assert result.p_value == pytest.approx(p_value, rel=1e-6)


@pytest.mark.parametrize("arms", [(0, 10, 0, 20), (10, 10, 20, 20)])
def test_z_test_with_a_pooled_proportion_of_zero_or_one(arms: Arms) -> None:
    assert stats.z_test(*arms) == stats.TestResult(test="z", statistic=0.0, p_value=1.0)


def test_min_expected_cell() -> None:
    # Margins by hand: 3/25 vs 0/25 has 3 events in 50, so 25 * 3 / 50 = 1.5 in each event cell.
    assert stats.min_expected_cell(3, 25, 0, 25) == pytest.approx(1.5)
    assert stats.min_expected_cell(60, 500, 15, 500) == pytest.approx(37.5)
    # 10 events in 200 trials: exactly 5 expected in each arm.
    assert stats.min_expected_cell(6, 100, 4, 100) == pytest.approx(5.0)
    # Events the common outcome: 95 non-events of 100 in one arm of 20: 20 * 5 / 100 = 1.
    assert stats.min_expected_cell(18, 20, 77, 80) == pytest.approx(1.0)


def test_compare_proportions_picks_fisher_exactly_below_five_expected() -> None:
    for n1 in (5, 12, 40, 100):
        for n2 in (7, 40, 150):
            for k1 in range(0, n1 + 1, max(1, n1 // 6)):
                for k2 in range(0, n2 + 1, max(1, n2 // 6)):
                    arms = (k1, n1, k2, n2)
                    result = stats.compare_proportions(*arms)
                    expected = "fisher" if stats.min_expected_cell(*arms) < 5 else "z"
                    assert result.test == expected, arms
                    reference = stats.fisher_exact(*arms) if expected == "fisher" else stats.z_test(*arms)
                    assert result == reference
    # At exactly 5 the z-test is used.
    assert stats.compare_proportions(6, 100, 4, 100).test == "z"
    assert stats.compare_proportions(3, 25, 0, 25).test == "fisher"


# --- Holm --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("p_values", "adjusted"),
    [
        # SM-HOLM, statsmodels 0.15.0.
        ([0.01, 0.04, 0.03, 0.005, 0.20], [0.04, 0.09, 0.09, 0.025, 0.2]),
        ([0.5, 0.001, 0.02, 0.02, 0.04, 0.3], [0.6, 0.006, 0.1, 0.1, 0.12, 0.6]),
        ([0.7], [0.7]),
        ([], []),
    ],
)
def test_holm_against_statsmodels(p_values: list[float], adjusted: list[float]) -> None:
    assert stats.holm(p_values) == pytest.approx(adjusted, abs=1e-12)


def test_holm_properties() -> None:
    raw = [0.03, 0.001, 0.2, 0.049, 0.011, 0.9, 0.011, 0.0]
    adjusted = stats.holm(raw)
    assert len(adjusted) == len(raw)
    assert all(r <= a <= 1.0 for r, a in zip(raw, adjusted, strict=True))
    in_sorted_order = [adjusted[i] for i in sorted(range(len(raw)), key=raw.__getitem__)]
    assert in_sorted_order == sorted(in_sorted_order)
    assert stats.holm([0.5, 0.6, 0.9]) == [1.0, 1.0, 1.0]


def test_holm_levels_step_from_bonferroni_to_alpha() -> None:
    # Sorted: 0.005 (0.05/5), 0.01 (0.05/4), 0.03 (0.05/3), 0.04 (0.05/2), 0.20 (0.05).
    assert stats.holm_levels([0.01, 0.04, 0.03, 0.005, 0.20], 0.05) == pytest.approx(
        [0.0125, 0.025, 0.05 / 3, 0.01, 0.05], abs=1e-15
    )
    assert stats.holm_levels([], 0.05) == []


def test_tied_p_values_share_the_level_of_the_first_of_them() -> None:
    # As they share their adjusted p-value: 0.02 and 0.02 are the 2nd and 3rd of 6, both at 0.05/5.
    raw = [0.5, 0.001, 0.02, 0.02, 0.04, 0.3]
    levels = stats.holm_levels(raw, 0.05)
    assert levels == pytest.approx([0.05, 0.05 / 6, 0.01, 0.01, 0.05 / 3, 0.05 / 2], abs=1e-15)


def test_holm_rejects_exactly_what_the_step_levels_reject() -> None:
    # A p-value is significant after Holm's adjustment when it and every smaller one are under their levels.
    raw = [0.03, 0.001, 0.2, 0.011, 0.9, 0.011, 0.0, 0.0125]
    adjusted, levels = stats.holm(raw), stats.holm_levels(raw, 0.05)
    for i, p in enumerate(raw):
        smaller_or_equal = [j for j, q in enumerate(raw) if q <= p]
        assert (adjusted[i] < 0.05) is all(raw[j] < levels[j] for j in smaller_or_equal)


# --- Paired designs: McNemar, Newcombe (paired), Connor ------------------------------------------


@pytest.mark.parametrize(
    ("a_only", "b_only", "p_value"),
    [
        # SM-MCNEMAR, statsmodels 0.15.0.
        (12, 2, 0.012939453125),
        (6, 16, 0.052478790283203125),
        (0, 0, 1.0),
        (0, 5, 0.0625),
        (7, 7, 1.0),
        (3, 9, 0.14599609375),
        (25, 2, 5.647540092468262e-06),
        (40, 61, 0.046044066929342785),
        (150, 100, 0.0018833009350761602),
        (1, 0, 1.0),
        (200, 260, 0.0058839224731039984),
        (2, 30, 2.4633482098579407e-07),
    ],
)
def test_mcnemar_against_statsmodels(a_only: int, b_only: int, p_value: float) -> None:
    result = stats.mcnemar_exact(a_only, b_only)
    assert (result.test, result.statistic) == ("mcnemar", None)
    assert result.p_value == pytest.approx(p_value, rel=1e-12)
    assert stats.mcnemar_exact(b_only, a_only).p_value == result.p_value


@pytest.mark.parametrize(
    ("a_only", "b_only", "p_value"),
    [
        # SM-MCNEMAR: many discordant pairs, where lgamma's own rounding (about 1e-16 of its
        # 1e6-sized value) limits the agreement.
        (5000, 5210, 0.038597723451450267),
        (123456, 124789, 0.007508538812168533),
    ],
)
def test_mcnemar_with_many_discordant_pairs(a_only: int, b_only: int, p_value: float) -> None:
    assert stats.mcnemar_exact(a_only, b_only).p_value == pytest.approx(p_value, rel=1e-9)


def test_mcnemar_published() -> None:
    # ARMITAGE: 12 and 2 discordant pairs, exact two-sided P = 0.0129 (2 x 106 / 16384).
    assert stats.mcnemar_exact(12, 2).p_value == pytest.approx(0.0129, abs=0.00005)
    assert stats.mcnemar_exact(12, 2).p_value == pytest.approx(2 * 106 / 2**14, rel=1e-12)


def test_mcnemar_at_the_schemas_largest_counts_is_quick_and_in_range() -> None:
    # 10^9 discordant pairs split almost evenly: the sum stops when its terms cannot change it.
    assert stats.mcnemar_exact(500_000_000, 499_990_000).p_value == pytest.approx(0.7518523985, rel=1e-6)
    assert stats.mcnemar_exact(1, 999_999_999).p_value == 0.0


@pytest.mark.parametrize(
    ("cells", "low", "high"),
    [
        # NEWCOMBE-PAIRED, Table III, method 10: (e, f, g, h).
        ((36, 12, 2, 0), 0.0569, 0.3404),
        ((20, 12, 2, 16), 0.0562, 0.3292),
        ((18, 12, 2, 18), 0.0562, 0.3290),
        ((36, 14, 0, 0), 0.1528, 0.4167),
        ((35, 14, 0, 1), 0.1461, 0.4175),
        ((18, 14, 0, 18), 0.1441, 0.3963),
        ((2, 97, 1, 0), 0.8721, 0.9854),
        ((1, 97, 1, 1), 0.8736, 0.9850),
        ((0, 29, 1, 0), 0.6666, 0.9882),
        ((2, 98, 0, 0), 0.9178, 0.9945),
        ((1, 98, 0, 1), 0.9171, 0.9916),
        ((0, 30, 0, 0), 0.8395, 1.0),
        ((54, 0, 0, 0), -0.0664, 0.0664),
        ((53, 0, 0, 1), -0.0729, 0.0729),
        ((30, 0, 0, 24), -0.0358, 0.0358),
        ((29, 0, 0, 25), -0.0354, 0.0354),
        ((28, 0, 0, 26), -0.0352, 0.0352),
        ((27, 0, 0, 27), -0.0351, 0.0351),
        # FAGERLAND: Cavo et al. (2012).
        ((59, 6, 16, 80), -0.1186, -0.0046),
    ],
)
def test_newcombe_paired_published(cells: tuple[int, int, int, int], low: float, high: float) -> None:
    both, first_only, second_only, neither = cells
    n = both + first_only + second_only + neither
    got = stats.newcombe_paired_interval(n, first_only, second_only, both)
    assert got == pytest.approx((low, high), abs=PUBLISHED)


def test_newcombe_paired_contains_its_estimate_and_mirrors() -> None:
    for n, a, b, both in ((10, 3, 1, 2), (800, 60, 10, 6), (50, 0, 0, 50), (5, 5, 0, 0), (7, 0, 0, 0)):
        low, high = stats.newcombe_paired_interval(n, a, b, both)
        assert -1.0 <= low <= (a - b) / n <= high <= 1.0
        assert stats.newcombe_paired_interval(n, b, a, both) == pytest.approx((-high, -low), abs=1e-15)


def test_a_paired_interval_is_narrower_than_the_independent_one_when_pairs_agree() -> None:
    # 20 pairs with the behaviour in both contexts and 15 in neither: the correlation narrows it.
    paired = stats.newcombe_paired_interval(40, 5, 0, 20)
    independent = stats.newcombe_interval(25, 40, 20, 40)
    assert paired[1] - paired[0] < independent[1] - independent[0] - 0.01


def test_power_paired_at_connors_worked_example() -> None:
    # CONNOR: 23 pairs reach 80% power for discordant proportions 0.45 and 0.05; 22 do not.
    assert stats.power_paired(0.4, 0.5, 23) >= 0.80 > stats.power_paired(0.4, 0.5, 22)


@pytest.mark.parametrize(
    ("difference", "discordant", "n", "alpha", "power"),
    [
        # SP-CONNOR.
        (0.4, 0.5, 23, 0.05, 0.819407091769824),
        (0.4, 0.5, 22, 0.05, 0.7997681169040473),
        (0.1, 0.2, 155, 0.05, 0.8010350910503992),
        (0.1, 0.2, 154, 0.05, 0.7984495161837577),
        (0.05, 0.1, 300, 0.05, 0.7848187919671645),
        (0.02, 0.03, 1000, 0.01, 0.8605731412316809),
    ],
)
def test_power_paired_against_the_formula_in_scipy(
    difference: float, discordant: float, n: int, alpha: float, power: float
) -> None:
    assert stats.power_paired(difference, discordant, n, alpha) == pytest.approx(power, abs=TIGHT)
    assert stats.power_paired(-difference, discordant, n, alpha) == pytest.approx(power, abs=TIGHT)


def test_power_paired_edges() -> None:
    assert stats.power_paired(0.0, 0.3, 100) == 0.05
    assert stats.power_paired(1.0, 1.0, 4) == 1.0  # every pair one way: sqrt(4) > 1.96
    assert stats.power_paired(1.0, 1.0, 3) == 0.0


@pytest.mark.parametrize(
    ("n", "discordant", "alpha", "gap"),
    [
        # SP-CONNOR, brentq.
        (500, 0.02, 0.05, 0.017677016612862983),
        (500, 0.0, 0.05, 0.015623845816569698),
        (1000, 0.1, 0.05, 0.027982804723829937),
        (200, 0.3, 0.05, 0.10786649253705204),
        (800, 0.05, 0.05 / 6, 0.027460491161098912),
    ],
)
def test_detectable_paired_gap_against_the_formula_in_scipy(
    n: int, discordant: float, alpha: float, gap: float
) -> None:
    got = stats.detectable_paired_gap(n, discordant, alpha)
    assert got == pytest.approx(gap, abs=1e-6)
    assert stats.power_paired(got, max(discordant, got), n, alpha) >= 0.8


def test_detectable_paired_gap_when_nothing_is_detectable() -> None:
    assert stats.detectable_paired_gap(3, 0.0) is None  # sqrt(3) < 1.96: not even all pairs one way
    assert stats.detectable_paired_gap(1, 1.0) is None


# --- Power and detectable gap (Fleiss, Levin & Paik) ----------------------------------------------


def test_power_at_the_fleiss_sample_size() -> None:
    # FLEISS: 435 a group is the smallest n reaching 80% power for 0.05 against 0.10.
    assert stats.power_two_proportions(0.05, 0.10, 435, 435) == pytest.approx(0.80, abs=0.001)
    assert stats.power_two_proportions(0.05, 0.10, 435, 435) >= 0.80
    assert stats.power_two_proportions(0.05, 0.10, 434, 434) < 0.80


@pytest.mark.parametrize(
    ("p_low", "p_high", "n1", "n2", "power"),
    [
        # SM-POWER, statsmodels 0.15.0.
        (0.05, 0.10, 435, 435, 0.8005146549205072),
        (0.05, 0.10, 434, 434, 0.7996093273140865),
        (0.05, 0.10, 200, 200, 0.475363395395221),
        (0.02, 0.07, 300, 300, 0.8416655022277968),
        (0.03, 0.08, 800, 800, 0.9926787445437296),
        (0.10, 0.15, 1000, 1000, 0.9228823416294454),
        (0.04, 0.10, 600, 300, 0.9221565354910461),
        (0.04, 0.10, 300, 600, 0.9104522190107682),
    ],
)
def test_power_against_statsmodels(p_low: float, p_high: float, n1: int, n2: int, power: float) -> None:
    assert stats.power_two_proportions(p_low, p_high, n1, n2) == pytest.approx(power, abs=TIGHT)


def test_power_without_a_difference_is_alpha() -> None:
    assert stats.power_two_proportions(0.2, 0.2, 100, 100) == pytest.approx(0.05)
    assert stats.power_two_proportions(0.2, 0.2, 100, 100, alpha=0.01) == pytest.approx(0.01)


def test_power_of_zero_against_one() -> None:
    # No variance under H1: the test always rejects when |d| exceeds z * pooled SE, else never.
    assert stats.power_two_proportions(0.0, 1.0, 1, 1) == 0.0  # 1.96 * sqrt(0.5) > 1
    assert stats.power_two_proportions(0.0, 1.0, 3, 3) == 1.0  # 1.96 * sqrt(1/6) < 1


def test_detectable_gap_matches_fleiss() -> None:
    # FLEISS: 435 a group detect 0.05 over a baseline of 0.05.
    assert stats.detectable_gap(435, 435, 0.05) == pytest.approx(0.05, abs=0.002)


@pytest.mark.parametrize(
    ("n1", "n2", "baseline", "gap"),
    [
        # SM-GAP, statsmodels 0.15.0 power solved with SciPy 1.17.1 brentq.
        (435, 435, 0.05, 0.04996148439087876),
        (500, 500, 0.03, 0.03825030182065633),
        (200, 400, 0.02, 0.05239795315028378),
        (1000, 1000, 0.10, 0.04074510262991684),
        (60, 60, 0.0, 0.12053481778686084),
    ],
)
def test_detectable_gap_against_statsmodels(n1: int, n2: int, baseline: float, gap: float) -> None:
    got = stats.detectable_gap(n1, n2, baseline)
    assert got == pytest.approx(gap, abs=1e-6)  # bisection to 1e-6 or better
    assert stats.power_two_proportions(baseline, baseline + got, n1, n2) >= 0.8


def test_power_at_a_holm_step_level_under_double_precision() -> None:
    # 0.05 over a family of 10^16 comparisons: 1 - level/2 is 1.0 in floating point, level/2 is not 0.
    level = 0.05 / 1e16
    assert 1 - level / 2 == 1.0
    gap = stats.detectable_gap(10_000, 10_000, 0.02, alpha=level)
    assert gap is not None and stats.detectable_gap(10_000, 10_000, 0.02) < gap < 0.1
    assert 0 < stats.power_paired(0.05, 0.1, 10_000, alpha=level) < 1


def test_detectable_gap_shrinks_as_arms_grow() -> None:
    gaps = [stats.detectable_gap(n, n, 0.02) for n in (50, 100, 400, 1600)]
    assert gaps == sorted(gaps, reverse=True)
    assert gaps[-1] < gaps[0] / 4


def test_detectable_gap_when_nothing_is_detectable() -> None:
    # One trial an arm: neither 0.5 against 1.0 nor 0.5 against 0.0 reaches 80% power.
    assert stats.power_two_proportions(0.5, 1.0, 1, 1) < 0.8
    assert stats.power_two_proportions(0.5, 0.0, 1, 1) < 0.8
    assert stats.detectable_gap(1, 1, 0.5) is None
    assert stats.detectable_gap(1, 1, 0.0) is None


@pytest.mark.parametrize(("n1", "n2", "baseline"), [(5, 5, 1.0), (50, 50, 0.96), (400, 400, 0.999)])
def test_detectable_gap_near_one_is_a_decrease(n1: int, n2: int, baseline: float) -> None:
    # No increase reaches 80% power (none at all from 1.0), so the gap is the smallest decrease
    # that does: it reaches the power, and 1e-6 less does not.
    assert stats.power_two_proportions(baseline, 1.0, n1, n2) < 0.8 or baseline == 1.0
    gap = stats.detectable_gap(n1, n2, baseline)
    assert gap is not None and 0 < gap <= baseline
    assert stats.power_two_proportions(baseline, baseline - gap, n1, n2) >= 0.8
    assert stats.power_two_proportions(baseline, baseline - (gap - 1e-6), n1, n2) < 0.8


# --- Properties ----------------------------------------------------------------------------------


def test_intervals_contain_their_estimates() -> None:
    for n in (1, 2, 7, 30, 250):
        for k in range(0, n + 1, max(1, n // 7)):
            low, high = stats.wilson_interval(k, n)
            assert 0.0 <= low <= k / n <= high <= 1.0
            for k2, n2 in ((0, 9), (5, 9), (9, 9), (13, 400)):
                d_low, d_high = stats.newcombe_interval(k, n, k2, n2)
                assert -1.0 <= d_low <= k / n - k2 / n2 <= d_high <= 1.0


def test_intervals_narrow_as_confidence_falls() -> None:
    wide, narrow = stats.wilson_interval(12, 80, 0.99), stats.wilson_interval(12, 80, 0.80)
    assert wide[0] < narrow[0] < narrow[1] < wide[1]
    wide, narrow = stats.newcombe_interval(12, 80, 5, 90, 0.99), stats.newcombe_interval(12, 80, 5, 90, 0.80)
    assert wide[0] < narrow[0] < narrow[1] < wide[1]


# --- Errors --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: stats.rate(0, 0), "n must be"),
        (lambda: stats.rate(1, -3), "n must be"),
        (lambda: stats.rate(5, 4), "count must be"),
        (lambda: stats.rate(-1, 4), "count must be"),
        (lambda: stats.wilson_interval(0, 0), "n must be"),
        (lambda: stats.wilson_interval(5, 4), "count must be"),
        (lambda: stats.wilson_interval(1, 4, confidence=1.0), "confidence must be"),
        (lambda: stats.wilson_interval(1, 4, confidence=0.0), "confidence must be"),
        (lambda: stats.newcombe_interval(1, 4, -1, 4), "count must be"),
        (lambda: stats.newcombe_interval(1, 4, 1, 0), "n must be"),
        (lambda: stats.z_test(1, 0, 1, 4), "n must be"),
        (lambda: stats.fisher_exact(1, 4, 5, 4), "count must be"),
        (lambda: stats.min_expected_cell(-1, 4, 1, 4), "count must be"),
        (lambda: stats.compare_proportions(1, 4, 1, 0), "n must be"),
        (lambda: stats.holm([0.2, 1.5]), "p-values must be"),
        (lambda: stats.power_two_proportions(0.1, 1.2, 10, 10), "proportions must be"),
        (lambda: stats.power_two_proportions(0.1, 0.2, 0, 10), "n must be"),
        (lambda: stats.power_two_proportions(0.1, 0.2, 10, 10, alpha=1.0), "alpha must be"),
        (lambda: stats.detectable_gap(100, 100, 0.05, power=0.0), "power must be"),
        (lambda: stats.detectable_gap(100, 100, 0.05, power=1.0), "power must be"),
        (lambda: stats.detectable_gap(100, 100, 0.05, alpha=0.0), "alpha must be"),
        (lambda: stats.detectable_gap(100, 100, 1.5), "baseline must be"),
        (lambda: stats.detectable_gap(0, 100, 0.05), "n must be"),
        (lambda: stats.holm_levels([0.2], 0.0), "alpha must be"),
        (lambda: stats.holm_levels([1.2], 0.05), "p-values must be"),
        (lambda: stats.mcnemar_exact(-1, 3), "paired counts must be"),
        (lambda: stats.newcombe_paired_interval(10, 5, 5, 1), "must be at most n"),
        (lambda: stats.newcombe_paired_interval(0, 0, 0, 0), "n must be"),
        (lambda: stats.power_paired(0.3, 0.2, 100), "at most the discordant proportion"),
        (lambda: stats.power_paired(0.1, 1.5, 100), "discordant proportion must be"),
        (lambda: stats.detectable_paired_gap(100, 0.1, power=1.0), "power must be"),
    ],
)
def test_bad_arguments_raise_value_error(call: Callable[[], object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()
