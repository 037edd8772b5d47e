"""A configuration's identity: the six items that say which model a claim or a piece of evidence is about.

Version specificity (the VS, IA and AR checks) and the diff of two card versions compare
configurations the same way, here: hashes without regard to case, tools in any order, and an
item the card leaves out (absent, not null) as unstated, never as equal to anything.
"""

from __future__ import annotations

from typing import Any

from checker.model import Configuration

ITEMS = {
    "weights_sha256": "weights",
    "system_prompt_sha256": "system prompt",
    "tools": "tools",
    "monitoring_layer": "monitoring layer",
    "fine_tuning_history": "fine-tuning history",
    "access_setting": "access setting",
}
"""The six identity items of a configuration (its field names), with their names in plain words."""

UNSTATED = object()
"""What `comparable` gives for an item the card leaves out: nothing shows what it is."""


def comparable(configuration: Configuration, item: str) -> Any:
    """The item as configurations are compared: hashes in lower case, tools sorted, UNSTATED when absent."""
    if item not in configuration.model_fields_set:
        return UNSTATED
    value = getattr(configuration, item)
    if item in ("weights_sha256", "system_prompt_sha256") and isinstance(value, str):
        return value.lower()
    if item == "tools" and value is not None:
        # Sorted by name, then version with an unstated version first: None never meets a str.
        return sorted(((tool.name, tool.version) for tool in value), key=lambda t: (t[0], t[1] is not None, t[1] or ""))
    if item == "monitoring_layer" and value is not None:
        return (value.name, value.version)
    if item == "fine_tuning_history" and value is not None:
        return [(s.stage, s.kind, s.completed_on) for s in value]
    return value


def missing(configuration: Configuration) -> list[str]:
    """The identity items the configuration does not state."""
    return [item for item in ITEMS if item not in configuration.model_fields_set]


def differences(tested: Configuration, other: Configuration) -> list[str]:
    """Items that differ, or that either side leaves unstated: what keeps evidence on one from speaking for the other."""
    different = []
    for item in ITEMS:
        a, b = comparable(tested, item), comparable(other, item)
        if a is UNSTATED or b is UNSTATED or a != b:
            different.append(item)
    return different


def changes(old: Configuration, new: Configuration) -> list[str]:
    """Items whose compared value differs between two versions of one configuration (unstated in both is no change)."""
    return [item for item in ITEMS if comparable(old, item) != comparable(new, item)]


def plain(items: list[str] | tuple[str, ...]) -> str:
    """Identity items in plain words: 'weights, system prompt'."""
    return ", ".join(ITEMS.get(item, item) for item in items)


__all__ = ["ITEMS", "UNSTATED", "changes", "comparable", "differences", "missing", "plain"]
