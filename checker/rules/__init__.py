"""The checks: one function per catalog requirement, registered by the requirement's id.

A check reads a `CardView` and returns an `Outcome`: a score from 0 to 1 (None when the
requirement does not apply) and the gaps it saw, each a bare fact with a pointer and figures.
It knows nothing of severities, weights or remediation: the engine adds those from the catalog.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from checker.model import RATE_NAME, Configuration, Evaluation, Submission
from checker.profiles import Profile
from checker.report import Comparison, EvidenceRecord
from checker.rules.identities import LISTED, Identities
from checker.severity import Severity
from checker.statement import StatementReading


@dataclass(frozen=True, kw_only=True)
class Gap:
    """One thing a check saw falling short, at one place."""

    message: str
    pointer: str
    figures: dict[str, Any] = field(default_factory=dict)
    kind: str | None = None
    """The problem in words that name no place, for a gap a check gives once per entry of the card: the
    report lists the gaps of one kind as one finding at all their places. None for a gap a check gives a
    fixed number of times, whatever the card: gaps without a kind are one finding per message."""
    severity: Severity | None = None
    """The severity of this gap's finding when it differs from the requirement's, for a requirement whose
    shortfalls differ in gravity (a release against the auditor's advice is a blocker unanswered, major
    answered). None: the requirement's. A profile that sets the requirement's severity sets it for every gap."""


@dataclass(frozen=True, kw_only=True)
class Outcome:
    """What a check concluded: its score and the gaps behind any shortfall."""

    score: float | None
    """0 to 1; None when the requirement does not apply to this card."""
    gaps: tuple[Gap, ...] = ()
    note: str = ""
    """Why the requirement does not apply, or what was checked, in a few words."""

    def __post_init__(self) -> None:
        if self.score is not None and not 0.0 <= self.score <= 1.0:
            raise ValueError(f"score {self.score} is outside 0..1")
        if self.gaps and self.score == 1.0:
            raise ValueError("a met requirement cannot have gaps")
        if not self.gaps and self.score is not None and self.score < 1.0:
            raise ValueError("a shortfall needs at least one gap to explain it")


def listed(items: Sequence[str], separator: str = ", ", total: int | None = None) -> str:
    """Items of the card's for a message, the first LISTED of them: 'a, b, c and 4 more'.

    `total` is how many there are when `items` holds only the first few.
    """
    more = (len(items) if total is None else total) - min(len(items), LISTED)
    shown = separator.join(items[:LISTED])
    return f"{shown} and {more:,} more" if more else shown


def capped(key: str, items: Sequence[str]) -> dict[str, object]:
    """A figure listing items of the card's: the first LISTED, and how many in all (`<key>_total`) when there are more.

    For lists that are not the place's own (the card's released configurations, say): copied whole
    into each of many findings, they would make the report grow with the square of the card.
    """
    return {key: list(items[:LISTED])} | ({f"{key}_total": len(items)} if len(items) > LISTED else {})


def not_applicable(note: str) -> Outcome:
    return Outcome(score=None, note=note)


def fraction(passed: int, total: int, gaps: list[Gap], note: str = "") -> Outcome:
    """The share of items that pass; not applicable when there are none."""
    if total == 0:
        return not_applicable(note or "nothing to check")
    return Outcome(score=passed / total, gaps=tuple(gaps), note=note)


@dataclass(frozen=True, kw_only=True)
class CardView:
    """What every check reads: the card, the profile, and facts computed once for all checks."""

    submission: Submission
    profile: Profile
    comparisons: tuple[Comparison, ...]
    evidence: tuple[EvidenceRecord, ...] = ()
    evidence_read: bool = False
    """Whether evidence files were read (not under --no-evidence)."""
    statements: Mapping[str, StatementReading] = field(default_factory=dict)
    """Audit id -> what its auditor's statement file gave (empty when evidence files were not read)."""

    # The lookups below are cached: checks ask them once per entry, and a card may hold many
    # thousands of entries and configurations, so each must cost a lookup, not a pass over the card.

    @property
    def evaluations(self) -> tuple[Evaluation, ...]:
        return self.submission.evaluations or ()

    @cached_property
    def configurations(self) -> dict[str, Configuration]:
        return {c.id: c for c in self.submission.model.configurations or ()}

    @cached_property
    def released_ids(self) -> tuple[str, ...]:
        """The released configurations, each once; when the card does not say, every configuration."""
        model = self.submission.model
        if model.released_configurations is not None:
            return tuple(dict.fromkeys(model.released_configurations))
        return tuple(c.id for c in model.configurations or ())

    @cached_property
    def released(self) -> frozenset[str]:
        """`released_ids` as a set, to ask whether one configuration is released."""
        return frozenset(self.released_ids)

    @cached_property
    def identities(self) -> Identities:
        return Identities(self.configurations, self.released_ids)

    def awareness_scores(self, category: str) -> list[tuple[int, Evaluation, float]]:
        """(index, evaluation, score) for each evaluation of `category` that reports a score.

        The score is the pooled rate of its arms (items answered with awareness); without arms,
        the highest metric that names itself a score (`score`, `rate`, `accuracy`, or a name
        ending in `_score`, `_rate`, `_accuracy`) with a value from 0 to 1. Other metrics (an
        AUC, a chance level, a baseline) are on other scales and are not read as the score.
        """
        scores = []
        for index, evaluation in enumerate(self.evaluations):
            if evaluation.category != category:
                continue
            n = sum(n for _, n, _ in evaluation.counts)
            if n:
                scores.append((index, evaluation, sum(count for _, _, count in evaluation.counts) / n))
                continue
            rates = [m.value for m in evaluation.metrics or () if RATE_NAME.search(m.name) and 0.0 <= m.value <= 1.0]
            if rates:
                scores.append((index, evaluation, max(rates)))
        return scores

    def awareness_metrics(self, category: str) -> list[tuple[int, Evaluation, float]]:
        """(index, evaluation, value) for awareness measured as a metric inside any evaluation.

        A metric whose name holds the category (e.g. `verbalized_evaluation_awareness_rate`) and
        names itself a rate or score, with a value from 0 to 1: awareness measured along the way.
        """
        return [
            (index, evaluation, metric.value)
            for index, evaluation in enumerate(self.evaluations)
            if evaluation.category != category
            for metric in evaluation.metrics or ()
            if category in metric.name.lower() and RATE_NAME.search(metric.name) and 0.0 <= metric.value <= 1.0
        ]


def percent(proportion: float) -> str:
    """A threshold as a percentage with no false precision: 0.5 -> '50%', 0.555 -> '55.5%'."""
    return f"{proportion * 100:.4g}%"


Check = Callable[[CardView], Outcome]

CHECKS: dict[str, Check] = {}
"""Requirement id -> its check. Filled by the area modules as they are imported."""


def check(requirement_id: str) -> Callable[[Check], Check]:
    """Register a function as the check of one catalog requirement."""

    def register(function: Check) -> Check:
        if requirement_id in CHECKS:
            raise ValueError(f"two checks for {requirement_id}")
        CHECKS[requirement_id] = function
        return function

    return register


def registry() -> dict[str, Check]:
    """Every check, after importing each area's module."""
    from checker.rules import ad, ar, cv, ia, re, rg, vs  # noqa: F401  (registration)

    return CHECKS
