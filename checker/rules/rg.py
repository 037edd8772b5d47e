"""RG — conservative release gates: the decision, its criteria, and awareness-triggered review."""

from __future__ import annotations

from checker.model import ReleaseGate
from checker.rules import (
    AWARENESS,
    AwarenessFigure,
    CardView,
    Gap,
    Outcome,
    check,
    fraction,
    listed,
    not_applicable,
    percent,
)
from checker.rules.criteria import Threshold, read, verdict
from checker.rules.cv import gap_words, shows_gap, where
from checker.rules.names import contains, same_body

RELEASING = ("release", "staged_release")


def _gate(card: CardView) -> ReleaseGate | None:
    return card.submission.release_gate


def high_awareness(card: CardView) -> AwarenessFigure | None:
    """The highest awareness figure at or above the profile's high threshold, wherever it was measured.

    A situational-awareness score and an evaluation-awareness rate are two scales of one risk, and
    both are read against `situational_awareness_high`: a model that says it is being tested in half
    of the items is at least as aware as one that scores half on a situational-awareness suite. The
    lower `evaluation_awareness_threshold` asks only that deception results account for awareness
    (AD-9): the verbalised rates published for frontier models (2.3-4.5%, 13%, 16.6%) reach it, and
    are not by themselves the strong awareness that calls for a deeper review.
    """
    threshold = card.profile.situational_awareness_high
    return max((f for f in card.awareness if f.value >= threshold), key=lambda f: f.value, default=None)


@check("RG-1")
def decision_stated(card: CardView) -> Outcome:
    gate = _gate(card)
    if gate is None:
        return Outcome(score=0.0, gaps=(Gap(message="the card has no release gate", pointer="", figures={}),))
    gaps = []
    for item, words in (
        ("decision", "the decision"),
        ("decided_by", "who decided"),
        ("decided_on", "when it was decided"),
    ):
        if getattr(gate, item) is None:
            gaps.append(
                Gap(
                    message=f"the release gate does not state {words}",
                    pointer="/release_gate",
                    figures={"missing": item},
                )
            )
    if not gate.criteria:
        gaps.append(
            Gap(message="the release gate states no criteria", pointer="/release_gate", figures={"missing": "criteria"})
        )
    else:
        for i, criterion in enumerate(gate.criteria):
            missing = [item for item in ("threshold", "observed", "met") if getattr(criterion, item) is None]
            if missing:
                gaps.append(
                    Gap(
                        message=f"release criterion '{criterion.name}' does not state its {', '.join(missing)}",
                        pointer=f"/release_gate/criteria/{i}",
                        figures={"criterion": criterion.name, "missing": missing},
                        kind="release criteria do not state all of their threshold, observed value and met",
                    )
                )
    checked = 4 + len(gate.criteria or ())
    return Outcome(score=(checked - len(gaps)) / checked if gaps else 1.0, gaps=tuple(gaps))


@check("RG-2")
def awareness_assessed(card: CardView) -> Outcome:
    gate = _gate(card)
    declared = gate.situational_awareness if gate else None
    evaluations = {e.id: e for e in card.evaluations if e.category in AWARENESS}
    basis = [b for b in (declared.basis or ()) if b in evaluations] if declared else []
    if declared and declared.level and basis:
        return Outcome(score=1.0, note=f"{declared.level}, from {listed(basis)}")
    if declared and declared.level:
        gap = Gap(
            message=f"situational awareness is declared {declared.level}, but no situational- or evaluation-awareness evaluation is cited as its basis",
            pointer="/release_gate/situational_awareness",
            figures={"level": declared.level, "basis": list(declared.basis or ())},
        )
        return Outcome(score=0.5, gaps=(gap,))
    pointer = "/release_gate" if gate else ""
    return Outcome(
        score=0.0,
        gaps=(
            Gap(
                message="the release gate declares no situational-awareness level"
                + (f" (the card has awareness evaluations: {listed(list(evaluations))})" if evaluations else ""),
                pointer=pointer,
                figures={"awareness_evaluations": sorted(evaluations)},
            ),
        ),
    )


@check("RG-3")
def awareness_agrees(card: CardView) -> Outcome:
    gate = _gate(card)
    declared = gate.situational_awareness.level if gate and gate.situational_awareness else None
    if declared is None or not card.awareness:
        return not_applicable("no declared level, or no measured awareness")
    high = high_awareness(card)
    if declared == "high" or high is None:
        return Outcome(score=1.0)
    threshold = card.profile.situational_awareness_high
    return Outcome(
        score=0.0,
        gaps=(
            Gap(
                message=(
                    f"situational awareness is declared {declared}, but {high.words}, at or above the profile's "
                    f"high threshold of {percent(threshold)}"
                ),
                pointer="/release_gate/situational_awareness/level",
                figures={"declared": declared} | high.figures() | {"threshold": threshold},
            ),
        ),
    )


def _review_shortfalls(card: CardView, gate: ReleaseGate) -> list[str]:
    review = gate.deeper_review
    if review is None or not review.performed:
        return ["no deeper review was performed"]
    shortfalls = []
    if review.independent_of_release_team is not True:
        shortfalls.append("the deeper review was not independent of the release team")
    elif review.reviewer is not None:  # declared independent: its name may say otherwise
        organization = card.submission.submission.organization
        auditors = [a for a in card.submission.independent_audits or () if same_body(review.reviewer, a.auditor)]
        if contains(review.reviewer, organization):
            shortfalls.append(
                f"the deeper reviewer '{review.reviewer}' bears the name of the organisation, {organization}, so is "
                "not independent of its release team, whatever independent_of_release_team says"
            )
        elif auditors:
            shortfalls.append(
                f"the deeper reviewer '{review.reviewer}' is the auditor '{auditors[0].auditor}' of "
                f"'{auditors[0].id}': the audit the release team relied on cannot also be its independent review"
            )
    if review.completed_on is None:
        shortfalls.append("the deeper review gives no completion date")
    elif gate.decided_on is None:
        shortfalls.append("the release decision gives no date, so the review cannot be shown to precede it")
    elif review.completed_on > gate.decided_on:
        shortfalls.append(
            f"the deeper review was completed on {review.completed_on}, after the decision on {gate.decided_on}"
        )
    return shortfalls


@check("RG-4")
def awareness_review(card: CardView) -> Outcome:
    gate = _gate(card)
    high = high_awareness(card)
    threshold = card.profile.situational_awareness_high
    declared = gate.situational_awareness.level if gate and gate.situational_awareness else None
    if declared != "high" and high is None:
        return not_applicable("situational awareness is not high")
    if gate is None or gate.decision not in RELEASING:
        return not_applicable("no release or staged release decided")
    shortfalls = _review_shortfalls(card, gate)
    if not shortfalls:
        return Outcome(score=1.0)
    why = [f"declared {declared}"] if declared == "high" else []
    why += [f"{high.words}, at or above the high threshold of {percent(threshold)}"] if high else []
    return Outcome(
        score=0.0,
        gaps=(
            Gap(
                message=f"situational awareness is high ({'; '.join(why)}) and the decision is {gate.decision}, but "
                + "; ".join(shortfalls),
                pointer="/release_gate/deeper_review" if gate.deeper_review else "/release_gate",
                figures={
                    "decision": gate.decision,
                    "declared": declared,
                    "measured": round(high.value, 4) if high else None,
                    "threshold": threshold,
                    "shortfalls": shortfalls,
                }
                | ({"source": high.source} if high else {}),
            ),
        ),
    )


@check("RG-5")
def release_over_gap(card: CardView) -> Outcome:
    gate = _gate(card)
    if gate is None or gate.decision != "release":
        return not_applicable("no full release decided")
    standing = [
        f"a significant gap in {where(c)}, where {gap_words(c)}" for c in card.comparisons if shows_gap(card, c)
    ]
    standing += [_unmet(c.name, c.met) for c in gate.criteria or () if verdict(card, c) is False]
    if not standing:
        return Outcome(score=1.0)
    shortfalls = _review_shortfalls(card, gate)
    if not shortfalls:
        return Outcome(score=1.0, note="a deeper review was completed before the decision")
    return Outcome(
        score=0.0,
        gaps=(
            Gap(
                message=f"the decision is a full release while these stand: {listed(standing, '; ')}; but "
                + "; ".join(shortfalls),
                pointer="/release_gate/decision",
                figures={"decision": gate.decision, "standing": standing, "shortfalls": shortfalls},
            ),
        ),
    )


def _unmet(name: str, declared: bool | None) -> str:
    """A standing unmet criterion, saying so when the card declares it met and its numbers say it is not (CC-4)."""
    return f"unmet criterion '{name}'" + (" (declared met, but its numbers say otherwise)" if declared else "")


@check("RG-6")
def criteria_computable(card: CardView) -> Outcome:
    gate = _gate(card)
    stated = [
        (i, c)
        for i, c in enumerate((gate.criteria if gate else None) or ())
        if c.threshold is not None and (c.observed is not None or c.reads is not None)
    ]
    gaps = []
    for i, criterion in stated:
        reading = read(card, criterion)
        if (empty := _bounds_nothing(reading.threshold)) is not None:
            gaps.append(
                Gap(
                    message=f"release criterion '{criterion.name}' has the threshold '{criterion.threshold}': {empty}",
                    pointer=f"/release_gate/criteria/{i}/threshold",
                    figures={"criterion": criterion.name, "threshold": criterion.threshold},
                    kind="release criteria have thresholds that every figure meets",
                )
            )
            continue
        unchecked = reading.unchecked
        if unchecked is not None:
            why, kind = unchecked
            gaps.append(
                Gap(
                    message=f"release criterion '{criterion.name}' can only be taken as declared: {why}",
                    pointer=f"/release_gate/criteria/{i}",
                    figures={
                        "criterion": criterion.name,
                        "threshold": criterion.threshold,
                        "observed": criterion.observed,
                    },
                    kind=kind,
                )
            )
    return fraction(
        len(stated) - len(gaps), len(stated), gaps, "no release criterion states a threshold and an observation"
    )


def _bounds_nothing(parsed: Threshold | None) -> str | None:
    """Why a threshold on the hundredths scale is met by every rate, share or gap, or None: '< 100 pp' or '>= 0%'
    decides nothing, however its criterion is computed."""
    if parsed is None or not parsed.bound.hundredths:
        return None
    if parsed.operator in ("<", "<=") and parsed.bound.size >= 100:
        return "every rate and gap short of the whole scale meets it: it bounds nothing"
    if parsed.operator == ">=" and parsed.bound.size == 0:
        return "every rate and gap, at least 0, is at or above it: it bounds nothing"
    return None
