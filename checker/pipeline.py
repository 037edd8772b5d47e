"""The whole check of one card: load -> validate -> evaluate -> score -> report.

Each step is its own module with plain data between them; this module only wires them.
`check_file` checks one card file, `check_files` several (collecting the problems of those that
cannot be checked), and `verify_evidence` only verifies a card's evidence files, for other tools.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path

from checker import __version__
from checker.catalog import Catalog, load_catalog
from checker.comparisons import compare
from checker.engine import run_checks
from checker.evidence import EvidenceLimits, Hashes, declared_only, recounted, refused_unread, verify
from checker.load import FileRead, LoadedCard, load_card, read_regular
from checker.model import Submission
from checker.problems import CardError, Problem
from checker.profiles import Profile, load_profile
from checker.report import (
    CardInfo,
    CatalogInfo,
    CheckerInfo,
    EvidenceRecord,
    ProfileInfo,
    Report,
)
from checker.scoring import area_results, counts, overall_score, verdict
from checker.statement import StatementReading, read_statements, unread_statements
from checker.terminal import path_text
from checker.validate import validate


def assess(
    card: LoadedCard,
    submission: Submission,
    catalog: Catalog,
    profile: Profile,
    today: dt.date,
    evidence: tuple[EvidenceRecord, ...] | None = None,
    statements: Mapping[str, StatementReading] | None = None,
) -> Report:
    """Checks, scores and reports a validated card. Pure: the clock and what the files showed are passed in.

    `evidence` is what reading the files showed (evidence.verify), or None when they were not read;
    `statements` what the auditors' statements gave (statement.read_statements), by audit id.
    """
    records = declared_only(submission) if evidence is None else evidence
    comparisons = compare(
        submission,
        significance_level=profile.significance_level,
        power=profile.power,
        recounted=recounted(records),
    )

    def locate(pointer: str) -> int | None:
        position = card.locate(pointer)
        return position.line if position else None

    outcomes, findings = run_checks(
        submission,
        comparisons,
        catalog,
        profile,
        locate,
        evidence=records,
        evidence_read=evidence is not None,
        statements=statements,
    )
    areas = area_results(outcomes, findings, catalog, profile)
    # Scores are rounded once, here, to the precision every report shows, so that the verdict
    # and the printed score can never disagree (69.96 must not print as 70.0 and fail the bar).
    areas = tuple(a.model_copy(update={"score": None if a.score is None else round(a.score, 1)}) for a in areas)
    score = round(overall_score(areas), 1)
    return Report(
        checker=CheckerInfo(version=__version__),
        catalog=CatalogInfo(version=catalog.version, sha256=catalog.sha256),
        profile=ProfileInfo(
            name=profile.name,
            source=path_text(profile.source),
            settings=profile.model_dump(mode="json", exclude={"name", "source", "description"}),
        ),
        submission=CardInfo(
            path=path_text(card.path),
            sha256=card.sha256,
            organization=submission.submission.organization,
            model=submission.model.name,
            release_id=submission.model.release_id,
            card_version=submission.submission.card_version,
        ),
        generated_on=today,
        verdict=verdict(findings, score, profile),
        score=score,
        pass_score=profile.pass_score,
        counts=counts(findings),
        areas=areas,
        findings=findings,
        comparisons=comparisons,
        evidence=records,
        evidence_verified=evidence is not None,
        card=submission,
        narrative=card.narrative,
    )


def check_file(
    path: str | Path,
    profile: str | Profile = "default",
    *,
    today: dt.date,
    evidence: bool = True,
    hashes: Hashes | None = None,
    read: FileRead | None = None,
    no_folder: str | None = None,
) -> Report:
    """Load, validate, verify the evidence of (unless `evidence` is False) and check one card file.

    `profile` is a profile's name or file, or one already loaded (so many cards load it once).
    `read` is the card file when already read (read_regular). Evidence is read from the folder
    the card was read from, unless `no_folder` says why the card has none of its own (a bare card among
    other labs' submissions): its declared files are then refused, unread, with that reason.
    `hashes`: evidence hashes kept from an earlier run, and added to (see evidence.verify).
    Raises CardError on bad input.
    """
    catalog = load_catalog()
    resolved = profile if isinstance(profile, Profile) else load_profile(profile, catalog)
    read = read if read is not None else read_regular(Path(path), what="card")
    card = load_card(path, raw=read.raw)
    submission = validate(card)
    records, statements = None, None
    if evidence and no_folder is not None:
        records, statements = refused_unread(submission, no_folder), unread_statements(submission, no_folder)
    elif evidence:
        records = verify(submission, read, EvidenceLimits.of(resolved), hashes)
        statements = read_statements(submission, read)
    return assess(card, submission, catalog, resolved, today, records, statements)


def check_files(
    paths: Sequence[Path], profile: Profile, *, today: dt.date, evidence: bool = True
) -> tuple[list[Report], list[Problem]]:
    """The reports of the cards that could be checked, and the problems of those that could not, in card order."""
    reports: list[Report] = []
    problems: list[Problem] = []
    for path in paths:
        try:
            reports.append(check_file(path, profile, today=today, evidence=evidence))
        except CardError as error:
            problems += error.problems
    return reports, problems


def verify_evidence(card_path: str | Path, profile: str | Profile = "default") -> tuple[EvidenceRecord, ...]:
    """Load and validate a card, then verify its evidence files, within the profile's limits. Raises CardError on a bad card."""
    resolved = profile if isinstance(profile, Profile) else load_profile(profile, load_catalog())
    read = read_regular(Path(card_path), what="card")
    return verify(validate(load_card(card_path, raw=read.raw)), read, EvidenceLimits.of(resolved))
