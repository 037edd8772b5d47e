"""Scoring: requirement outcomes -> area scores, the overall score and the verdict. Pure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from checker.catalog import Catalog
from checker.model import AreaResult, Finding, RequirementResult, Status, Verdict
from checker.profiles import Profile
from checker.report import Counts
from checker.rules import Outcome
from checker.severity import Severity


def _weighted_mean(pairs: Sequence[tuple[float, float]]) -> float | None:
    total = sum(weight for _, weight in pairs)
    if total == 0:
        return None
    return sum(value * weight for value, weight in pairs) / total


def area_results(
    outcomes: Mapping[str, Outcome], findings: Sequence[Finding], catalog: Catalog, profile: Profile
) -> tuple[AreaResult, ...]:
    """Each area: its requirements' results and the weighted mean of their scores, 0-100."""
    counts: dict[str, int] = {}
    for finding in findings:
        counts[finding.requirement] = counts.get(finding.requirement, 0) + len(finding.places)
    areas = []
    for area in catalog.areas:
        requirements = []
        for requirement in catalog.in_area(area.id):
            outcome = outcomes[requirement.id]
            requirements.append(
                RequirementResult(
                    id=requirement.id,
                    title=requirement.title,
                    severity=profile.severity(requirement.id, requirement.severity),
                    weight=requirement.weight,
                    score=outcome.score,
                    status=Status.of(outcome.score),
                    findings=counts.get(requirement.id, 0),
                    statement=requirement.statement,
                    rationale=requirement.rationale,
                    remediation=requirement.remediation,
                    sources=requirement.sources,
                )
            )
        mean = _weighted_mean([(r.score, r.weight) for r in requirements if r.score is not None])
        areas.append(
            AreaResult(
                id=area.id,
                title=area.title,
                statement=area.statement,
                weight=profile.area_weights[area.id],
                score=None if mean is None else 100 * mean,
                requirements=tuple(requirements),
            )
        )
    return tuple(areas)


def overall_score(areas: Sequence[AreaResult]) -> float:
    """The weighted mean of the area scores; areas where nothing applies are left out."""
    mean = _weighted_mean([(a.score, a.weight) for a in areas if a.score is not None])
    return 0.0 if mean is None else mean


def counts(findings: Sequence[Finding]) -> Counts:
    """How many shortfalls of each severity: every place of a finding counts, as if each were a finding of its own."""
    by_severity = dict.fromkeys(Severity, 0)
    for finding in findings:
        by_severity[finding.severity] += len(finding.places)
    return Counts(**{severity.value: n for severity, n in by_severity.items()})


def verdict(findings: Sequence[Finding], score: float, profile: Profile) -> Verdict:
    severities = {f.severity for f in findings}
    if Severity.BLOCKER in severities:
        return Verdict.FAIL
    if Severity.MAJOR in severities or score < profile.pass_score:
        return Verdict.CONDITIONAL
    return Verdict.PASS
