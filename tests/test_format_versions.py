"""Format 1.0 and 1.1: a 1.0 card reads as it always did; 1.1 keys are checked where they are written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import BASE, EXAMPLE_CARDS, ROOT, safetycase

from checker.load import load_card
from checker.validate import problems

V11 = BASE.replace('schema_version: "1.0"', 'schema_version: "1.1"')
FIRST_ARMS = "      - {context: training_like, n: 800, count: 19}\n"


def _messages(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "card.yaml"
    path.write_text(text, encoding="utf-8")
    return [f"{p.pointer}: {p.message}" for p in problems(load_card(path))]


def _check(card: Path, *extra: str) -> dict[str, object]:
    ran = safetycase("check", card, "--format", "json", "--no-evidence", *extra)
    assert ran.returncode in (0, 1), ran.stderr
    report: dict[str, object] = json.loads(ran.stdout)
    return report


FORMAT_1_0_EXAMPLES = [card for card in EXAMPLE_CARDS if 'schema_version: "1.0"' in (ROOT / card).read_text("utf-8")]
"""The examples still written in format 1.0 (aster-2 moved to 1.1 to show its auditor's statement)."""


def test_examples_are_written_in_both_versions() -> None:
    assert FORMAT_1_0_EXAMPLES and len(FORMAT_1_0_EXAMPLES) < len(EXAMPLE_CARDS)


@pytest.mark.parametrize("card", FORMAT_1_0_EXAMPLES, ids=str)
def test_a_1_0_card_means_the_same_when_it_says_1_1(card: Path, tmp_path: Path) -> None:
    text = (ROOT / card).read_text(encoding="utf-8")
    relabelled = tmp_path / card.parent.name / "card.yaml"
    relabelled.parent.mkdir()
    relabelled.write_text(text.replace('schema_version: "1.0"', 'schema_version: "1.1"'), encoding="utf-8")
    before, after = _check(ROOT / card), _check(relabelled)
    for key in ("verdict", "score", "counts", "findings", "areas"):
        assert before[key] == after[key], key


def test_validate_accepts_both_versions(tmp_path: Path) -> None:
    for version in ("1.0", "1.1"):
        path = tmp_path / f"card-{version}.yaml"
        path.write_text(BASE.replace('schema_version: "1.0"', f'schema_version: "{version}"'), encoding="utf-8")
        ran = safetycase("validate", path)
        assert ran.returncode == 0, ran.stderr


def test_any_other_version_is_refused(tmp_path: Path) -> None:
    (message,) = _messages(tmp_path, BASE.replace('schema_version: "1.0"', 'schema_version: "1.2"'))
    assert message == "/schema_version: '1.2' is not one of: 1.0, 1.1"


def test_a_1_1_key_in_a_1_0_card_says_which_version_has_it(tmp_path: Path) -> None:
    text = BASE.replace(FIRST_ARMS, "      - {context: training_like, rate: 0.02}\n")
    assert _messages(tmp_path, text) == [
        "/evaluations/0/arms/0: missing required key 'n'",
        "/evaluations/0/arms/0/rate: unknown key 'rate' in format 1.0: it is new in format 1.1"
        ' (schema_version: "1.1")',
    ]
    assert _messages(tmp_path, text.replace('schema_version: "1.0"', 'schema_version: "1.1"')) == []


@pytest.mark.parametrize(
    ("arm", "expected"),
    [
        (
            "{context: training_like}",
            ["/evaluations/0/arms/0: missing required key n and count (or, format 1.1, a rate)"],
        ),
        (
            "{context: training_like, n: 800}",
            ["/evaluations/0/arms/0: missing required key count (or, format 1.1, a rate)"],
        ),
        (
            "{context: training_like, count: 8, rate: 0.01}",
            ["/evaluations/0/arms/0: a count without n: give the arm's n, or only its rate"],
        ),
        (
            "{context: training_like, rate: 2.4}",
            [
                "/evaluations/0/arms/0/rate: rate is 2.4, above 1, with no unit: a rate is a fraction from 0 to 1"
                " unless 'unit: percent' says it is a percentage (format 1.1)"
            ],
        ),
        (
            "{context: training_like, rate: 2.4, unit: fraction}",
            ["/evaluations/0/arms/0/rate: rate is 2.4, above 1, but its unit says it is a fraction (0 to 1)"],
        ),
        ("{context: training_like, rate: 2.4, unit: percent}", []),
        ("{context: training_like, n: 800, rate: 0.024}", []),
    ],
)
def test_an_arm_gives_counts_or_a_rate_on_a_stated_scale(tmp_path: Path, arm: str, expected: list[str]) -> None:
    assert _messages(tmp_path, V11.replace(FIRST_ARMS, f"      - {arm}\n")) == expected


def test_a_rate_metric_above_1_needs_its_unit_in_either_version(tmp_path: Path) -> None:
    old = "{name: alignment_faking_reasoning_rate, value: 0.004, n: 800}"
    assert old in BASE
    metric = "/evaluations/0/metrics/0/value"
    text = BASE.replace(old, "{name: alignment_faking_reasoning_rate, value: 54.0}")
    assert _messages(tmp_path, text) == [
        f"{metric}: 'alignment_faking_reasoning_rate' is 54.0, above 1, with no unit: a rate is a fraction"
        " from 0 to 1 unless 'unit: percent' says it is a percentage (format 1.1)"
    ]
    percent = V11.replace(old, "{name: alignment_faking_reasoning_rate, value: 54.0, unit: percent}")
    assert _messages(tmp_path, percent) == []
    over = V11.replace(old, "{name: alignment_faking_reasoning_rate, value: 540, unit: percent}")
    assert _messages(tmp_path, over) == [
        f"{metric}: 'alignment_faking_reasoning_rate' is 540, above 100, but its unit says it is a percentage (0 to 100)"
    ]
    # A metric that does not name itself a rate is on a scale of its own.
    assert _messages(tmp_path, BASE.replace(old, "{name: elo, value: 1234}")) == []


def _with_paired(pair: str) -> str:
    return V11.replace("    arms:\n", f"    paired:\n      - {pair}\n    arms:\n", 1)


def test_a_paired_design_is_two_contexts_whose_counts_fit_its_pairs(tmp_path: Path) -> None:
    good = "{contexts: [monitored, unmonitored], n: 300, a_only: 4, b_only: 19, both: 6}"
    assert _messages(tmp_path, _with_paired(good)) == []
    assert _messages(tmp_path, _with_paired(good.replace("n: 300", "n: 20"))) == [
        "/evaluations/0/paired/0/n: a_only + b_only + both is 29, more than the 20 pairs"
    ]
    assert _messages(tmp_path, _with_paired(good.replace("unmonitored]", "monitored]"))) == [
        "/evaluations/0/paired/0/contexts: both contexts are 'monitored': a paired design compares two"
    ]


def test_new_references_resolve(tmp_path: Path) -> None:
    derived = V11.replace(
        "      access_setting: api\n",
        "      access_setting: api\n    - {id: fine-tuned, derived_from: api-nope, derivation: adversarial_fine_tuning}\n",
        1,
    )
    assert _messages(tmp_path, derived) == [
        "/model/configurations/1/derived_from: 'api-nope' names no configuration in this card"
    ]
    periods = V11.replace(
        "fine_tuning: true, days: 28}",
        "fine_tuning: true, days: 28, periods: [{configuration: nope, from: 2026-10-20, to: 2026-10-01}]}",
    )
    assert _messages(tmp_path, periods) == [
        "/independent_audits/0/access/periods/0/configuration: 'nope' names no configuration in this card",
        "/independent_audits/0/access/periods/0/to: the period ends (2026-10-01) before it starts (2026-10-20)",
    ]


def test_an_auditors_measurement_counts_no_more_than_its_n(tmp_path: Path) -> None:
    scope = "    scope: [alignment_faking, sandbagging, hidden_goals, situational_awareness]\n"
    measured = "    measurements:\n      - {name: eval_awareness_rate, category: evaluation_awareness, value: 0.05, n: 1, count: 5}\n"
    assert _messages(tmp_path, V11.replace(scope, scope + measured)) == [
        "/independent_audits/0/measurements/0/count: count 5 is larger than n 1"
    ]
