"""An evaluation's figures read as rates, with what shows their uncertainty: counts, or only a declared value.

A count of n trials has a 95% interval and can be recounted from raw samples; a rate the card declares
without counts (format 1.1), or a metric without n, has neither: it is read, but it cannot be verified.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Literal

from checker import stats
from checker.model import Arm, Evaluation, Metric, Unit

RATE = "rate"
"""The figure an inability threshold names for the behaviour's rate in the evaluation's arms."""


def as_declared(value: float, unit: Unit | None) -> str:
    """A value as the card gives it: '12%' with unit percent, else the number ('0.12')."""
    return f"{value:g}%" if unit == "percent" else f"{value:g}"


def declared_rate(arm: Arm) -> str:
    """The rate of an arm without counts, as the card gives it."""
    assert arm.rate is not None  # validation: an arm gives its counts, or its rate
    return as_declared(arm.rate, arm.unit)


def rate_only(evaluation: Evaluation) -> list[Arm]:
    """The arms that give only a rate, without the counts that would let it be verified."""
    return [arm for arm in evaluation.arms or () if not arm.counted]


Source = Literal["arm", "pair", "metric"]


@dataclass(frozen=True, kw_only=True)
class Reading:
    """One figure of one evaluation read as a rate: an arm, one side of a paired design, or a metric."""

    evaluation: Evaluation
    source: Source
    label: str
    """The arm's or pair side's context, or the metric's name."""
    value: float
    """On the 0-1 scale for a rate (a metric that is not one keeps its own scale)."""
    n: int | None = None
    count: int | None = None
    """With n, the counts behind the value; None when the card gives only the value."""
    declared: str = ""
    """The value as the card gives it, for a figure without counts."""

    @cached_property
    def interval(self) -> tuple[float, float] | None:
        """Wilson's 95% interval, from the counts; None without them (nothing shows the uncertainty)."""
        return None if self.n is None or self.count is None else stats.wilson_interval(self.count, self.n)

    def __str__(self) -> str:
        """What the evaluation saw, in words that follow the evaluation's name and a colon."""
        if self.interval is None:
            name = (
                f"metric '{self.label}'" if self.source == "metric" else f"the behaviour's rate in its {self.label} arm"
            )
            return f"it declares {name} as {self.declared}, with no counts to show its uncertainty"
        shown = f"95% CI {self.interval[0]:.1%} to {self.interval[1]:.1%}"
        if self.source == "metric":
            return f"its metric '{self.label}' is {self.value:.1%} of {self.n} ({shown})"
        trials = "trials" if self.source == "arm" else "pairs"
        return (
            f"the behaviour was observed in {self.count} of {self.n} {self.label} {trials} ({self.value:.1%}, {shown})"
        )

    @property
    def figures(self) -> dict[str, object]:
        """The numbers behind the message, under the names AR-3 has always given them."""
        figures: dict[str, object] = {"evaluation": self.evaluation.id}
        figures["metric" if self.source == "metric" else "context"] = self.label
        if self.interval is None:
            return figures | {"declared": self.declared, "rate": round(self.value, 4)}
        low, high = self.interval
        return figures | {
            "n": self.n,
            "count": self.count,
            "rate": round(self.value, 4),
            "interval": [round(low, 4), round(high, 4)],
        }


def readings(evaluation: Evaluation, metric: str) -> list[Reading]:
    """The evaluation's figures for a threshold's metric: for RATE each arm and each side of each paired design;
    for any other name, the metrics of that name."""
    if metric != RATE:
        return [_metric_reading(evaluation, m) for m in evaluation.metrics or () if m.name == metric]
    found = [_arm_reading(evaluation, arm) for arm in evaluation.arms or ()]
    for pair in evaluation.paired or ():
        for context, count in zip(pair.contexts, (pair.a_only + pair.both, pair.b_only + pair.both), strict=True):
            found.append(
                Reading(
                    evaluation=evaluation, source="pair", label=context, value=count / pair.n, n=pair.n, count=count
                )
            )
    return found


def _arm_reading(evaluation: Evaluation, arm: Arm) -> Reading:
    if arm.n is not None and arm.count is not None:
        return Reading(
            evaluation=evaluation, source="arm", label=arm.context, value=arm.count / arm.n, n=arm.n, count=arm.count
        )
    declared = declared_rate(arm)
    assert arm.fraction is not None
    return Reading(evaluation=evaluation, source="arm", label=arm.context, value=arm.fraction, declared=declared)


def _metric_reading(evaluation: Evaluation, metric: Metric) -> Reading:
    """A metric with n and a value from 0 to 1 (on its unit's scale) is read as a proportion: round(value x n) of n."""
    if metric.n is not None and 0.0 <= metric.fraction <= 1.0:
        count = round(metric.fraction * metric.n)
        return Reading(
            evaluation=evaluation, source="metric", label=metric.name, value=metric.fraction, n=metric.n, count=count
        )
    return Reading(
        evaluation=evaluation,
        source="metric",
        label=metric.name,
        value=metric.fraction,
        declared=as_declared(metric.value, metric.unit),
    )
