"""VS — version specificity: claims and evidence bound to the exact released configuration."""

from __future__ import annotations

import re
from typing import NamedTuple

from checker import identity
from checker.comparisons import pooled_arms
from checker.evidence import counted_samples, recounted
from checker.model import Configuration
from checker.report import EvidenceRecord
from checker.rules import CardView, Gap, Outcome, capped, check, fraction, listed, not_applicable

REACH = re.compile(
    r"\b(?:all|any|every)\s+(?:future|later|subsequent|other)\s+(?:versions?|models?|releases?|checkpoints?)\b"
    r"|\bfuture\s+(?:versions?|models?|releases?|checkpoints?)\b"
    r"|\b(?:the\s+|this\s+|our\s+)?(?:whole\s+|entire\s+)?model\s+family\b"
    r"|\b(?:all|every)\s+(?:versions?|variants?|checkpoints?|deployments?(?!\s+of\b)|configurations?|models?)\b"
    r"|\b(?:later|subsequent|successor|newer)\s+(?:versions?|models?|releases?|checkpoints?)\b"
    r"|\b(?:its|their|our)\s+successors?\b"
    r"|\bthe\s+[\w-]+\s+(?:model\s+)?family\b"
    r"|\b(?:any|all)\s+fine-?tun(?:ed|ing)\s+(?:variants?|versions?)\b",
    re.IGNORECASE,
)
"""Wording that extends a claim beyond the tested configurations."""


def _closest_released(card: CardView, configuration_id: str) -> tuple[Configuration, Configuration] | None:
    """(tested, the released configuration it differs from least), or None when either is unknown."""
    tested = card.configurations.get(configuration_id)
    nearest = card.identities.nearest_released(configuration_id)
    return None if tested is None or nearest is None else (tested, nearest)


def identity_differences(card: CardView, configuration_id: str) -> list[str]:
    """The identity items in which a tested configuration differs from the closest released one.

    Empty when it is released, or identical to a released one in all six items. An item that
    either side leaves unstated counts as differing: nothing shows that it is the same.
    """
    if configuration_id in card.released:
        return []
    closest = _closest_released(card, configuration_id)
    return list(identity.ITEMS) if closest is None else identity.differences(*closest)


def _difference_words(card: CardView, configuration_id: str, items: list[str]) -> str:
    """How a tested configuration falls short of a released one, in plain words."""
    closest = _closest_released(card, configuration_id)
    if closest is None:
        return "cannot be compared with a released configuration: the card declares none it describes"
    tested, released = closest
    unstated = [i for i in items if i not in tested.model_fields_set or i not in released.model_fields_set]
    differ = [i for i in items if i not in unstated]
    parts = []
    if differ:
        parts.append(f"differs from the released configuration '{released.id}' in its {identity.plain(differ)}")
    if unstated:
        parts.append(f"cannot be compared with it on its {identity.plain(unstated)} (unstated)")
    return "; ".join(parts)


@check("VS-1")
def identity_complete(card: CardView) -> Outcome:
    model = card.submission.model
    configurations = card.configurations
    gaps = []
    if model.released_configurations is None:
        gaps.append(
            Gap(
                message="the card does not say which configurations this release ships (released_configurations)",
                pointer="/model",
                figures={},
            )
        )
    released = [(i, c) for i, c in enumerate(model.configurations or ()) if c.id in card.released]
    if not released:
        gaps.append(
            Gap(
                message="the card describes no released configuration",
                pointer="/model",
                figures={"configurations": sorted(configurations)},
            )
        )
        return Outcome(score=0.0, gaps=tuple(gaps))
    named = 0
    for i, configuration in released:
        missing = identity.missing(configuration)
        named += len(identity.ITEMS) - len(missing)
        if missing:
            gaps.append(
                Gap(
                    message=f"released configuration '{configuration.id}' does not name its {identity.plain(missing)}",
                    pointer=f"/model/configurations/{i}",
                    figures={"configuration": configuration.id, "missing": missing},
                    kind="released configurations do not name all six identity items",
                )
            )
    score = named / (len(identity.ITEMS) * len(released))
    if model.released_configurations is None:
        score = min(score, 0.5)
    return Outcome(score=score if gaps else 1.0, gaps=tuple(gaps))


class _Entry(NamedTuple):
    """An evaluation, audit or reasoning-evidence entry, as the version checks read it."""

    pointer: str
    id: str
    configuration: str | None
    supplementary: bool
    """Declared `role: supplementary` (format 1.1): data no claim rests on, such as an earlier snapshot."""


def _evidence_entries(card: CardView) -> list[_Entry]:
    """Every evaluation, audit and reasoning-evidence entry, in that order."""
    entries = [
        _Entry(f"/evaluations/{i}", e.id, e.configuration, e.role == "supplementary")
        for i, e in enumerate(card.evaluations)
    ]
    entries += [
        _Entry(f"/independent_audits/{i}", a.id, a.configuration, a.role == "supplementary")
        for i, a in enumerate(card.submission.independent_audits or ())
    ]
    entries += [
        _Entry(f"/reasoning_evidence/{i}", r.id, r.configuration, r.role == "supplementary")
        for i, r in enumerate(card.submission.reasoning_evidence or ())
    ]
    return entries


@check("VS-2")
def evidence_names_configuration(card: CardView) -> Outcome:
    entries = [e for e in _evidence_entries(card) if not e.pointer.startswith("/evaluations/")]
    gaps = [
        Gap(
            message=f"'{entry.id}' does not name the configuration it examined",
            pointer=entry.pointer,
            figures={"entry": entry.id},
            kind="audits or reasoning evidence do not name the configuration they examined",
        )
        for entry in entries
        if entry.configuration is None
    ]
    return fraction(len(entries) - len(gaps), len(entries), gaps, "no audits or reasoning evidence")


def _first_citing(card: CardView) -> dict[str, str]:
    """Evidence id -> the first claim that cites it."""
    citing: dict[str, str] = {}
    for claim in card.submission.claims or ():
        for evidence_id in claim.evidence or ():
            citing.setdefault(evidence_id, claim.id)
    return citing


def _off_release(card: CardView, entry: _Entry, cited_by: str | None) -> Gap | None:
    """The gap of evidence that does not speak for the release, or None when it does: it tested a released
    configuration, one identical to it in all six items, or one derived from an open-weights release so as
    to bound its risk (checker.identity.derivation_shortfall)."""
    assert entry.configuration is not None
    different = identity_differences(card, entry.configuration)
    if not different:
        return None
    figures: dict[str, object] = {"entry": entry.id, "configuration": entry.configuration, "differs_in": different}
    tested = card.configurations.get(entry.configuration)
    if tested is not None and tested.derived_from is not None:
        shortfall = card.identities.derivation_shortfall(tested)
        if shortfall is None:
            return None
        how = f" ({tested.derivation})" if tested.derivation else ""
        words = f"was derived from '{tested.derived_from}'{how}, but {shortfall}"
        figures |= {"derived_from": tested.derived_from, "derivation": tested.derivation}
        kind = "evidence tested derived configurations that do not bound a released one: it does not support claims about this release"
    else:
        words = _difference_words(card, entry.configuration, different)
        kind = "evidence tested configurations that differ from the released ones: it does not support claims about this release"
    declared = f" (declared supplementary, but claim {cited_by} cites it)" if entry.supplementary else ""
    return Gap(
        message=(
            f"'{entry.id}'{declared} tested configuration '{entry.configuration}', which {words}: "
            "it does not support claims about this release"
        ),
        pointer=entry.pointer + "/configuration",
        figures=figures | capped("released", card.released_ids),
        kind=kind,
    )


@check("VS-3")
def evidence_on_release(card: CardView) -> Outcome:
    # Supplementary data (an earlier snapshot, trend data) that no claim cites is not evidence about the
    # release, and is not judged as such; once a claim cites it, it is.
    citing = _first_citing(card)
    entries = [
        e for e in _evidence_entries(card) if e.configuration is not None and (not e.supplementary or e.id in citing)
    ]
    gaps = [gap for entry in entries if (gap := _off_release(card, entry, citing.get(entry.id))) is not None]
    return fraction(len(entries) - len(gaps), len(entries), gaps, "no evidence names a configuration")


@check("VS-4")
def claims_scoped(card: CardView) -> Outcome:
    claims = card.submission.claims or ()
    gaps, failing = [], set()
    for i, claim in enumerate(claims):
        if not claim.configurations:
            gaps.append(
                Gap(
                    message=f"claim {claim.id} does not name the configurations it covers",
                    pointer=f"/claims/{i}",
                    figures={"claim": claim.id},
                    kind="claims do not name the configurations they cover",
                )
            )
            failing.add(i)
        else:
            beyond = [c for c in claim.configurations if c not in card.released]
            if beyond:
                gaps.append(
                    Gap(
                        message=f"claim {claim.id} covers configurations this release does not ship: {listed(beyond)}",
                        pointer=f"/claims/{i}/configurations",
                        figures={"claim": claim.id, "not_released": beyond},
                        kind="claims cover configurations this release does not ship",
                    )
                )
                failing.add(i)
        reach = [m.group(0) for m in REACH.finditer(claim.statement)]
        if reach:
            quoted = listed([f'"{r}"' for r in reach])
            gaps.append(
                Gap(
                    message=f"claim {claim.id} reaches beyond the tested configurations: {quoted}",
                    pointer=f"/claims/{i}/statement",
                    figures={"claim": claim.id, "words": reach},
                    kind="claims reach beyond the tested configurations",
                )
            )
            failing.add(i)
    return fraction(len(claims) - len(failing), len(claims), gaps, "no claims")


@check("VS-5")
def evidence_hashed(card: CardView) -> Outcome:
    files = [
        (f"/evaluations/{i}/evidence/{j}", f.path, f.sha256)
        for i, e in enumerate(card.evaluations)
        for j, f in enumerate(e.evidence or ())
    ] + [
        (f"/independent_audits/{i}/report", a.report.path, a.report.sha256)
        for i, a in enumerate(card.submission.independent_audits or ())
        if a.report is not None
    ]
    gaps = [
        Gap(
            message=f"evidence file {path} carries no sha256 hash",
            pointer=pointer,
            figures={"path": path},
            kind="evidence files carry no sha256 hash",
        )
        for pointer, path, digest in files
        if digest is None
    ]
    return fraction(len(files) - len(gaps), len(files), gaps, "no evidence files")


@check("VS-6")
def changelog_current(card: CardView) -> Outcome:
    info = card.submission.submission
    if info.card_version is None:
        return Outcome(
            score=0.0,
            gaps=(Gap(message="the card does not state its card_version", pointer="/submission", figures={}),),
        )
    for entry in info.changelog or ():
        if entry.card_version == info.card_version:
            return Outcome(score=1.0)
    return Outcome(
        score=0.0,
        gaps=(
            Gap(
                message=f'the changelog has no entry for the current card_version "{info.card_version}"',
                pointer="/submission/changelog" if info.changelog is not None else "/submission",
                figures={
                    "card_version": info.card_version,
                    "changelog_versions": [e.card_version for e in info.changelog or ()],
                },
            ),
        ),
    )


def declared_by(record: EvidenceRecord) -> str:
    """The entry that declares a file, in words: "evaluation 'af'" or "audit 'audit-1'"."""
    what = "audit" if record.pointer.startswith("/independent_audits/") else "evaluation"
    return f"{what} '{record.entry}'"


@check("VS-7")
def evidence_readable(card: CardView) -> Outcome:
    if not card.evidence_read:
        return not_applicable("evidence files were not read (--no-evidence)")
    gaps = []
    for record in card.evidence:
        if record.status in ("missing", "refused"):
            gaps.append(
                Gap(
                    message=(
                        f"{declared_by(record)} declares {record.path}, which is not in the card's folder (missing)"
                        if record.status == "missing"
                        else f"{declared_by(record)} declares {record.path}, which was refused and never read: {record.reason}"
                    ),
                    pointer=record.pointer + "/path",
                    figures={"path": record.path, "status": record.status},
                    kind=(
                        "declared evidence files are not in the card's folder (missing)"
                        if record.status == "missing"
                        else "declared evidence files were refused and never read"
                    ),
                )
            )
        elif record.status == "unverifiable":
            shown = "; ".join(f"line {m.line}: {m.problem}" for m in record.malformed)
            more = record.malformed_total - len(record.malformed)
            gaps.append(
                Gap(
                    message=(
                        f"the raw samples {record.path} of {declared_by(record)} cannot be verified: "
                        f"{record.malformed_total:,} malformed line{'s' if record.malformed_total != 1 else ''} "
                        f"({shown}{f'; and {more:,} more' if more else ''})"
                    ),
                    pointer=record.pointer + "/path",
                    figures={
                        "path": record.path,
                        "malformed_total": record.malformed_total,
                        "malformed": [f"line {m.line}: {m.problem}" for m in record.malformed],
                    },
                    kind="raw samples cannot be verified: they hold malformed lines",
                )
            )
    return fraction(len(card.evidence) - len(gaps), len(card.evidence), gaps, "no evidence files")


@check("VS-8")
def evidence_matches_hash(card: CardView) -> Outcome:
    if not card.evidence_read:
        return not_applicable("evidence files were not read (--no-evidence)")
    hashed = [r for r in card.evidence if r.declared_sha256 and r.actual_sha256 and r.status != "empty"]  # CC-2's
    gaps = [
        Gap(
            message=(
                f"{record.path} of {declared_by(record)} is not the declared file: its sha256 is "
                f"{record.actual_sha256}, the card declares {record.declared_sha256}"
            ),
            pointer=record.pointer + "/sha256",
            figures={"path": record.path},
            kind="evidence files are not the declared ones: their sha256 differs",
        )
        for record in hashed
        if record.status == "mismatch"
    ]
    return fraction(len(hashed) - len(gaps), len(hashed), gaps, "no evidence file with a hash was read")


def _sniffed(records: list[EvidenceRecord]) -> str:
    """Where a recount comes from, when the card does not call the file raw samples."""
    named = [
        f"{r.path}, declared as '{r.kind}'" if r.kind else f"{r.path}, declared with no kind"
        for r in records
        if r.kind != "raw_samples"
    ]
    return f" (raw samples read in {listed(named, '; ')})" if named else ""


@check("VS-9")
def counts_match_raw_samples(card: CardView) -> Outcome:
    recount = recounted(card.evidence)
    files: dict[str, list[EvidenceRecord]] = {}
    for record in counted_samples(card.evidence):
        if record.recounted is not None:
            files.setdefault(record.entry, []).append(record)
    checked = [(i, e) for i, e in enumerate(card.evaluations) if e.id in recount]
    gaps = []
    for index, evaluation in checked:
        declared, raw = pooled_arms(evaluation), recount[evaluation.id]
        differences = []
        for context in sorted(set(declared) | set(raw)):
            (n_declared, k_declared), (n_raw, k_raw) = declared.get(context, (0, 0)), raw.get(context, (0, 0))
            if (n_declared, k_declared) == (n_raw, k_raw):
                continue
            if context not in declared:
                differences.append(f"its raw samples hold {k_raw} of {n_raw} '{context}' samples that no arm declares")
            else:
                differences.append(
                    f"{context} is declared as {k_declared} of {n_declared} but the raw samples hold {k_raw} of {n_raw}"
                )
        if differences:
            gaps.append(
                Gap(
                    message=f"evaluation '{evaluation.id}': {'; '.join(differences)}{_sniffed(files[evaluation.id])}",
                    pointer=f"/evaluations/{index}/arms",
                    figures={
                        "files": list(dict.fromkeys(r.path for r in files[evaluation.id])),
                        "declared": {c: {"n": n, "count": k} for c, (n, k) in sorted(declared.items())},
                        "recounted": {c: {"n": n, "count": k} for c, (n, k) in sorted(raw.items())},
                    },
                    kind="evaluations declare counts that differ from their raw samples",
                )
            )
    return fraction(len(checked) - len(gaps), len(checked), gaps, "no raw samples were read")
