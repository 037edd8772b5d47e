"""RG — conservative release gates: the decision, its criteria, and awareness-triggered review."""

from __future__ import annotations

from checker.model import ReleaseGate
from checker.rules import CardView, Gap, Outcome, check, listed, not_applicable, percent
from checker.rules.names import contains, same_body

AWARENESS_CATEGORIES = ("situational_awareness", "evaluation_awareness")
RELEASING = ("release", "staged_release")


def _gate(card: CardView) -> ReleaseGate | None:
    return card.submission.release_gate


def measured_awareness(card: CardView) -> tuple[str, int, float] | None:
    """(evaluation id, index, score) of the highest situational-awareness score, if any."""
    scores = card.awareness_scores("situational_awareness")
    if not scores:
        return None
    index, evaluation, score = max(scores, key=lambda s: s[2])
    return evaluation.id, index, score


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
    evaluations = {e.id: e for e in card.evaluations if e.category in AWARENESS_CATEGORIES}
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
    measured = measured_awareness(card)
    if declared is None or measured is None:
        return not_applicable("no declared level, or no measured situational awareness")
    evaluation_id, _index, score = measured
    threshold = card.profile.situational_awareness_high
    if declared != "high" and score >= threshold:
        return Outcome(
            score=0.0,
            gaps=(
                Gap(
                    message=(
                        f"situational awareness is declared {declared}, but evaluation '{evaluation_id}' scores "
                        f"{score:.1%}, at or above the profile's high threshold of {percent(threshold)}"
                    ),
                    pointer="/release_gate/situational_awareness/level",
                    figures={
                        "declared": declared,
                        "evaluation": evaluation_id,
                        "score": round(score, 4),
                        "threshold": threshold,
                    },
                ),
            ),
        )
    return Outcome(score=1.0)


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
    measured = measured_awareness(card)
    threshold = card.profile.situational_awareness_high
    declared = gate.situational_awareness.level if gate and gate.situational_awareness else None
    measured_high = measured is not None and measured[2] >= threshold
    if declared != "high" and not measured_high:
        return not_applicable("situational awareness is not high")
    if gate is None or gate.decision not in RELEASING:
        return not_applicable("no release or staged release decided")
    shortfalls = _review_shortfalls(card, gate)
    if not shortfalls:
        return Outcome(score=1.0)
    why = f"declared {declared}" if declared == "high" else ""
    if measured_high and measured is not None:
        why += (
            " and " if why else ""
        ) + f"'{measured[0]}' scores {measured[2]:.1%} (high threshold {percent(threshold)})"
    return Outcome(
        score=0.0,
        gaps=(
            Gap(
                message=f"situational awareness is high ({why}) and the decision is {gate.decision}, but "
                + "; ".join(shortfalls),
                pointer="/release_gate/deeper_review" if gate.deeper_review else "/release_gate",
                figures={
                    "decision": gate.decision,
                    "declared": declared,
                    "measured": round(measured[2], 4) if measured else None,
                    "threshold": threshold,
                    "shortfalls": shortfalls,
                },
            ),
        ),
    )


@check("RG-5")
def release_over_gap(card: CardView) -> Outcome:
    gate = _gate(card)
    if gate is None or gate.decision != "release":
        return not_applicable("no full release decided")
    standing = [
        f"a significant {c.pair} gap of {c.difference * 100:.1f} pp in '{c.evaluation}'"
        for c in card.comparisons
        if c.significant and c.reaches(card.profile.gap_tolerance_pp)
    ]
    standing += [f"unmet criterion '{c.name}'" for c in gate.criteria or () if c.met is False]
    if not standing:
        return Outcome(score=1.0)
    review = gate.deeper_review
    if review is not None and review.performed:
        return Outcome(score=1.0, note="a deeper review was performed")
    return Outcome(
        score=0.0,
        gaps=(
            Gap(
                message="the decision is a full release with no deeper review, while these stand: "
                + listed(standing, "; "),
                pointer="/release_gate/decision",
                figures={"decision": gate.decision, "standing": standing},
            ),
        ),
    )
