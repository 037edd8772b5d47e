"""The requirement catalog, profiles, and how outcomes become scores and a verdict."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest
import yaml
from conftest import CONDITIONAL_CARD, FAIL_CARD, TODAY

from checker.catalog import load_catalog
from checker.engine import check_coverage
from checker.model import AreaResult, Finding, Place, Status, Verdict
from checker.pipeline import check_file
from checker.problems import CardError
from checker.profiles import load_profile
from checker.resources import read_bytes, schema
from checker.rules import CHECKS, registry
from checker.scoring import overall_score, verdict
from checker.severity import Severity

CONCEPT_SECTIONS = {
    "Context variation",
    "Anti-deception evals",
    "Independent audits",
    "Version specificity",
    "Reasoning evidence",
    "Conservative release gates",
}


# --- catalog -----------------------------------------------------------------------------------


def test_catalog_follows_its_schema() -> None:
    data = yaml.safe_load(read_bytes("schema", "requirements.yaml"))
    jsonschema.Draft202012Validator(schema("catalog")).validate(data)


def test_catalog_covers_eight_areas_with_complete_requirements() -> None:
    catalog = load_catalog()
    assert [a.id for a in catalog.areas] == ["CV", "AD", "IA", "VS", "RE", "RG", "AR", "CC"]
    for requirement in catalog.requirements:
        assert requirement.id.startswith(requirement.area + "-")
        assert requirement.statement and requirement.rationale and requirement.remediation and requirement.title
        assert requirement.weight > 0
        assert requirement.sources, requirement.id
    # Every area of the concept document's Governance Requirements is cited by its requirements.
    cited = {s.section for r in catalog.requirements for s in r.sources if s.document.startswith("Alignment Faking")}
    assert cited >= CONCEPT_SECTIONS


def test_every_requirement_has_a_check_and_every_check_an_entry() -> None:
    assert check_coverage(load_catalog()) == ([], [])


def test_coverage_notices_a_stray_check(monkeypatch: pytest.MonkeyPatch) -> None:
    registry()
    monkeypatch.setitem(CHECKS, "CV-99", CHECKS["CV-1"])
    monkeypatch.delitem(CHECKS, "AR-3")
    assert check_coverage(load_catalog()) == (["AR-3"], ["CV-99"])


# --- scoring and verdict -----------------------------------------------------------------------


def finding(severity: Severity) -> Finding:
    return Finding(
        id="X-1@",
        requirement="X-1",
        area="X",
        severity=severity,
        status=Status.PARTIAL,
        problem=None,
        remediation="r",
        places=(Place(id="X-1@", pointer="", line=1, message="m", figures={}),),
    )


@pytest.mark.parametrize(
    ("severities", "score", "expected"),
    [
        ([], 70.0, Verdict.PASS),
        ([Severity.MINOR, Severity.MINOR], 70.0, Verdict.PASS),
        ([], 69.9, Verdict.CONDITIONAL),
        ([Severity.MAJOR], 100.0, Verdict.CONDITIONAL),
        ([Severity.BLOCKER], 100.0, Verdict.FAIL),
        ([Severity.MINOR, Severity.BLOCKER, Severity.MAJOR], 20.0, Verdict.FAIL),
    ],
)
def test_verdict(severities: list[Severity], score: float, expected: Verdict) -> None:
    profile = load_profile("default", load_catalog())
    assert verdict([finding(s) for s in severities], score, profile) is expected


def test_overall_score_is_the_weighted_mean_of_applicable_areas() -> None:
    def area(area_id: str, weight: float, score: float | None) -> AreaResult:
        return AreaResult(id=area_id, title=area_id, statement=area_id, weight=weight, score=score, requirements=())

    areas = [area("CV", 1.0, 50.0), area("IA", 1.5, 100.0), area("AR", 2.0, None)]
    assert overall_score(areas) == pytest.approx((50 * 1 + 100 * 1.5) / 2.5)
    assert overall_score([area("AR", 1.0, None)]) == 0.0


def test_area_scores_weight_requirements_by_their_catalog_weight() -> None:
    report = check_file(CONDITIONAL_CARD, today=TODAY)
    for area in report.areas:
        applicable = [r for r in area.requirements if r.score is not None]
        expected = 100 * sum(r.score * r.weight for r in applicable) / sum(r.weight for r in applicable)  # type: ignore[operator]
        assert area.score == pytest.approx(round(expected, 1), abs=1e-9)
    assert report.score == pytest.approx(
        round(sum(a.score * a.weight for a in report.areas) / sum(a.weight for a in report.areas), 1)  # type: ignore[operator]
    )


# --- profiles ----------------------------------------------------------------------------------


def test_builtin_profiles_resolve_every_setting() -> None:
    catalog = load_catalog()
    default, regulator = load_profile("default", catalog), load_profile("regulator", catalog)
    assert default.pass_score == 70 and regulator.pass_score == 80
    assert regulator.min_arm_size > default.min_arm_size
    assert regulator.audit_access.chain_of_thought and not default.audit_access.chain_of_thought
    assert regulator.area_weights["IA"] == 1.5 and regulator.area_weights["CV"] == 1.0
    assert list(regulator.area_weights) == [a.id for a in catalog.areas]
    assert regulator.severity("VS-5", Severity.MINOR) is Severity.MAJOR
    assert default.severity("VS-5", Severity.MINOR) is Severity.MINOR


def test_profile_files_extend_each_other_and_merge_tables(tmp_path: Path) -> None:
    (tmp_path / "base.yaml").write_text("name: base\nextends: regulator\naudit_access: {days: 40}\n", encoding="utf-8")
    (tmp_path / "mine.yaml").write_text(
        "name: mine\nextends: base.yaml\npass_score: 90\nseverities: {CV-2: major}\n", encoding="utf-8"
    )
    profile = load_profile(str(tmp_path / "mine.yaml"), load_catalog())
    assert profile.name == "mine" and profile.pass_score == 90
    assert profile.audit_access.days == 40 and profile.audit_access.chain_of_thought is True  # merged, not replaced
    assert profile.severities == {
        "VS-5": Severity.MAJOR,
        "VS-7": Severity.MAJOR,
        "AD-8": Severity.MAJOR,
        "CV-2": Severity.MAJOR,
    }
    assert profile.source == str(tmp_path / "mine.yaml")


def test_profile_severity_override_reaches_the_findings(tmp_path: Path) -> None:
    card = FAIL_CARD
    default = check_file(card, "default", today=TODAY)
    regulator = check_file(card, "regulator", today=TODAY)
    assert {f.severity for f in default.findings if f.requirement == "VS-5"} == {Severity.MINOR}
    assert {f.severity for f in regulator.findings if f.requirement == "VS-5"} == {Severity.MAJOR}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("extends: default\npass_scor: 90\n", "2:1: unknown profile option 'pass_scor' (known: "),
        (
            "extends: default\naudit_access: {dayz: 3}\n",
            "unknown profile option 'dayz' (known: activations, chain_of_thought, days, helpful_only_model, level)",
        ),
        (
            "extends: default\narea_weights: {XX: 1}\n",
            "unknown profile option 'XX' (known: AD, AR, CC, CV, IA, RE, RG, VS)",
        ),
        ("extends: default\nseverities: {CV-9: major}\n", "severities name unknown requirements: CV-9"),
        ("extends: default\npass_score: high\n", "'high' is not of type 'number'"),
        ("pass_score: 80\n", "the profile leaves out area_weights"),
        (
            "extends: default\narea_weights: {CV: 0, AD: 0, IA: 0, VS: 0, RE: 0, RG: 0, AR: 0, CC: 0}\n",
            "every area weight is 0",
        ),
        ("extends: nowhere.yaml\n", "nowhere.yaml: no such profile"),
        ("extends: default\npass_score: 80\npass_score: 90\n", "3:1: duplicate key 'pass_score'"),
    ],
)
def test_bad_profiles(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CardError) as caught:
        load_profile(str(path), load_catalog())
    assert message in str(caught.value)


def test_profiles_that_extend_each_other_in_a_loop(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("extends: b.yaml\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("extends: a.yaml\n", encoding="utf-8")
    with pytest.raises(CardError, match="profiles extend each other in a loop"):
        load_profile(str(tmp_path / "a.yaml"), load_catalog())
