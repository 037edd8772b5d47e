"""Inability claims against the figures of evaluations: what a claim's limit is, and which figures bear on it.

An inability claim says a figure stays on one side of a limit: its threshold (format 1.1), or, without
one, that the behaviour was never observed. Each figure of an evaluation (checker.rules.figures) stands
in one of three ways against it:

- contradicted: the figure itself is on the wrong side (any observation, without a threshold);
- not shown: the figure is on the right side but its 95% interval is not all on it, or it has no
  interval (a rate without counts, a metric without n, or one that is not a proportion): what only
  the card declares earns less;
- shown: the whole interval is on the right side (without a threshold: no trial showed the behaviour).

A claim is judged on the figures of the evaluations it cites, and is contradicted too by those it does
not cite that tested the same capability where its evidence did (`SameCapability`).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Hashable, Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from enum import Enum

from checker.comparisons import as_words
from checker.model import Claim, Evaluation, Threshold, as_fraction
from checker.rules.figures import RATE, Reading, as_declared, readings
from checker.rules.identities import Identities

_OPERATORS: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


class Standing(Enum):
    """How a figure stands against a claim's limit, from best to worst."""

    SHOWN = 0
    NOT_SHOWN = 1
    CONTRADICTED = 2


@dataclass(frozen=True)
class Limit:
    """What an inability claim says of its evaluations' figures: that `metric` stays `operator` `value`."""

    metric: str
    operator: str
    value: float
    """On the 0-1 scale for a rate (see Threshold.unit)."""
    stated: str
    """The threshold as the card gives it ('rate < 1%'); empty for a claim without one."""

    @classmethod
    def of(cls, claim: Claim) -> Limit:
        """The claim's threshold, or, without one, 'the behaviour was never observed' (its rate at most 0)."""
        threshold: Threshold | None = claim.threshold
        if threshold is None:
            return cls(metric=RATE, operator="<=", value=0.0, stated="")
        stated = f"{threshold.metric} {threshold.operator} {as_declared(threshold.value, threshold.unit)}"
        return cls(threshold.metric, threshold.operator, as_fraction(threshold.value, threshold.unit), stated)

    @property
    def below(self) -> bool:
        """Whether the figure must stay below the value (its highest figure is its worst), not above."""
        return self.operator in ("<", "<=")

    def holds(self, value: float) -> bool:
        return _OPERATORS[self.operator](value, self.value)

    def standing(self, reading: Reading) -> Standing:
        if not self.holds(reading.value):
            return Standing.CONTRADICTED
        if reading.interval is None:
            return Standing.NOT_SHOWN
        if not self.stated:  # no threshold: nothing observed is all that counts can show
            return Standing.SHOWN
        far = reading.interval[1] if self.below else reading.interval[0]
        return Standing.SHOWN if self.holds(far) else Standing.NOT_SHOWN

    def worst(self, found: Iterable[Reading]) -> Reading | None:
        """The figure farthest towards the wrong side (the first of equals), or None when there is none."""
        found = list(found)
        if not found:
            return None
        return max(found, key=lambda r: r.value) if self.below else min(found, key=lambda r: r.value)


def behaviour(evaluation: Evaluation) -> str | None:
    """The evaluation's behaviour, compared without regard to case, spacing or a closing full stop."""
    return as_words(evaluation.behaviour) or None


Cell = dict[Hashable, list[Evaluation]]
"""Evaluations of one capability, by where their evidence speaks (`SameCapability.keys`)."""


class SameCapability:
    """The card's evaluations by the capability they test and where, to find those that bear on an inability claim.

    An evaluation bears on a claim when it tests the capability one of the claim's cited evaluations
    tests (the same category, and the same behaviour unless either leaves it unstated) on a
    configuration the claim is about or its evidence tested, or one the same in all six identity items,
    or one derived to bound it (checker.identity.derivation_shortfall). Supplementary evaluations count
    like any other: an earlier snapshot is another configuration, and is left out by that alone.

    Evaluations are filed once by category and by behaviour, and the worst figure of each file is kept
    once found: a claim costs what it cites and names, not a pass over the card's evaluations.
    """

    def __init__(self, evaluations: Iterable[Evaluation], identities: Identities) -> None:
        self._identities = identities
        self._by_category: dict[str, Cell] = {}
        self._by_behaviour: dict[tuple[str, str | None], Cell] = {}
        for evaluation in evaluations:
            for key in self.keys(evaluation.configuration):
                self._by_category.setdefault(evaluation.category, {}).setdefault(key, []).append(evaluation)
                cell = self._by_behaviour.setdefault((evaluation.category, behaviour(evaluation)), {})
                cell.setdefault(key, []).append(evaluation)
        self._worst: dict[tuple[Hashable, ...], Reading | None] = {}

    def keys(self, configuration_id: str) -> list[Hashable]:
        """Where evidence on a configuration speaks: its six identity items (its id when one is unstated), and
        those of the released configuration it is derived to bound."""
        keys: list[Hashable] = [self._identities.signature(configuration_id) or configuration_id]
        bounded = self._identities.bounded_release(configuration_id)
        if bounded is not None:
            keys.append(self._identities.signature(bounded) or bounded)
        return keys

    def scope(self, configurations: Iterable[str]) -> frozenset[Hashable]:
        """Where evidence on any of `configurations` speaks (`keys`)."""
        return frozenset(key for configuration in configurations for key in self.keys(configuration))

    def worst(self, cited: list[Evaluation], scope: AbstractSet[Hashable], limit: Limit) -> Reading | None:
        """The worst figure for `limit` among the evaluations of the capabilities `cited` test, where `scope` says."""
        found = []
        for name, cell in self._cells(cited):
            small, large = (scope, cell) if len(scope) <= len(cell) else (cell, scope)
            for key in (k for k in small if k in large):
                found.append(self._cell_worst((*name, key), cell[key], limit))
        return limit.worst(r for r in found if r is not None)

    def _cells(self, cited: list[Evaluation]) -> list[tuple[tuple[Hashable, ...], Cell]]:
        """The files of the capabilities the cited evaluations test: a category's whole file when one of them
        leaves its behaviour unstated, else the files of their behaviours and of the category's unstated ones."""
        behaviours: dict[str, set[str | None]] = {}
        for evaluation in cited:
            behaviours.setdefault(evaluation.category, set()).add(behaviour(evaluation))
        cells: list[tuple[tuple[Hashable, ...], Cell]] = []
        for category, stated in behaviours.items():
            if None in stated:
                cells.append(((category,), self._by_category.get(category, {})))
            else:
                wanted = (*sorted(b for b in stated if b is not None), None)
                cells += [((category, b), self._by_behaviour.get((category, b), {})) for b in wanted]
        return cells

    def _cell_worst(self, name: tuple[Hashable, ...], evaluations: list[Evaluation], limit: Limit) -> Reading | None:
        key = (*name, limit.metric, limit.below)
        if key not in self._worst:
            self._worst[key] = limit.worst(r for e in evaluations for r in readings(e, limit.metric))
        return self._worst[key]
