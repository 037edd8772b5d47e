"""The JUnit XML report, for CI test views (Jenkins, GitLab): a test suite per area, a test case per requirement.

A requirement with findings fails, with every finding (message, card path and line, fix) in its failure, and
of a finding at many places the first PLACES_SHOWN;
one that does not apply to the card is skipped; the rest pass. Card text can hold characters XML 1.0
forbids (most C0 controls), which no parser would accept even as character references, so they are
replaced before ElementTree escapes the rest; the hidden characters XML allows (C1 controls, a
bidirectional override: checker.terminal) are written as character references, exact once parsed.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Literal

from checker.model import AreaResult, Finding, Place, RequirementResult, Status
from checker.render import PLACES_SHOWN, RenderOptions
from checker.report import Report
from checker.terminal import escape_hidden

TestOutcome = Literal["passed", "failure", "skipped"]

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
"""Characters XML 1.0 does not allow anywhere in a document."""
REPLACEMENT = "\ufffd"


def xml_text(text: str) -> str:
    """`text` with every character XML 1.0 forbids replaced by U+FFFD, so that the document stays well formed."""
    return _NOT_XML.sub(REPLACEMENT, text)


def render(report: Report, options: RenderOptions | None = None) -> str:
    outcomes = [_outcome(report, requirement) for area in report.areas for requirement in area.requirements]
    root = ET.Element("testsuites", _summary(f"safetycase {report.submission.path}", outcomes))
    root.extend(_suite(report, area) for area in report.areas)
    ET.indent(root)
    document = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + escape_hidden(document, lambda c: f"&#x{ord(c):x};") + "\n"


def _outcome(report: Report, requirement: RequirementResult) -> TestOutcome:
    if report.findings_for(requirement.id):
        return "failure"
    return "skipped" if requirement.status is Status.NOT_APPLICABLE else "passed"


def _summary(name: str, outcomes: list[TestOutcome]) -> dict[str, str]:
    """The attributes of a suite (or of all suites): name, then how many tests, failures, errors and skips."""
    return {
        "name": xml_text(name),
        "tests": str(len(outcomes)),
        "failures": str(outcomes.count("failure")),
        "errors": "0",
        "skipped": str(outcomes.count("skipped")),
        "time": "0",
    }


def _suite(report: Report, area: AreaResult) -> ET.Element:
    outcomes = [_outcome(report, requirement) for requirement in area.requirements]
    suite = ET.Element("testsuite", _summary(f"{area.id} {area.title}", outcomes))
    properties = ET.SubElement(suite, "properties")
    for name, value in (
        ("card", report.submission.path),
        ("model", report.submission.model),
        ("release_id", report.submission.release_id),
        ("profile", report.profile.name),
        ("verdict", report.verdict.value),
        ("score", f"{report.score:.1f}"),
    ):
        ET.SubElement(properties, "property", {"name": name, "value": xml_text(value)})
    suite.extend(_case(report, requirement, area) for requirement in area.requirements)
    return suite


def _case(report: Report, requirement: RequirementResult, area: AreaResult) -> ET.Element:
    case = ET.Element(
        "testcase",
        {
            "classname": area.id,
            "name": xml_text(f"{requirement.id} {requirement.title}"),
            "file": xml_text(report.submission.path),
            "time": "0",
        },
    )
    findings = report.findings_for(requirement.id)
    if findings:
        first, shortfalls = findings[0].places[0].message, sum(len(f.places) for f in findings)
        summary = first if shortfalls == 1 else f"{shortfalls} findings; the first: {first}"
        failure = ET.SubElement(case, "failure", {"message": xml_text(summary), "type": requirement.severity.value})
        failure.text = xml_text("\n\n".join(_finding_text(report.submission.path, finding) for finding in findings))
    elif requirement.status is Status.NOT_APPLICABLE:
        ET.SubElement(case, "skipped", {"message": "does not apply to this card"})
    return case


def _finding_text(path: str, finding: Finding) -> str:
    """One place: where and what; several: the problem, then the first PLACES_SHOWN places, each where and what."""
    if len(finding.places) == 1:
        text = f"[{finding.severity.value}] {_place(path, finding.places[0])}\n{finding.message}"
    else:
        places = [f"- {_place(path, place)}: {place.message}" for place in finding.places[:PLACES_SHOWN]]
        if len(finding.places) > PLACES_SHOWN:
            places.append(f"- and {len(finding.places) - PLACES_SHOWN:,} more places (every one in the JSON report)")
        text = "\n".join([f"[{finding.severity.value}] at {len(finding.places):,} places: {finding.message}", *places])
    return f"{text}\nFix: {finding.remediation}"


def _place(path: str, place: Place) -> str:
    return (
        f"{path}:{place.line} ({place.pointer or '/'})"
        if place.line is not None
        else f"{path} ({place.pointer or '/'})"
    )
