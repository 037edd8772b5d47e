"""AR — the safety argument: typed claims, supported on their configurations, not contradicted."""

from __future__ import annotations

from checker import stats
from checker.rules import CardView, Gap, Outcome, capped, check, fraction, listed, not_applicable


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


def _tested_configuration(card: CardView) -> dict[str, str | None]:
    """Evidence id -> the configuration it tested."""
    tested: dict[str, str | None] = {e.id: e.configuration for e in card.evaluations}
    tested |= {a.id: a.configuration for a in card.submission.independent_audits or ()}
    tested |= {r.id: r.configuration for r in card.submission.reasoning_evidence or ()}
    return tested


@check("AR-2")
def supported(card: CardView) -> Outcome:
    claims = card.submission.claims or ()
    if not claims:
        return Outcome(score=0.0, gaps=(Gap(message="the card makes no safety claims", pointer="", figures={}),))
    tested = _tested_configuration(card)
    gaps = []
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
            continue
        # Each configuration the claim is about needs evidence that tested it (or its exact twin).
        scope = tuple(dict.fromkeys(claim.configurations)) if claim.configurations else card.released_ids
        on = {tested_on for e in claim.evidence if (tested_on := tested.get(e)) is not None}
        untested, missing = card.identities.not_spoken_for(on, claim.configurations or None)
        if missing:
            off = {e: tested.get(e) for e in claim.evidence}
            described = listed([f"'{e}' ({c or 'no configuration'})" for e, c in off.items()])
            # The scope may be every released configuration: its lists are cut, with their totals.
            figures = {"claim": claim.id, **capped("configurations", scope), "untested": untested}
            figures |= {"untested_total": missing} if missing > len(untested) else {}
            figures["evidence"] = off
            gaps.append(
                Gap(
                    message=(
                        f"claim {claim.id} is {'unsupported' if missing == len(scope) else 'partly unsupported'}: "
                        f"none of its evidence tested {listed(untested, total=missing)}; it cites {described}"
                    ),
                    pointer=f"/claims/{i}/evidence",
                    figures=figures,
                    kind="claims rest on evidence that did not test every configuration they are about",
                )
            )
    return fraction(len(claims) - len(gaps), len(claims), gaps)


AWARENESS_CATEGORIES = ("situational_awareness", "evaluation_awareness")


@check("AR-3")
def inability_not_contradicted(card: CardView) -> Outcome:
    claims = [(i, c) for i, c in enumerate(card.submission.claims or ()) if c.argument == "inability"]
    if not claims:
        return not_applicable("no inability claims")
    # Awareness evaluations count items answered with awareness, not the behaviour a claim denies.
    evaluations = {e.id: e for e in card.evaluations if e.category not in AWARENESS_CATEGORIES}
    gaps = []
    for i, claim in claims:
        for evidence_id in claim.evidence or ():
            evaluation = evaluations.get(evidence_id)
            observed = [arm for arm in evaluation.counts if arm[2]] if evaluation else []
            if not observed or evaluation is None:
                continue
            context, n, count = max(observed, key=lambda a: a[2] / a[1])
            low, high = stats.wilson_interval(count, n)
            gaps.append(
                Gap(
                    message=(
                        f"inability claim {claim.id} is contradicted by '{evaluation.id}': the behaviour was observed in "
                        f"{count} of {n} {context} trials ({count / n:.1%}, 95% CI {low:.1%} to {high:.1%})"
                    ),
                    pointer=f"/claims/{i}/argument",
                    figures={
                        "claim": claim.id,
                        "evaluation": evaluation.id,
                        "context": context,
                        "n": n,
                        "count": count,
                        "rate": round(count / n, 4),
                        "interval": [round(low, 4), round(high, 4)],
                    },
                    kind="inability claims are contradicted by their own evidence",
                )
            )
            break
    failing = len({g.figures["claim"] for g in gaps})
    return fraction(len(claims) - failing, len(claims), gaps)
