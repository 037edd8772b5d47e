"""IA — independent audits: one on the release, by an independent auditor with real access."""

from __future__ import annotations

from checker.model import Audit
from checker.rules import CardView, Gap, Outcome, capped, check, fraction, not_applicable
from checker.rules.vs import identity_differences

ACCESS_ORDER = ("black_box", "grey_box", "white_box")


def _audits(card: CardView) -> list[tuple[int, Audit]]:
    return list(enumerate(card.submission.independent_audits or ()))


@check("IA-1")
def audit_of_release(card: CardView) -> Outcome:
    audits = _audits(card)
    if not audits:
        return Outcome(
            score=0.0,
            gaps=(
                Gap(
                    message="the card reports no independent audit",
                    pointer="/independent_audits",
                    figures={"audits": 0},
                ),
            ),
        )
    for _, audit in audits:
        if audit.configuration is not None and not identity_differences(card, audit.configuration):
            return Outcome(score=1.0, note=f"'{audit.id}' audited '{audit.configuration}'")
    gaps = [
        Gap(
            message=(
                f"audit '{audit.id}' by {audit.auditor} "
                + (
                    f"tested '{audit.configuration}', not a released configuration"
                    if audit.configuration
                    else "does not say which configuration it tested"
                )
            ),
            pointer=f"/independent_audits/{i}/configuration" if audit.configuration else f"/independent_audits/{i}",
            figures={"audit": audit.id, "configuration": audit.configuration, **capped("released", card.released_ids)},
            kind=(
                "audits tested configurations that are not released"
                if audit.configuration
                else "audits do not say which configuration they tested"
            ),
        )
        for i, audit in audits
    ]
    return Outcome(score=0.0, gaps=tuple(gaps))


@check("IA-2")
def independent(card: CardView) -> Outcome:
    audits = _audits(card)
    gaps = []
    for i, audit in audits:
        independence = audit.independence
        problems = []
        if independence is None or independence.financial_ties is None:
            problems.append("does not state its financial ties to the lab")
        elif independence.financial_ties:
            problems.append("has financial ties to the lab beyond the audit fee")
        if independence is None or independence.selected_by is None:
            problems.append("does not say who selected it")
        elif independence.selected_by == "lab":
            problems.append("was selected by the lab alone")
        if problems:
            gaps.append(
                Gap(
                    message=f"auditor {audit.auditor} ('{audit.id}') " + " and ".join(problems),
                    pointer=f"/independent_audits/{i}/independence" if independence else f"/independent_audits/{i}",
                    figures={
                        "audit": audit.id,
                        "financial_ties": independence.financial_ties if independence else None,
                        "selected_by": independence.selected_by if independence else None,
                    },
                    kind="auditors are not shown to be independent of the lab",
                )
            )
    return fraction(len(audits) - len(gaps), len(audits), gaps, "no audits")


@check("IA-3")
def own_tests(card: CardView) -> Outcome:
    audits = _audits(card)
    gaps = [
        Gap(
            message=f"auditor {audit.auditor} ('{audit.id}') "
            + (
                "ran only tests it did not design"
                if audit.auditor_designed_tests is False
                else "does not say whether it designed any of its tests"
            ),
            pointer=f"/independent_audits/{i}/auditor_designed_tests"
            if audit.auditor_designed_tests is not None
            else f"/independent_audits/{i}",
            figures={"audit": audit.id, "auditor_designed_tests": audit.auditor_designed_tests},
            kind=(
                "auditors ran only tests they did not design"
                if audit.auditor_designed_tests is False
                else "auditors do not say whether they designed any of their tests"
            ),
        )
        for i, audit in audits
        if audit.auditor_designed_tests is not True
    ]
    return fraction(len(audits) - len(gaps), len(audits), gaps, "no audits")


@check("IA-4")
def access(card: CardView) -> Outcome:
    audits = _audits(card)
    if not audits:
        return not_applicable("no audits")
    wanted = card.profile.audit_access
    total, gaps = 0.0, []
    for i, audit in audits:
        granted = audit.access
        shortfalls = []
        level = granted.level if granted else None
        if level is None or ACCESS_ORDER.index(level) < ACCESS_ORDER.index(wanted.level):
            shortfalls.append(f"{level or 'unstated'} access (profile: at least {wanted.level})")
        for item, words in (
            ("chain_of_thought", "chain-of-thought"),
            ("activations", "activations"),
            ("helpful_only_model", "helpful-only model"),
        ):
            if getattr(wanted, item) and not (granted and getattr(granted, item)):
                shortfalls.append(f"no {words} access")
        days = granted.days if granted else None
        if days is None or days < wanted.days:
            shortfalls.append(
                f"{'unstated' if days is None else days} days of access (profile: at least {wanted.days})"
            )
        checked = 5
        total += (checked - len(shortfalls)) / checked
        if shortfalls:
            gaps.append(
                Gap(
                    message=f"auditor {audit.auditor} ('{audit.id}') had " + "; ".join(shortfalls),
                    pointer=f"/independent_audits/{i}/access" if granted else f"/independent_audits/{i}",
                    figures={"audit": audit.id, "shortfalls": shortfalls, "days": days, "level": level},
                    kind="auditors had less access than the profile asks",
                )
            )
    return Outcome(score=total / len(audits), gaps=tuple(gaps))


_PUBLICATION: dict[str | None, tuple[str, str]] = {
    "summary": ("may publish only a summary", "may publish only a summary"),
    "none": ("may not publish its findings", "may not publish their findings"),
    None: ("does not say what it may publish", "do not say what they may publish"),
}
"""What an auditor may publish, when it is not everything: said of one, and of several."""


@check("IA-5")
def may_publish(card: CardView) -> Outcome:
    audits = _audits(card)
    if not audits:
        return not_applicable("no audits")
    credit = {"full": 1.0, "summary": 0.5}
    gaps = []
    for i, audit in audits:
        if audit.publication != "full":
            one, several = _PUBLICATION[audit.publication]
            gaps.append(
                Gap(
                    message=f"auditor {audit.auditor} ('{audit.id}') {one}",
                    pointer=f"/independent_audits/{i}/publication" if audit.publication else f"/independent_audits/{i}",
                    figures={"audit": audit.id, "publication": audit.publication},
                    kind=f"auditors {several}",
                )
            )
    score = sum(credit.get(a.publication or "", 0.0) for _, a in audits) / len(audits)
    return Outcome(score=score, gaps=tuple(gaps))
