"""CC — internal consistency of the card's dates: nothing is dated after what must follow it.

A release decision rests on the evaluations, audits and review before it; a card is submitted
after everything it reports; an auditor's access lies between the model's existence and the
audit. A card whose own dates say otherwise declares a history that did not happen. Only dates
the card gives are compared: an undated entry is other requirements' concern, not a contradiction.
Evaluations of early snapshots, dated before the released model's last fine-tuning stage, are
normal and are not compared with it; but a released configuration whose every evaluation precedes its
last stage was never tested as released.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from checker.model import Audit, Configuration
from checker.rules import CardView, Gap, Outcome, check, fraction


@dataclass(frozen=True)
class _Mark:
    """A date of the card's that another must not cross, named with its place for a message."""

    date: dt.date
    noun: str
    """What it is: 'the release decision'."""
    place: str
    """Where the card gives it: 'release_gate.decided_on'."""

    @property
    def words(self) -> str:
        return f"{self.noun} ({self.place}: {self.date})"


@dataclass(frozen=True, kw_only=True)
class _Dated:
    """One date of the card's and the marks it must not come after (or before)."""

    subject: str
    """'evaluation 'sa-suite''."""
    verb: str
    """'is dated', 'ends on'."""
    plural: str
    """The subject's kind, for the problem many places share: 'evaluations'."""
    pointer: str
    date: dt.date
    not_after: tuple[_Mark, ...] = ()
    not_before: tuple[_Mark, ...] = ()

    def crossed(self) -> tuple[list[_Mark], list[_Mark]]:
        """(the marks it comes after, the marks it comes before) of those it must not."""
        return [m for m in self.not_after if self.date > m.date], [m for m in self.not_before if self.date < m.date]


def _marks(*marks: _Mark | None) -> tuple[_Mark, ...]:
    return tuple(m for m in marks if m is not None)


def _stage(configuration: Configuration | None, which: Callable[..., tuple[dt.date, str]], noun: str) -> _Mark | None:
    """The configuration's dated fine-tuning stage that `which` (min or max) picks by date, as a mark named `noun`."""
    if configuration is None:
        return None
    stages = [(s.completed_on, s.stage) for s in configuration.fine_tuning_history or () if s.completed_on]
    if not stages:
        return None
    date, stage = which(stages)
    return _Mark(date, noun, f"configuration '{configuration.id}', stage '{stage}', completed_on")


def _first_stage(configuration: Configuration | None) -> _Mark | None:
    """The configuration's earliest dated fine-tuning stage: no access to it can begin before.

    The earliest, not the last: an auditor may have had the model's earlier checkpoints under
    the same configuration, as published audits did (DOMAIN.md, "Real access").
    """
    return _stage(configuration, min, "the configuration's first fine-tuning stage")


def _last_stage(configuration: Configuration | None) -> _Mark | None:
    """The configuration's latest dated fine-tuning stage: its weights, as declared, exist from then on."""
    return _stage(configuration, max, "the configuration's last fine-tuning stage")


@dataclass(frozen=True)
class _Milestones:
    """The two dates the card's history is told against."""

    submitted: _Mark | None
    informed: _Mark | None
    """The release decision, for what it rests on; None for a hold, which more testing may follow."""


def _milestones(card: CardView) -> _Milestones:
    info, gate = card.submission.submission, card.submission.release_gate
    submitted = None
    if info.submitted_on:
        submitted = _Mark(info.submitted_on, "the card's submission", "submission.submitted_on")
    informed = None
    if gate and gate.decided_on and gate.decision != "hold":
        informed = _Mark(gate.decided_on, "the release decision", "release_gate.decided_on")
    return _Milestones(submitted, informed)


def _evidence_dates(card: CardView, marks: _Milestones) -> Iterator[_Dated]:
    """Evaluations and audits: on or before the decision they inform, and the submission. Supplementary data on a
    configuration that is not the release (trend data, a later snapshot) is no basis of the decision: only the
    submission bounds it (`Identities.relied_on`, the one rule every check asks)."""
    for i, e in enumerate(card.evaluations):
        informs = marks.informed if card.identities.relied_on(e.configuration, e.role) else None
        if e.date:
            yield _Dated(
                subject=f"evaluation '{e.id}'",
                verb="is dated",
                plural="evaluations",
                pointer=f"/evaluations/{i}/date",
                date=e.date,
                not_after=_marks(informs, marks.submitted),
            )
    for i, audit in enumerate(card.submission.independent_audits or ()):
        if audit.date:
            informs = marks.informed if card.identities.relied_on(audit.configuration, audit.role) else None
            yield _Dated(
                subject=f"audit '{audit.id}'",
                verb="is dated",
                plural="audits",
                pointer=f"/independent_audits/{i}/date",
                date=audit.date,
                not_after=_marks(informs, marks.submitted),
            )
        yield from _access_periods(card, i, audit, marks.submitted)


def _audited(audit: Audit) -> _Mark | None:
    return _Mark(audit.date, "the audit's date", f"audit '{audit.id}', date") if audit.date else None


def _access_periods(card: CardView, index: int, audit: Audit, submitted: _Mark | None) -> Iterator[_Dated]:
    """An audit's access periods end by the audit and the submission, and begin once the model exists."""
    audited = _audited(audit)
    for k, period in enumerate((audit.access.periods if audit.access else None) or ()):
        subject = f"access period {k + 1} of audit '{audit.id}'"
        pointer = f"/independent_audits/{index}/access/periods/{k}"
        born = _first_stage(card.configurations.get(period.configuration or audit.configuration or ""))
        yield _Dated(
            subject=subject,
            verb="ends on",
            plural="audit access periods",
            pointer=f"{pointer}/to",
            date=period.end,
            not_after=_marks(audited, submitted),
        )
        yield _Dated(
            subject=subject,
            verb="begins on",
            plural="audit access periods",
            pointer=f"{pointer}/from",
            date=period.start,
            not_before=_marks(born),
        )


def _final_weights_dates(card: CardView) -> Iterator[_Dated]:
    """The latest evaluation of each released configuration on or after its last fine-tuning stage.

    One evaluation of a near-final checkpoint under the release's name is common and not compared; but when
    every evaluation of the released configuration precedes its last stage, none tested the weights it is
    released with, whatever the card calls them.
    """
    for configuration_id in card.released_ids:
        last = _last_stage(card.configurations.get(configuration_id))
        dated = [
            (e.date, i, e.id) for i, e in enumerate(card.evaluations) if e.configuration == configuration_id and e.date
        ]
        if last is None or not dated:
            continue
        date, index, latest = max(dated)
        yield _Dated(
            subject=f"every evaluation of released configuration '{configuration_id}' (the latest, '{latest}')",
            verb="is dated on or before",
            plural="the evaluations of a released configuration",
            pointer=f"/evaluations/{index}/date",
            date=date,
            not_before=(last,),
        )


def _history_dates(card: CardView, marks: _Milestones) -> Iterator[_Dated]:
    """Fine-tuning stages and the changelog: on or before the submission."""
    for c, configuration in enumerate(card.submission.model.configurations or ()):
        for k, stage in enumerate(configuration.fine_tuning_history or ()):
            if stage.completed_on:
                yield _Dated(
                    subject=f"fine-tuning stage '{stage.stage}' of configuration '{configuration.id}'",
                    verb="was completed on",
                    plural="fine-tuning stages",
                    pointer=f"/model/configurations/{c}/fine_tuning_history/{k}/completed_on",
                    date=stage.completed_on,
                    not_after=_marks(marks.submitted),
                )
    for k, entry in enumerate(card.submission.submission.changelog or ()):
        yield _Dated(
            subject=f"the changelog entry for card version '{entry.card_version}'",
            verb="is dated",
            plural="changelog entries",
            pointer=f"/submission/changelog/{k}/date",
            date=entry.date,
            not_after=_marks(marks.submitted),
        )


def _gate_dates(card: CardView, marks: _Milestones) -> Iterator[_Dated]:
    """The decision on or before the submission; the deeper review on or before both."""
    gate = card.submission.release_gate
    if gate and gate.decided_on:
        yield _Dated(
            subject="the release decision",
            verb="is dated",
            plural="release decisions",
            pointer="/release_gate/decided_on",
            date=gate.decided_on,
            not_after=_marks(marks.submitted),
        )
    review = gate.deeper_review if gate else None
    if review and review.performed and review.completed_on:
        yield _Dated(
            subject="the deeper review",
            verb="was completed on",
            plural="deeper reviews",
            pointer="/release_gate/deeper_review/completed_on",
            date=review.completed_on,
            not_after=_marks(marks.informed, marks.submitted),
        )


def _out_of_order(dated: _Dated) -> Gap | None:
    after, before = dated.crossed()
    if not after and not before:
        return None
    crossings = [f"after {m.words}" for m in after] + [f"before {m.words}" for m in before]
    nouns = [f"after {m.noun}" for m in after] + [f"before {m.noun}" for m in before]
    return Gap(
        message=f"{dated.subject} {dated.verb} {dated.date}, " + " and ".join(crossings),
        pointer=dated.pointer,
        figures={"date": dated.date.isoformat()}
        | ({"after": {m.place: m.date.isoformat() for m in after}} if after else {})
        | ({"before": {m.place: m.date.isoformat() for m in before}} if before else {}),
        kind=f"{dated.plural} dated " + " and ".join(nouns),
    )


def _access_days(card: CardView, submitted: _Mark | None) -> Iterator[Gap | None]:
    """Each audit's days of access against the days from its configuration's first stage to the
    audit, or to the submission when that comes first: access the card reports had ended by then."""
    for i, audit in enumerate(card.submission.independent_audits or ()):
        days = audit.access.days if audit.access else None
        born = _first_stage(card.configurations.get(audit.configuration or ""))
        ends = [mark for mark in (_audited(audit), submitted) if mark is not None]
        if days is None or born is None or not ends:
            continue
        end = min(ends, key=lambda mark: mark.date)
        span = max((end.date - born.date).days + 1, 0)
        if days <= span:
            yield None
            continue
        yield Gap(
            message=(
                f"audit '{audit.id}' declares {days:,} days of access, more than the {span:,} days from "
                f"{born.words} to {end.words}"
            ),
            pointer=f"/independent_audits/{i}/access/days",
            figures={"days": days, "possible_days": span, "from": born.date.isoformat(), "to": end.date.isoformat()},
            kind="audits declare more days of access than the model existed before the audit",
        )


@check("CC-1")
def dates_in_order(card: CardView) -> Outcome:
    marks = _milestones(card)
    dates = [
        *_evidence_dates(card, marks),
        *_final_weights_dates(card),
        *_history_dates(card, marks),
        *_gate_dates(card, marks),
    ]
    checked = [_out_of_order(d) for d in dates if d.not_after or d.not_before]
    checked += list(_access_days(card, marks.submitted))
    gaps = [gap for gap in checked if gap is not None]
    return fraction(len(checked) - len(gaps), len(checked), gaps, "no dates to compare")
