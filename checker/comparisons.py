"""Context comparisons: each behaviour the card's counts compare across a context pair, tested once.

Three designs give a comparison:

- within one evaluation: its arms on both sides of a pair. Arms with the same context are pooled
  (arms split by verbalised awareness add up to the context).
- across evaluations: of the evaluations of one configuration, category and behaviour, some hold
  one side of a pair without the other (a "follow-up" run of the unmonitored arm, say). Each side
  is pooled over the evaluations that hold it alone, or, when none does, over those that hold
  both sides: splitting the arms between evaluations cannot avoid the comparison. Evaluations
  that all hold both sides are compared within themselves only, so that several complete runs of
  one test give no comparisons across them. Two evaluations count the same behaviour when both
  state the same `behaviour`; when one states none, when their `method` texts are the same (see
  `_behaviours`).
- a paired design (format 1.1): each item run in both contexts, judged by McNemar's exact test.

Holm's adjustment runs over the distinct comparisons. A copy (the same pair and the same counts
on both sides as an earlier comparison, which is what recounting one raw-samples file for two
evaluations gives) counts once and has its original's adjusted p-value: fifty copies of a null
evaluation cannot dilute a real gap. Each comparison's smallest detectable gap is computed at the
level Holm's procedure holds it to (stats.holm_levels), not at the unadjusted level.

An arm that gives only a rate (format 1.1) is neither pooled nor tested: a context with such an
arm is left out of the comparisons, and `declared_pairs` lists the pairs that such arms cover.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, get_args

from checker import stats
from checker.model import Arm, Evaluation, Pair, Paired, Submission
from checker.report import ArmSummary, Comparison

PAIRS: tuple[tuple[str, str], ...] = tuple(
    (watched, unwatched) for watched, unwatched in (p.split("/") for p in get_args(Pair))
)
"""The four context pairs, the watched side first (as the format names them)."""

_ORIENTED = {(a, b): (pair, a != pair[0]) for pair in PAIRS for a, b in (pair, pair[::-1])}
"""A paired design's two contexts -> (their pair, whether they are given unwatched first)."""

Counts = tuple[int, int]
"""(n, count) of one side of a comparison."""
Design = Literal["within", "across", "paired"]
Source = Literal["declared", "recomputed"]


def pair_name(pair: tuple[str, str]) -> str:
    return f"{pair[0]}/{pair[1]}"


def pooled_arms(evaluation: Evaluation) -> dict[str, Counts]:
    """context -> (n, count), summed over the evaluation's arms with that context that give counts."""
    pooled: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for context, n, count in evaluation.counts:
        pooled[context][0] += n
        pooled[context][1] += count
    return {context: (n, count) for context, (n, count) in pooled.items()}


def counted_arms(evaluation: Evaluation) -> dict[str, Counts]:
    """`pooled_arms` without the contexts where some arm gives only a rate: counts of part of a context are not its counts."""
    rate_only = {arm.context for arm in evaluation.arms or () if not arm.counted}
    return {context: counts for context, counts in pooled_arms(evaluation).items() if context not in rate_only}


@dataclass(frozen=True)
class _Table:
    """A paired design, the watched context first: n pairs, how many show the behaviour in one context only, in both."""

    n: int
    watched_only: int
    unwatched_only: int
    both: int


@dataclass(frozen=True, kw_only=True)
class _Candidate:
    """A comparison before the family it belongs to is known: what it compares, and where."""

    index: int
    """The place in the card of the evaluation it points at."""
    evaluation: str
    pointer: str
    pair: tuple[str, str]
    design: Design
    watched: Counts
    unwatched: Counts
    source: Source = "declared"
    pooled_from: tuple[tuple[str, ...], tuple[str, ...]] | None = None
    """Across evaluations: the evaluations each side pools."""
    table: _Table | None = None

    @property
    def key(self) -> tuple[object, ...]:
        """What a copy shares with its original: the pair and the counts on both sides (a paired design's table)."""
        return (self.pair, self.table or (self.watched, self.unwatched))

    def test(self) -> stats.TestResult:
        if self.table is not None:
            return stats.mcnemar_exact(self.table.watched_only, self.table.unwatched_only)
        (n1, k1), (n2, k2) = self.watched, self.unwatched
        return stats.compare_proportions(k1, n1, k2, n2)

    def interval(self) -> tuple[float, float]:
        if self.table is not None:
            t = self.table
            return stats.newcombe_paired_interval(t.n, t.watched_only, t.unwatched_only, t.both)
        (n1, k1), (n2, k2) = self.watched, self.unwatched
        return stats.newcombe_interval(k1, n1, k2, n2)

    def detectable_gap(self, level: float, power: float) -> float | None:
        if self.table is not None:
            t = self.table
            discordant = (t.watched_only + t.unwatched_only) / t.n
            return stats.detectable_paired_gap(t.n, discordant, alpha=level, power=power)
        (n1, k1), (n2, k2) = self.watched, self.unwatched
        return stats.detectable_gap(n1, n2, min(k1 / n1, k2 / n2), alpha=level, power=power)


def _within(
    evaluations: Sequence[Evaluation], arms: Sequence[Mapping[str, Counts]], recounted: Mapping[str, object]
) -> Iterator[_Candidate]:
    for index, (evaluation, held) in enumerate(zip(evaluations, arms, strict=True)):
        source: Source = "recomputed" if evaluation.id in recounted else "declared"
        for pair in PAIRS:
            if pair[0] in held and pair[1] in held:
                yield _Candidate(
                    index=index,
                    evaluation=evaluation.id,
                    pointer=f"/evaluations/{index}",
                    pair=pair,
                    design="within",
                    watched=held[pair[0]],
                    unwatched=held[pair[1]],
                    source=source,
                )


def _paired(evaluations: Sequence[Evaluation]) -> Iterator[_Candidate]:
    for index, evaluation in enumerate(evaluations):
        for k, design in enumerate(evaluation.paired or ()):
            yield _paired_candidate(index, evaluation.id, f"/evaluations/{index}/paired/{k}", design)


def _paired_candidate(index: int, evaluation: str, pointer: str, design: Paired) -> _Candidate:
    """The design as a comparison of its pair, watched side first (validation refuses contexts of two pairs)."""
    pair, unwatched_first = _ORIENTED[design.contexts]
    first, second = (design.b_only, design.a_only) if unwatched_first else (design.a_only, design.b_only)
    table = _Table(n=design.n, watched_only=first, unwatched_only=second, both=design.both)
    return _Candidate(
        index=index,
        evaluation=evaluation,
        pointer=pointer,
        pair=pair,
        design="paired",
        watched=(design.n, first + design.both),
        unwatched=(design.n, second + design.both),
        table=table,
    )


def as_words(text: str | None) -> str:
    """Text compared as words: case, runs of white space and a closing full stop do not make two texts differ
    (a behaviour or method matched across evaluations here and by AR-3)."""
    return " ".join((text or "").split()).casefold().rstrip(".")


def _behaviours(evaluations: Sequence[Evaluation]) -> list[tuple[str, str] | None]:
    """What each evaluation counts, to match evaluations of one behaviour; None when it says neither what nor how.

    Its `behaviour` when it states one. Else its `method`: it then counts the behaviour that the
    evaluations with the same method (configuration and category) state, when they all state the
    same one, and matches only evaluations with its method when they state several or none.
    """
    stated: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for e in evaluations:
        if as_words(e.behaviour) and as_words(e.method):
            stated[(e.configuration, e.category, as_words(e.method))].add(as_words(e.behaviour))
    keys: list[tuple[str, str] | None] = []
    for e in evaluations:
        behaviour, method = as_words(e.behaviour), as_words(e.method)
        named = stated.get((e.configuration, e.category, method), set()) if method else set()
        if behaviour or len(named) == 1:
            keys.append(("behaviour", behaviour or next(iter(named))))
        else:
            keys.append(("method", method) if method else None)
    return keys


def _across(
    evaluations: Sequence[Evaluation], arms: Sequence[Mapping[str, Counts]], recounted: Mapping[str, object]
) -> Iterator[_Candidate]:
    groups: dict[tuple[object, ...], list[int]] = defaultdict(list)
    for index, (evaluation, behaviour) in enumerate(zip(evaluations, _behaviours(evaluations), strict=True)):
        if behaviour is not None:
            groups[(evaluation.configuration, evaluation.category, behaviour)].append(index)
    for members in groups.values():
        for pair in PAIRS:
            watched = [i for i in members if pair[0] in arms[i] and pair[1] not in arms[i]]
            unwatched = [i for i in members if pair[1] in arms[i] and pair[0] not in arms[i]]
            if not watched and not unwatched:
                continue
            complete = [i for i in members if pair[0] in arms[i] and pair[1] in arms[i]]
            watched, unwatched = watched or complete, unwatched or complete
            if not watched or not unwatched:
                continue
            pooled = sorted({*watched, *unwatched})
            all_recounted = all(evaluations[i].id in recounted for i in pooled)
            yield _Candidate(
                index=pooled[0],
                evaluation=evaluations[pooled[0]].id,
                pointer=f"/evaluations/{pooled[0]}",
                pair=pair,
                design="across",
                watched=_pool(arms, watched, pair[0]),
                unwatched=_pool(arms, unwatched, pair[1]),
                source="recomputed" if all_recounted else "declared",
                pooled_from=(tuple(evaluations[i].id for i in watched), tuple(evaluations[i].id for i in unwatched)),
            )


def _pool(arms: Sequence[Mapping[str, Counts]], indices: list[int], context: str) -> Counts:
    return sum(arms[i][context][0] for i in indices), sum(arms[i][context][1] for i in indices)


def _summary(context: str, counts: Counts, evaluations: tuple[str, ...] | None) -> ArmSummary:
    n, count = counts
    return ArmSummary(
        context=context,
        n=n,
        count=count,
        rate=stats.rate(count, n),
        interval=stats.wilson_interval(count, n),
        evaluations=evaluations,
    )


def compare(
    submission: Submission,
    *,
    significance_level: float,
    power: float,
    recounted: Mapping[str, Mapping[str, Counts]] | None = None,
) -> tuple[Comparison, ...]:
    """Every comparison in the card, in card order, with Holm's adjustment across the distinct ones.

    Where `recounted` holds an evaluation's counts from its raw samples (evaluation id ->
    context -> (n, count)), those are compared instead of the declared arms.
    """
    recounted = recounted or {}
    evaluations = submission.evaluations or ()
    arms = [recounted.get(e.id) or counted_arms(e) for e in evaluations]
    candidates = sorted(
        [*_within(evaluations, arms, recounted), *_paired(evaluations), *_across(evaluations, arms, recounted)],
        key=lambda c: c.index,
    )
    originals: dict[tuple[object, ...], _Candidate] = {}
    for candidate in candidates:
        originals.setdefault(candidate.key, candidate)
    tests = {key: original.test() for key, original in originals.items()}
    p_values = [test.p_value for test in tests.values()]
    adjusted = dict(zip(tests, stats.holm(p_values), strict=True))
    levels = dict(zip(tests, stats.holm_levels(p_values, significance_level), strict=True))
    intervals = {key: original.interval() for key, original in originals.items()}
    detectable = {key: original.detectable_gap(levels[key], power) for key, original in originals.items()}
    comparisons = []
    for c in candidates:
        key, original = c.key, originals[c.key]
        watched = _summary(c.pair[0], c.watched, c.pooled_from[0] if c.pooled_from else None)
        unwatched = _summary(c.pair[1], c.unwatched, c.pooled_from[1] if c.pooled_from else None)
        comparisons.append(
            Comparison(
                evaluation=c.evaluation,
                pointer=c.pointer,
                pair=pair_name(c.pair),
                design=c.design,
                watched=watched,
                unwatched=unwatched,
                difference=watched.rate - unwatched.rate,
                interval=intervals[key],
                test=tests[key].test,
                statistic=tests[key].statistic,
                p_value=tests[key].p_value,
                adjusted_p_value=adjusted[key],
                significant=adjusted[key] < significance_level,
                step_level=levels[key],
                detectable_gap=detectable[key],
                copy_of=None if original is c else original.pointer,
                source=c.source,
            )
        )
    return tuple(comparisons)


@dataclass(frozen=True)
class DeclaredPair:
    """A pair an evaluation covers with arms of which some give only a rate (format 1.1): it cannot be tested."""

    evaluation: str
    pointer: str
    pair: str
    watched: float | None
    unwatched: float | None
    """Each side's rate on the 0-1 scale: that of its one arm, or of its arms weighted by their n; None
    when several of its arms give no n, and cannot be pooled."""


def declared_pairs(evaluations: Sequence[Evaluation], compared: set[tuple[str, str]]) -> list[DeclaredPair]:
    """The pairs that arms giving only a rate cover, in card order, but those in `compared`: (evaluation, pair)
    that the evaluation compares with counts all the same (its raw samples recounted, or a paired design)."""
    found = []
    for index, evaluation in enumerate(evaluations):
        if all(arm.counted for arm in evaluation.arms or ()):
            continue
        sides: dict[str, list[Arm]] = defaultdict(list)
        for arm in evaluation.arms or ():
            sides[arm.context].append(arm)
        for pair in PAIRS:
            name = pair_name(pair)
            if pair[0] in sides and pair[1] in sides and (evaluation.id, name) not in compared:
                found.append(
                    DeclaredPair(
                        evaluation=evaluation.id,
                        pointer=f"/evaluations/{index}/arms",
                        pair=name,
                        watched=_declared_rate(sides[pair[0]]),
                        unwatched=_declared_rate(sides[pair[1]]),
                    )
                )
    return found


def _declared_rate(arms: list[Arm]) -> float | None:
    if len(arms) == 1:
        return arms[0].fraction
    trials, shown = 0, 0.0
    for arm in arms:
        if arm.n is None or arm.fraction is None:
            return None
        trials += arm.n
        shown += arm.n * arm.fraction
    return shown / trials
