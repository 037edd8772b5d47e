"""The SARIF 2.1.0 report, for code scanning (GitHub and other SARIF viewers): one run, a rule per requirement.

Every catalog requirement is a rule, in catalog order; every place of a finding is a result at its line of
the card (up to PLACES_PER_FINDING of them).
GitHub tells alerts apart by `partialFingerprints`, so each result carries a hash of the card's URI and the
place's stable id (requirement and JSON pointer), never of its line or wording: an edit above a finding
or new figures in its message keep the alert it already has. Card text is kept exact, its hidden characters
written as \\u escapes (checker.render.json).
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import PurePath
from typing import Any
from urllib.parse import quote

from checker.model import Finding, Place, RequirementResult
from checker.render import RenderOptions
from checker.render.json import json_escaped
from checker.report import Report
from checker.severity import Severity

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
"""The `id` of the official SARIF 2.1.0 schema (OASIS Standard, errata 01)."""

FINGERPRINT_KEY = "safetycaseFinding/v1"
"""The `partialFingerprints` key: sha256 of the card's URI and the finding id. Bump the version if that changes."""

LEVELS = {Severity.BLOCKER: "error", Severity.MAJOR: "warning", Severity.MINOR: "note"}
"""SARIF level of each severity."""

PLACES_PER_FINDING = 100
"""The most results one finding gives. Code scanning expects a result a place, but GitHub takes at most 25,000
results a run and shows 5,000: a card with one problem at 25,000 entries would be refused whole. The last
result of a finding at more places says how many it leaves out; the JSON report lists them all."""


def card_uri(path: str) -> str:
    """The card's path as a URI: relative with forward slashes when it is relative, else a file:// URI.

    Percent-encoding keeps spaces, `#`, `?`, `%` and `:` from being read as URI syntax (a colon in the
    first segment of a relative reference would otherwise make it a scheme).
    """
    card = PurePath(path)
    if card.is_absolute():
        return card.as_uri()
    return quote(card.as_posix(), safe="/")


def render(report: Report, options: RenderOptions | None = None) -> str:
    uri = card_uri(report.submission.path)
    rules = [_rule(requirement, area.id) for area in report.areas for requirement in area.requirements]
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    run = {
        "tool": {"driver": {"name": report.checker.name, "version": report.checker.version, "rules": rules}},
        "artifacts": [
            {
                "location": {"uri": uri},
                "roles": ["analysisTarget"],
                "hashes": {"sha-256": report.submission.sha256},
            }
        ],
        "results": [
            result for finding in report.findings for result in _results(finding, index[finding.requirement], uri)
        ],
        "properties": _run_properties(report),
    }
    log = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return json_escaped(json.dumps(log, indent=2, ensure_ascii=False, allow_nan=False)) + "\n"


def _rule(requirement: RequirementResult, area: str) -> dict[str, Any]:
    sources = [f"{s.document} — {s.section}" if s.section else s.document for s in requirement.sources]
    return {
        "id": requirement.id,
        "name": _identifier(requirement.title),
        "shortDescription": {"text": requirement.title},
        "fullDescription": {"text": requirement.statement},
        "help": {
            "text": "\n\n".join(
                [f"Remediation: {requirement.remediation}", f"Why: {requirement.rationale}"]
                + ([f"Sources: {'; '.join(sources)}."] if sources else [])
            ),
            "markdown": "\n\n".join(
                [f"**Remediation.** {requirement.remediation}", f"**Why.** {requirement.rationale}"]
                + (["**Sources**\n\n" + "\n".join(f"- {source}" for source in sources)] if sources else [])
            ),
        },
        "defaultConfiguration": {"level": LEVELS[requirement.severity]},
        "properties": {
            "area": area,
            "severity": requirement.severity.value,
            "weight": requirement.weight,
            "tags": ["safety-case", area],
        },
    }


def _results(finding: Finding, rule_index: int, uri: str) -> list[dict[str, Any]]:
    """A result at each of the finding's first PLACES_PER_FINDING places, the last saying how many more there are."""
    shown = finding.places[:PLACES_PER_FINDING]
    results = [_result(finding, place, rule_index, uri) for place in shown]
    left_out = len(finding.places) - len(shown)
    if left_out:
        results[-1]["message"]["text"] += (
            f" This problem shows at {left_out:,} more places, not listed here: the JSON report lists them all."
        )
    return results


def _result(finding: Finding, place: Place, rule_index: int, uri: str) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": uri, "index": 0}}
    if place.line is not None:
        physical["region"] = {"startLine": place.line}
    fingerprint = hashlib.sha256(f"{uri}\n{place.id}".encode()).hexdigest()
    return {
        "ruleId": finding.requirement,
        "ruleIndex": rule_index,
        "level": LEVELS[finding.severity],
        "message": {"text": f"{_sentence(place.message)} Fix: {finding.remediation}"},
        "locations": [
            {
                "physicalLocation": physical,
                "logicalLocations": [{"fullyQualifiedName": place.pointer}],
            }
        ],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint},
        "properties": {
            "findingId": place.id,
            "pointer": place.pointer,
            "severity": finding.severity.value,
            "status": finding.status.value,
            "figures": place.model_dump(mode="json")["figures"],
        },
    }


def _run_properties(report: Report) -> dict[str, Any]:
    return {
        "verdict": report.verdict.value,
        "score": report.score,
        "passScore": report.pass_score,
        "counts": report.counts.model_dump(mode="json"),
        "profile": report.profile.name,
        "catalogVersion": report.catalog.version,
        "catalogSha256": report.catalog.sha256,
        "generatedOn": report.generated_on.isoformat(),
        "organization": report.submission.organization,
        "model": report.submission.model,
        "releaseId": report.submission.release_id,
        "evidenceVerified": report.evidence_verified,
    }


def _identifier(title: str) -> str:
    """A rule name in the SARIF manner, an identifier read by people: 'Arms large enough' -> 'ArmsLargeEnough'."""
    return "".join(word[:1].upper() + word[1:] for word in re.findall(r"[A-Za-z0-9]+", title))


def _sentence(text: str) -> str:
    return text if text.endswith((".", "!", "?")) else f"{text}."
