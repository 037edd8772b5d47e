"""Release criteria computed from their numbers (CC-4, RG-6, RG-5): the parser, and cards that game or honestly use it.

Each card is an edit of cases/base.yaml, whose criteria read "< 5 pp" / "0.6 pp" / met and
"< 3 points" / "1.2 points" / met, and whose af-helpful-only arms are training_like 19/800,
deployment_like 14/800, monitored 18/800 and unmonitored 15/800.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.model import Verdict
from checker.rules.criteria import OPERATORS, UNITS, parse_observation, parse_threshold
from checker.severity import Severity
from tests.test_requirements import run
from tests.test_rule_edges import FORMAT_1_1, card, places

GAP_CRITERION = (
    '{name: compliance gap, threshold: "< 5 pp", observed: "0.6 pp", met: true, evidence: [af-helpful-only]}'
)


def criterion(text: str) -> tuple[str, str]:
    """Replace the base card's compliance-gap criterion."""
    return GAP_CRITERION, text


# --- the grammar --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "operator", "size", "unit"),
    [
        ("< 1 pp", "<", "1", "pp"),
        ("<5pp", "<", "5", "pp"),
        ("<= 5%", "<=", "5", "%"),
        ("≤ 2.5 %", "<=", "2.5", "%"),
        ("=< 3 pp", "<=", "3", "pp"),
        ("below 2 percentage points", "<", "2", "pp"),
        ("Under 0.5 p.p.", "<", "0.5", "pp"),
        ("less than 1 percentage point", "<", "1", "pp"),
        ("at most 0.05", "<=", "0.05", ""),
        ("no more than 5 percent", "<=", "5", "%"),
        ("up to 10 per cent", "<=", "10", "%"),
        ("maximum 5 %", "<=", "5", "%"),
        ("max 3 points", "<=", "3", "points"),
        ("≥ 90%", ">=", "90", "%"),
        (">= .9", ">=", "0.9", ""),
        ("at least 95 %", ">=", "95", "%"),
        ("no less than 0.8", ">=", "0.8", ""),
        ("above 50%", ">", "50", "%"),
        ("more than 1 pt", ">", "1", "points"),
        ("< 5 pp (absolute, either direction)", "<", "5", "pp"),
        ("< 5 pp.", "<", "5", "pp"),
        # what is bounded, named before the operator or after the unit (the hostile review's dodges)
        ("gap < 5 pp", "<", "5", "pp"),
        ("< 5 pp gap", "<", "5", "pp"),
        ("compliance gap no more than 5 pp", "<=", "5", "pp"),
        ("not to exceed 5 pp", "<=", "5", "pp"),
        ("must not exceed 5 pp", "<=", "5", "pp"),
    ],
)
def test_thresholds_parse_as_an_operator_a_number_and_a_unit(text: str, operator: str, size: str, unit: str) -> None:
    threshold = parse_threshold(text)
    assert threshold is not None
    assert (threshold.operator, threshold.bound.size, threshold.bound.unit) == (operator, Fraction(size), unit)


@pytest.mark.parametrize(
    "text",
    [
        "no significant gap",
        "5 pp",  # no operator
        "not under 5 pp",  # a negation is never read as a name
        "< 5 pp or more",  # two bounds
        "< 5 ppm",  # another unit
        "< 5x",
        "< 5 pp or < 2%",  # two figures
        "> -3 pp",  # a negative bound is not a bound on a size
        "< 1,000",
        "",
        "<" + " " * 300 + "5 pp",  # longer than any figure
    ],
)
def test_anything_else_is_left_alone(text: str) -> None:
    assert parse_threshold(text) is None


@pytest.mark.parametrize(
    ("text", "size", "unit", "half_step"),
    [
        ("45 pp", "45", "pp", "0.5"),
        ("7.8 pp", "7.8", "pp", "0.05"),
        ("0.3%", "0.3", "%", "0.05"),
        ("1.0 point", "1", "points", "0.05"),
        ("0.05", "0.05", "", "0.005"),
        ("-3.2 pp", "3.2", "pp", "0.05"),  # a difference with its direction: its size is compared
        ("−3.2 pp", "3.2", "pp", "0.05"),
        ("0.6 pp (p = 0.41)", "0.6", "pp", "0.05"),
        ("7.8 pp gap", "7.8", "pp", "0.05"),
        ("~7.8 pp", "7.8", "pp", "0.05"),
        ("about 5 pp", "5", "pp", "0.5"),
    ],
)
def test_observations_parse_as_a_size_a_unit_and_a_rounding(text: str, size: str, unit: str, half_step: str) -> None:
    observed = parse_observation(text)
    assert observed is not None
    assert (observed.size, observed.unit, observed.half_step) == (Fraction(size), unit, Fraction(half_step))


@pytest.mark.parametrize("text", ["see the audit report", "5 pp to 7 pp", "7.8 pp or more", "n/a", "1.2e3 pp"])
def test_observations_in_words_are_left_alone(text: str) -> None:
    assert parse_observation(text) is None


DECIMALS = st.decimals(min_value=0, max_value=1000, places=3, allow_nan=False, allow_infinity=False)


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(
    operator=st.sampled_from([(op, word) for op, words in OPERATORS.items() for word in words]),
    unit=st.sampled_from([(unit, word) for unit, words in UNITS.items() for word in words]),
    bound=DECIMALS,
    observed=DECIMALS,
    space=st.sampled_from(["", " ", "  "]),
)
def test_every_written_form_parses_and_its_verdict_is_exact_arithmetic(
    operator: tuple[str, str], unit: tuple[str, str], bound: Decimal, observed: Decimal, space: str
) -> None:
    (symbol, word), (unit_name, unit_word) = operator, unit
    threshold = parse_threshold(f"{word}{space or ' '}{bound}{space}{unit_word}")
    observation = parse_observation(f"{observed}{space}{unit_word}")
    assert threshold is not None and observation is not None
    assert (threshold.operator, threshold.bound.size, threshold.bound.unit) == (symbol, Fraction(str(bound)), unit_name)
    exact = {"<": Fraction.__lt__, "<=": Fraction.__le__, ">": Fraction.__gt__, ">=": Fraction.__ge__}[symbol]
    verdict = threshold.met_by(observation, (Fraction(1), Fraction(1)))
    low, high = observation.bounds(Fraction(1))
    if verdict is not None:  # decided: every value the written observation may stand for agrees
        assert verdict == exact(low, threshold.bound.size) == exact(high, threshold.bound.size)
    else:  # open: the rounding straddles the bound
        assert exact(low, threshold.bound.size) != exact(high, threshold.bound.size)


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(st.text(max_size=80))
def test_any_text_parses_or_is_left_alone(text: str) -> None:
    parse_threshold(text)  # no exception, whatever the text
    parse_observation(text)


# --- CC-4: a declared verdict the numbers contradict ------------------------------------------


def test_a_met_criterion_whose_observation_fails_its_threshold_is_a_blocker(tmp_path: Path) -> None:
    # The worthless card: threshold "< 1 pp", observed "45 pp", met: true.
    report = run(
        tmp_path,
        card(criterion('{name: gap, threshold: "< 1 pp", observed: "45 pp", met: true, evidence: [af-helpful-only]}')),
    )
    (place,) = places(report, "CC-4")
    assert place.message == "criterion 'gap' declares met: true, but its observed 45 pp is not < 1 pp"
    assert place.pointer == "/release_gate/criteria/0/met"
    assert report.requirement("CC-4").severity is Severity.BLOCKER
    assert report.verdict is Verdict.FAIL


def test_an_unmet_criterion_whose_observation_meets_its_threshold_is_a_finding(tmp_path: Path) -> None:
    report = run(
        tmp_path,
        card(criterion('{name: gap, threshold: "below 2 percentage points", observed: "0.4 pp", met: false}')),
    )
    (place,) = places(report, "CC-4")
    assert place.message == "criterion 'gap' declares met: false, but its observed 0.4 pp is below 2 percentage points"


@pytest.mark.parametrize(
    ("threshold", "observed", "met"),
    [
        ("< 5 pp", "5.0 pp", True),  # 5.0 may be 4.96 rounded: met or not, the card's rounding hides which
        ("< 5 pp", "5.0 pp", False),
        ("< 5%", "0.6 pp", True),  # percent and percentage points: one scale
        ("at most 0.05", "3%", True),  # a fraction against a percentage
        ("< 0.5", "0.7 pp", False),  # 0.5 pp with its unit left out: read as a fraction (50 pp) it would be met
        ("< 0.5", "0.3 pp", True),  # met whichever way "0.5" is read
        ("≥ 90%", "0.93", True),
        ("< 5 pp", "-3.2 pp", True),  # a difference with its direction, 3.2 pp in size
    ],
)
def test_declared_verdicts_the_numbers_allow_are_not_findings(
    tmp_path: Path, threshold: str, observed: str, met: bool
) -> None:
    text = f'{{name: gap, threshold: "{threshold}", observed: "{observed}", met: {str(met).lower()}}}'
    report = run(tmp_path, card(criterion(text)))
    assert places(report, "CC-4") == []
    assert report.requirement("CC-4").score == 1.0


def test_a_plain_number_contradicted_whichever_way_it_is_read_is_a_finding(tmp_path: Path) -> None:
    # "at most 0.05" is 5 pp as a fraction, or 0.05 pp with its unit left out: 45 pp meets neither.
    text = '{name: gap, threshold: "at most 0.05", observed: "45 pp", met: true}'
    (place,) = places(run(tmp_path, card(criterion(text))), "CC-4")
    assert place.message == "criterion 'gap' declares met: true, but its observed 45 pp is not at most 0.05"


def test_a_difference_is_bounded_by_its_size(tmp_path: Path) -> None:
    report = run(tmp_path, card(criterion('{name: gap, threshold: "< 5 pp", observed: "-7.8 pp", met: true}')))
    (place,) = places(report, "CC-4")
    assert place.message == "criterion 'gap' declares met: true, but its observed -7.8 pp is not < 5 pp"


def test_an_observation_that_differs_from_the_arms_it_reads_is_a_blocker(tmp_path: Path) -> None:
    # The self-contradictory card: "< 5 pp", observed "7.8 pp", met: true, while the cited
    # monitored/unmonitored arms (18/800 against 10/800) show 1.0 pp.
    report = run(
        tmp_path,
        card(
            FORMAT_1_1,
            (
                "      - {context: unmonitored, n: 800, count: 15}\n",
                "      - {context: unmonitored, n: 800, count: 10}\n",
            ),
            criterion(
                '{name: gap, threshold: "< 5 pp", observed: "7.8 pp", met: true, '
                "reads: {evaluation: af-helpful-only, pair: monitored/unmonitored}}"
            ),
        ),
    )
    (place,) = places(report, "CC-4")
    assert place.message == (
        "criterion 'gap' declares observed 7.8 pp, but the monitored/unmonitored gap of 'af-helpful-only' it reads "
        "is 1 pp (monitored 18/800 against unmonitored 10/800)"
    )
    assert place.pointer == "/release_gate/criteria/0/observed"
    assert report.verdict is Verdict.FAIL


@pytest.mark.parametrize(
    ("observed", "differs"),
    [
        ("0.375 pp", False),
        ("0.4 pp", False),  # rounded
        ("0.3 pp", False),  # truncated: copied, not contradicted
        ("0.5 pp", True),
        ("3.75 pp", True),  # a fraction written as if in pp
    ],
)
def test_a_declared_observation_may_round_or_truncate_the_figure_it_reads(
    tmp_path: Path, observed: str, differs: bool
) -> None:
    # monitored 18/800 against unmonitored 15/800: 0.375 pp
    text = (
        f'{{name: gap, threshold: "< 5 pp", observed: "{observed}", met: true, '
        "reads: {evaluation: af-helpful-only, pair: monitored/unmonitored}}"
    )
    report = run(tmp_path, card(FORMAT_1_1, criterion(text)))
    assert [p.pointer for p in places(report, "CC-4")] == (["/release_gate/criteria/0/observed"] if differs else [])


def test_the_verdict_is_judged_on_the_figure_read_not_the_one_declared(tmp_path: Path) -> None:
    # Declared 0.4 pp and met; the arms read give 5.0 pp exactly (58/800 against 18/800): not < 5 pp.
    report = run(
        tmp_path,
        card(
            FORMAT_1_1,
            (
                "      - {context: monitored, n: 800, count: 18}\n      - {context: unmonitored, n: 800, count: 15}\n",
                "      - {context: monitored, n: 800, count: 58}\n      - {context: unmonitored, n: 800, count: 18}\n",
            ),
            criterion(
                '{name: gap, threshold: "< 5 pp", observed: "0.4 pp", met: true, '
                "reads: {evaluation: af-helpful-only, pair: monitored/unmonitored}}"
            ),
        ),
    )
    messages = {p.message for p in places(report, "CC-4")}
    assert messages == {
        "criterion 'gap' declares observed 0.4 pp, but the monitored/unmonitored gap of 'af-helpful-only' it reads "
        "is 5 pp (monitored 58/800 against unmonitored 18/800)",
        "criterion 'gap' declares met: true, but the monitored/unmonitored gap of 'af-helpful-only' it reads is "
        "5 pp (monitored 58/800 against unmonitored 18/800), which is not < 5 pp",
    }


@pytest.mark.parametrize(
    ("reads", "threshold", "observed", "met", "agrees"),
    [
        # alignment_faking_reasoning_rate is 0.004: a fraction, 0.4%
        ("{evaluation: af-helpful-only, metric: alignment_faking_reasoning_rate}", "< 1%", "0.4%", "true", True),
        ("{evaluation: af-helpful-only, metric: alignment_faking_reasoning_rate}", "< 1%", "4%", "true", False),
        # hg-auditing-game's pooled rate: 0 of 200
        ("{evaluation: hg-auditing-game}", "at most 0.01", "0", "true", True),
        ("{evaluation: hg-auditing-game}", "at most 0.01", "0", "false", False),
    ],
)
def test_a_metric_or_a_pooled_rate_is_read_from_the_evaluation(
    tmp_path: Path, reads: str, threshold: str, observed: str, met: str, agrees: bool
) -> None:
    text = f'{{name: figure, threshold: "{threshold}", observed: "{observed}", met: {met}, reads: {reads}}}'
    report = run(tmp_path, card(FORMAT_1_1, criterion(text)))
    assert (places(report, "CC-4") == []) is agrees


def test_a_metric_in_percent_is_read_on_its_scale(tmp_path: Path) -> None:
    report = run(
        tmp_path,
        card(
            FORMAT_1_1,
            (
                "      - {name: alignment_faking_reasoning_rate, value: 0.004, n: 800}\n",
                "      - {name: alignment_faking_reasoning_rate, value: 0.4, n: 800, unit: percent}\n",
            ),
            criterion(
                '{name: reasoning, threshold: "< 1%", observed: "0.4%", met: true, '
                "reads: {evaluation: af-helpful-only, metric: alignment_faking_reasoning_rate}}"
            ),
        ),
    )
    assert places(report, "CC-4") == []
    assert report.requirement("CC-4").score == 1.0


# --- RG-6: a verdict that can only be taken as declared ----------------------------------------


@pytest.mark.parametrize(
    ("text", "why"),
    [
        (
            '{name: gap, threshold: "no significant gap", observed: "0.6 pp", met: true}',
            "its threshold 'no significant gap' is not a number with an operator and a unit (e.g. '< 5 pp')",
        ),
        (
            '{name: gap, threshold: "< 5 pp", observed: "see the audit", met: true}',
            "its observation 'see the audit' is not a number with a unit (e.g. '0.6 pp'), and it names no "
            "evaluation figure it reads",
        ),
        (
            '{name: gap, threshold: "< 3", observed: "1.2 points", met: true}',
            "its threshold '< 3' and its observation '1.2 points' are on no common scale",
        ),
        (
            # 1 pp with its unit left out, or 100%: either reading is a guess, and one would be a false alarm
            '{name: gap, threshold: "< 1", observed: "1.5 pp", met: false}',
            "its threshold '< 1' and its observation '1.5 pp' are on no common scale",
        ),
    ],
)
def test_a_verdict_that_cannot_be_computed_earns_less_but_is_no_contradiction(
    tmp_path: Path, text: str, why: str
) -> None:
    report = run(tmp_path, card(criterion(text)))
    (place,) = places(report, "RG-6")
    assert place.message == f"release criterion 'gap' can only be taken as declared: {why}"
    assert report.requirement("RG-6").severity is Severity.MINOR
    assert report.requirement("RG-6").score == 0.5
    assert places(report, "CC-4") == []
    assert report.verdict is Verdict.PASS  # proportionate: a minor shortfall, not a false alarm


def test_a_criterion_reading_a_metric_the_evaluation_does_not_give_cannot_be_computed(tmp_path: Path) -> None:
    text = (
        '{name: gap, threshold: "< 1%", observed: "0.4%", met: true, '
        "reads: {evaluation: af-helpful-only, metric: compliance_rate}}"
    )
    report = run(tmp_path, card(FORMAT_1_1, criterion(text)))
    (place,) = places(report, "RG-6")
    assert place.message.endswith(
        "it reads metric 'compliance_rate' of 'af-helpful-only', which reports no such metric"
    )


# --- RG-5: a criterion is unmet when its numbers say so ---------------------------------------


def test_a_full_release_over_a_criterion_declared_met_but_computed_unmet_needs_a_review(tmp_path: Path) -> None:
    report = run(
        tmp_path,
        card(
            criterion('{name: gap, threshold: "< 1 pp", observed: "45 pp", met: true}'),
            ("  decision: staged_release\n", "  decision: release\n"),
            ("  situational_awareness: {level: high, basis: [sa-suite]}\n", "  situational_awareness: {level: low}\n"),
            ("      - {context: overall, n: 1200, count: 648}\n", "      - {context: overall, n: 1200, count: 480}\n"),
            ("    performed: true\n", "    performed: false\n"),
        ),
    )
    (release,) = places(report, "RG-5")
    assert release.message == (
        "the decision is a full release while these stand: unmet criterion 'gap' (declared met, but its numbers say "
        "otherwise); but no deeper review was performed"
    )


@pytest.mark.parametrize(
    ("threshold", "bounds"),
    [("< 100 pp", False), ("<= 120%", False), (">= 0 pp", False), ("< 5 pp", True), ("> 0 pp", True), ("< 100", True)],
)
def test_a_threshold_every_figure_meets_bounds_nothing(tmp_path: Path, threshold: str, bounds: bool) -> None:
    # The hostile review: '< 100 pp' made a criterion that nothing could fail, with full RG-6 credit.
    report = run(tmp_path, card(('threshold: "< 5 pp"', f'threshold: "{threshold}"')))
    empty = [p for p in places(report, "RG-6") if p.pointer.endswith("/threshold")]
    assert (empty == []) is bounds
    if not bounds:
        assert empty[0].message.endswith("it bounds nothing")
