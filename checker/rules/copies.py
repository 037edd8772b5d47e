"""CC — internal consistency: evidence files that count once and hold something."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence

from checker.evidence import EMPTY_SHA256, counted_samples, declarer, empty, same_path
from checker.report import EvidenceRecord
from checker.rules import CardView, Gap, Outcome, capped, check, fraction, listed
from checker.rules.vs import declared_by


def _shown(text: str) -> str:
    """A field's words as the card gives them, whitespace aside: what two copies share."""
    return " ".join(text.split())


# --- CC-2: each evidence file backs one thing and holds something ---------------------------------


def _same_files(records: Sequence[EvidenceRecord]) -> list[list[EvidenceRecord]]:
    """The records that name one file, for each file named more than once, in card order.

    One file: the same path however written (`x`, `./x`, `evidence//x`), or the same bytes (the sha256
    read, or the one declared where the file was not read). A name that reaches another name's file
    (on a file system that ignores case) reads its bytes, so that its sha256 joins them.
    """
    parent = list(range(len(records)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first: dict[tuple[str, str], int] = {}
    for i, record in enumerate(records):
        content = record.actual_sha256 or record.declared_sha256
        for key in [("path", same_path(record.path))] + ([("sha256", content)] if content else []):
            a, b = root(i), root(first.setdefault(key, i))
            parent[max(a, b)] = min(a, b)
    groups: dict[int, list[EvidenceRecord]] = defaultdict(list)
    for i, record in enumerate(records):
        groups[root(i)].append(record)
    return [group for group in groups.values() if len(group) > 1]


def _how_same(group: Sequence[EvidenceRecord]) -> str:
    """What makes the declarations one file, when their paths do not show it."""
    if len({same_path(r.path) for r in group}) == 1:
        return ""
    return f" (the same bytes, sha256 {group[0].actual_sha256 or group[0].declared_sha256})"


def _figures(group: Sequence[EvidenceRecord]) -> dict[str, object]:
    return capped("paths", [r.path for r in group]) | capped("declared_at", [r.pointer for r in group])


def _declared_twice(group: Sequence[EvidenceRecord]) -> Iterator[tuple[Gap, list[EvidenceRecord]]]:
    """A gap for each entry that declares the file more than once, and the declarations after its first."""
    by_entry: dict[str, list[EvidenceRecord]] = defaultdict(list)
    for record in group:
        by_entry[declarer(record)].append(record)
    for repeats in by_entry.values():
        if len(repeats) > 1:
            gap = Gap(
                message=(
                    f"{declared_by(repeats[0])} declares one file {'twice' if len(repeats) == 2 else f'{len(repeats)} times'}: "
                    f"{listed([r.path for r in repeats])}{_how_same(repeats)}; it counts once"
                ),
                pointer=repeats[1].pointer + "/path",
                figures={"entry": repeats[0].entry, **_figures(repeats)},
                kind="entries declare one evidence file more than once: it counts once",
            )
            yield gap, repeats[1:]


def _samples_shared(group: Sequence[EvidenceRecord], samples: set[str]) -> Iterator[tuple[Gap, list[EvidenceRecord]]]:
    """A gap when the file's raw samples stand for the counts of several evaluations, and the declarations after the first's."""
    counted = [r for r in group if r.pointer in samples]
    firsts: dict[str, EvidenceRecord] = {}
    for record in counted:
        firsts.setdefault(declarer(record), record)
    if len(firsts) > 1:
        later = [r for r in counted if declarer(r) != declarer(counted[0])]
        named = [f"'{r.entry}' ({r.path})" for r in firsts.values()]
        gap = Gap(
            message=(
                f"the raw samples {counted[0].path} are the counts of {len(firsts)} evaluations: "
                f"{listed(named)}{_how_same(counted)}; one run's samples are recounted as each evaluation's own, "
                "so they count once"
            ),
            pointer=later[0].pointer + "/path",
            figures={"evaluations": len(firsts), **_figures(counted)},
            kind="raw samples are the counts of more than one evaluation: they count once",
        )
        yield gap, later


def _report_shared(card: CardView, group: Sequence[EvidenceRecord]) -> Iterator[tuple[Gap, list[EvidenceRecord]]]:
    """A gap when audits of different auditors cite one report, and the declarations of auditors after the first."""
    audits = card.submission.independent_audits or ()
    reports = [(r, audits[int(r.pointer.split("/")[2])].auditor) for r in group if r.pointer.endswith("/report")]
    auditors = list(dict.fromkeys(_shown(auditor).casefold() for _, auditor in reports))
    if len(auditors) > 1:
        files = [r for r, _ in reports]
        later = [r for r, auditor in reports if _shown(auditor).casefold() != auditors[0]]
        named = [f"'{r.entry}' ({auditor})" for r, auditor in reports]
        gap = Gap(
            message=(
                f"audits of {len(auditors)} auditors cite one report, {files[0].path}: "
                f"{listed(named)}{_how_same(files)}; one auditor's report cannot stand for another's, so it counts once"
            ),
            pointer=later[0].pointer + "/path",
            figures={**capped("auditors", [auditor for _, auditor in reports]), **_figures(files)},
            kind="audits of different auditors cite one report: it counts once",
        )
        yield gap, later


def _empty_gap(record: EvidenceRecord) -> Gap:
    why = record.reason if record.status == "empty" else f"its declared sha256 {EMPTY_SHA256} is that of an empty file"
    return Gap(
        message=f"{declared_by(record)} declares {record.path}: {why}; it supports nothing",
        pointer=record.pointer + "/path",
        figures={"path": record.path},
        kind="evidence files are empty: they support nothing",
    )


@check("CC-2")
def evidence_files_distinct(card: CardView) -> Outcome:
    records = card.evidence
    hollow = [r for r in records if empty(r)]
    gaps = [_empty_gap(r) for r in hollow]
    failing = {r.pointer for r in hollow}
    samples = {r.pointer for r in counted_samples(records)}
    for group in _same_files([r for r in records if not empty(r)]):
        for gap, not_counted in (
            *_declared_twice(group),
            *_samples_shared(group, samples),
            *_report_shared(card, group),
        ):
            gaps.append(gap)
            failing |= {r.pointer for r in not_counted}
    return fraction(len(records) - len(failing), len(records), gaps, "no evidence files")
