"""The engine: runs every check and turns its bare gaps into findings with requirement identity.

This is the one place where a requirement's severity (after the profile), area and
remediation are attached to what a check saw, where pointers become lines, and where the gaps
that show one problem become one finding at all their places.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from checker.catalog import Catalog
from checker.model import Finding, Place, Status, Submission
from checker.profiles import Profile
from checker.report import Comparison, EvidenceRecord
from checker.rules import CardView, Gap, Outcome, registry
from checker.severity import Severity
from checker.statement import StatementReading

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
    statements: Mapping[str, StatementReading] | None = None,
) -> tuple[dict[str, Outcome], tuple[Finding, ...]]:
    """Every requirement's outcome, and the findings, gravest first then in file order.

    The gaps of one requirement that show one problem (one kind) make one finding at all their places.
    """
    checks = registry()
    unchecked, orphaned = check_coverage(catalog)
    if unchecked or orphaned:
        raise RuntimeError(f"catalog and checks disagree: no check for {unchecked}, no entry for {orphaned}")
    view = CardView(
        submission=submission,
        profile=profile,
        comparisons=comparisons,
        evidence=evidence,
        evidence_read=evidence_read,
        statements=statements or {},
    )
    outcomes: dict[str, Outcome] = {}
    findings: list[Finding] = []
    for requirement in catalog.requirements:
        outcome = checks[requirement.id](view)
        outcomes[requirement.id] = outcome
        severity = profile.severity(requirement.id, requirement.severity)
        # A profile that sets the requirement's severity sets it for every gap: the gaps' own grades are then not read.
        graded_by_gap = requirement.id not in profile.severities
        by_kind = _places_by_kind(requirement.id, outcome.gaps, locate, severity, graded_by_gap=graded_by_gap)
        for problem, (graded, places) in by_kind.items():
            findings.append(
                Finding(
                    id=places[0].id,
                    requirement=requirement.id,
                    area=requirement.area,
                    severity=graded,
                    status=Status.of(outcome.score),
                    problem=problem if len(places) > 1 else None,
                    remediation=requirement.remediation,
                    places=tuple(places),
                )
            )
    findings.sort(key=lambda f: (f.severity.rank, f.places[0].line or 0, f.requirement, f.id))
    return outcomes, tuple(findings)


def _places_by_kind(
    requirement: str, gaps: tuple[Gap, ...], locate: Locate, default: Severity, *, graded_by_gap: bool
) -> dict[str, tuple[Severity, list[Place]]]:
    """Each gap as a place, by the problem it shows (its kind, else its message), in file order, with the
    severity its gaps give (a gap's own when `graded_by_gap`, else `default`; the gravest of them, so that a grave
    gap is never told at a lesser one's grade).

    A place's id is the requirement and its pointer, numbered from the second gap at the same pointer.
    """
    seen: dict[str, int] = {}
    kinds: dict[str, tuple[Severity, list[Place]]] = {}
    for gap in gaps:
        base = f"{requirement}@{gap.pointer or '/'}"
        seen[base] = seen.get(base, 0) + 1
        # Unvalidated: the engine's own typed values, and a card may give hundreds of thousands of places.
        place = Place.model_construct(
            id=base if seen[base] == 1 else f"{base}#{seen[base]}",
            pointer=gap.pointer,
            line=locate(gap.pointer),
            message=gap.message,
            figures=gap.figures,
        )
        severity = (gap.severity if graded_by_gap else None) or default
        graded, places = kinds.setdefault(gap.kind or gap.message, (severity, []))
        places.append(place)
        if severity.rank < graded.rank:  # one kind, one finding: at the gravest grade any of its gaps gives
            kinds[gap.kind or gap.message] = (severity, places)
    for _, places in kinds.values():
        places.sort(key=lambda p: (p.line or 0, p.id))
    return kinds
