"""Audits judged on what shows, not on what the lab declares (issue 13, item 4 and independence by name).

Each test edits cases/base.yaml as a lab that wants a pass would (or as an honest card does) and states
the finding, or its absence, that the requirement demands. The auditor's statement of the passing
example, examples/aster-2-pass/evidence/audit-1-statement.yaml, is the starting point of a statement.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
from pathlib import Path

import pytest
import yaml

from checker.engine import _places_by_kind
from checker.model import AccessPeriod, Status, Verdict
from checker.pipeline import check_file
from checker.report import Report
from checker.rules import Gap
from checker.rules.ia import covered_days
from checker.severity import Severity
from checker.statement import AuditorStatement, parse
from tests.test_requirements import EVIDENCE, TODAY, run, status
from tests.test_rule_edges import card, places

V11 = ('schema_version: "1.0"', 'schema_version: "1.1"')
ACCESS = (
    "    access: {level: grey_box, chain_of_thought: true, activations: true, helpful_only_model: true, "
    "fine_tuning: true, days: 28}\n"
)
REPORT = "    report: {path: evidence/audit-1.md,"
STATEMENT = EVIDENCE / "audit-1-statement.yaml"


def with_access(periods: str, days: str = "") -> tuple[str, str]:
    """The audit's access as format 1.1 periods (and `days` too, when given)."""
    return (
        ACCESS,
        "    access: {level: grey_box, chain_of_thought: true, activations: true, helpful_only_model: true, "
        f"fine_tuning: true{days}, periods: [{periods}]}}\n",
    )


def before_report(text: str) -> tuple[str, str]:
    """Keys added to the audit, before its report line."""
    return (REPORT, text + REPORT)


def cited(tmp_path: Path, statement: dict[str, object] | None = None, *, hashed: bool = True) -> tuple[str, str]:
    """The audit cites a statement file: the example's, or `statement` written beside the card."""
    (tmp_path / "evidence").mkdir(exist_ok=True)
    for source in EVIDENCE.iterdir():
        shutil.copy(source, tmp_path / "evidence" / source.name)
    raw = STATEMENT.read_bytes() if statement is None else yaml.safe_dump(statement, sort_keys=False).encode()
    (tmp_path / "evidence" / "audit-1-statement.yaml").write_bytes(raw)
    sha = f", sha256: {hashlib.sha256(raw).hexdigest()}" if hashed else ""
    return before_report(f"    statement: {{path: evidence/audit-1-statement.yaml{sha}}}\n")


def example_statement(**changes: object) -> dict[str, object]:
    statement = yaml.safe_load(STATEMENT.read_text(encoding="utf-8"))
    statement.update(changes)
    return dict(statement)


def regulator(tmp_path: Path, text: str, *, evidence: bool = True) -> Report:
    path = tmp_path / "card.yaml"
    path.write_text(text, encoding="utf-8")
    return check_file(path, "regulator", today=TODAY, evidence=evidence)


def score(report: Report, requirement: str) -> float | None:
    return next(r.score for a in report.areas for r in a.requirements if r.id == requirement)


# --- IA-1: an audit that looked for deception in the release ----------------------------------


def test_an_audit_of_the_release_that_states_no_scope_earns_less(tmp_path: Path) -> None:
    report = run(
        tmp_path, card(("    scope: [alignment_faking, sandbagging, hidden_goals, situational_awareness]\n", ""))
    )
    (gap,) = places(report, "IA-1")
    assert "does not state its scope" in gap.message
    assert score(report, "IA-1") == 0.5


def test_an_audit_of_the_release_for_awareness_only_does_not_cover_deception(tmp_path: Path) -> None:
    report = run(
        tmp_path,
        card(
            (
                "    scope: [alignment_faking, sandbagging, hidden_goals, situational_awareness]\n",
                "    scope: [situational_awareness, other]\n",
            )
        ),
    )
    (gap,) = places(report, "IA-1")
    assert "its scope (situational_awareness, other) holds none of the deception categories" in gap.message
    assert gap.id == "IA-1@/independent_audits/0/scope"
    assert score(report, "IA-1") == 0.25


# --- IA-2 and RG-4: independence by name -----------------------------------------------------


@pytest.mark.parametrize(
    ("edit", "quoted"),
    [
        (
            ("    auditor: Independent Evaluators Ltd\n", "    auditor: Example-Lab Assurance GmbH\n"),
            "bears the name of the organisation, Example Lab, so is not independent of it, whatever financial_ties "
            "says (false)",
        ),
        (
            (
                "affiliation: none, selected_by",
                "affiliation: 'wholly owned subsidiary of Example Lab, Inc.', selected_by",
            ),
            "is tied to the organisation, Example Lab, by its affiliation 'wholly owned subsidiary of Example Lab, "
            "Inc.'",
        ),
        (
            ("affiliation: none, selected_by", "affiliation: a subsidiary of the lab, selected_by"),
            "by its affiliation 'a subsidiary of the lab'",
        ),
    ],
)
def test_an_auditor_named_after_or_owned_by_the_lab_is_not_independent_whatever_its_booleans(
    tmp_path: Path, edit: tuple[str, str], quoted: str
) -> None:
    report = run(tmp_path, card(edit))
    (gap,) = places(report, "IA-2")
    assert quoted in gap.message
    assert report.verdict is not Verdict.PASS


def test_a_name_that_only_begins_with_the_organisations_is_not_a_tie(tmp_path: Path) -> None:
    # An honest card: Meta audited by Metaculus is not Meta auditing itself.
    report = run(
        tmp_path,
        card(
            ("  organization: Example Lab\n", "  organization: Meta Platforms, Inc.\n"),
            ("    auditor: Independent Evaluators Ltd\n", "    auditor: Metaculus\n"),
        ),
    )
    assert places(report, "IA-2") == []


@pytest.mark.parametrize(
    ("reviewer", "quoted"),
    [
        (
            "Independent Evaluators",
            "the deeper reviewer 'Independent Evaluators' is the auditor 'Independent Evaluators Ltd' of 'audit-1'",
        ),
        (
            "Example Lab Safety Board",
            "the deeper reviewer 'Example Lab Safety Board' bears the name of the organisation",
        ),
    ],
)
def test_a_deeper_reviewer_that_is_the_auditor_or_the_lab_is_not_independent(
    tmp_path: Path, reviewer: str, quoted: str
) -> None:
    # The base card's awareness is high and it releases: RG-4 needs an independent deeper review.
    report = run(tmp_path, card(("    reviewer: External Review Panel\n", f"    reviewer: {reviewer}\n")))
    (gap,) = places(report, "RG-4")
    assert quoted in gap.message
    assert report.verdict is Verdict.FAIL


# --- IA-4: access as periods -------------------------------------------------------------------


def test_overlapping_periods_count_each_day_once_both_ends_inclusive() -> None:
    def period(start: str, end: str) -> AccessPeriod:
        return AccessPeriod.model_validate({"from": start, "to": end})

    assert covered_days([period("2026-10-01", "2026-10-07"), period("2026-10-05", "2026-10-10")]) == 10
    assert covered_days([period("2026-10-05", "2026-10-06"), period("2026-10-01", "2026-10-20")]) == 20
    assert covered_days([period("2026-10-01", "2026-10-01"), period("2026-10-03", "2026-10-03")]) == 2


def test_days_of_access_are_counted_from_the_periods_on_released_configurations(tmp_path: Path) -> None:
    # 10 days on the release (two overlapping periods) and 30 on a release candidate, which does not count.
    report = run(
        tmp_path,
        card(
            V11,
            with_access(
                "{configuration: api-prod, from: 2026-10-01, to: 2026-10-07}, "
                "{configuration: api-prod, from: 2026-10-05, to: 2026-10-10}, "
                "{configuration: api-rc, from: 2026-09-01, to: 2026-09-30}"
            ),
            (
                "    - id: api-prod\n",
                "    - id: api-rc\n      description: A release candidate.\n      weights_sha256: "
                + "5d" * 32
                + "\n      access_setting: api\n    - id: api-prod\n",
            ),
        ),
    )
    (gap,) = places(report, "IA-4")
    assert "10 days of grey_box or deeper access to released configurations (profile: at least 14)" in gap.message
    assert gap.figures["days"] == 10


def test_a_period_at_a_shallower_level_neither_gives_the_level_nor_counts_its_days(tmp_path: Path) -> None:
    report = run(
        tmp_path,
        card(
            V11,
            with_access(
                "{configuration: api-prod, from: 2026-09-01, to: 2026-09-30, level: black_box}, "
                "{configuration: api-prod, from: 2026-10-01, to: 2026-10-05, level: grey_box}"
            ),
        ),
    )
    (gap,) = places(report, "IA-4")
    assert "5 days of grey_box or deeper access" in gap.message
    assert gap.figures["level"] == "grey_box"


def test_declared_days_that_the_periods_contradict_are_quoted_beside_them(tmp_path: Path) -> None:
    report = run(
        tmp_path, card(V11, with_access("{configuration: api-prod, from: 2026-10-01, to: 2026-10-14}", ", days: 28"))
    )
    (gap,) = places(report, "IA-4")
    assert "14 days of access by its periods, while access.days declares 28" in gap.message


def test_periods_that_agree_with_the_profile_and_the_days_pass(tmp_path: Path) -> None:
    report = run(
        tmp_path, card(V11, with_access("{configuration: api-prod, from: 2026-10-01, to: 2026-10-14}", ", days: 14"))
    )
    assert places(report, "IA-4") == []


# --- IA-6: the release follows the auditor's advice --------------------------------------------


def test_a_release_against_do_not_proceed_with_a_response_is_a_major_finding_quoting_it(tmp_path: Path) -> None:
    report = run(
        tmp_path,
        card(
            V11,
            before_report(
                "    recommendation: do_not_proceed\n"
                "    response: The auditor tested an early snapshot; the released model was retrained and re-evaluated.\n"
            ),
        ),
    )
    (finding,) = report.findings_for("IA-6")
    assert finding.severity is Severity.MAJOR
    (gap,) = finding.places
    assert "recommends do_not_proceed, and the release gate decides staged_release" in gap.message
    assert '"The auditor tested an early snapshot; the released model was retrained and re-evaluated."' in gap.message
    assert report.verdict is Verdict.CONDITIONAL


def test_conditions_asked_for_and_none_stated_is_a_major_finding(tmp_path: Path) -> None:
    report = run(
        tmp_path,
        card(
            V11,
            before_report("    recommendation: proceed_with_conditions\n"),
            ("  conditions:\n    - API only for 60 days, with weekly compliance-gap monitoring.\n", ""),
        ),
    )
    (finding,) = report.findings_for("IA-6")
    assert finding.severity is Severity.MAJOR
    assert "states no conditions" in finding.places[0].message


def test_a_profile_that_sets_ia6s_severity_sets_it_for_every_gap(tmp_path: Path) -> None:
    profile = tmp_path / "lenient.yaml"
    profile.write_text("extends: default\nseverities: {IA-6: minor}\n", encoding="utf-8")
    text = card(V11, before_report("    recommendation: do_not_proceed\n"))
    path = tmp_path / "card.yaml"
    path.write_text(text, encoding="utf-8")
    report = check_file(path, str(profile), today=TODAY, evidence=False)
    (finding,) = report.findings_for("IA-6")
    assert finding.severity is Severity.MINOR


def test_without_a_recommendation_ia6_is_not_applicable(tmp_path: Path) -> None:
    report = run(tmp_path, card(V11))
    assert status(report, "IA-6") is Status.NOT_APPLICABLE


# --- IA-7: the auditor's own statement ---------------------------------------------------------


def test_the_example_statement_is_valid_and_agrees_with_the_example_card() -> None:
    parsed = parse(STATEMENT.read_bytes(), "evidence/audit-1-statement.yaml")
    assert isinstance(parsed, AuditorStatement)
    assert parsed.signed_on == dt.date(2026, 10, 25)


def test_a_json_statement_is_read_too(tmp_path: Path) -> None:
    raw = json.dumps(example_statement(), default=str).encode()
    assert isinstance(parse(raw, "evidence/statement.json"), AuditorStatement)


def test_a_statement_that_gives_fewer_days_is_a_contradiction_and_ia4_judges_its_days(tmp_path: Path) -> None:
    access = example_statement()["access"]
    assert isinstance(access, dict)
    statement = example_statement(
        access=access | {"periods": [{"configuration": "api-prod", "from": "2026-10-20", "to": "2026-10-25"}]}
    )
    report = run(
        tmp_path,
        card(V11, before_report("    recommendation: proceed_with_conditions\n"), cited(tmp_path, statement)),
        evidence=True,
    )
    (contradiction,) = report.findings_for("IA-7")
    assert contradiction.severity is Severity.MAJOR
    assert (
        "the card declares days of access: 28, but the auditor's statement evidence/audit-1-statement.yaml says 6"
        in contradiction.places[0].message
    )
    (short,) = places(report, "IA-4")
    assert (
        "6 days of grey_box or deeper access to released configurations, by the auditor's own statement"
        in short.message
    )
    assert "(the card declares days: 28)" in short.message


def test_ties_the_statement_admits_make_the_auditor_not_independent(tmp_path: Path) -> None:
    statement = example_statement(independence={"financial_ties": True, "affiliation": "none", "selected_by": "lab"})
    report = run(
        tmp_path,
        card(V11, before_report("    recommendation: proceed_with_conditions\n"), cited(tmp_path, statement)),
        evidence=True,
    )
    (gap,) = places(report, "IA-2")
    assert "has financial ties to the lab beyond the audit fee, by the auditor's own statement" in gap.message
    assert "(the card declares financial_ties: false)" in gap.message
    assert "was selected by the lab alone" in gap.message
    assert {f.severity for f in report.findings_for("IA-7")} == {Severity.MAJOR}


def test_a_stricter_recommendation_in_the_statement_is_the_one_ia6_judges(tmp_path: Path) -> None:
    statement = example_statement(recommendation="do_not_proceed")
    report = run(
        tmp_path, card(V11, before_report("    recommendation: proceed\n"), cited(tmp_path, statement)), evidence=True
    )
    (finding,) = report.findings_for("IA-6")
    assert finding.severity is Severity.BLOCKER
    assert "recommends do_not_proceed, by the auditor's own statement" in finding.places[0].message
    assert report.verdict is Verdict.FAIL


def test_measurements_the_statement_reports_higher_are_a_contradiction(tmp_path: Path) -> None:
    measured = {"name": "evaluation awareness", "category": "evaluation_awareness"}
    statement = example_statement(measurements=[measured | {"value": 0.12, "n": 500, "count": 60}])
    report = run(
        tmp_path,
        card(
            V11,
            before_report(
                "    recommendation: proceed_with_conditions\n"
                "    measurements: [{name: evaluation awareness, category: evaluation_awareness, value: 0.03, n: 500, count: 15}]\n"
            ),
            cited(tmp_path, statement),
        ),
        evidence=True,
    )
    (finding,) = report.findings_for("IA-7")
    assert finding.severity is Severity.MAJOR
    assert (
        "the card declares evaluation awareness at 3.0% (15 of 500), but the auditor's statement "
        "evidence/audit-1-statement.yaml says 12.0% (60 of 500)" in finding.places[0].message
    )
    assert finding.places[0].id == "IA-7@/independent_audits/0/measurements/0"


@pytest.mark.parametrize(
    ("statement", "problem"),
    [
        (example_statement(audit="audit-9"), "names the audit 'audit-9', not 'audit-1'"),
        (
            example_statement(recommendation="maybe"),
            "it is not an auditor's statement: line 22, /recommendation: 'maybe' is not one of",
        ),
        (example_statement(auditor="Someone Else"), "is by 'Someone Else', not by the auditor"),
    ],
)
def test_a_statement_of_something_else_confirms_nothing(
    tmp_path: Path, statement: dict[str, object], problem: str
) -> None:
    report = run(
        tmp_path,
        card(V11, before_report("    recommendation: proceed_with_conditions\n"), cited(tmp_path, statement)),
        evidence=True,
    )
    (gap,) = places(report, "IA-7")
    assert problem in gap.message
    assert score(report, "IA-7") == 0.0


def test_a_missing_statement_confirms_nothing(tmp_path: Path) -> None:
    text = card(V11, before_report("    statement: {path: evidence/nowhere.yaml}\n"))
    report = run(tmp_path, text, evidence=True)
    (gap,) = places(report, "IA-7")
    assert "the auditor's statement evidence/nowhere.yaml of audit 'audit-1'" in gap.message
    assert "it is not in the card's folder (missing)" in gap.message


def test_an_unhashed_statement_earns_half(tmp_path: Path) -> None:
    report = run(
        tmp_path,
        card(V11, before_report("    recommendation: proceed_with_conditions\n"), cited(tmp_path, hashed=False)),
        evidence=True,
    )
    (gap,) = places(report, "IA-7")
    assert "carries no sha256" in gap.message
    assert score(report, "IA-7") == 0.5


def test_a_statement_not_read_says_so(tmp_path: Path) -> None:
    report = run(tmp_path, card(V11, before_report("    recommendation: proceed_with_conditions\n"), cited(tmp_path)))
    (gap,) = places(report, "IA-7")
    assert "was not read (--no-evidence)" in gap.message


def test_the_example_statement_confirms_the_card(tmp_path: Path) -> None:
    report = run(
        tmp_path,
        card(V11, before_report("    recommendation: proceed_with_conditions\n"), cited(tmp_path)),
        evidence=True,
    )
    assert status(report, "IA-7") is Status.MET
    assert places(report, "IA-7") == []


# --- the regulator profile requires the statement ----------------------------------------------


def test_the_regulator_profile_requires_the_auditors_statement(tmp_path: Path) -> None:
    report = regulator(tmp_path, card(V11), evidence=False)
    (gap,) = places(report, "IA-7")
    assert (
        "cites no statement of the auditor's own (the profile requires one: require_auditor_statement)" in gap.message
    )
    assert score(report, "IA-7") == 0.0
    assert status(run(tmp_path, card(V11)), "IA-7") is Status.NOT_APPLICABLE


def test_a_complete_profile_written_before_the_setting_keeps_loading(tmp_path: Path) -> None:
    data = yaml.safe_load((Path(__file__).parents[1] / "schema/profiles/default.yaml").read_text(encoding="utf-8"))
    del data["require_auditor_statement"]
    profile = tmp_path / "old.yaml"
    profile.write_text(yaml.safe_dump(data), encoding="utf-8")
    path = tmp_path / "card.yaml"
    path.write_text(card(V11), encoding="utf-8")
    report = check_file(path, str(profile), today=TODAY, evidence=False)
    assert status(report, "IA-7") is Status.NOT_APPLICABLE


def test_advice_against_an_early_snapshot_answered_is_minor(tmp_path: Path) -> None:
    # An honest card: an external evaluator advised against deploying an early snapshot (as in the Claude Opus 4
    # system card); the lab released a later one and says why. The reader sees the response, quoted; no major.
    report = run(
        tmp_path,
        card(
            V11,
            (
                "    - id: api-prod\n",
                "    - id: api-snapshot-1\n      description: An early snapshot.\n      weights_sha256: "
                + "5d" * 32
                + "\n      access_setting: api\n    - id: api-prod\n",
            ),
            (
                "  - id: audit-1\n    auditor: Independent Evaluators Ltd\n    configuration: api-prod\n",
                "  - id: audit-0\n    auditor: Snapshot Testers\n    configuration: api-snapshot-1\n"
                "    recommendation: do_not_proceed\n"
                "    response: The snapshot was not released; the released model was retrained and audited again.\n"
                "  - id: audit-1\n    auditor: Independent Evaluators Ltd\n    configuration: api-prod\n",
            ),
        ),
    )
    (finding,) = report.findings_for("IA-6")
    assert finding.severity is Severity.MINOR
    assert "on 'api-snapshot-1', which is not released," in finding.places[0].message
    assert '"The snapshot was not released; the released model was retrained and audited again."' in (
        finding.places[0].message
    )


def test_one_kind_of_gap_is_one_finding_at_the_gravest_grade_of_its_gaps() -> None:
    gaps = (
        Gap(message="a", pointer="/x/0", kind="k", severity=Severity.MINOR),
        Gap(message="b", pointer="/x/1", kind="k"),  # the requirement's own grade: major
        Gap(message="c", pointer="/y/0", kind="only minor", severity=Severity.MINOR),
    )
    by_kind = _places_by_kind("R-1", gaps, lambda _: None, Severity.MAJOR, graded_by_gap=True)
    assert {kind: (grade, len(places)) for kind, (grade, places) in by_kind.items()} == {
        "k": (Severity.MAJOR, 2),
        "only minor": (Severity.MINOR, 1),
    }
    overridden = _places_by_kind("R-1", gaps, lambda _: None, Severity.BLOCKER, graded_by_gap=False)
    assert {grade for grade, _ in overridden.values()} == {Severity.BLOCKER}
