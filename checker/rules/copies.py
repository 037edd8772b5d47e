"""CC — internal consistency: evidence files that count once and hold something; numbers and samples that are not copies."""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence

from checker import stats
from checker.evidence import EMPTY_SHA256, counted_samples, declarer, empty, same_path
from checker.model import Evaluation, Sample
from checker.report import EvidenceRecord
from checker.rules import CardView, Gap, Outcome, capped, check, fraction, listed
from checker.rules.identities import LISTED
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


# --- CC-3: numbers and samples are not copied ------------------------------------------------------

COPY_CHANCE = 1e-4
"""Equal counts read as copied when independent runs would give that many of them by chance less
often than this, whatever rates the runs measured (after Bonferroni's adjustment for the counts seen)."""


ArmPlace = tuple[int, int, str]
"""(evaluation index, arm index, context) of an arm."""


def _arms_by_count(card: CardView) -> tuple[dict[tuple[int, int], list[ArmPlace]], Counter[int]]:
    """(n, count) -> the arms that give it, for counts strictly between 0 and n; and how many counted
    arms of each size there are."""
    places: dict[tuple[int, int], list[ArmPlace]] = defaultdict(list)
    sizes: Counter[int] = Counter()
    for i, evaluation in enumerate(card.evaluations):
        for j, arm in enumerate(evaluation.arms or ()):
            if arm.n is not None and arm.count is not None:
                sizes[arm.n] += 1
                if 0 < arm.count < arm.n:
                    places[arm.n, arm.count].append((i, j, arm.context))
    return places, sizes


def copied_counts(card: CardView) -> Iterator[tuple[int, int, list[ArmPlace], float]]:
    """(n, count, the arms that give it, the chance) for each count that arms of several evaluations
    give too often to be separate runs.

    Of the N arms of size n, each hits a given count k with a chance of at most the binomial
    probability of k at the rate k/n, whatever its own rate: so the number of arms that hit it is at
    most Binomial(N, that chance), and the chance of so many is its upper tail. A count of 0 or n is
    what every run of a rare or certain behaviour gives: it is never read as copied.
    """
    places, sizes = _arms_by_count(card)
    for (n, count), arms in places.items():
        if len({i for i, _, _ in arms}) > 1:
            hit = stats.binomial_pmf(count, n, count / n)
            chance = min(1.0, len(places) * stats.binomial_upper_tail(len(arms), sizes[n], hit))
            if chance < COPY_CHANCE:
                yield n, count, arms, chance


TABLE_COPY_CHANCE = 1e-3
"""A whole table of arms equal to another evaluation's reads as copied when separate runs would give it
with a chance below this (after Bonferroni's adjustment for the tables of that shape compared)."""


Table = tuple[tuple[str, int, int], ...]
"""An evaluation's counted arms as (context, n, count), sorted."""


def copied_tables(card: CardView) -> Iterator[tuple[list[int], Table, float]]:
    """(the evaluations, the table, the chance) for each table of two or more arms, every count strictly
    between 0 and n, that several evaluations give whole.

    The contexts and sizes of a table are the design, not chance: only evaluations of one design are
    compared, and the adjustment is over the pairs of them. Two separate runs give one arm's count k of n
    with a chance of at most the binomial probability of k at the rate k/n, whatever the rate; a whole
    table, with the product of its arms' chances. Each count may be common; all of them together seldom.
    """
    by_design: dict[tuple[tuple[str, int], ...], dict[Table, list[int]]] = defaultdict(lambda: defaultdict(list))
    for i, evaluation in enumerate(card.evaluations):
        table: Table = tuple(sorted(evaluation.counts))
        if len(table) >= 2 and all(0 < count < n for _, n, count in table):
            by_design[tuple((context, n) for context, n, _ in table)][table].append(i)
    for tables in by_design.values():
        runs = sum(len(holders) for holders in tables.values())
        pairs = runs * (runs - 1) // 2
        for table, holders in tables.items():
            if len(holders) > 1:
                chance = min(1.0, pairs * math.prod(stats.binomial_pmf(k, n, k / n) for _, n, k in table))
                if chance < TABLE_COPY_CHANCE:
                    yield holders, table, chance


def _copied_table_gap(card: CardView, holders: list[int], table: Table, chance: float) -> Gap:
    arms = ", ".join(f"{context} {count:,}/{n:,}" for context, n, count in table)
    named = listed([f"'{card.evaluations[i].id}'" for i in holders])
    return Gap(
        message=(
            f"evaluations {named} give the same {len(table)} arms ({arms}); separate runs would give one table "
            f"with a chance of at most {chance:.2g}, whatever rates they measured: the table reads as copied"
        ),
        pointer=f"/evaluations/{holders[1]}/arms",
        figures={
            "arms": len(table),
            "chance": float(f"{chance:.3g}"),
            **capped("evaluations", [card.evaluations[i].id for i in holders]),
        },
        kind="evaluations give the same whole table of counts",
    )


def _copied_counts_gap(card: CardView, n: int, count: int, arms: list[ArmPlace], chance: float) -> Gap:
    by_evaluation: dict[int, list[str]] = defaultdict(list)
    for i, _, context in arms:
        by_evaluation[i].append(context)
    named = [f"'{card.evaluations[i].id}' ({', '.join(contexts)})" for i, contexts in by_evaluation.items()]
    second = next((i, j) for i, j, _ in arms if i != arms[0][0])
    return Gap(
        message=(
            f"{len(arms)} arms of {len(by_evaluation)} evaluations are each {count:,} of {n:,}: {listed(named)}; "
            f"separate runs would give so many equal counts with a chance of at most {chance:.2g}, whatever rates "
            "they measured: the counts read as copied"
        ),
        pointer=f"/evaluations/{second[0]}/arms/{second[1]}",
        figures={
            "n": n,
            "count": count,
            "arms": len(arms),
            "chance": float(f"{chance:.3g}"),
            **capped("evaluations", [card.evaluations[i].id for i in by_evaluation]),
        },
        kind="evaluations give equal counts too often to be separate runs",
    )


_PLACEHOLDER = re.compile(
    r"""[\W_]*                                                     # nothing but punctuation: "", "...", "-"
    | [\[<{(]*\s*(?:todo|tbd|tba|fixme|xxx+|n/a|placeholder|lorem\s+ipsum.*)\s*[\]>})]*[.!]?
    | [\[<{(]+\s*insert\b[^\]>})]*[\]>})]+                       # a slot to fill: "[insert output]"
    | [\[<{(]+\s*(?:(?:model|sample|example|your)\s+)?(?:input|output|response|prompt|completion|answer|text)
      (?:\s+here)?\s*[\]>})]+                                  # a template's slot: "<output>", "[model response]"
    | [\[<{(]*\s*(?:redacted|withheld)\s*[\]>})]*[.!]?            # a redaction that gives no reason
    | [\[<{(]+\s*(?:\w+\s+)?(?:redacted|withheld|omitted|removed|censored|elided)
      (?:\s+(?:content|text|input|output|response|sample|here))?\s*[\]>})]+    # "[content removed]", "[output withheld]"
    """,
    re.IGNORECASE | re.VERBOSE | re.DOTALL,
)
"""A whole field that stands where a sample's words should be: a template never filled in, or a
redaction that does not say why. Matched against the whole field, so that an excerpt cut with "..." or
a reply that quotes "[redacted]" is not one."""

_REDACTED = re.compile(
    r"[\[<{(]\s*(?:\w+\s+)?(?:redacted|withheld|omitted|removed|censored)\b|(?:redacted|withheld)\b", re.IGNORECASE
)
"""A field that opens as a redaction, with its reason or without."""


def _quoted(text: str) -> str:
    words = _shown(text)
    return f'"{words[:60]}…"' if len(words) > 60 else f'"{words}"'


def _stand_ins(sample: Sample) -> str | None:
    """What shows in a sample instead of its words, in a few words; None when it shows words."""
    fields = (("input", sample.input), ("output", sample.output))
    standing = [f"{name} {_quoted(text)}" for name, text in fields if _PLACEHOLDER.fullmatch(text.strip())]
    if standing:
        return " and ".join(standing)
    if all(_REDACTED.match(text.strip()) for _, text in fields):
        return f"input and output both redacted ({_quoted(sample.input)}, {_quoted(sample.output)})"
    return None


def _placeholder_gap(index: int, evaluation: Evaluation) -> Gap | None:
    shown = [(j, found) for j, s in enumerate(evaluation.samples or ()) if (found := _stand_ins(s)) is not None]
    if not shown:
        return None
    samples_by_stand_in: dict[str, list[str]] = defaultdict(list)
    for j, found in shown:
        samples_by_stand_in[found].append(str(j + 1))
    alike = [
        f"sample{'s' if len(js) > 1 else ''} {', '.join(js)}: {found}" for found, js in samples_by_stand_in.items()
    ]
    return Gap(
        message=f"evaluation '{evaluation.id}' shows placeholders where samples should be: {listed(alike, '; ')}",
        pointer=f"/evaluations/{index}/samples/{shown[0][0]}",
        figures={
            "evaluation": evaluation.id,
            "samples": [j + 1 for j, _ in shown[:LISTED]],
            "placeholders": len(shown),
        },
        kind="evaluations show placeholders where samples should be",
    )


def _own_samples(evaluation: Evaluation) -> list[tuple[str, str]]:
    """The samples that show words (placeholders aside), as their words."""
    return [(_shown(s.input), _shown(s.output)) for s in evaluation.samples or () if _stand_ins(s) is None]


def _repeated_gap(index: int, evaluation: Evaluation) -> Gap | None:
    """A gap when every sample an evaluation shows (two at least) is one sample: one prompt shown in
    two contexts can repeat once, but samples that are all one show a single sample."""
    samples = _own_samples(evaluation)
    if len(samples) < 2 or len(set(samples)) > 1:
        return None
    words_in, words_out = samples[0]
    return Gap(
        message=(
            f"evaluation '{evaluation.id}' shows one sample {len(samples)} times, word for word: "
            f"input {_quoted(words_in)}, output {_quoted(words_out)}"
        ),
        pointer=f"/evaluations/{index}/samples",
        figures={"evaluation": evaluation.id, "samples": len(samples)},
        kind="evaluations show one sample repeated as all their samples",
    )


TELLING_WORDS = 4
"""An output of fewer words ("(B)", "Yes.") is one that two snapshots asked the same question may
well both give: shown by two evaluations, it is no sign of a copy."""


def _borrowed_gaps(card: CardView) -> Iterator[tuple[int, Gap]]:
    """A gap for each evaluation whose samples (two at least, with outputs of TELLING_WORDS or more)
    are all shown by the evaluation that first showed one of them, word for word, input and output."""
    first_shown: dict[tuple[str, str], int] = {}
    shown_by: dict[tuple[str, str], set[int]] = defaultdict(set)
    for index, evaluation in enumerate(card.evaluations):
        samples = [s for s in dict.fromkeys(_own_samples(evaluation)) if len(s[1].split()) >= TELLING_WORDS]
        source = first_shown.get(samples[0]) if samples else None
        if len(samples) > 1 and source is not None and all(source in shown_by[sample] for sample in samples):
            yield (
                index,
                Gap(
                    message=(
                        f"evaluation '{evaluation.id}' shows the samples of evaluation '{card.evaluations[source].id}': "
                        f"all {len(samples)} of its samples, input and output word for word"
                    ),
                    pointer=f"/evaluations/{index}/samples",
                    figures={
                        "evaluation": evaluation.id,
                        "copied_from": card.evaluations[source].id,
                        "samples": len(samples),
                    },
                    kind="evaluations show another evaluation's samples word for word",
                ),
            )
        for sample in samples:
            first_shown.setdefault(sample, index)
            shown_by[sample].add(index)


@check("CC-3")
def numbers_not_copied(card: CardView) -> Outcome:
    gaps: list[Gap] = []
    failing: set[int] = set()
    for n, count, arms, chance in copied_counts(card):
        gaps.append(_copied_counts_gap(card, n, count, arms, chance))
        failing |= {i for i, _, _ in arms if i != arms[0][0]}
    for holders, table, chance in copied_tables(card):
        if not set(holders[1:]) <= failing:  # counts already read as copied one by one are not told again
            gaps.append(_copied_table_gap(card, holders, table, chance))
            failing |= set(holders[1:])
    for index, evaluation in enumerate(card.evaluations):
        for gap in (_placeholder_gap(index, evaluation), _repeated_gap(index, evaluation)):
            if gap is not None:
                gaps.append(gap)
                failing.add(index)
    for index, gap in _borrowed_gaps(card):
        gaps.append(gap)
        failing.add(index)
    shown = [i for i, e in enumerate(card.evaluations) if e.counts or e.samples]
    return fraction(len(shown) - len(failing & set(shown)), len(shown), gaps, "no evaluation gives counts or samples")
