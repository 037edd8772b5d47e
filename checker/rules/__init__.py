"""The checks: one function per catalog requirement, registered by the requirement's id.

A check reads a `CardView` and returns an `Outcome`: a score from 0 to 1 (None when the
requirement does not apply) and the gaps it saw, each a bare fact with a pointer and figures.
It knows nothing of weights or remediation, and of severities only this: a gap may say it is graver or
lesser than its requirement's usual shortfall (`Gap.severity`: an unanswered recommendation against release,
a rate only declared); the engine adds the rest from the catalog and the profile, whose severity for a
requirement overrides every gap's.
"""

from __future__ import annotations

import re as regex  # not `re`: checker.rules.re is the RE area's module
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from checker.model import RATE_NAME, Audit, Configuration, Evaluation, Submission
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
    answered; what a card only declares and gives no way to verify, such as a rate without its counts, is
    minor, so that it costs the score and is told but does not fail an honest card written as real system
    cards are). None: the requirement's. A profile that sets the requirement's severity sets it for every gap."""


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


AWARENESS = ("situational_awareness", "evaluation_awareness")
"""The two categories of awareness: two scales of one risk, a model that reads the test as a test."""

_REFERENCE_LEVEL = regex.compile(r"(?:^|_)(?:chance|baseline|ceiling|human|upper)(?:_|$)")
"""Metric names of a reference level reported beside a score (SAD's 27.4% chance, its 90.7% upper
baseline): named like a rate, but not the model's."""


@dataclass(frozen=True, kw_only=True)
class AwarenessFigure:
    """One measured figure of awareness, and who measured it where."""

    category: str
    """situational_awareness or evaluation_awareness: which threshold of the profile it is read against."""
    value: float
    """The rate, 0 to 1."""
    source: str
    """Who gave the figure, for a message: "evaluation 'sa-suite'", "auditor X in audit 'a' (measurement m)"."""
    entry: dict[str, str]
    """The entry's id (and metric or measurement name), for a finding's figures."""

    @property
    def words(self) -> str:
        """The figure for a message: 'situational awareness measured at 54.0% by evaluation 'sa-suite''."""
        return f"{self.category.replace('_', ' ')} measured at {self.value:.1%} by {self.source}"

    def figures(self) -> dict[str, object]:
        return self.entry | {"category": self.category, "score": round(self.value, 4)}


def _normalised(name: str) -> str:
    return regex.sub(r"[^a-z0-9]+", "_", name.lower())


_SITUATIONAL = regex.compile(r"(?:^|_)(?:situational|sad)(?:_|$)")
_AWARE = regex.compile(r"(?:^|_)aware(?:ness)?(?:_|$)")


def named_awareness(name: str) -> str | None:
    """The awareness category a metric's name names, if any: situational awareness when it says so (or SAD, the
    situational-awareness dataset), evaluation awareness for any other awareness ('verbalized_test_awareness_rate',
    'eval_awareness_rate'). Read by the word, not by our category's spelling, so that renaming a metric cannot
    hide it: any awareness is read, the lower threshold's when the kind is not said."""
    normalised = _normalised(name)
    if _SITUATIONAL.search(normalised):
        return "situational_awareness"
    return "evaluation_awareness" if _AWARE.search(normalised) else None


def _evaluation_score(evaluation: Evaluation) -> float | None:
    """An evaluation's own score, as a rate from 0 to 1: what its items measure, for an awareness evaluation.

    The pooled rate of its counted arms (items answered with awareness); else the highest rate of
    its arms that give only a rate (format 1.1); else its highest metric that names itself a rate
    (`RATE_NAME`) and is neither a reference level (a chance level, a baseline) nor a figure of the
    other awareness category. Other metrics (an AUC) are on other scales and are not read as the score.
    """
    n = sum(n for _, n, _ in evaluation.counts)
    if n:
        return sum(count for _, _, count in evaluation.counts) / n
    rates = [arm.fraction for arm in evaluation.arms or () if arm.fraction is not None]
    if rates:
        return max(rates)
    scores = [
        metric.fraction
        for metric in evaluation.metrics or ()
        if RATE_NAME.search(metric.name)
        and not _REFERENCE_LEVEL.search(_normalised(metric.name))
        and named_awareness(metric.name) in (None, evaluation.category)
    ]
    return max(scores, default=None)


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
    def evaluation_of(self) -> dict[str, Evaluation]:
        """Evaluation id -> the evaluation."""
        return {e.id: e for e in self.evaluations}

    @cached_property
    def comparison_of(self) -> dict[tuple[str, str], Comparison]:
        """(evaluation id, pair) -> the first comparison of that evaluation across that pair."""
        return {(c.evaluation, c.pair): c for c in reversed(self.comparisons)}

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

    @cached_property
    def relied_on(self) -> tuple[tuple[int, Evaluation], ...]:
        """(index, evaluation) for the evaluations the card's evidence is made of: all but those declared
        supplementary on configurations that are not the release (an earlier snapshot's trend data is reported,
        not relied on, and judging it would teach labs to leave it out; `Identities.relied_on`)."""
        return tuple(
            (i, e) for i, e in enumerate(self.evaluations) if self.identities.relied_on(e.configuration, e.role)
        )

    @cached_property
    def awareness(self) -> tuple[AwarenessFigure, ...]:
        """Every figure of situational or evaluation awareness the card gives, wherever it is measured.

        The lab's awareness evaluations (each its score: see `_evaluation_score`), awareness metrics
        inside any other evaluation (a metric whose name names the category, e.g.
        `verbalized_evaluation_awareness_rate`), and the auditors' own measurements (format 1.1). All
        are rates on the 0-1 scale, read through their unit; the checks compare each with the
        threshold of its category, so that relabelling a figure, or moving it into a metric or an
        audit, does not move it out of sight.
        """
        evaluations = (f for evaluation in self.evaluations for f in _evaluation_figures(evaluation))
        audits = (f for audit in self.submission.independent_audits or () for f in _audit_figures(audit))
        return (*evaluations, *audits)


def _evaluation_figures(evaluation: Evaluation) -> Iterator[AwarenessFigure]:
    """An awareness evaluation's score, and every awareness metric of any evaluation but its own category's."""
    score = _evaluation_score(evaluation) if evaluation.category in AWARENESS else None
    if score is not None:
        yield AwarenessFigure(
            category=evaluation.category,
            value=score,
            source=f"evaluation '{evaluation.id}'",
            entry={"evaluation": evaluation.id},
        )
    for metric in evaluation.metrics or ():
        named = named_awareness(metric.name)
        if named and named != evaluation.category and RATE_NAME.search(metric.name):
            yield AwarenessFigure(
                category=named,
                value=metric.fraction,
                source=f"evaluation '{evaluation.id}' (metric {metric.name})",
                entry={"evaluation": evaluation.id, "metric": metric.name},
            )


def _audit_figures(audit: Audit) -> Iterator[AwarenessFigure]:
    """The auditor's own measurements of awareness (format 1.1), by their category or their name."""
    for measurement in audit.measurements or ():
        category = named_awareness(measurement.name) or measurement.category
        if category in AWARENESS:
            yield AwarenessFigure(
                category=category,
                value=measurement.fraction,
                source=f"auditor {audit.auditor} in audit '{audit.id}' (measurement {measurement.name})",
                entry={"audit": audit.id, "measurement": measurement.name},
            )


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
    from checker.rules import ad, ar, chronology, copies, criteria, cv, ia, prose, re, rg, vs  # noqa: F401  (registration)

    return CHECKS
