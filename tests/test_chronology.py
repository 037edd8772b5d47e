"""Dates in order (CC-1) and reviews that follow the decision (RG-4, RG-5): gaming cards and honest ones.

Each card is an edit of cases/base.yaml: evaluations dated 2026-10-12 to 2026-10-22, the audit
2026-10-25 with 28 days of access to api-prod (first fine-tuning stage 2026-08-01), the deeper
review 2026-10-28, the decision 2026-10-30 and the submission 2026-11-01.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from checker.model import Verdict
from checker.severity import Severity
from tests.test_requirements import run
from tests.test_rule_edges import FORMAT_1_1, card, places

ACCESS = "access: {level: grey_box, chain_of_thought: true, activations: true, helpful_only_model: true, fine_tuning: true, days: 28}"


LATER_SNAPSHOT = (
    "      access_setting: api\nevaluations:\n",
    "      access_setting: api\n"
    "    - id: rc3\n"
    "      description: A later snapshot, trained on after the decision.\n"
    "      weights_sha256: 3ae54f7078118c5a146dcd92d04842b8e78a68aac4b5663a10e2eb79bffec65f\n"
    "evaluations:\n",
)


def access(days: int, periods: str = "") -> tuple[str, str]:
    return ACCESS, ACCESS.replace("days: 28}", f"days: {days}{', periods: ' + periods if periods else ''}}}")


def test_a_release_decided_before_the_evaluations_it_rests_on_is_a_finding(tmp_path: Path) -> None:
    # The worthless card: the release decided in 1970, the evaluations dated 2099.
    report = run(
        tmp_path,
        card(
            ("  decided_on: 2026-10-30\n", "  decided_on: 1970-01-01\n"),
            ("    date: 2026-10-12\n", "    date: 2099-01-01\n"),
        ),
    )
    messages = {p.pointer: p.message for p in places(report, "CC-1")}
    assert messages["/evaluations/6/date"] == (
        "evaluation 'sa-suite' is dated 2099-01-01, after the release decision (release_gate.decided_on: 1970-01-01) "
        "and after the card's submission (submission.submitted_on: 2026-11-01)"
    )
    assert messages["/evaluations/0/date"] == (
        "evaluation 'af-helpful-only' is dated 2026-10-20, after the release decision (release_gate.decided_on: "
        "1970-01-01)"
    )
    assert messages["/independent_audits/0/date"].startswith("audit 'audit-1' is dated 2026-10-25, after the release")
    assert messages["/release_gate/deeper_review/completed_on"].startswith(
        "the deeper review was completed on 2026-10-28"
    )
    assert report.requirement("CC-1").severity is Severity.MAJOR
    assert report.verdict is not Verdict.PASS


def test_a_hundred_years_of_access_is_more_than_the_model_existed(tmp_path: Path) -> None:
    report = run(tmp_path, card(access(36_500)))
    (place,) = places(report, "CC-1")
    assert place.pointer == "/independent_audits/0/access/days"
    assert place.message == (
        "audit 'audit-1' declares 36,500 days of access, more than the 86 days from the configuration's first "
        "fine-tuning stage (configuration 'api-prod', stage 'sft-1', completed_on: 2026-08-01) to the audit's date "
        "(audit 'audit-1', date: 2026-10-25)"
    )


def test_access_is_bounded_by_the_submission_when_the_audit_is_dated_after_it(tmp_path: Path) -> None:
    # The worthless card: the audit dated 2099 cannot lend its access 73 years to run in.
    report = run(tmp_path, card(access(36_500), ("    date: 2026-10-25\n", "    date: 2099-10-25\n")))
    days = {p.pointer: p.message for p in places(report, "CC-1")}["/independent_audits/0/access/days"]
    assert days.endswith(
        "more than the 93 days from the configuration's first fine-tuning stage (configuration 'api-prod', stage "
        "'sft-1', completed_on: 2026-08-01) to the card's submission (submission.submitted_on: 2026-11-01)"
    )


def test_access_periods_end_by_the_audit_and_begin_once_the_model_exists(tmp_path: Path) -> None:
    periods = "[{configuration: api-prod, from: 1926-01-01, to: 2026-10-20}, {from: 2026-10-01, to: 2026-11-30}]"
    report = run(tmp_path, card(FORMAT_1_1, access(28, periods)))
    messages = {p.pointer: p.message for p in places(report, "CC-1")}
    assert messages == {
        "/independent_audits/0/access/periods/0/from": (
            "access period 1 of audit 'audit-1' begins on 1926-01-01, before the configuration's first fine-tuning "
            "stage (configuration 'api-prod', stage 'sft-1', completed_on: 2026-08-01)"
        ),
        "/independent_audits/0/access/periods/1/to": (
            "access period 2 of audit 'audit-1' ends on 2026-11-30, after the audit's date (audit 'audit-1', "
            "date: 2026-10-25) and after the card's submission (submission.submitted_on: 2026-11-01)"
        ),
    }


@pytest.mark.parametrize(
    ("edit", "pointer"),
    [
        (("  decided_on: 2026-10-30\n", "  decided_on: 2026-11-05\n"), "/release_gate/decided_on"),
        (
            ("    completed_on: 2026-10-28\n", "    completed_on: 2026-11-13\n"),
            "/release_gate/deeper_review/completed_on",
        ),
        (
            ('{card_version: "3", date: 2026-11-01,', '{card_version: "3", date: 2026-11-02,'),
            "/submission/changelog/0/date",
        ),
        (
            ("reinforcement_learning, completed_on: 2026-09-15,", "reinforcement_learning, completed_on: 2026-12-15,"),
            "/model/configurations/0/fine_tuning_history/1/completed_on",
        ),
    ],
)
def test_nothing_is_dated_after_the_submission(tmp_path: Path, edit: tuple[str, str], pointer: str) -> None:
    report = run(tmp_path, card(edit))
    (late,) = [p for p in places(report, "CC-1") if p.pointer == pointer]
    assert "submission.submitted_on: 2026-11-01" in late.message


def test_a_review_completed_after_the_decision_counts_for_neither_rg4_nor_rg5(tmp_path: Path) -> None:
    # The self-contradictory card: the deeper review completed two weeks after the decision,
    # a full release over an unmet criterion. RG-5 accepted it, though RG-4 did not.
    report = run(
        tmp_path,
        card(
            ("  decision: staged_release\n", "  decision: release\n"),
            ('observed: "0.6 pp", met: true', 'observed: "6.1 pp", met: false'),
            ("  decided_on: 2026-10-30\n", "  decided_on: 2026-10-14\n"),
        ),
    )
    shortfall = "the deeper review was completed on 2026-10-28, after the decision on 2026-10-14"
    (rg4,) = places(report, "RG-4")
    (rg5,) = places(report, "RG-5")
    assert shortfall in rg4.message
    assert (
        rg5.message
        == f"the decision is a full release while these stand: unmet criterion 'compliance gap'; but {shortfall}"
    )
    assert "/release_gate/deeper_review/completed_on" in [p.pointer for p in places(report, "CC-1")]
    assert report.verdict is Verdict.FAIL


# --- honest cards: no false alarm -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("why", "edits"),
    [
        (
            "an early snapshot evaluated before the released model's last fine-tuning stage",
            [("    date: 2026-10-12\n", "    date: 2026-09-01\n")],
        ),
        (
            "a hold decision, followed by more testing before the card was submitted",
            [
                ("  decision: staged_release\n", "  decision: hold\n"),
                ("  decided_on: 2026-10-30\n", "  decided_on: 2026-10-13\n"),
            ],
        ),
        (
            "a supplementary evaluation (a later snapshot's trend data) run after the decision",
            [
                FORMAT_1_1,
                LATER_SNAPSHOT,
                (
                    "    category: situational_awareness\n    configuration: api-prod\n",
                    "    category: situational_awareness\n    configuration: rc3\n",
                ),
                ("    date: 2026-10-12\n", "    date: 2026-10-31\n    role: supplementary\n"),
            ],
        ),
        (
            "a short black-box audit of a near-final checkpoint, given as its periods",
            [FORMAT_1_1, access(6, "[{configuration: api-prod, from: 2026-10-01, to: 2026-10-06, level: black_box}]")],
        ),
        (
            "access on every day the model existed, up to the audit",
            [access(86)],
        ),
        (
            "everything dated on the same day as the submission",
            [
                ("  decided_on: 2026-10-30\n", "  decided_on: 2026-11-01\n"),
                ("    completed_on: 2026-10-28\n", "    completed_on: 2026-11-01\n"),
            ],
        ),
    ],
)
def test_honest_chronologies_are_not_findings(tmp_path: Path, why: str, edits: list[tuple[str, str]]) -> None:
    report = run(tmp_path, card(*edits))
    assert places(report, "CC-1") == [], why
    assert report.requirement("CC-1").score == 1.0


def test_a_card_without_dates_is_no_contradiction(tmp_path: Path) -> None:
    # Other requirements ask for the dates (RG-1, RG-4, VS-9); their absence contradicts nothing.
    undated = re.sub(r"\n *(?:date|decided_on|submitted_on|completed_on): [0-9-]+|,? completed_on: [0-9-]+", "", card())
    undated = re.sub(r"  changelog:\n(?:    - .*\n)+", "", undated)
    assert re.search(r"\d{4}-\d\d-\d\d", undated) is None
    report = run(tmp_path, undated)
    assert report.requirement("CC-1").score is None


def test_an_evaluation_of_the_release_declared_supplementary_still_informs_the_decision(tmp_path: Path) -> None:
    # Supplementary data on the released configuration counts as evidence about it (AD, CV-5 read it): it cannot
    # also escape the order of the decision by its label.
    edits = [FORMAT_1_1, ("    date: 2026-10-12\n", "    date: 2026-10-31\n    role: supplementary\n")]
    (late,) = places(run(tmp_path, card(*edits)), "CC-1")
    assert late.pointer.endswith("/date") and "2026-10-31" in late.message


LAST_STAGE = (
    "        - {stage: rl-2, kind: reinforcement_learning, completed_on: 2026-09-15, description: RL from human and AI feedback.}\n",
    "        - {stage: rl-2, kind: reinforcement_learning, completed_on: 2026-09-15, description: RL from human and AI feedback.}\n"
    "        - {stage: rl-3, kind: reinforcement_learning, completed_on: 2026-10-28, description: A last RL stage.}\n",
)


def test_a_released_configuration_trained_after_every_evaluation_of_it_was_never_tested_as_released(
    tmp_path: Path,
) -> None:
    # The hostile review: a stage added after every evaluation (the latest 2026-10-22), the weights' hash unchanged.
    (untested,) = places(run(tmp_path, card(LAST_STAGE)), "CC-1")
    assert untested.message.startswith("every evaluation of released configuration 'api-prod' (the latest, '")
    assert (
        "before the configuration's last fine-tuning stage (configuration 'api-prod', stage 'rl-3'" in untested.message
    )


def test_one_evaluation_after_the_last_stage_is_enough(tmp_path: Path) -> None:
    edits = [LAST_STAGE, ("    date: 2026-10-12\n", "    date: 2026-10-29\n")]  # sa-suite, before the 10-30 decision
    assert places(run(tmp_path, card(*edits)), "CC-1") == []
