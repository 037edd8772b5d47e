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


BOUNDING = {
    "adversarial_fine_tuning": "adversarial fine-tuning",
    "helpful_only": "a helpful-only tune",
    "safeguards_removed": "removing safeguards",
}
"""Derivations that elicit the worst case of a model: what anyone holding open weights could do to them."""


def derivation_shortfall(derived: Configuration, source: Configuration) -> str | None:
    """Why evidence on `derived` does not stand for the open-weights release `source` it says it was made from, in
    words that follow 'but'; None when it does.

    It does when anyone holding the release could have made it, and made the worst of it: the source is released
    as open weights, the derivation is one of BOUNDING, and the derived configuration's fine-tuning history is the
    source's with at least one stage of its own after it (the derivation trains the released weights further). A
    history left unstated shows nothing.
    """
    if derived.derivation is None:
        return (
            "the card does not say how (derivation), so nothing shows it elicits the worst case of the released weights"
        )
    if derived.derivation not in BOUNDING:
        how = "a derivation described only as 'other'" if derived.derivation == "other" else derived.derivation
        *others, last = BOUNDING.values()
        return f"{how} does not elicit the worst case of the released weights (only {', '.join(others)} or {last} do)"
    if source.access_setting != "open_weights":
        setting = source.access_setting if "access_setting" in source.model_fields_set else "unstated"
        return (
            f"'{source.id}' is not released as open weights (access setting {setting}), so no one it is released to "
            "can make the derived model"
        )
    history, base = comparable(derived, "fine_tuning_history"), comparable(source, "fine_tuning_history")
    unstated = [c.id for c, h in ((derived, history), (source, base)) if h is UNSTATED]
    if unstated:
        named = " and ".join(f"'{u}'" for u in unstated)
        return f"the fine-tuning history of {named} is unstated, so nothing shows that the one continues the other"
    history, base = history or [], base or []
    if len(history) <= len(base) or history[: len(base)] != base:
        return (
            f"its fine-tuning history ({_stages(history)}) does not continue that of '{source.id}' ({_stages(base)}) "
            "with a stage of its own"
        )
    return None


def _stages(history: list[tuple[str, str | None, object]]) -> str:
    """A fine-tuning history as its stages' names: 'sft-1, rl-2', or 'none'."""
    return ", ".join(stage for stage, _, _ in history) or "none"


__all__ = [
    "BOUNDING",
    "ITEMS",
    "UNSTATED",
    "changes",
    "comparable",
    "derivation_shortfall",
    "differences",
    "missing",
    "plain",
]
