"""The SARIF and JUnit reports: valid against the official SARIF schema, well-formed XML, counts that add up.

The SARIF schema is the OASIS one, vendored in tests/sarif/ (see its README); nothing is fetched.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path
from typing import Any

import conftest
import jsonschema
import pytest
from conftest import ROOT, TODAY, golden, safetycase

from checker.catalog import load_catalog
from checker.model import Status
from checker.pipeline import check_file
from checker.render import FORMATS, format_named
from checker.render.junit import xml_text
from checker.render.sarif import FINGERPRINT_KEY, SCHEMA_URI, card_uri
from checker.report import Report

FAIL_CARD, PASS_CARD, CONDITIONAL_CARD = (
    card.relative_to(ROOT) for card in (conftest.FAIL_CARD, conftest.PASS_CARD, conftest.CONDITIONAL_CARD)
)
"""The examples as a user in the checkout names them: SARIF gives their paths as given."""
CARDS = [FAIL_CARD, PASS_CARD, CONDITIONAL_CARD]
SARIF_SCHEMA = json.loads((Path(__file__).parent / "sarif" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
HOSTILE_AUDITOR = 'Partner\\x01\\x1b\\x7f ]]> <script>alert(1)</script> & \\"q\\" \\uFFFE'
"""A YAML double-quoted scalar: C0 controls, DEL, a CDATA end, markup, quotes and a noncharacter."""


def _check(card: Path) -> Report:
    here = os.getcwd()
    os.chdir(ROOT)  # card paths stay relative, as a user in the checkout gives them
    try:
        return check_file(card, "default", today=TODAY)
    finally:
        os.chdir(here)


@pytest.fixture(scope="module")
def reports() -> dict[Path, Report]:
    return {card: _check(card) for card in CARDS}


def expected_junit(card: Path) -> tuple[str, str, str]:
    """(tests, failures, skipped) of the card's JUnit report, from its committed JSON report: a test per
    requirement, a failure per requirement with findings, skipped when not applicable without findings."""
    requirements = [requirement for area in golden(card)["areas"] for requirement in area["requirements"]]
    failures = sum(requirement["findings"] > 0 for requirement in requirements)
    skipped = sum(
        requirement["status"] == "not_applicable" and not requirement["findings"] for requirement in requirements
    )
    assert len(requirements) == len(load_catalog().requirements)
    return str(len(requirements)), str(failures), str(skipped)


def sarif(report: Report) -> dict[str, Any]:
    text = FORMATS["sarif"].render(report)
    assert isinstance(text, str)
    log: dict[str, Any] = json.loads(text)
    return log


def junit(report: Report) -> ET.Element:
    text = FORMATS["junit"].render(report)
    assert isinstance(text, str)
    return ET.fromstring(text)


def schema_errors(log: dict[str, Any]) -> list[str]:
    validator = jsonschema.Draft4Validator(SARIF_SCHEMA)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(log)]


def test_both_formats_are_registered() -> None:
    assert {"sarif", "junit"} <= set(FORMATS)
    with pytest.raises(LookupError, match=re.escape(f"unknown format 'docx' (available: {', '.join(FORMATS)})")):
        format_named("docx")


# --- SARIF -----------------------------------------------------------------------------------


def test_vendored_schema_is_the_official_draft_04_one() -> None:
    assert SARIF_SCHEMA["$schema"] == "http://json-schema.org/draft-04/schema#"
    assert SARIF_SCHEMA["id"] == SCHEMA_URI
    assert SARIF_SCHEMA["properties"]["version"]["enum"] == ["2.1.0"]
    jsonschema.Draft4Validator.check_schema(SARIF_SCHEMA)
    # The schema does catch a log that breaks it.
    assert schema_errors({"version": "2.1.0", "runs": [{"tool": {"driver": {}}}]})


@pytest.mark.parametrize("card", CARDS, ids=str)
def test_sarif_validates_against_the_official_schema(reports: dict[Path, Report], card: Path) -> None:
    log = sarif(reports[card])
    assert schema_errors(log) == []
    assert log["$schema"] == SCHEMA_URI and log["version"] == "2.1.0" and len(log["runs"]) == 1


@pytest.mark.parametrize("card", CARDS, ids=str)
def test_sarif_has_a_rule_per_catalog_requirement_in_catalog_order(reports: dict[Path, Report], card: Path) -> None:
    report = reports[card]
    driver = sarif(report)["runs"][0]["tool"]["driver"]
    assert driver["name"] == "safetycase" and driver["version"] == report.checker.version
    catalog = load_catalog()
    ids = [rule["id"] for rule in driver["rules"]]
    assert len(ids) == len(catalog.requirements)
    assert ids == [requirement.id for requirement in catalog.requirements]
    assert len(set(ids)) == len(ids)
    by_id = {requirement.id: requirement for requirement in catalog.requirements}
    for rule in driver["rules"]:
        requirement = report.requirement(rule["id"])
        assert rule["shortDescription"]["text"] == requirement.title
        assert rule["fullDescription"]["text"] == requirement.statement
        assert requirement.remediation in rule["help"]["text"] and requirement.rationale in rule["help"]["text"]
        assert rule["properties"]["area"] == by_id[rule["id"]].area
        assert rule["properties"]["severity"] == requirement.severity.value
        level = {"blocker": "error", "major": "warning", "minor": "note"}[requirement.severity.value]
        assert rule["defaultConfiguration"]["level"] == level


@pytest.mark.parametrize("card", CARDS, ids=str)
def test_sarif_has_a_result_per_place_of_a_finding_at_its_line(reports: dict[Path, Report], card: Path) -> None:
    report = reports[card]
    run = sarif(report)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    places = [(finding, place) for finding in report.findings for place in finding.places]
    assert len(run["results"]) == len(places) == sum(report.counts.model_dump().values())
    levels = Counter(result["level"] for result in run["results"])
    assert (levels["error"], levels["warning"], levels["note"]) == (
        report.counts.blocker,
        report.counts.major,
        report.counts.minor,
    )
    for result, (finding, place) in zip(run["results"], places, strict=True):
        assert result["ruleId"] == finding.requirement
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert place.message in result["message"]["text"] and finding.remediation in result["message"]["text"]
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        assert physical["artifactLocation"]["uri"] == card.as_posix()
        assert physical["region"]["startLine"] == place.line
        assert location["logicalLocations"][0]["fullyQualifiedName"] == place.pointer
        assert result["properties"]["findingId"] == place.id


def test_sarif_levels_of_the_failing_card(reports: dict[Path, Report]) -> None:
    levels = Counter(result["level"] for result in sarif(reports[FAIL_CARD])["runs"][0]["results"])
    counts = golden(FAIL_CARD)["counts"]
    assert counts["blocker"] > 0 and counts["major"] > 0 and counts["minor"] > 0  # every level is shown
    assert levels == {"error": counts["blocker"], "warning": counts["major"], "note": counts["minor"]}


def test_sarif_of_a_passing_card_has_rules_and_no_results(reports: dict[Path, Report]) -> None:
    run = sarif(reports[PASS_CARD])["runs"][0]
    assert run["results"] == [] and len(run["tool"]["driver"]["rules"]) == len(load_catalog().requirements)
    assert run["properties"]["verdict"] == "pass"


def test_sarif_run_names_the_card_its_hash_and_the_verdict(reports: dict[Path, Report]) -> None:
    report = reports[CONDITIONAL_CARD]
    run = sarif(report)["runs"][0]
    (artifact,) = run["artifacts"]
    assert artifact["location"]["uri"] == "examples/juniper-3-conditional/card.yaml"
    assert artifact["hashes"] == {"sha-256": report.submission.sha256}
    assert run["properties"]["verdict"] == "conditional"
    assert run["properties"]["score"] == report.score
    assert run["properties"]["counts"] == golden(CONDITIONAL_CARD)["counts"]
    assert run["properties"]["generatedOn"] == "2026-11-24"


def test_sarif_fingerprints_are_unique_and_stable_across_runs(reports: dict[Path, Report]) -> None:
    first = sarif(reports[FAIL_CARD])["runs"][0]["results"]
    again = sarif(_check(FAIL_CARD))["runs"][0]["results"]
    prints = [result["partialFingerprints"][FINGERPRINT_KEY] for result in first]
    assert len(set(prints)) == len(prints) == sum(golden(FAIL_CARD)["counts"].values())
    assert prints == [result["partialFingerprints"][FINGERPRINT_KEY] for result in again]
    assert "primaryLocationLineHash" not in first[0]["partialFingerprints"]  # GitHub computes that one


def test_sarif_fingerprint_follows_the_finding_not_its_line_or_wording(reports: dict[Path, Report]) -> None:
    report = reports[FAIL_CARD]
    finding = report.findings[0]
    place = finding.places[0]
    assert place.line is not None
    moved = place.model_copy(update={"line": place.line + 7, "message": place.message + " (reworded)"})
    edited = report.model_copy(
        update={"findings": (finding.model_copy(update={"places": (moved, *finding.places[1:])}), *report.findings[1:])}
    )
    elsewhere = report.model_copy(
        update={"submission": report.submission.model_copy(update={"path": "cards/orion/card.yaml"})}
    )

    def fingerprint(r: Report) -> str:
        value: str = sarif(r)["runs"][0]["results"][0]["partialFingerprints"][FINGERPRINT_KEY]
        return value

    assert fingerprint(edited) == fingerprint(report)
    assert fingerprint(elsewhere) != fingerprint(report)  # the same finding on another card is another alert


def test_sarif_is_byte_for_byte_deterministic(reports: dict[Path, Report]) -> None:
    assert FORMATS["sarif"].render(reports[FAIL_CARD]) == FORMATS["sarif"].render(_check(FAIL_CARD))


def test_sarif_uri_is_a_file_uri_for_an_absolute_path() -> None:
    report = check_file(ROOT / FAIL_CARD, "default", today=TODAY)
    log = sarif(report)
    assert schema_errors(log) == []
    uri = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == (ROOT / FAIL_CARD).as_uri() and uri.startswith("file:///")
    assert log["runs"][0]["artifacts"][0]["location"]["uri"] == uri


@pytest.mark.skipif(os.name != "posix", reason="POSIX paths")
@pytest.mark.parametrize(
    ("path", "uri"),
    [
        ("card.yaml", "card.yaml"),
        ("./cards/card.yaml", "cards/card.yaml"),
        ("my cards/50%/#1?.yaml", "my%20cards/50%25/%231%3F.yaml"),
        ("a:b/card.yaml", "a%3Ab/card.yaml"),  # not the scheme "a"
        ("karten/prüfung.yaml", "karten/pr%C3%BCfung.yaml"),
        ("/srv/my cards/card.yaml", "file:///srv/my%20cards/card.yaml"),
    ],
)
def test_card_uri_encodes_what_must_be_encoded(path: str, uri: str) -> None:
    assert card_uri(path) == uri


def test_sarif_leaves_out_the_region_of_a_finding_without_a_line(reports: dict[Path, Report]) -> None:
    report = reports[FAIL_CARD]
    lineless = report.model_copy(
        update={
            "findings": tuple(
                f.model_copy(update={"places": tuple(p.model_copy(update={"line": None}) for p in f.places)})
                for f in report.findings
            )
        }
    )
    log = sarif(lineless)
    assert schema_errors(log) == []
    for result in log["runs"][0]["results"]:
        physical = result["locations"][0]["physicalLocation"]
        assert "region" not in physical and physical["artifactLocation"]["uri"] == FAIL_CARD.as_posix()


# --- JUnit -----------------------------------------------------------------------------------


@pytest.mark.parametrize("card", CARDS, ids=str)
def test_junit_has_a_test_per_requirement_and_counts_that_add_up(reports: dict[Path, Report], card: Path) -> None:
    report = reports[card]
    root = junit(report)
    requirements = [requirement for area in report.areas for requirement in area.requirements]
    with_findings = {finding.requirement for finding in report.findings}
    not_applicable = [r for r in requirements if r.status is Status.NOT_APPLICABLE and r.id not in with_findings]
    assert root.tag == "testsuites"
    assert int(root.get("tests", "")) == len(requirements) == len(load_catalog().requirements)
    assert int(root.get("failures", "")) == len(with_findings)
    assert int(root.get("skipped", "")) == len(not_applicable)
    assert root.get("errors") == "0" and root.get("time") == "0"
    suites = root.findall("testsuite")
    assert [suite.get("name") for suite in suites] == [f"{area.id} {area.title}" for area in report.areas]
    for attribute in ("tests", "failures", "errors", "skipped"):
        assert sum(int(suite.get(attribute, "")) for suite in suites) == int(root.get(attribute, ""))
    for suite, area in zip(suites, report.areas, strict=True):
        cases = suite.findall("testcase")
        assert int(suite.get("tests", "")) == len(cases) == len(area.requirements)
        assert int(suite.get("failures", "")) == sum(case.find("failure") is not None for case in cases)
        assert int(suite.get("skipped", "")) == sum(case.find("skipped") is not None for case in cases)
        for case, requirement in zip(cases, area.requirements, strict=True):
            assert case.get("classname") == area.id and case.get("time") == "0"
            assert case.get("name") == f"{requirement.id} {requirement.title}"
            assert (case.find("failure") is not None) == (requirement.id in with_findings)


@pytest.mark.parametrize("card", CARDS, ids=str)
def test_junit_failures_carry_every_finding_with_place_and_fix(reports: dict[Path, Report], card: Path) -> None:
    report = reports[card]
    cases = {case.get("name", "").split()[0]: case for case in junit(report).iter("testcase")}
    for finding in report.findings:
        failure = cases[finding.requirement].find("failure")
        assert failure is not None and failure.text is not None
        assert failure.get("type") == report.requirement(finding.requirement).severity.value
        assert finding.message in failure.text
        for place in finding.places:
            assert place.message in failure.text and f"{card}:{place.line}" in failure.text
        assert f"Fix: {finding.remediation}" in failure.text
        assert finding.message in failure.get("message", "") or failure.get("message", "").startswith(
            f"{report.requirement(finding.requirement).findings} findings"
        )


def test_junit_of_the_failing_card(reports: dict[Path, Report]) -> None:
    root = junit(reports[FAIL_CARD])
    assert (root.get("tests"), root.get("failures"), root.get("skipped")) == expected_junit(FAIL_CARD)
    assert root.get("skipped") != "0"
    skipped = [case for case in root.iter("testcase") if case.find("skipped") is not None]
    assert all(
        reports[FAIL_CARD].requirement(c.get("name", "").split()[0]).status is Status.NOT_APPLICABLE for c in skipped
    )


def test_junit_of_the_passing_card_has_no_failures(reports: dict[Path, Report]) -> None:
    root = junit(reports[PASS_CARD])
    assert (root.get("tests"), root.get("failures"), root.get("skipped")) == expected_junit(PASS_CARD)
    assert root.get("failures") == "0" and root.get("skipped") != "0"
    assert not list(root.iter("failure"))


def test_junit_is_byte_for_byte_deterministic(reports: dict[Path, Report]) -> None:
    assert FORMATS["junit"].render(reports[FAIL_CARD]) == FORMATS["junit"].render(_check(FAIL_CARD))


def test_xml_text_replaces_only_what_xml_forbids() -> None:
    assert xml_text("a\x00b\x01\x08\x0b\x0c\x1f\ufffe\uffff") == "a\ufffdb" + "\ufffd" * 7
    kept = "tab\tline\ncr\r del\x7f é 😀 \ud7ff\ue000\ufffd ]]> <script>"
    assert xml_text(kept) == kept


# --- hostile card text -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    """The failing card, its auditor's name full of what breaks XML; the auditor is quoted in IA findings."""
    folder = tmp_path_factory.mktemp("hostile") / "orion"
    shutil.copytree(ROOT / FAIL_CARD.parent, folder, ignore=shutil.ignore_patterns("report.*"))
    card = folder / "card.yaml"
    text = card.read_text(encoding="utf-8")
    assert "auditor: Partner Assurance LLP\n" in text
    card.write_text(text.replace("auditor: Partner Assurance LLP", f'auditor: "{HOSTILE_AUDITOR}"'), encoding="utf-8")
    report = check_file(card, "default", today=TODAY)
    assert any("<script>" in finding.message and "\x01" in finding.message for finding in report.findings)
    return report


def test_hostile_card_text_still_gives_well_formed_junit(hostile_report: Report) -> None:
    text = FORMATS["junit"].render(hostile_report)
    assert isinstance(text, str)
    root = ET.fromstring(text)  # raises on anything not well formed
    assert "<script>" not in text and "\x01" not in text and "\x1b" not in text and "\ufffe" not in text
    quoted = [f for f in root.iter("failure") if "alert(1)" in (f.text or "")]
    assert quoted, "the auditor's name should be quoted in a failure"
    for failure in quoted:
        assert '\ufffd\ufffd\x7f ]]> <script>alert(1)</script> & "q" \ufffd' in (failure.text or "")
        assert "<script>alert(1)</script>" in failure.get("message", "") or "findings" in failure.get("message", "")


def test_hostile_card_text_is_kept_exactly_in_sarif(hostile_report: Report) -> None:
    log = sarif(hostile_report)
    assert schema_errors(log) == []
    messages = [result["message"]["text"] for result in log["runs"][0]["results"]]
    assert any('Partner\x01\x1b\x7f ]]> <script>alert(1)</script> & "q" \ufffe' in m for m in messages)


def test_hostile_control_characters_in_every_field_still_give_well_formed_junit(reports: dict[Path, Report]) -> None:
    report = reports[FAIL_CARD]
    bad = "\x00\x02\x1b]]><!--</testcase>\x0b"
    findings = tuple(f.model_copy(update={"message": bad, "remediation": bad, "pointer": bad}) for f in report.findings)
    hostile = report.model_copy(
        update={
            "findings": findings,
            "submission": report.submission.model_copy(update={"path": f"cards/{bad}.yaml", "model": bad}),
        }
    )
    text = FORMATS["junit"].render(hostile)
    assert isinstance(text, str)
    root = ET.fromstring(text)
    assert root.get("name") == "safetycase cards/\ufffd\ufffd\ufffd]]><!--</testcase>\ufffd.yaml"
    assert len(root.findall("testsuite/testcase")) == len(load_catalog().requirements)


# --- through the command line ------------------------------------------------------------------


def test_cli_writes_sarif_to_standard_output_and_fails_the_gate() -> None:
    done = safetycase("check", FAIL_CARD, "--format", "sarif")
    assert done.returncode == 1, done.stderr
    log = json.loads(done.stdout)
    assert schema_errors(log) == []
    assert len(log["runs"][0]["results"]) == sum(golden(FAIL_CARD)["counts"].values())
    assert done.stdout == FORMATS["sarif"].render(_check(FAIL_CARD))


def test_cli_writes_junit_to_a_file(tmp_path: Path) -> None:
    out = tmp_path / "out.xml"
    done = safetycase("check", FAIL_CARD, "--format", "junit", "-o", out)
    assert done.returncode == 1, done.stderr
    assert done.stdout == ""
    root = ET.fromstring(out.read_bytes())
    assert (root.get("tests"), root.get("failures"), root.get("skipped")) == expected_junit(FAIL_CARD)
    assert [p.name for p in tmp_path.iterdir()] == ["out.xml"]


def test_cli_junit_of_a_passing_card_passes_the_gate(tmp_path: Path) -> None:
    out = tmp_path / "out.xml"
    done = safetycase("check", PASS_CARD, "--format", "junit", "-o", out)
    assert done.returncode == 0, done.stderr
    assert ET.fromstring(out.read_bytes()).get("failures") == "0"
