"""The card's configurations compared by their six identity items, for checks that compare many with many.

checker.identity says how two configurations compare. The VS, IA and AR checks ask it of every
entry against every released configuration (which is nearest, which are the same in all six);
asked pair by pair, a card of many thousands of configurations costs its size squared. Here each
configuration's items are coded once as small numbers, and the questions are answered by lookups.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from itertools import combinations, islice
from typing import Any

from checker import identity
from checker.model import Configuration

LISTED = 10
"""How many items of one of the card's lists a message names, or a figure holds, before saying how many more."""

_UNSTATED = -1
"""The code of an item the configuration leaves out: it matches nothing, not even another unstated item."""

Coded = tuple[int, ...]
"""A configuration's six identity items, each as a number that is equal for equal compared values."""


class Identities:
    """The card's configurations by id, coded, with the released ones among them."""

    def __init__(self, configurations: Mapping[str, Configuration], released_ids: Sequence[str]) -> None:
        codes: dict[tuple[str, Hashable], int] = {}
        self._coded = {key: _code(configuration, codes) for key, configuration in configurations.items()}
        self._configurations = configurations
        self._released = [r for r in released_ids if r in configurations]
        self._released_set = set(self._released)
        classes: dict[Coded | str, list[str]] = {}
        for r in self._released:
            classes.setdefault(self.signature(r) or r, []).append(r)
        self._released_classes = [(self.signature(members[0]), members) for members in classes.values()]
        """The released configurations, those the same in all six items together, in order of first appearance."""
        self._released_by_signature = {s: len(m) for s, m in self._released_classes if s is not None}
        self._nearest: dict[str, int] | None = None

    def signature(self, configuration_id: str) -> Coded | None:
        """All six identity items of a described configuration, coded, so that configurations the same in all
        six have the same signature; None when one is unstated or the configuration is not described (such a
        configuration is the same as no other)."""
        coded = self._coded.get(configuration_id)
        return None if coded is None or _UNSTATED in coded else coded

    def nearest_released(self, configuration_id: str) -> Configuration | None:
        """The released configuration that differs least from this one (the first such, as `min` would pick), or
        None when this one is not described or no released configuration is."""
        if self._nearest is None:
            self._nearest = _nearest([self._coded[r] for r in self._released], self._coded)
        position = self._nearest.get(configuration_id)
        return None if position is None else self._configurations[self._released[position]]

    def derivation_shortfall(self, configuration: Configuration) -> str | None:
        """Why evidence on a derived configuration does not stand for the configuration it was derived from, in words
        that follow 'but'; None when it does: that one is released, and the derivation bounds it
        (checker.identity.derivation_shortfall)."""
        source = self._configurations.get(configuration.derived_from or "")
        if source is None or source.id not in self._released_set:
            return f"'{configuration.derived_from}' is not a released configuration"
        return identity.derivation_shortfall(configuration, source)

    def bounded_release(self, configuration_id: str) -> str | None:
        """The released configuration whose risk evidence on this derived one bounds, or None (not derived, or not
        so that it bounds one)."""
        configuration = self._configurations.get(configuration_id)
        if configuration is None or configuration.derived_from is None or self.derivation_shortfall(configuration):
            return None
        return configuration.derived_from

    def speaks_for_release(self, configuration_id: str) -> bool:
        """Whether evidence on this configuration speaks for a released one: it is released, the same as one in all
        six items, or derived to bound one (`bounded_release`)."""
        if configuration_id in self._released_set:
            return True
        signature = self.signature(configuration_id)
        return signature in self._released_by_signature or self.bounded_release(configuration_id) is not None

    def relied_on(self, configuration_id: str | None, role: str | None) -> bool:
        """Whether an evaluation or reasoning-evidence entry counts towards what the release was tested for: one
        declared supplementary (format 1.1: an earlier snapshot, trend data) counts only when it speaks for the
        release all the same; data reported beside the evidence is not evidence."""
        if role != "supplementary":
            return True
        return configuration_id is not None and self.speaks_for_release(configuration_id)

    def not_spoken_for(self, tested: set[str], scope: Sequence[str] | None) -> tuple[list[str], int]:
        """The configurations of `scope` (None: the released ones) that no evidence tested on the configurations
        `tested` speaks for: the first LISTED of them, and how many there are. In the scope's order; the released
        ones in theirs, but for twins (the same in all six items), which come with the first of them.

        Evidence speaks for the configuration it tested and for any other the same in all six items. For
        the released configurations, which every claim without a scope is about, the count comes from the
        number of released configurations of each signature, and the scan for the first few skips a
        whole signature at once: a claim costs what it cites, not a pass over every released configuration.
        """
        signatures = {signature for t in tested if (signature := self.signature(t)) is not None}
        if scope is not None:
            missing = [c for c in dict.fromkeys(scope) if c not in tested and self.signature(c) not in signatures]
            return missing[:LISTED], len(missing)
        spoken_for = sum(self._released_by_signature.get(signature, 0) for signature in signatures)
        spoken_for += sum(1 for t in tested if t in self._released_set and self.signature(t) not in signatures)
        shown: list[str] = []
        for signature, members in self._released_classes:
            if signature is None or signature not in signatures:
                shown += islice((c for c in members if c not in tested), LISTED - len(shown))
            if len(shown) == LISTED:
                break
        return shown, len(self._released) - spoken_for


def _hashable(value: Any) -> Hashable:
    """A compared identity item as a dictionary key: its lists as tuples."""
    return tuple(_hashable(v) for v in value) if isinstance(value, list | tuple) else value


def _code(configuration: Configuration, codes: dict[tuple[str, Hashable], int]) -> Coded:
    """The configuration's items as compared by checker.identity, each value numbered in order of first sight."""
    coded = []
    for item in identity.ITEMS:
        value = identity.comparable(configuration, item)
        coded.append(
            _UNSTATED if value is identity.UNSTATED else codes.setdefault((item, _hashable(value)), len(codes))
        )
    return tuple(coded)


def _nearest(released: Sequence[Coded], configurations: Mapping[str, Coded]) -> dict[str, int]:
    """Each configuration's nearest released one, by its position among `released`: the first of those that agree
    with it on the most items.

    For each set of items, largest first, the released configurations are indexed by their values on
    it, and each configuration not yet placed looks its own values up: one pass over the released
    configurations per set of items (64 of them), never one per pair.
    """
    nearest: dict[str, int] = {}
    if not released:
        return nearest
    for size in range(len(identity.ITEMS), -1, -1):
        found: dict[str, int] = {}
        for items in combinations(range(len(identity.ITEMS)), size):
            first: dict[Coded, int] = {}
            for position, coded in enumerate(released):
                values = tuple(coded[i] for i in items)
                if _UNSTATED not in values:
                    first.setdefault(values, position)
            for key, coded in configurations.items():
                agreeing = None if key in nearest else first.get(tuple(coded[i] for i in items))
                if agreeing is not None and agreeing < found.get(key, len(released)):
                    found[key] = agreeing
        nearest |= found
        if len(nearest) == len(configurations):
            break
    return nearest
