"""RE — reasoning evidence: clues from reasoning, never presented as proof."""

from __future__ import annotations

import re

from checker.rules import CardView, Gap, Outcome, check, fraction, listed, not_applicable

OVERCLAIM = re.compile(
    r"\bprov(?:e|es|ed|en|ing)\b"
    r"|\bguarantee(?:s|d)?\b"
    r"|\bdemonstrat(?:es|ed|ing|e)\s+(?:the\s+)?absence\b"
    r"|\bfully\s+aligned\b"
    r"|\b(?:cannot|can\s*not|can't|could\s+not|will\s+not|won't|will\s+never|never)\s+(?:deceive|fake|scheme|sandbag|lie)\b"
    r"|\b(?:incapable|impossible)\s+(?:of|to)\s+(?:deceiv\w*|decept\w*|fak\w*|schem\w*)\b"
    r"|\bimpossible\s+for\s+(?:the\s+|this\s+|our\s+)?[\w-]+\s+to\s+(?:deceiv\w*|fak\w*|schem\w*|sandbag\w*|lie)\b"
    r"|\b(?:conclusively|definitively|certainly|completely|entirely|100%)\s+(?:safe|aligned|honest|shows?|demonstrat\w*|rules?\s+out|establish\w*)\b"
    r"|\brules?\s+out\b"
    r"|\beliminat(?:es|ed|e)\s+(?:the\s+|any\s+|all\s+)?(?:risk|possibility)\b"
    r"|\bno\s+possibility\b",
    re.IGNORECASE,
)
"""Words that present evidence about internal objectives as proof."""

_NEGATION = re.compile(r"^(?:not|no|cannot|never|nor|without|unable)$|n't$", re.IGNORECASE)


def _negated(statement: str, start: int) -> bool:
    """Whether one of the three words before `start` negates it: "does not prove" is humility, not proof."""
    return any(_NEGATION.search(word.strip(",;:.()")) for word in statement[:start].split()[-3:])


def overclaiming_words(statement: str) -> list[str]:
    """The overclaiming words of a statement as written, leaving out negated ones."""
    return [m.group(0) for m in OVERCLAIM.finditer(statement) if not _negated(statement, m.start())]


@check("RE-1")
def two_kinds(card: CardView) -> Outcome:
    # Supplementary entries on an earlier snapshot are reported beside the evidence, not counted as a kind of it.
    entries = card.submission.reasoning_evidence or ()
    counted = [card.identities.relied_on(r.configuration, r.role) for r in entries]
    kinds = sorted({r.kind for r, c in zip(entries, counted, strict=True) if c and r.kind is not None})
    set_aside = [f"'{r.id}'" for r, c in zip(entries, counted, strict=True) if not c]
    if len(kinds) >= 2:
        return Outcome(score=1.0, note=", ".join(kinds))
    message = (
        "the card reports no reasoning evidence"
        if not kinds
        else f"the card reports one kind of reasoning evidence ({kinds[0]}); at least two are needed"
    )
    if set_aside:
        message += (
            f" (not counted: {listed(set_aside)}, declared supplementary, on configurations that are not released)"
        )
    return Outcome(
        score=len(kinds) / 2,
        gaps=(Gap(message=message, pointer="/reasoning_evidence", figures={"kinds": kinds}),),
    )


@check("RE-2")
def limitations(card: CardView) -> Outcome:
    entries = card.submission.reasoning_evidence or ()
    gaps = [
        Gap(
            message=f"reasoning evidence '{r.id}' states no limitations",
            pointer=f"/reasoning_evidence/{i}",
            figures={"entry": r.id},
            kind="reasoning evidence entries state no limitations",
        )
        for i, r in enumerate(entries)
        if not (r.limitations and r.limitations.strip())
    ]
    return fraction(len(entries) - len(gaps), len(entries), gaps, "no reasoning evidence")


@check("RE-3")
def optimisation_pressure(card: CardView) -> Outcome:
    entries = card.submission.reasoning_evidence or ()
    gaps = [
        Gap(
            message=f"reasoning evidence '{r.id}' does not say whether the reasoning was trained against a monitor (optimization_pressure)",
            pointer=f"/reasoning_evidence/{i}",
            figures={"entry": r.id},
            kind="reasoning evidence entries do not say whether the reasoning was trained against a monitor (optimization_pressure)",
        )
        for i, r in enumerate(entries)
        if r.optimization_pressure is None
    ]
    return fraction(len(entries) - len(gaps), len(entries), gaps, "no reasoning evidence")


@check("RE-4")
def not_alone(card: CardView) -> Outcome:
    reasoning_ids = {r.id for r in card.submission.reasoning_evidence or ()}
    relevant = [(i, c) for i, c in enumerate(card.submission.claims or ()) if set(c.evidence or ()) & reasoning_ids]
    if not relevant:
        return not_applicable("no claim cites reasoning evidence")
    gaps = [
        Gap(
            message=f"claim {c.id} rests on reasoning evidence alone ({listed(c.evidence or ())})",
            pointer=f"/claims/{i}/evidence",
            figures={"claim": c.id, "evidence": list(c.evidence or ())},
            kind="claims rest on reasoning evidence alone",
        )
        for i, c in relevant
        if set(c.evidence or ()) <= reasoning_ids
    ]
    return fraction(len(relevant) - len(gaps), len(relevant), gaps)


@check("RE-5")
def no_overclaiming(card: CardView) -> Outcome:
    claims = card.submission.claims or ()
    gaps = []
    for i, claim in enumerate(claims):
        words = overclaiming_words(claim.statement)
        if words:
            quoted = listed([f'"{w}"' for w in words])
            gaps.append(
                Gap(
                    message=f"claim {claim.id} overclaims: {quoted} presents the evidence as proof",
                    pointer=f"/claims/{i}/statement",
                    figures={"claim": claim.id, "words": words},
                    kind="claims overclaim: their words present the evidence as proof",
                )
            )
    return fraction(len(claims) - len(gaps), len(claims), gaps, "no claims")
