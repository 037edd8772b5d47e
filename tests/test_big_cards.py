"""Big cards (issue 12, item 9): checking grows with the card, and reports with the findings a reader needs.

One problem at many entries (25,000 evaluations without samples) is one finding that lists its
places; its places count in the counts, as findings of their own would (the spec's scoring).

A card of many thousands of entries alike (tests/hostile/make.py's `repeated`) must cost about
twice as much to check when it is twice as long: no check may compare every entry with every
other. Work is counted, not timed: the lines of Python a check runs (a trace) and the peak of the
memory it allocates (tracemalloc), each on a card and on the same card twice as long. How long
big cards take is benchmarks/big_cards.py's business.
"""

from __future__ import annotations

import json
import sys
import tracemalloc
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import FAIL_CARD, TODAY
from hypothesis import given, settings
from hypothesis import strategies as st

from checker import identity
from checker.model import Configuration
from checker.pipeline import check_file
from checker.render import FORMATS, PLACES_SHOWN, ROWS_SHOWN
from checker.render.sarif import PLACES_PER_FINDING
from checker.report import Report
from checker.rules.identities import LISTED, Identities
from checker.severity import Severity
from tests.hostile.make import LISTS, repeated

LINEAR = 2.3
"""Most a card twice as long may cost, as a multiple of the shorter one's (a fixed part makes it under 2)."""


def lines_run(action: Callable[[], object]) -> int:
    """How many lines of Python `action` runs (each loop turn counts): work that no machine's speed changes."""
    count = 0

    def trace(frame: Any, event: str, arg: Any) -> Any:
        nonlocal count
        count += 1
        return trace

    sys.settrace(trace)
    try:
        action()
    finally:
        sys.settrace(None)
    return count


def peak_bytes(action: Callable[[], object]) -> int:
    """The most memory `action` held at once, as tracemalloc counts Python's allocations."""
    tracemalloc.start()
    try:
        action()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _growth(tmp_path: Path, n: int, lists: tuple[str, ...], cost: Callable[[Path], int]) -> float:
    """The cost of a card of 2n entries in each of `lists`, as a multiple of that of n entries."""
    costs = []
    for size in (n, 2 * n):
        card = tmp_path / f"card-{size}.yaml"
        card.write_text(repeated(size, lists), encoding="utf-8")
        costs.append(cost(card))
    return costs[1] / costs[0]


def _check(card: Path) -> object:
    return check_file(card, today=TODAY, evidence=False)


SHAPES = {
    "evaluations": ("evaluations",),
    "evaluations on unreleased configurations": ("configurations", "evaluations"),
    "claims without a scope": ("configurations", "claims"),
    "every list": LISTS,
}
"""Which of a card's lists grow: alone, and the pairs that a check compares with each other."""


@pytest.mark.slow
@pytest.mark.parametrize("lists", SHAPES.values(), ids=SHAPES.keys())
def test_checking_a_card_twice_as_long_runs_about_twice_the_lines(tmp_path: Path, lists: tuple[str, ...]) -> None:
    assert _growth(tmp_path, 100, lists, lambda card: lines_run(lambda: _check(card))) < LINEAR


@pytest.mark.slow
def test_checking_a_card_twice_as_long_takes_about_twice_the_memory(tmp_path: Path) -> None:
    assert _growth(tmp_path, 200, LISTS, lambda card: peak_bytes(lambda: _check(card))) < LINEAR


# --- the released configuration nearest to another, and what evidence speaks for ------------------

_ITEM_VALUES: dict[str, Any] = {
    "weights_sha256": st.sampled_from(["a" * 64, "b" * 64, "A" * 64]),
    "system_prompt_sha256": st.sampled_from([None, "c" * 64]),
    "tools": st.sampled_from([[], [{"name": "t", "version": "1"}], [{"name": "t"}, {"name": "u"}]]),
    "monitoring_layer": st.sampled_from([None, {"name": "m"}]),
    "fine_tuning_history": st.sampled_from([[], [{"stage": "s"}]]),
    "access_setting": st.sampled_from(["api", "internal"]),
}
"""A few values for each identity item, so that configurations often agree on some of them (or are twins)."""


@st.composite
def _configurations(draw: st.DrawFn) -> dict[str, Configuration]:
    count = draw(st.integers(min_value=1, max_value=8))
    configurations = {}
    for i in range(count):
        stated = draw(st.dictionaries(st.sampled_from(list(_ITEM_VALUES)), st.none(), max_size=6))
        items = {item: draw(_ITEM_VALUES[item]) for item in stated}
        configurations[f"c{i}"] = Configuration.model_validate({"id": f"c{i}", **items})
    return configurations


def _differences(a: Configuration, b: Configuration) -> int:
    return len(identity.differences(a, b))


@settings(max_examples=100, derandomize=True, database=None, deadline=None)
@given(configurations=_configurations(), data=st.data())
def test_the_nearest_released_configuration_is_the_first_that_differs_least(
    configurations: dict[str, Configuration], data: st.DataObject
) -> None:
    released = data.draw(st.lists(st.sampled_from(list(configurations)), unique=True))
    identities = Identities(configurations, released)
    for key, configuration in configurations.items():
        pairwise = min(
            (configurations[r] for r in released), key=lambda r: _differences(configuration, r), default=None
        )
        assert identities.nearest_released(key) == pairwise


@settings(max_examples=100, derandomize=True, database=None, deadline=None)
@given(configurations=_configurations(), data=st.data())
def test_evidence_speaks_for_the_configurations_pairwise_comparison_says(
    configurations: dict[str, Configuration], data: st.DataObject
) -> None:
    keys = list(configurations)
    released = data.draw(st.lists(st.sampled_from(keys), unique=True))
    tested = set(data.draw(st.lists(st.sampled_from([*keys, "undescribed"]))))
    scope = data.draw(st.none() | st.lists(st.sampled_from(keys), min_size=1))

    def spoken_for(target: str) -> bool:
        twins = [t for t in tested if t in configurations and target in configurations]
        return target in tested or any(_differences(configurations[t], configurations[target]) == 0 for t in twins)

    missing = [c for c in dict.fromkeys(released if scope is None else scope) if not spoken_for(c)]
    shown, total = Identities(configurations, released).not_spoken_for(tested, scope)
    assert total == len(missing)
    assert len(shown) == len(set(shown)) == min(total, LISTED) and set(shown) <= set(missing)
    if scope is not None:
        assert shown == missing[:LISTED]


# --- one problem at many places is one finding ----------------------------------------------------


def _repeated_report(tmp_path: Path, n: int, lists: tuple[str, ...] = ("evaluations",)) -> Report:
    card = tmp_path / f"card-{n}.yaml"
    card.write_text(repeated(n, lists), encoding="utf-8")
    return check_file(card, today=TODAY, evidence=False)


def test_one_problem_at_many_entries_is_one_finding_listing_every_place(tmp_path: Path) -> None:
    report = _repeated_report(tmp_path, 30)
    (samples,) = report.findings_for("AD-8")
    assert samples.problem == "evaluations show fewer random samples than the profile's 5" == samples.message
    assert [place.pointer for place in samples.places] == [f"/evaluations/{i}" for i in range(30)]
    assert samples.places[7].message == "evaluation 'ev-7' shows 0 random samples, fewer than the profile's 5"
    assert samples.id == samples.places[0].id == "AD-8@/evaluations/0"
    lines = [place.line or 0 for place in samples.places]
    assert lines == sorted(lines) and len(set(lines)) == 30
    every = [place.id for finding in report.findings for place in finding.places]
    assert len(every) == len(set(every))


def test_a_problem_at_one_place_is_a_finding_with_its_own_message(tmp_path: Path) -> None:
    (samples,) = _repeated_report(tmp_path, 1).findings_for("AD-8")
    assert samples.problem is None and len(samples.places) == 1
    assert (
        samples.message
        == samples.places[0].message
        == "evaluation 'ev-0' shows 0 random samples, fewer than the profile's 5"
    )


def test_every_place_counts_as_a_finding_and_the_score_ignores_grouping(tmp_path: Path) -> None:
    # The spec's scoring: every shortfall is a finding; counts are of shortfalls, the score of requirements.
    report = _repeated_report(tmp_path, 40, LISTS)
    for severity in Severity:
        places = sum(len(f.places) for f in report.findings_of(severity))
        assert getattr(report.counts, severity.value) == places
    assert {r.id: r.findings for a in report.areas for r in a.requirements if r.findings} == {
        f.requirement: sum(len(g.places) for g in report.findings_for(f.requirement)) for f in report.findings
    }
    assert len(report.findings) < 60 < sum(report.counts.model_dump().values())


def test_the_failing_example_keeps_the_counts_and_score_it_had_before_grouping() -> None:
    report = check_file(FAIL_CARD, today=TODAY)
    # Issue 13: AD-9 reads the card's 58% situational-awareness score too (3 more majors, one finding),
    # and the new area CC, which this card meets, counts in the mean (31.5 before).
    assert report.counts.model_dump() == {"blocker": 3, "major": 27, "minor": 16}
    assert report.score == 40.2
    assert len(report.findings) == 34  # 46 places: six problems show at two to four places


@pytest.mark.parametrize("n", [3, PLACES_SHOWN + 1, 60])
def test_a_document_lists_the_first_places_and_counts_the_rest(tmp_path: Path, n: int) -> None:
    report = _repeated_report(tmp_path, n)
    shown, left = min(n, PLACES_SHOWN), n - min(n, PLACES_SHOWN)
    text = FORMATS["text"].render(report)
    block = text[text.index("  AD-8 (unmet)") :].split("    fix:")[0]
    assert f"at {n:,} places: evaluations show fewer random samples" in block
    assert block.count("\n    - line ") == shown
    assert (f"\n    - and {left:,} more places (every one in --format json)" in block) == (left > 0)
    markdown = FORMATS["markdown"].render(report)
    assert markdown.count("shows 0 random samples") == shown
    assert (f"  - and {left:,} more places (every one in the JSON report)" in markdown) == (left > 0)
    html = FORMATS["html"].render(report)
    assert html.count("shows 0 random samples") == shown
    assert (f"and {left:,} more places (every one in the JSON report)" in html) == (left > 0)
    failure = ET.fromstring(FORMATS["junit"].render(report)).find(
        ".//testcase[@name='AD-8 Random samples shown']/failure"
    )
    assert failure is not None and failure.text is not None
    assert failure.text.count("shows 0 random samples") == shown


def test_sarif_gives_a_result_a_place_up_to_its_limit_and_says_how_many_it_leaves_out(tmp_path: Path) -> None:
    n = PLACES_PER_FINDING + 20
    report = _repeated_report(tmp_path, n)
    results = [r for r in json.loads(FORMATS["sarif"].render(report))["runs"][0]["results"] if r["ruleId"] == "AD-8"]
    assert len(results) == PLACES_PER_FINDING
    assert [r["properties"]["pointer"] for r in results] == [f"/evaluations/{i}" for i in range(PLACES_PER_FINDING)]
    assert "This problem shows at 20 more places, not listed here" in results[-1]["message"]["text"]
    assert all("more places" not in r["message"]["text"] for r in results[:-1])


def test_the_json_report_lists_every_place(tmp_path: Path) -> None:
    report = json.loads(FORMATS["json"].render(_repeated_report(tmp_path, 60)))
    (samples,) = [f for f in report["findings"] if f["requirement"] == "AD-8"]
    assert len(samples["places"]) == 60 and samples["places"][59]["pointer"] == "/evaluations/59"


# --- documents a reader can read ------------------------------------------------------------------

BOUNDED = ("text", "markdown", "html", "junit", "sarif")
"""The formats whose length is bounded whatever the card's size: everything but the JSON report."""


@pytest.mark.slow
def test_a_card_four_times_as_long_gives_documents_about_as_long(tmp_path: Path) -> None:
    # Past the documents' limits (10 places a finding, 25 rows a table, 100 SARIF results a finding),
    # more entries alike add no finding and no line: only the counts in "and 470 more" change.
    small, large = _repeated_report(tmp_path, 120, LISTS), _repeated_report(tmp_path, 480, LISTS)
    assert len(large.findings) == len(small.findings)
    for name in BOUNDED:
        assert len(FORMATS[name].render(large)) < 1.02 * len(FORMATS[name].render(small)), name


def test_tables_show_their_first_rows_and_say_where_the_rest_are(tmp_path: Path) -> None:
    report = _repeated_report(tmp_path, ROWS_SHOWN + 5, LISTS)
    html = FORMATS["html"].render(report)
    assert html.count('<div class="entry">\n    <h4>ev-') == ROWS_SHOWN
    comparisons = f"{len(report.comparisons) - ROWS_SHOWN} more comparisons"  # two an evaluation
    for what in (comparisons, "5 more evaluations", "5 more audits", "5 more claims", "5 more criteria"):
        assert f"and {what}: the JSON report has them all." in html, what
    markdown = FORMATS["markdown"].render(report)
    assert markdown.count("\n#### ev-") == ROWS_SHOWN
    assert f"and {comparisons}: the JSON report has them all." in markdown
    assert "and 5 more evaluations: the JSON report has them all." in markdown
