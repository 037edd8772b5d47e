"""The finished report: everything a renderer needs, computed, and nothing it must compute.

Its JSON form is the public report format, documented by `schema/report.schema.json`.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from checker.model import AreaResult, Finding, RequirementResult, Submission, Verdict
from checker.severity import Severity

REPORT_FORMAT = "2.1"


class _Part(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CheckerInfo(_Part):
    name: Literal["safetycase"] = "safetycase"
    version: str


class CatalogInfo(_Part):
    version: str
    sha256: str


class ProfileInfo(_Part):
    name: str
    source: str
    settings: dict[str, object] = Field(description="the resolved profile, every setting")


class CardInfo(_Part):
    """The card a report is about: its file as given, its hash, and whose model and release it presents."""

    path: str
    sha256: str
    organization: str
    model: str
    release_id: str
    card_version: str | None


class ArmSummary(_Part):
    context: str
    n: int = Field(description="trials; in a paired design, pairs")
    count: int = Field(description="trials (pairs) showing the behaviour in this context")
    rate: float
    interval: tuple[float, float] = Field(description="Wilson 95% interval of the rate")
    evaluations: tuple[str, ...] | None = Field(
        default=None,
        description="for a comparison across evaluations, the evaluations whose arms of this context it pools; else null",
    )


class Comparison(_Part):
    """One behaviour compared across one context pair: in one evaluation, across evaluations, or in a paired design."""

    evaluation: str = Field(description="the evaluation it is about; across evaluations, the first of them in the card")
    pointer: str = Field(description="the evaluation's place in the card; for a paired design, the design's")
    pair: str
    design: Literal["within", "across", "paired"] = Field(
        description=(
            "within: one evaluation's arms on both sides of the pair; across: one side's arms in some evaluations "
            "and the other's in others, of one configuration, category and behaviour; paired: each item run in "
            "both contexts (format 1.1)"
        )
    )
    watched: ArmSummary
    unwatched: ArmSummary
    difference: float = Field(description="watched rate minus unwatched rate, as a proportion (0.09 is 9 pp)")
    interval: tuple[float, float] = Field(
        description="95% interval of the difference: Newcombe's hybrid score interval (method 10), independent or paired"
    )
    test: Literal["z", "fisher", "mcnemar"] = Field(
        description="the two-sided test: z, Fisher's exact test (an expected cell under 5), McNemar's exact test (paired)"
    )
    statistic: float | None = Field(description="z for the z-test; null for the exact tests")
    p_value: float
    adjusted_p_value: float = Field(
        description="Holm-adjusted across the card's distinct comparisons; a copy has its original's"
    )
    significant: bool = Field(description="adjusted_p_value under the profile's significance level")
    step_level: float = Field(
        description=(
            "the level Holm's procedure holds the p-value to: the significance level over (m - rank), with m "
            "distinct comparisons and rank that of its p-value among them, from the smallest (0); tied p-values "
            "share the level of the first"
        )
    )
    detectable_gap: float | None = Field(
        description=(
            "smallest gap detectable with the profile's power at step_level: for independent arms a change from the "
            "lower arm's rate (an increase, or a decrease when no increase can reach it), for a paired design a "
            "difference at the observed share of discordant pairs (Connor 1987); null when no gap can reach it"
        )
    )
    copy_of: str | None = Field(
        default=None,
        description=(
            "for a copy of an earlier comparison (the same pair and the same counts on both sides), that comparison's "
            "pointer: a copy counts once in Holm's family, so that copies cannot dilute it"
        ),
    )
    source: Literal["declared", "recomputed"] = Field(
        default="declared", description="whose counts: the card's arms, or those recounted from its raw samples"
    )

    @property
    def evaluations(self) -> tuple[str, ...]:
        """Every evaluation whose counts it compares, in the card's order of its sides."""
        pooled = (self.watched.evaluations or ()) + (self.unwatched.evaluations or ())
        return tuple(dict.fromkeys(pooled)) or (self.evaluation,)

    @property
    def counts_pointer(self) -> str:
        """Where the counts compared are in the card: the evaluation's arms, or the paired design."""
        return self.pointer if self.design == "paired" else self.pointer + "/arms"

    @property
    def exact_difference(self) -> Fraction:
        """The watched rate minus the unwatched, exactly: in fractions of the counts, so that 30/500 - 5/500 is
        5 pp and not the 4.999... pp that floating point makes of it."""
        return Fraction(self.watched.count, self.watched.n) - Fraction(self.unwatched.count, self.unwatched.n)

    def reaches(self, tolerance_pp: float) -> bool:
        """Whether |difference| is at least the tolerance, exactly (`exact_difference`)."""
        return abs(self.exact_difference) >= Fraction(str(tolerance_pp)) / 100


class MalformedLine(_Part):
    line: int = Field(description="1-based line number in the raw-samples file")
    problem: str


class RecountedArm(_Part):
    context: str
    n: int = Field(description="samples with this context in the raw-samples file")
    count: int = Field(description="of them, samples whose outcome is true")


EvidenceStatus = Literal[
    "verified", "mismatch", "missing", "refused", "not_declared", "unverifiable", "empty", "not_checked"
]


class EvidenceRecord(_Part):
    """One declared evidence file or audit report, and what reading it showed."""

    pointer: str
    path: str
    entry: str = Field(description="the id of the evaluation or audit that declares the file")
    kind: str | None
    declared_sha256: str | None
    actual_sha256: str | None
    status: EvidenceStatus = Field(
        description=(
            "verified: the hash matches; mismatch: it does not; missing: no such file; refused: outside the "
            "card's folder or not a regular file, never opened; not_declared: read, but no hash to match; "
            "unverifiable: raw samples with malformed lines; empty: read, and nothing but whitespace in it (it "
            "supports nothing); not_checked: files were not read"
        )
    )
    reason: str = Field(default="", description="why the status is not verified, in plain words")
    recounted: tuple[RecountedArm, ...] | None = Field(
        default=None,
        description=(
            "raw samples only (declared so, or an evaluation's file of another kind whose every line is a sample): "
            "n and count per context, recounted from the file"
        ),
    )
    malformed: tuple[MalformedLine, ...] = Field(default=(), description="the first malformed lines")
    malformed_total: int = Field(default=0, description="how many lines were malformed in all")


class Counts(_Part):
    """How many shortfalls of each severity: every place of a finding counts, as if each were a finding of its own."""

    blocker: int
    major: int
    minor: int


class Report(_Part):
    report_format: str = REPORT_FORMAT
    checker: CheckerInfo
    catalog: CatalogInfo
    profile: ProfileInfo
    submission: CardInfo
    generated_on: dt.date
    verdict: Verdict
    score: float = Field(description="overall score, 0 to 100")
    pass_score: float
    counts: Counts
    areas: tuple[AreaResult, ...]
    findings: tuple[Finding, ...]
    comparisons: tuple[Comparison, ...]
    evidence: tuple[EvidenceRecord, ...]
    evidence_verified: bool = Field(description="whether evidence files were read and hashed")
    card: Submission = Field(description="the card as validated, which the reports quote (x- keys left out)")
    narrative: str = Field(description="the Markdown body of a Markdown card after its front matter, else empty")

    @property
    def distinct_comparisons(self) -> int:
        """How many comparisons Holm's adjustment ran over: copies of an earlier one count once."""
        return sum(c.copy_of is None for c in self.comparisons)

    def findings_of(self, severity: Severity | str) -> tuple[Finding, ...]:
        """The findings of one severity (given as the enum or its name), in report order."""
        return tuple(f for f in self.findings if f.severity == Severity(severity))

    def evidence_statuses(self) -> dict[str, int]:
        """How many evidence files have each status, in the order statuses first appear."""
        counts: dict[str, int] = {}
        for record in self.evidence:
            counts[record.status] = counts.get(record.status, 0) + 1
        return counts

    def findings_for(self, requirement: str) -> tuple[Finding, ...]:
        """The findings of one requirement, in report order."""
        return tuple(f for f in self.findings if f.requirement == requirement)

    def requirement(self, requirement: str) -> RequirementResult:
        """The result of one requirement by its catalog id."""
        for area in self.areas:
            for result in area.requirements:
                if result.id == requirement:
                    return result
        raise KeyError(f"no requirement {requirement!r} in the report")
