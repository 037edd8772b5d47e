"""CC — internal consistency of the release criteria: each verdict computed wherever the card lets it be.

A criterion's threshold and observation are free text. Where they read as a number with an
operator and a unit ("< 5 pp", "at most 0.05", "7.8 pp"), the verdict is computed from them; where
the criterion names the evaluation figure it reads (format 1.1 `reads`), the observation itself is
computed from the evaluation. A declared `met`, or a declared observation, that the numbers
contradict is a finding; a criterion that cannot be computed is RG-6's to mark as only declared.

The grammar, small and anchored (no eval, no search inside longer text):

    threshold   := operator number [unit] [aside]
    observation := number [unit] [aside]
    operator    := < | <= | ≤ | > | >= | ≥ | below | under | less than | at most | no more than
                   | up to | above | over | more than | at least | no less than | ... (see OPERATORS)
    unit        := pp | percentage point(s) | point(s) | % | percent     (hundredths: one scale)
                   | nothing                                           (a plain number)
    aside       := "(" text without parentheses ")"                    (ignored: "(p < 0.001)")

Percentage points, points and percent are one scale (hundredths): a card that writes a gap's
threshold in % and its observation in pp means the same unit. A plain number converts to that
scale only when it lies below 1, and then two ways: as a fraction ("at most 0.05" is 5%), or as a
figure whose unit was left out ("< 0.5" beside "0.7 pp" may mean 0.5 pp); a declared verdict is
contradicted only where both readings contradict it. A plain 3 against "1.2 points", or a plain
"< 1" against "1.5 pp" (1 pp with its unit left out, or 100%?), is on no known common scale, and is
left alone rather than read the way that makes a false alarm. A figure computed from the
evaluation (a pooled rate, a rate metric) is a fraction for certain: it is read one way. A
threshold bounds a figure's size: a negative observation (a difference written with its
direction) is compared by its size, as every context gap in this checker is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

from checker.model import RATE_NAME, Criterion
from checker.rules import CardView, Gap, Outcome, check, fraction

Operator = Literal["<", "<=", ">", ">="]

OPERATORS: dict[Operator, tuple[str, ...]] = {
    "<=": (
        "<=", "≤", "=<", "at most", "no more than", "not more than", "no greater than", "not greater than",
        "no higher than", "not above", "not exceeding", "not to exceed", "not exceed", "up to", "maximum", "max",
    ),
    ">=": (
        ">=", "≥", "=>", "at least", "no less than", "not less than", "no fewer than", "no lower than",
        "not below", "minimum", "min",
    ),
    "<": ("<", "below", "under", "less than", "lower than", "fewer than", "smaller than"),
    ">": (">", "above", "over", "more than", "greater than", "higher than", "exceeding"),
}  # fmt: skip
"""Each operator in the words a card writes it in."""

UNITS = {
    "pp": ("pp", "p.p.", "percentage points", "percentage point"),
    "points": ("points", "point", "pts", "pt"),
    "%": ("%", "percent", "per cent"),
}
"""Units on the hundredths scale, each in the words a card writes it in."""

_LONGEST = 200
"""A threshold or an observation longer than this is prose, not a figure: not parsed."""


def _alternatives(words: list[str]) -> str:
    """A regex alternation of words, longest first so that 'maximum' is not read as 'max' + 'imum'."""
    return "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))


# Matched against the text with its whitespace collapsed to single spaces, so that each gap is one
# optional space and no two parts of a pattern can take the same characters (no backtracking blow-up).
_NUMBER = r"(?P<number>[+\-−]?(?:\d+(?:\.\d+)?|\.\d+))"
_UNIT_WORDS = _alternatives([w for words in UNITS.values() for w in words])
_ASIDE = r"(?: ?\([^()]*\))?\.?"
_OPERATOR = rf"(?P<operator>{_alternatives([w for words in OPERATORS.values() for w in words])})"
_NOT_A_NAME = r"(?!(?:no|not|never|nor|or|and|to|than|less|more|fewer|higher|lower|above|below|over|under)\b)"
"""Words that would turn a figure's name into part of a comparison ('not under', 'or more'): never read as a name."""
_NAMING = rf"(?:{_NOT_A_NAME}[a-z][a-z\-]{{0,20}} ){{0,3}}?"
"""A few words naming what is bounded, before a threshold's operator ('gap under 5 pp'); lazy, so that an
operator of several words ('no more than') is read whole before any of its words is taken for a name."""
_NAMED = rf"(?: {_NOT_A_NAME}[a-z][a-z\-]{{0,20}}){{0,3}}"
"""A few words naming the figure after its unit ('7.8 pp gap'); no digits, so that a second figure is never passed
over. Only after a unit: after a bare number a word may be a unit of another scale ('5 ppm')."""
_UNIT = rf"(?: ?(?P<unit>{_UNIT_WORDS}){_NAMED})?"
_ABOUT = r"(?:(?:~|≈|about|approximately|approx\.?|around|roughly|circa) ?)?"
_THRESHOLD = re.compile(rf"{_NAMING}{_OPERATOR} ?{_NUMBER}{_UNIT}{_ASIDE}", re.IGNORECASE)
_OBSERVATION = re.compile(rf"{_ABOUT}{_NUMBER}{_UNIT}{_ASIDE}", re.IGNORECASE)
_OPERATOR_OF = {word.lower(): operator for operator, words in OPERATORS.items() for word in words}
_UNIT_OF = {word.lower(): unit for unit, words in UNITS.items() for word in words}


@dataclass(frozen=True)
class Quantity:
    """A figure: its size, its unit, and how precisely it is written."""

    size: Fraction
    """The absolute value: thresholds bound a figure's size."""
    unit: str
    """'pp', 'points' or '%' (the hundredths scale); '' (a plain number as written: a fraction, or a
    figure whose unit was left out); 'fraction' (a rate computed from the evaluation)."""
    half_step: Fraction = Fraction(0)
    """Half the last written digit (0.05 for '7.8'): the rounding the figure may hide; 0 when computed."""

    @property
    def hundredths(self) -> bool:
        return self.unit in UNITS

    @property
    def may_be_fraction(self) -> bool:
        """Whether a plain figure may be read as a fraction: a computed rate, or a written number below 1
        (a plain number of 1 or more is no fraction: "< 1" beside "1.5 pp" most likely means 1 pp)."""
        return self.unit == "fraction" or (self.unit == "" and self.size < 1)

    def factor(self, hundredths: bool) -> Fraction | None:
        """What turns the size into the hundredths or the plain scale, reading a plain figure as a
        fraction; None when it does not convert."""
        if hundredths == self.hundredths:
            return Fraction(1)
        if self.hundredths:
            return Fraction(1, 100)
        return Fraction(100) if self.may_be_fraction else None

    def bounds(self, factor: Fraction, steps: int = 1) -> tuple[Fraction, Fraction]:
        """The least and the greatest size the written figure may stand for (its rounding either side, or
        `steps` half-steps), scaled."""
        slack = self.half_step * steps
        return max(self.size - slack, Fraction(0)) * factor, (self.size + slack) * factor

    def shown(self, unit: str) -> str:
        """The size in another figure's unit, for a message: '1 pp', '0.45', '62.4%'."""
        factor = self.factor(unit in UNITS)
        if factor is None:
            unit, factor = self.unit, Fraction(1)
        number = f"{float(self.size * factor):.3g}"
        return number + ("" if not unit else "%" if unit == "%" else f" {unit}")


Scaling = tuple[Fraction, Fraction]
"""What two figures are multiplied by to stand on one scale: (the first's factor, the second's)."""


def readings(a: Quantity, b: Quantity) -> tuple[Scaling, ...]:
    """Every way two figures can be put on one scale; none when they are on no known common scale.

    Figures of one kind (both in hundredths, or both plain): one way. A plain figure beside one in
    hundredths: as a fraction (x 100) when it may be one, and, when it is a written number below 1,
    also as a figure whose unit was left out (x 1).
    """
    if a.hundredths == b.hundredths:
        return ((Fraction(1), Fraction(1)),)
    plain = b if a.hundredths else a
    factors = [Fraction(100)] if plain.may_be_fraction else []
    factors += [Fraction(1)] if plain.unit == "" and plain.may_be_fraction else []
    return tuple((Fraction(1), f) if a.hundredths else (f, Fraction(1)) for f in factors)


def _quantity(match: re.Match[str]) -> Quantity:
    written = match["number"].replace("−", "-")
    places = len(written.partition(".")[2])
    unit = _UNIT_OF[match["unit"].lower()] if match["unit"] else ""
    return Quantity(abs(Fraction(written)), unit, Fraction(1, 2 * 10**places))


@dataclass(frozen=True)
class Threshold:
    """A bound on a figure's size."""

    operator: Operator
    bound: Quantity
    text: str
    """As the card writes it, for messages."""

    def met_by(self, observed: Quantity, scaling: Scaling) -> bool | None:
        """Whether every size the observation may stand for meets the threshold (True), none does
        (False), or its rounding leaves it open (None), on the common scale `scaling` puts them on."""
        bound_factor, observed_factor = scaling
        bound, (low, high) = self.bound.size * bound_factor, observed.bounds(observed_factor)
        if self.operator in ("<", "<="):
            low, high = -high, -low  # x < b is -x > -b: one rule for both directions
            bound = -bound
        if self.operator in ("<", ">"):
            return True if low > bound else False if high <= bound else None
        return True if low >= bound else False if high < bound else None


def parse_threshold(text: str) -> Threshold | None:
    """'< 5 pp', 'at most 0.05', '≥ 90%' as an operator and a quantity; None for anything else.

    A negative bound is left alone too: a threshold bounds a size, and '> -3 pp' says something else.
    """
    match = _THRESHOLD.fullmatch(_collapsed(text)) if len(text) <= _LONGEST else None
    if match is None or match["number"][0] in "-−":
        return None
    return Threshold(_OPERATOR_OF[match["operator"].lower()], _quantity(match), _collapsed(text))


def parse_observation(text: str) -> Quantity | None:
    """'7.8 pp', '0.3%', '0.05' as a quantity; None for anything else."""
    match = _OBSERVATION.fullmatch(_collapsed(text)) if len(text) <= _LONGEST else None
    return None if match is None else _quantity(match)


def _collapsed(text: str) -> str:
    return " ".join(text.split())


@dataclass(frozen=True)
class Computed:
    """The figure a criterion's `reads` names, computed from the evaluation."""

    quantity: Quantity
    subject: str
    """What it is, for a message: "the monitored/unmonitored gap of 'af-x' it reads"."""
    detail: str
    """Where it comes from: "monitored 12/800 against unmonitored 4/800"."""


@dataclass(frozen=True)
class Reading:
    """What the card lets the checker compute of one criterion."""

    criterion: Criterion
    threshold: Threshold | None
    declared: Quantity | None
    computed: Computed | None
    unread: str | None
    """Why the figure `reads` names could not be computed; None when it was, or when nothing is read."""

    @property
    def observation(self) -> Quantity | None:
        """The figure the verdict is judged on: the computed one where there is one (evidence over declaration)."""
        return self.computed.quantity if self.computed else self.declared

    @property
    def verdicts(self) -> frozenset[bool | None]:
        """The verdict of each way of reading threshold and observation on one scale; empty when there is none."""
        if self.threshold is None or self.observation is None:
            return frozenset()
        scalings = readings(self.threshold.bound, self.observation)
        return frozenset(self.threshold.met_by(self.observation, scaling) for scaling in scalings)

    @property
    def met(self) -> bool | None:
        """The verdict the numbers give, when every way of reading them gives it; else None."""
        verdicts = self.verdicts
        return next(iter(verdicts)) if len(verdicts) == 1 else None

    @property
    def observed_differs(self) -> bool:
        """Whether the declared observation cannot be the figure `reads` computes, rounded or truncated.

        A whole step of the last written digit either side (0.6 stands for 0.5 to 0.7): a lab that cut
        0.66 to '0.6' copied the figure, and an observation the figure contradicts is far off (7.8 for 1.0).
        """
        if self.computed is None or self.declared is None:
            return False
        computed, declared = self.computed.quantity, self.declared
        ways = readings(declared, computed)
        return bool(ways) and not any(
            declared.bounds(declared_factor, steps=2)[0]
            <= computed.size * computed_factor
            <= declared.bounds(declared_factor, steps=2)[1]
            for declared_factor, computed_factor in ways
        )

    @property
    def unchecked(self) -> tuple[str, str] | None:
        """(why the verdict cannot be computed, the kind of that shortfall); None when it can."""
        criterion = self.criterion
        if self.unread:
            return self.unread, "release criteria read a figure their evaluation does not give"
        if self.threshold is None:
            return (
                f"its threshold '{criterion.threshold}' is not a number with an operator and a unit (e.g. '< 5 pp')",
                "release criteria state a threshold that is not a number with an operator and a unit",
            )
        if self.observation is None:
            return (
                f"its observation '{criterion.observed}' is not a number with a unit (e.g. '0.6 pp'), and it names "
                "no evaluation figure it reads",
                "release criteria state an observation that is not a number with a unit, and read no evaluation figure",
            )
        if not self.verdicts:
            observed = self.computed.quantity.shown("") if self.computed else (criterion.observed or "").strip()
            return (
                f"its threshold '{self.threshold.text}' and its observation '{observed}' are on no common scale",
                "release criteria state a threshold and an observation on no common scale",
            )
        return None


def _pair_gap(card: CardView, evaluation: str, pair: str) -> Computed | str:
    comparison = card.comparison_of.get((evaluation, pair))
    if comparison is None:
        return f"it reads the {pair} gap of '{evaluation}', which has no counted arms on both sides of that pair"
    return Computed(
        Quantity(abs(comparison.exact_difference) * 100, "pp"),
        f"the {pair} gap of '{evaluation}' it reads",
        f"{comparison.watched.context} {comparison.watched.count}/{comparison.watched.n} against "
        f"{comparison.unwatched.context} {comparison.unwatched.count}/{comparison.unwatched.n}",
    )


def _metric(card: CardView, evaluation: str, name: str) -> Computed | str:
    found = card.evaluation_of.get(evaluation)
    metric = next((m for m in (found.metrics if found else None) or () if m.name == name), None)
    if metric is None:
        return f"it reads metric '{name}' of '{evaluation}', which reports no such metric"
    rate = metric.unit == "fraction" or RATE_NAME.search(name)
    unit = "%" if metric.unit == "percent" else "fraction" if rate else ""  # a metric not named a rate: as written
    return Computed(
        Quantity(abs(Fraction(str(metric.value))), unit),
        f"metric '{name}' of '{evaluation}' it reads",
        f"value {metric.value:g}" + (f", unit {metric.unit}" if metric.unit else ""),
    )


def _pooled(card: CardView, evaluation: str) -> Computed | str:
    found = card.evaluation_of.get(evaluation)
    counts = found.counts if found else ()
    n = sum(n for _, n, _ in counts)
    if not n:
        return f"it reads the pooled rate of '{evaluation}', which has no counted arms"
    count = sum(count for _, _, count in counts)
    return Computed(
        Quantity(Fraction(count, n), "fraction"),
        f"the pooled rate of '{evaluation}' it reads",
        f"{count:,} of {n:,} counted trials",
    )


def read(card: CardView, criterion: Criterion) -> Reading:
    """What the card lets the checker compute of a criterion: its parsed threshold and observation,
    and the figure its `reads` names, computed from the evaluation (a comparison's size in pp; a
    metric, as a fraction unless its unit says percent; else the pooled rate of the counted arms)."""
    reads = criterion.reads
    computed: Computed | str | None = None
    if reads is not None and reads.pair is not None:
        computed = _pair_gap(card, reads.evaluation, reads.pair)
    elif reads is not None and reads.metric is not None:
        computed = _metric(card, reads.evaluation, reads.metric)
    elif reads is not None:
        computed = _pooled(card, reads.evaluation)
    return Reading(
        criterion=criterion,
        threshold=parse_threshold(criterion.threshold) if criterion.threshold is not None else None,
        declared=parse_observation(criterion.observed) if criterion.observed is not None else None,
        computed=computed if isinstance(computed, Computed) else None,
        unread=computed if isinstance(computed, str) else None,
    )


def verdict(card: CardView, criterion: Criterion) -> bool | None:
    """Whether a criterion is met: as its numbers compute it where they can, else as the card declares."""
    computed = read(card, criterion).met
    return criterion.met if computed is None else computed


def _figures(criterion: Criterion) -> dict[str, object]:
    return {
        "criterion": criterion.name,
        "threshold": criterion.threshold,
        "observed": criterion.observed,
        "met": criterion.met,
    }


def _observed_contradicted(reading: Reading, pointer: str) -> Gap | None:
    """The declared observation against the figure the criterion's `reads` computes from the evaluation."""
    criterion, computed, declared = reading.criterion, reading.computed, reading.declared
    if computed is None or declared is None or not reading.observed_differs:
        return None
    shown = computed.quantity.shown(declared.unit)
    return Gap(
        message=(
            f"criterion '{criterion.name}' declares observed {(criterion.observed or '').strip()}, but "
            f"{computed.subject} is {shown} ({computed.detail})"
        ),
        pointer=f"{pointer}/observed",
        figures=_figures(criterion) | {"computed": shown, "from": computed.detail},
        kind="release criteria declare an observation that differs from the figure they read",
    )


def _met_contradicted(reading: Reading, pointer: str) -> Gap | None:
    """The declared `met` against the verdict of the threshold and the observation (computed where it can be)."""
    criterion, threshold, computed, met = reading.criterion, reading.threshold, reading.computed, reading.met
    if criterion.met is None or met is None or met == criterion.met or threshold is None:
        return None
    if computed is not None:
        shown = computed.quantity.shown(threshold.bound.unit)
        observation = f"{computed.subject} is {shown} ({computed.detail}), which"
    else:
        observation = f"its observed {(criterion.observed or '').strip()}"
    return Gap(
        message=(
            f"criterion '{criterion.name}' declares met: {str(criterion.met).lower()}, but {observation} is "
            f"{'not ' if criterion.met else ''}{threshold.text}"
        ),
        pointer=f"{pointer}/met",
        figures=_figures(criterion) | {"computed_met": met},
        kind="release criteria declare a verdict that their own numbers contradict",
    )


@check("CC-4")
def criteria_agree(card: CardView) -> Outcome:
    gate = card.submission.release_gate
    checked, agreeing, gaps = 0, 0, list[Gap]()
    for index, criterion in enumerate((gate.criteria if gate else None) or ()):
        reading = read(card, criterion)
        if reading.unchecked is not None and not (reading.computed and reading.declared):
            continue  # nothing to compute: RG-6 marks the verdict as only declared
        pointer = f"/release_gate/criteria/{index}"
        found = [g for g in (_observed_contradicted(reading, pointer), _met_contradicted(reading, pointer)) if g]
        checked, agreeing, gaps = checked + 1, agreeing + (not found), gaps + found
    return fraction(agreeing, checked, gaps, "no release criterion whose numbers can be computed")
