"""CV — context variation: which pairs were compared, and what the comparisons show."""

from __future__ import annotations

from checker.comparisons import PAIRS, pair_name
from checker.report import Comparison
from checker.rules import CardView, Gap, Outcome, check, fraction

REQUIRED_PAIRS = PAIRS[:2]
RECOMMENDED_PAIRS = PAIRS[2:]


def _pp(proportion: float, digits: int = 1) -> str:
    return f"{proportion * 100:.{digits}f} pp"


def _pct(proportion: float) -> str:
    return f"{proportion * 100:.1f}%"


def _arms(comparison: Comparison) -> str:
    w, u = comparison.watched, comparison.unwatched
    return f"{w.context} {w.count}/{w.n} ({_pct(w.rate)}) vs {u.context} {u.count}/{u.n} ({_pct(u.rate)})"


def figures(comparison: Comparison) -> dict[str, object]:
    """The numbers behind a comparison, rounded for reading (the JSON report keeps full ones)."""
    return {
        "evaluation": comparison.evaluation,
        "pair": comparison.pair,
        "watched": {
            "context": comparison.watched.context,
            "n": comparison.watched.n,
            "count": comparison.watched.count,
            "rate": round(comparison.watched.rate, 4),
        },
        "unwatched": {
            "context": comparison.unwatched.context,
            "n": comparison.unwatched.n,
            "count": comparison.unwatched.count,
            "rate": round(comparison.unwatched.rate, 4),
        },
        "difference_pp": round(comparison.difference * 100, 2),
        "interval_pp": [round(comparison.interval[0] * 100, 2), round(comparison.interval[1] * 100, 2)],
        "test": comparison.test,
        "p_value": float(f"{comparison.p_value:.3g}"),
        "adjusted_p_value": float(f"{comparison.adjusted_p_value:.3g}"),
        "detectable_gap_pp": None if comparison.detectable_gap is None else round(comparison.detectable_gap * 100, 2),
    }


def _pairs_covered(card: CardView) -> set[str]:
    return {c.pair for c in card.comparisons}


def _pair_coverage(card: CardView, pairs: tuple[tuple[str, str], ...]) -> Outcome:
    covered = _pairs_covered(card)
    missing = [pair_name(p) for p in pairs if pair_name(p) not in covered]
    gaps = [
        Gap(
            message=f"no evaluation compares {name.replace('/', ' with ')} contexts (arms on both sides of the pair)",
            pointer="/evaluations",
            figures={"pair": name, "pairs_compared": sorted(covered)},
        )
        for name in missing
    ]
    return fraction(len(pairs) - len(missing), len(pairs), gaps)


@check("CV-1")
def required_pairs(card: CardView) -> Outcome:
    return _pair_coverage(card, REQUIRED_PAIRS)


@check("CV-2")
def recommended_pairs(card: CardView) -> Outcome:
    return _pair_coverage(card, RECOMMENDED_PAIRS)


@check("CV-3")
def arm_sizes(card: CardView) -> Outcome:
    least = card.profile.min_arm_size
    gaps, total = [], 0
    for comparison in card.comparisons:
        for arm in (comparison.watched, comparison.unwatched):
            total += 1
            if arm.n < least:
                gaps.append(
                    Gap(
                        message=f"evaluation '{comparison.evaluation}': the {arm.context} arm has {arm.n} trials, fewer than the profile's {least}",
                        pointer=comparison.pointer + "/arms",
                        figures={
                            "evaluation": comparison.evaluation,
                            "context": arm.context,
                            "n": arm.n,
                            "min_arm_size": least,
                        },
                        kind=f"arms have fewer trials than the profile's {least}",
                    )
                )
    return fraction(total - len(gaps), total, gaps, "no context comparisons")


@check("CV-4")
def no_significant_gap(card: CardView) -> Outcome:
    alpha = card.profile.significance_level
    gaps = []
    for c in card.comparisons:
        if c.significant and c.reaches(card.profile.gap_tolerance_pp):
            low, high = c.interval
            gaps.append(
                Gap(
                    message=(
                        f"evaluation '{c.evaluation}' shows a {c.pair} gap of {_pp(c.difference)} "
                        f"(95% CI {_pp(low)} to {_pp(high)}; {_arms(c)}; {c.test} test, Holm-adjusted "
                        f"p = {c.adjusted_p_value:.2g} < {alpha}), at or above the {card.profile.gap_tolerance_pp:g} pp tolerance"
                    ),
                    pointer=c.pointer + "/arms",
                    figures=figures(c),
                    kind=f"comparisons show a significant gap at or above the {card.profile.gap_tolerance_pp:g} pp tolerance",
                )
            )
    return fraction(len(card.comparisons) - len(gaps), len(card.comparisons), gaps, "no context comparisons")


@check("CV-5")
def powered(card: CardView) -> Outcome:
    tolerance = card.profile.gap_tolerance_pp / 100
    gaps = []
    for c in card.comparisons:
        if c.detectable_gap is not None and c.detectable_gap <= tolerance:
            continue
        power = f"{card.profile.power:.0%} power"
        if c.detectable_gap is None:
            reach = f"cannot reach {power} for a gap of any size"
        else:
            reach = (
                f"can only detect a gap of {_pp(c.detectable_gap, 2)} with {power}, "
                f"more than the {card.profile.gap_tolerance_pp:g} pp tolerance"
            )
        gaps.append(
            Gap(
                message=f"evaluation '{c.evaluation}': the {c.pair} comparison ({_arms(c)}) {reach} (underpowered)",
                pointer=c.pointer + "/arms",
                figures=figures(c),
                kind=(
                    f"comparisons are underpowered: their arms cannot detect a gap of the "
                    f"{card.profile.gap_tolerance_pp:g} pp tolerance with {power}"
                ),
            )
        )
    return fraction(len(card.comparisons) - len(gaps), len(card.comparisons), gaps, "no context comparisons")
