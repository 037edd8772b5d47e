"""The engine: runs every check and turns its bare gaps into findings with requirement identity.

This is the one place where a requirement's severity (after the profile), area and
remediation are attached to what a check saw, and where pointers become lines.
"""

from __future__ import annotations

from collections.abc import Callable

from checker.catalog import Catalog
from checker.model import Finding, Status, Submission
from checker.profiles import Profile
from checker.report import Comparison, EvidenceRecord
from checker.rules import CardView, Outcome, registry

Locate = Callable[[str], int | None]
"""JSON pointer -> 1-based line of it, or of its nearest ancestor in the file."""


def check_coverage(catalog: Catalog) -> tuple[list[str], list[str]]:
    """(catalog ids without a check, check ids without a catalog entry)."""
    checks = registry()
    ids = [r.id for r in catalog.requirements]
    return [i for i in ids if i not in checks], sorted(i for i in checks if i not in ids)


def run_checks(
    submission: Submission,
    comparisons: tuple[Comparison, ...],
    catalog: Catalog,
    profile: Profile,
    locate: Locate,
    evidence: tuple[EvidenceRecord, ...] = (),
    evidence_read: bool = False,
) -> tuple[dict[str, Outcome], tuple[Finding, ...]]:
    """Every requirement's outcome, and the findings, gravest first then in file order."""
    checks = registry()
    unchecked, orphaned = check_coverage(catalog)
    if unchecked or orphaned:
        raise RuntimeError(f"catalog and checks disagree: no check for {unchecked}, no entry for {orphaned}")
    view = CardView(
        submission=submission, profile=profile, comparisons=comparisons, evidence=evidence, evidence_read=evidence_read
    )
    outcomes: dict[str, Outcome] = {}
    findings: list[Finding] = []
    seen: dict[str, int] = {}
    for requirement in catalog.requirements:
        outcome = checks[requirement.id](view)
        outcomes[requirement.id] = outcome
        severity = profile.severity(requirement.id, requirement.severity)
        for gap in outcome.gaps:
            base = f"{requirement.id}@{gap.pointer or '/'}"
            seen[base] = seen.get(base, 0) + 1
            findings.append(
                Finding(
                    id=base if seen[base] == 1 else f"{base}#{seen[base]}",
                    requirement=requirement.id,
                    area=requirement.area,
                    severity=severity,
                    status=Status.of(outcome.score),
                    message=gap.message,
                    pointer=gap.pointer,
                    line=locate(gap.pointer),
                    figures=gap.figures,
                    remediation=requirement.remediation,
                )
            )
    findings.sort(key=lambda f: (f.severity.rank, f.line or 0, f.requirement, f.id))
    return outcomes, tuple(findings)
