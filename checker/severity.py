"""Severities and the gate: how grave a finding is, and which findings fail a release gate (`--fail-on`).

Kept apart from the models (no pydantic): the command line reads it as it starts.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum


class Severity(str, Enum):
    BLOCKER = "blocker"
    MAJOR = "major"
    MINOR = "minor"

    @property
    def rank(self) -> int:
        """0 for the gravest, so that sorting by rank puts blockers first."""
        return list(Severity).index(self)


class FailOn(str, Enum):
    """The least severity that fails the gate (`--fail-on`); `never` only reports."""

    BLOCKER = "blocker"
    MAJOR = "major"
    MINOR = "minor"
    NEVER = "never"


def gate_fails(fail_on: FailOn | str, severities: Iterable[Severity | str]) -> bool:
    """Whether findings of these severities fail the gate at `fail_on`: one at or above it is enough.

    The one gate rule, for `check`'s exit code and for every card of a batch.
    """
    bar = FailOn(fail_on)
    if bar is FailOn.NEVER:
        return False
    least = Severity(bar.value).rank
    return any(Severity(severity).rank <= least for severity in severities)


__all__ = ["FailOn", "Severity", "gate_fails"]
