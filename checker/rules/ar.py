"""AR — the safety argument: typed claims, supported on their configurations, not contradicted."""

from __future__ import annotations

from collections.abc import Hashable
from functools import cached_property

from checker.model import Claim, Evaluation
from checker.rules import AWARENESS, CardView, Gap, Outcome, capped, check, fraction, listed, not_applicable, percent
from checker.rules.figures import RATE, readings
from checker.rules.inability import Limit, SameCapability, Standing


@check("AR-1")
def argument_named(card: CardView) -> Outcome:
    claims = card.submission.claims or ()
    gaps = [
        Gap(
            message=f"claim {c.id} does not name its argument type (inability, control, trustworthiness or deference)",
            pointer=f"/claims/{i}",
            figures={"claim": c.id},
            kind="claims do not name their argument type (inability, control, trustworthiness or deference)",
        )
        for i, c in enumerate(claims)
        if c.argument is None
    ]
    return fraction(len(claims) - len(gaps), len(claims), gaps, "no claims")


class _Evidence:
    """What the argument checks look up for each claim, gathered once for the card: a claim costs what it cites."""

    def __init__(self, card: CardView) -> None:
        self.card = card
        self.tested: dict[str, str | None] = {e.id: e.configuration for e in card.evaluations}
        """Evidence id -> the configuration it tested."""
        self.tested |= {a.id: a.configuration for a in card.submission.independent_audits or ()}
        self.tested |= {r.id: r.configuration for r in card.submission.reasoning_evidence or ()}
        self.evaluations = {e.id: e for e in card.evaluations if e.category not in AWARENESS}
        """Evaluation id -> the evaluation, for those that count a behaviour (not awareness)."""

    @cached_property
    def same_capability(self) -> SameCapability:
        return SameCapability(self.evaluations.values(), self.card.identities)

    @cached_property
    def released_scope(self) -> frozenset[Hashable]:
        """Where evidence on a released configuration speaks: what a claim that names no configuration is about."""
        return self.same_capability.scope(self.card.released_ids)

    def cited(self, claim: Claim) -> list[Evaluation]:
        """The evaluations of a behaviour that the claim cites."""
        return [self.evaluations[e] for e in claim.evidence or () if e in self.evaluations]


def _untested(evidence: _Evidence, index: int, claim: Claim) -> Gap | None:
    """The gap of a claim with configurations that none of its evidence tested (or one the same in all six items; for
    an inability claim, or one derived to bound it: the worst case of open weights bounds what they can do)."""
    assert claim.evidence
    card, tested = evidence.card, evidence.tested
    scope = tuple(dict.fromkeys(claim.configurations)) if claim.configurations else card.released_ids
    on = {tested_on for e in claim.evidence if (tested_on := tested.get(e)) is not None}
    if claim.argument == "inability":
        on |= {bounded for c in on if (bounded := card.identities.bounded_release(c)) is not None}
    untested, missing = card.identities.not_spoken_for(on, claim.configurations or None)
    if not missing:
        return None
    off = {e: tested.get(e) for e in claim.evidence}
    described = listed([f"'{e}' ({c or 'no configuration'})" for e, c in off.items()])
    # The scope may be every released configuration: its lists are cut, with their totals.
    figures = {"claim": claim.id, **capped("configurations", scope), "untested": untested}
    figures |= {"untested_total": missing} if missing > len(untested) else {}
    figures["evidence"] = off
    return Gap(
        message=(
            f"claim {claim.id} is {'unsupported' if missing == len(scope) else 'partly unsupported'}: "
            f"none of its evidence tested {listed(untested, total=missing)}; it cites {described}"
        ),
        pointer=f"/claims/{index}/evidence",
        figures=figures,
        kind="claims rest on evidence that did not test every configuration they are about",
    )


def _not_shown(index: int, claim: Claim, cited: list[Evaluation]) -> Gap | None:
    """The gap of an inability claim whose cited evaluations do not show its limit (see checker.rules.inability):
    a figure that is not shown, or, for a threshold, no figure at all. None when one contradicts it (AR-3's)."""
    limit = Limit.of(claim)
    found = [r for e in cited for r in readings(e, limit.metric)]
    standings = [limit.standing(r) for r in found]
    figures: dict[str, object] = {"claim": claim.id} | _threshold(claim)
    if Standing.CONTRADICTED in standings:
        return None
    if Standing.NOT_SHOWN in standings:
        unshown = found[standings.index(Standing.NOT_SHOWN)]
        past = "" if unshown.interval is None else f", an interval not all {limit.operator} {percent(limit.value)}"
        message = f"in '{unshown.evaluation.id}' {unshown}{past}"
        figures |= unshown.figures
    elif not found and limit.stated:
        what = "the behaviour's rate in arms" if limit.metric == RATE else f"metric '{limit.metric}'"
        message = f"none of the evaluations it cites gives {what}"
    else:
        return None
    return Gap(
        message=f"inability claim {claim.id} {_says(limit)}, which its evidence does not show: {message}",
        pointer=f"/claims/{index}/threshold" if claim.threshold else f"/claims/{index}/evidence",
        figures=figures,
        kind="inability claims are not shown by their evidence: no figure, or one whose uncertainty reaches past the claim",
    )


@check("AR-2")
def supported(card: CardView) -> Outcome:
    claims = card.submission.claims or ()
    if not claims:
        return Outcome(score=0.0, gaps=(Gap(message="the card makes no safety claims", pointer="", figures={}),))
    evidence = _Evidence(card)
    gaps, failing = [], set()
    for i, claim in enumerate(claims):
        if not claim.evidence:
            gaps.append(
                Gap(
                    message=f"claim {claim.id} cites no evidence (unsupported)",
                    pointer=f"/claims/{i}",
                    figures={"claim": claim.id},
                    kind="claims cite no evidence (unsupported)",
                )
            )
            failing.add(i)
            continue
        found = [_untested(evidence, i, claim)]
        if claim.argument == "inability":
            found.append(_not_shown(i, claim, evidence.cited(claim)))
        for gap in found:
            if gap is not None:
                gaps.append(gap)
                failing.add(i)
    return fraction(len(claims) - len(failing), len(claims), gaps)


def _says(limit: Limit) -> str:
    return f"says {limit.stated}" if limit.stated else "says the behaviour was never observed"


def _threshold(claim: Claim) -> dict[str, object]:
    """The claim's threshold as a figure, when it states one."""
    return {} if claim.threshold is None else {"threshold": claim.threshold.model_dump(exclude_none=True)}


def _capability(evaluation: Evaluation) -> str:
    """What an evaluation tests, in words: its category, and its behaviour when stated."""
    return evaluation.category + (f': "{evaluation.behaviour.strip()}"' if evaluation.behaviour else "")


def _contradiction(evidence: _Evidence, index: int, claim: Claim) -> Gap | None:
    """The gap of an inability claim that a figure contradicts: of an evaluation it cites, else of one it does not
    cite that tested the same capability where its evidence did or where it is about (every released
    configuration, when it names none)."""
    limit, cited = Limit.of(claim), evidence.cited(claim)
    but = f"{_says(limit)}, but is" if limit.stated else "is"
    worst = limit.worst(r for e in cited for r in readings(e, limit.metric))
    figures: dict[str, object] = {"claim": claim.id}
    if worst is not None and limit.standing(worst) is Standing.CONTRADICTED:
        return Gap(
            message=f"inability claim {claim.id} {but} contradicted by '{worst.evaluation.id}': {worst}",
            pointer=f"/claims/{index}/argument",
            figures=figures | worst.figures | _threshold(claim),
            kind="inability claims are contradicted by their own evidence",
        )
    same = evidence.same_capability
    # A claim that names no configuration is about every released one (as for AR-2 and VS-4).
    about = same.scope(claim.configurations) if claim.configurations else evidence.released_scope
    tested = same.scope(c for e in claim.evidence or () if (c := evidence.tested.get(e)) is not None)
    worst = limit.worst(r for scope in (about, tested) if (r := same.worst(cited, scope, limit)) is not None)
    if worst is None or limit.standing(worst) is not Standing.CONTRADICTED:
        return None
    uncited = worst.evaluation
    bounded = evidence.card.identities.bounded_release(uncited.configuration)
    on = f"'{uncited.configuration}'" + (f" (derived to bound '{bounded}')" if bounded else "")
    return Gap(
        message=(
            f"inability claim {claim.id} {but} contradicted by '{uncited.id}', which it does not cite but which tested "
            f"the same capability ({_capability(uncited)}) on {on}: {worst}"
        ),
        pointer=f"/claims/{index}/evidence",
        figures=figures | worst.figures | {"cited": False} | _threshold(claim),
        kind="inability claims are contradicted by evaluations of the same capability that they do not cite",
    )


@check("AR-3")
def inability_not_contradicted(card: CardView) -> Outcome:
    claims = [(i, c) for i, c in enumerate(card.submission.claims or ()) if c.argument == "inability"]
    if not claims:
        return not_applicable("no inability claims")
    evidence = _Evidence(card)
    gaps = [gap for i, claim in claims if (gap := _contradiction(evidence, i, claim)) is not None]
    return fraction(len(claims) - len(gaps), len(claims), gaps)
