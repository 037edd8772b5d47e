"""What changed between two versions of a card: identity, entries, evidence that no longer applies, outcome.

Pure: takes the two finished Reports (each holding its validated card) and returns a `VersionDiff`.
Entries are matched by their ids, findings by their requirement and place with list indices
replaced by entry ids, so that reordering a card's entries changes nothing. Where a key is not
unique (two not-tested statements may share a category), the entries that share it are matched in
order, as a list: every edit shows, none hides behind another with the same key.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from typing import Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, JsonValue, computed_field

from checker import identity
from checker.model import (
    Arm,
    Audit,
    ChangelogEntry,
    Configuration,
    Evaluation,
    Finding,
    Place,
    ReasoningEvidence,
    Submission,
    Verdict,
)
from checker.report import CardInfo, CatalogInfo, CheckerInfo, Counts, Report

DIFF_FORMAT = "1.1"
"""1.1: changelog_removed; the second and later entries sharing a key are keyed "key #2" and on."""

T = TypeVar("T")
Entry = TypeVar("Entry", bound=BaseModel)
Kind = Literal["added", "removed", "changed"]


class _Part(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class OldNew(_Part, Generic[T]):
    """One figure in the old card's report and in the new one's."""

    old: T
    new: T


class AreaShift(_Part):
    id: str
    title: str
    old: float | None = Field(description="0 to 100; None when no requirement applies")
    new: float | None


class OutcomeChange(_Part):
    """The verdict, the scores and the finding counts, old and new."""

    verdict: OldNew[Verdict]
    score: OldNew[float]
    pass_score: float
    counts: OldNew[Counts]
    areas: tuple[AreaShift, ...]


class FieldChange(_Part):
    """One field of an entry that differs; nested objects give dotted names (`access.days`)."""

    field: str
    old: JsonValue = Field(description="the old value as JSON; null when absent or null")
    new: JsonValue
    added: tuple[JsonValue, ...] = Field(default=(), description="lists only: items in the new list, not the old")
    removed: tuple[JsonValue, ...] = Field(default=(), description="lists only: items in the old list, not the new")


class IdentityChange(_Part):
    """One of a configuration's six identity items that differs between the versions."""

    item: str = Field(description="the field, e.g. 'weights_sha256'")
    name: str = Field(description="the item in plain words, e.g. 'weights'")
    old: JsonValue
    new: JsonValue
    old_stated: bool = Field(description="whether the old card states the item at all (null is a statement)")
    new_stated: bool


class ConfigurationChange(_Part):
    id: str
    change: Kind
    released: bool = Field(description="released by the new card (by the old one, when removed)")
    identity: tuple[IdentityChange, ...] = Field(description="changed only: the identity items that differ")
    fields: tuple[FieldChange, ...] = Field(
        description="changed only: other fields, and identity items that differ only in form (hash case, tool order)"
    )


class ArmFigures(_Part):
    n: int | None = Field(description="null for an arm that gives only a rate (format 1.1)")
    count: int | None = Field(description="null for an arm that gives only a rate (format 1.1)")
    rate: float | None = Field(description="count / n, else the declared rate as a fraction")


class ArmChange(_Part):
    """One arm, side by side; arms are matched by context and verbalised awareness, in order."""

    context: str
    verbalized_awareness: bool | None
    old: ArmFigures | None = Field(description="None when the old evaluation has no such arm")
    new: ArmFigures | None
    changed: bool


class EntryChange(_Part):
    """An evaluation, audit, reasoning-evidence entry, claim or not-tested statement that changed."""

    id: str = Field(description="the entry's id (a not-tested statement's category)")
    change: Kind
    title: str | None = Field(description="an evaluation's title, an audit's auditor, a reasoning-evidence kind")
    fields: tuple[FieldChange, ...] = Field(description="changed only: fields that differ (arms apart)")
    arms: tuple[ArmChange, ...] = Field(description="changed evaluations whose arms differ: every arm, old and new")


EvidenceKind = Literal["evaluation", "audit", "reasoning_evidence"]
TestedEntry = Evaluation | Audit | ReasoningEvidence
"""The entries that name the configuration they tested."""


class EvidenceOnChangedConfiguration(_Part):
    """An entry in both versions whose tested configuration's identity changed between them."""

    kind: EvidenceKind
    id: str
    configuration: str
    items: tuple[str, ...] = Field(description="the identity items of the configuration that changed")
    revised: bool = Field(
        description=(
            "false: carried over unchanged, so it was run on the old configuration and no longer supports "
            "the release; true: the entry changed too, so it may have been re-run on the new one"
        )
    )
    cited_by: tuple[str, ...] = Field(description="ids of the new card's claims that cite it")


class VersionDiff(_Part):
    diff_format: str = DIFF_FORMAT
    checker: CheckerInfo
    catalog: CatalogInfo
    profile: str
    evidence_verified: OldNew[bool] = Field(description="whether each card's evidence files were read")
    old: CardInfo
    new: CardInfo
    outcome: OutcomeChange
    evidence_no_longer_applies: tuple[EvidenceOnChangedConfiguration, ...] = Field(
        description="carried over unchanged onto a configuration whose identity changed"
    )
    evidence_revised: tuple[EvidenceOnChangedConfiguration, ...] = Field(
        description="changed together with its configuration: check that it was re-run on the new one"
    )
    findings_new: tuple[Finding, ...] = Field(
        description="findings of the new report that the old one lacks, each at the places it lacks"
    )
    findings_resolved: tuple[Finding, ...] = Field(
        description="findings of the old report that the new one lacks, each at the places it lacks"
    )
    card: tuple[FieldChange, ...] = Field(description="submission and model fields (changelog apart)")
    changelog: tuple[ChangelogEntry, ...] = Field(description="changelog entries of the new card, not the old")
    changelog_removed: tuple[ChangelogEntry, ...] = Field(description="changelog entries of the old card, not the new")
    configurations: tuple[ConfigurationChange, ...]
    evaluations: tuple[EntryChange, ...]
    independent_audits: tuple[EntryChange, ...]
    reasoning_evidence: tuple[EntryChange, ...]
    claims: tuple[EntryChange, ...]
    not_tested: tuple[EntryChange, ...]
    release_gate: tuple[FieldChange, ...]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def card_changed(self) -> bool:
        """Whether the card's content differs (`x-` keys apart)."""
        return any(
            (
                self.card,
                self.changelog,
                self.changelog_removed,
                self.configurations,
                self.evaluations,
                self.independent_audits,
                self.reasoning_evidence,
                self.claims,
                self.not_tested,
                self.release_gate,
            )
        )

    @computed_field  # type: ignore[prop-decorator]
    @property
    def unchanged(self) -> bool:
        """Nothing differs: neither the card nor its outcome."""
        o = self.outcome
        same_outcome = (
            o.verdict.old == o.verdict.new
            and o.score.old == o.score.new
            and o.counts.old == o.counts.new
            and all(a.old == a.new for a in o.areas)
        )
        return not self.card_changed and same_outcome and not self.findings_new and not self.findings_resolved


# --- fields ----------------------------------------------------------------------------------


def _dump(entry: BaseModel | None) -> dict[str, JsonValue]:
    return {} if entry is None else entry.model_dump(mode="json")


def _lacking(items: Iterable[T], others: Iterable[T], key: Callable[[T], Hashable]) -> tuple[T, ...]:
    """Items of `items` not matched one for one in `others` by `key`, in order (a repeated item counts twice).

    Counted by key, so that two lists of 60,000 release conditions take one pass each, not a search of
    the one for every item of the other.
    """
    left = Counter(map(key, others))
    kept = []
    for item in items:
        if left[key(item)]:
            left[key(item)] -= 1
        else:
            kept.append(item)
    return tuple(kept)


def _only_in(items: list[JsonValue], others: list[JsonValue]) -> tuple[JsonValue, ...]:
    """Items of `items` not matched one for one in `others`, as JSON values."""
    return _lacking(items, others, _hashable)


def _hashable(value: JsonValue) -> Hashable:
    """A JSON value as a key equal to another's exactly when the values are equal (==): a mapping as the
    set of its items, whatever their order, a list as a tuple. Numbers keep Python's equality (1 == 1.0)."""
    if isinstance(value, dict):
        return frozenset((key, _hashable(item)) for key, item in value.items())
    if isinstance(value, list):
        return tuple(map(_hashable, value))
    return value


def _field_changes(
    old: JsonValue, new: JsonValue, prefix: str = "", skip: tuple[str, ...] = ()
) -> Iterator[FieldChange]:
    """The differing fields of two JSON objects, in field order; nested objects recurse with dotted names."""
    a = old if isinstance(old, dict) else {}
    b = new if isinstance(new, dict) else {}
    for key in dict.fromkeys([*a, *b]):
        x, y = a.get(key), b.get(key)
        if key in skip or x == y:
            continue
        name = f"{prefix}{key}"
        if isinstance(x, dict | None) and isinstance(y, dict | None):
            yield from _field_changes(x, y, f"{name}.")
        elif isinstance(x, list | None) and isinstance(y, list | None):
            xs, ys = x or [], y or []
            yield FieldChange(field=name, old=x, new=y, added=_only_in(ys, xs), removed=_only_in(xs, ys))
        else:
            yield FieldChange(field=name, old=x, new=y)


def _card_fields(card: Submission) -> dict[str, JsonValue]:
    """The card's own fields that belong to no entry: who submits, which model and release."""
    return {
        "submission": {k: v for k, v in _dump(card.submission).items() if k != "changelog"},
        "model": {
            "name": card.model.name,
            "release_id": card.model.release_id,
            "released_configurations": list(card.model.released_configurations or ()),
        },
    }


# --- entries ---------------------------------------------------------------------------------


def _pairs(
    old: Sequence[Entry] | None, new: Sequence[Entry] | None, key: Callable[[Entry], str]
) -> list[tuple[str, Entry | None, Entry | None]]:
    """(key, old entry, new entry) for every key: the new card's order, then entries it removed. The second
    and later entries with a key already seen are keyed 'key #2' and on: the n-th with a key pairs with the n-th."""
    before, after = _numbered(old, key), _numbered(new, key)
    keys = [*after, *(k for k in before if k not in after)]
    return [(k, before.get(k), after.get(k)) for k in keys]


def _numbered(entries: Sequence[Entry] | None, key: Callable[[Entry], str]) -> dict[str, Entry]:
    seen: Counter[str] = Counter()
    numbered = {}
    for entry in entries or ():
        name = key(entry)
        seen[name] += 1
        numbered[name if seen[name] == 1 else f"{name} #{seen[name]}"] = entry
    return numbered


def _kind(old: object | None, new: object | None) -> Kind:
    return "added" if old is None else "removed" if new is None else "changed"


def _figures(arm: Arm | None) -> ArmFigures | None:
    return None if arm is None else ArmFigures(n=arm.n, count=arm.count, rate=arm.fraction)


def _arm_changes(old: Evaluation, new: Evaluation) -> tuple[ArmChange, ...]:
    """Every arm side by side when any differs; arms with the same context pair up in order."""
    if old.arms == new.arms:
        return ()

    def keyed(arms: tuple[Arm, ...] | None) -> dict[tuple[str, bool | None, int], Arm]:
        seen: Counter[tuple[str, bool | None]] = Counter()
        result: dict[tuple[str, bool | None, int], Arm] = {}
        for arm in arms or ():
            kind = (arm.context, arm.verbalized_awareness)
            result[(*kind, seen[kind])] = arm
            seen[kind] += 1
        return result

    before, after = keyed(old.arms), keyed(new.arms)
    changes = []
    for key in [*after, *(k for k in before if k not in after)]:
        a, b = _figures(before.get(key)), _figures(after.get(key))
        changes.append(ArmChange(context=key[0], verbalized_awareness=key[1], old=a, new=b, changed=a != b))
    return tuple(changes)


def _title(entry: BaseModel) -> str | None:
    match entry:
        case Evaluation():
            return entry.title
        case Audit():
            return entry.auditor
        case ReasoningEvidence():
            return entry.kind
        case _:
            return None


def _entry_changes(
    old: Sequence[Entry] | None, new: Sequence[Entry] | None, key: Callable[[Entry], str]
) -> tuple[EntryChange, ...]:
    changes = []
    for id_, before, after in _pairs(old, new, key):
        if before == after:
            continue
        shown = after if after is not None else before
        assert shown is not None  # a key comes from one side at least
        fields: tuple[FieldChange, ...] = ()
        arms: tuple[ArmChange, ...] = ()
        if before is not None and after is not None:
            fields = tuple(_field_changes(_dump(before), _dump(after), skip=("id", "arms")))
            if isinstance(before, Evaluation) and isinstance(after, Evaluation):
                arms = _arm_changes(before, after)
        changes.append(EntryChange(id=id_, change=_kind(before, after), title=_title(shown), fields=fields, arms=arms))
    return tuple(changes)


# --- configurations and the evidence on them -------------------------------------------------


def _identity_changes(old: Configuration, new: Configuration) -> tuple[IdentityChange, ...]:
    """The identity items that differ, compared as the VS checks compare them (hash case, tool order)."""
    before, after = _dump(old), _dump(new)
    return tuple(
        IdentityChange(
            item=item,
            name=identity.ITEMS[item],
            old=before[item],
            new=after[item],
            old_stated=item in old.model_fields_set,
            new_stated=item in new.model_fields_set,
        )
        for item in identity.changes(old, new)
    )


def _configuration_changes(old: Submission, new: Submission) -> tuple[ConfigurationChange, ...]:
    released_before = set(old.model.released_configurations or ())
    released_after = set(new.model.released_configurations or ())
    changes = []
    for id_, before, after in _pairs(old.model.configurations, new.model.configurations, lambda c: c.id):
        if before is not None and after is not None:
            items = _identity_changes(before, after)
            # An identity item that differs only in form (hash case, tool order, a stage description) is a
            # field change: the configuration is the same one, but the card says it differently.
            fields = tuple(_field_changes(_dump(before), _dump(after), skip=("id", *(i.item for i in items))))
            if items or fields:
                changes.append(
                    ConfigurationChange(
                        id=id_, change="changed", released=id_ in released_after, identity=items, fields=fields
                    )
                )
        else:
            released = id_ in released_after if after is not None else id_ in released_before
            changes.append(
                ConfigurationChange(id=id_, change=_kind(before, after), released=released, identity=(), fields=())
            )
    return tuple(changes)


def _evidence_on_changed_configurations(
    old: Submission, new: Submission, configurations: tuple[ConfigurationChange, ...]
) -> tuple[EvidenceOnChangedConfiguration, ...]:
    """Entries of both versions whose tested configuration kept its id but changed its identity."""
    changed = {c.id: tuple(i.item for i in c.identity) for c in configurations if c.identity}
    sections: tuple[tuple[EvidenceKind, Sequence[TestedEntry] | None, Sequence[TestedEntry] | None], ...] = (
        ("evaluation", old.evaluations, new.evaluations),
        ("audit", old.independent_audits, new.independent_audits),
        ("reasoning_evidence", old.reasoning_evidence, new.reasoning_evidence),
    )
    cited_by = _citing_claims(new)
    found = []
    for kind, old_entries, new_entries in sections:
        before = {e.id: e for e in old_entries or ()}
        for entry in new_entries or ():
            if entry.id not in before or entry.configuration not in changed:
                continue
            found.append(
                EvidenceOnChangedConfiguration(
                    kind=kind,
                    id=entry.id,
                    configuration=entry.configuration,
                    items=changed[entry.configuration],
                    revised=before[entry.id] != entry,
                    cited_by=tuple(cited_by.get(entry.id, ())),
                )
            )
    return tuple(found)


def _citing_claims(card: Submission) -> dict[str, list[str]]:
    """Evidence id -> the ids of the claims that cite it, in claim order, each claim once: one pass over
    the claims, not one per entry."""
    citing: dict[str, list[str]] = {}
    for claim in card.claims or ():
        for evidence in dict.fromkeys(claim.evidence or ()):
            citing.setdefault(evidence, []).append(claim.id)
    return citing


# --- findings --------------------------------------------------------------------------------


def _entry_ids(card: Submission) -> dict[str, list[str]]:
    """List pointer -> the ids of its entries, by index, for the lists whose entries have ids."""
    return {
        "/model/configurations": [c.id for c in card.model.configurations or ()],
        "/evaluations": [e.id for e in card.evaluations or ()],
        "/independent_audits": [a.id for a in card.independent_audits or ()],
        "/reasoning_evidence": [r.id for r in card.reasoning_evidence or ()],
        "/claims": [c.id for c in card.claims or ()],
        "/not_tested": [n.category for n in card.not_tested or ()],
    }


def _place_key(requirement: str, place: Place, ids: dict[str, list[str]]) -> str:
    """A finding's requirement and one of its places, the entry's id standing for its index ('/evaluations/sb-wmdp/...')."""
    for prefix, entries in ids.items():
        head, _, rest = place.pointer.removeprefix(prefix + "/").partition("/")
        if place.pointer.startswith(prefix + "/") and head.isdigit() and int(head) < len(entries):
            where = f"{prefix}/{entries[int(head)]}" + (f"/{rest}" if rest else "")
            return f"{requirement}@{where}"
    return f"{requirement}@{place.pointer}"


def _unmatched(
    findings: Sequence[Finding], card: Submission, others: Sequence[Finding], other_card: Submission
) -> tuple[Finding, ...]:
    """The findings at places with no counterpart in `others`, one for one, each at those places only."""
    ids, other_ids = _entry_ids(card), _entry_ids(other_card)
    left = Counter(_place_key(f.requirement, place, other_ids) for f in others for place in f.places)
    kept = []
    for finding in findings:
        places = []
        for place in finding.places:
            key = _place_key(finding.requirement, place, ids)
            if left[key]:
                left[key] -= 1
            else:
                places.append(place)
        if places:
            kept.append(finding.at(places))
    return tuple(kept)


def _only_in_changelog(card: Submission, other: Submission) -> tuple[ChangelogEntry, ...]:
    """The changelog entries of `card` that `other` lacks, one for one (an entry written twice and kept once
    is one lacking), by value (entries are frozen, so hashable)."""
    return _lacking(card.submission.changelog or (), other.submission.changelog or (), lambda entry: entry)


# --- the whole diff --------------------------------------------------------------------------


def _outcome(old: Report, new: Report) -> OutcomeChange:
    before = {a.id: a for a in old.areas}
    after = {a.id: a for a in new.areas}
    areas = tuple(
        AreaShift(
            id=id_,
            title=(after.get(id_) or before[id_]).title,
            old=before[id_].score if id_ in before else None,
            new=after[id_].score if id_ in after else None,
        )
        for id_ in dict.fromkeys([*after, *before])
    )
    return OutcomeChange(
        verdict=OldNew[Verdict](old=old.verdict, new=new.verdict),
        score=OldNew[float](old=old.score, new=new.score),
        pass_score=new.pass_score,
        counts=OldNew[Counts](old=old.counts, new=new.counts),
        areas=areas,
    )


def diff_versions(old: Report, new: Report) -> VersionDiff:
    """What changed from the `old` card's report to the `new` one's.

    Both reports must come from the same catalog and profile, or their outcomes do not compare.
    """
    if old.catalog != new.catalog or old.profile != new.profile:
        raise ValueError("the two reports were made with different catalogs or profiles; their outcomes do not compare")
    a, b = old.card, new.card
    configurations = _configuration_changes(a, b)
    on_changed = _evidence_on_changed_configurations(a, b, configurations)
    return VersionDiff(
        checker=new.checker,
        catalog=new.catalog,
        profile=new.profile.name,
        evidence_verified=OldNew[bool](old=old.evidence_verified, new=new.evidence_verified),
        old=old.submission,
        new=new.submission,
        outcome=_outcome(old, new),
        evidence_no_longer_applies=tuple(e for e in on_changed if not e.revised),
        evidence_revised=tuple(e for e in on_changed if e.revised),
        findings_new=_unmatched(new.findings, b, old.findings, a),
        findings_resolved=_unmatched(old.findings, a, new.findings, b),
        card=tuple(_field_changes(_card_fields(a), _card_fields(b))),
        changelog=_only_in_changelog(b, a),
        changelog_removed=_only_in_changelog(a, b),
        configurations=configurations,
        evaluations=_entry_changes(a.evaluations, b.evaluations, lambda e: e.id),
        independent_audits=_entry_changes(a.independent_audits, b.independent_audits, lambda e: e.id),
        reasoning_evidence=_entry_changes(a.reasoning_evidence, b.reasoning_evidence, lambda e: e.id),
        claims=_entry_changes(a.claims, b.claims, lambda e: e.id),
        not_tested=_entry_changes(a.not_tested, b.not_tested, lambda e: e.category),
        release_gate=tuple(_field_changes(_dump(a.release_gate), _dump(b.release_gate))),
    )


__all__ = ["VersionDiff", "diff_versions"]
