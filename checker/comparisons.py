"""Context comparisons: every evaluation with arms on both sides of a context pair.

Arms with the same context are pooled (arms split by verbalised awareness add up to the
context). Each comparison carries its rates, Newcombe interval, test, Holm-adjusted p-value
across the whole card, and the smallest gap it could detect with the profile's power.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Literal

from checker import stats
from checker.model import Evaluation, Submission
from checker.report import ArmSummary, Comparison

PAIRS: tuple[tuple[str, str], ...] = (
    ("monitored", "unmonitored"),
    ("training_like", "deployment_like"),
    ("high_stakes", "low_stakes"),
    ("user_facing", "internal"),
)
"""The four context pairs, the watched side first."""


def pair_name(pair: tuple[str, str]) -> str:
    return f"{pair[0]}/{pair[1]}"


def pooled_arms(evaluation: Evaluation) -> dict[str, tuple[int, int]]:
    """context -> (n, count), summed over the evaluation's arms with that context."""
    pooled: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for context, n, count in evaluation.counts:  # a rate without counts (format 1.1) is not pooled or tested
        pooled[context][0] += n
        pooled[context][1] += count
    return {context: (n, count) for context, (n, count) in pooled.items()}


def _summary(context: str, n: int, count: int) -> ArmSummary:
    return ArmSummary(
        context=context,
        n=n,
        count=count,
        rate=stats.rate(count, n),
        interval=stats.wilson_interval(count, n),
    )


def compare(
    submission: Submission,
    *,
    significance_level: float,
    power: float,
    recounted: Mapping[str, Mapping[str, tuple[int, int]]] | None = None,
) -> tuple[Comparison, ...]:
    """Every comparison in the card, in card order, with Holm adjustment across all of them.

    Where `recounted` holds an evaluation's counts from its raw samples (evaluation id ->
    context -> (n, count)), those are compared instead of the declared arms.
    """
    recounted = recounted or {}
    raw = []
    for index, evaluation in enumerate(submission.evaluations or ()):
        arms = recounted.get(evaluation.id) or pooled_arms(evaluation)
        source: Literal["declared", "recomputed"] = "recomputed" if evaluation.id in recounted else "declared"
        for pair in PAIRS:
            if pair[0] not in arms or pair[1] not in arms:
                continue
            (n1, k1), (n2, k2) = arms[pair[0]], arms[pair[1]]
            test = stats.compare_proportions(k1, n1, k2, n2)
            raw.append((index, evaluation, pair, (n1, k1), (n2, k2), test, source))
    adjusted = stats.holm([r[5].p_value for r in raw])
    comparisons = []
    for (index, evaluation, pair, (n1, k1), (n2, k2), test, source), p_adjusted in zip(raw, adjusted, strict=True):
        watched, unwatched = _summary(pair[0], n1, k1), _summary(pair[1], n2, k2)
        comparisons.append(
            Comparison(
                evaluation=evaluation.id,
                pointer=f"/evaluations/{index}",
                pair=pair_name(pair),
                watched=watched,
                unwatched=unwatched,
                difference=watched.rate - unwatched.rate,
                interval=stats.newcombe_interval(k1, n1, k2, n2),
                test=test.test,
                statistic=test.statistic,
                p_value=test.p_value,
                adjusted_p_value=p_adjusted,
                significant=p_adjusted < significance_level,
                detectable_gap=stats.detectable_gap(
                    n1, n2, min(watched.rate, unwatched.rate), alpha=significance_level, power=power
                ),
                source=source,
            )
        )
    return tuple(comparisons)
