"""`diff` grows with its lists linearly, not with their square (issue 12: two cards of 60,000 release
conditions took 110 s), and still matches list items one for one exactly as before.

No clock: the work is counted (equality comparisons of list items and changelog entries) at one size
and at twice it, and must double, not quadruple. A very long diff runs in a process of its own under a
subprocess timeout, as a guard against a hang only. benchmarks/diff_speed.py times it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import PASS_CARD, TODAY, safetycase_process
from hypothesis import given
from hypothesis import strategies as st
from pydantic import JsonValue

from checker import diff
from checker.model import ChangelogEntry
from checker.pipeline import check_file
from tests.test_properties import bounded


class Counted(str):
    """A string that counts how often it is compared for equality."""

    comparisons = 0

    def __eq__(self, other: object) -> bool:
        Counted.comparisons += 1
        return str.__eq__(self, other)

    def __hash__(self) -> int:
        return str.__hash__(self)


def _matching_comparisons(n: int) -> int:
    """Comparisons `diff` makes to match two lists of n items, half of them shared (as a release gate's
    conditions are matched), after checking what it found."""
    old = [Counted(f"condition {i}") for i in range(n)]
    new = [Counted(f"condition {i}") for i in range(n // 2, n + n // 2)]
    Counted.comparisons = 0
    removed = diff._only_in(list(old), list(new))
    assert removed == tuple(old[: n // 2])
    return Counted.comparisons


def test_matching_list_items_is_linear_in_the_lists() -> None:
    small, large = _matching_comparisons(1000), _matching_comparisons(2000)
    assert small <= 2 * 1000, f"{small:,} comparisons to match 1,000 items"
    assert large <= 2.5 * small, f"{small:,} comparisons for 1,000 items, {large:,} for 2,000"


def _with_changelog(folder: Path, name: str, first: int, n: int) -> Path:
    """The passing example with n more changelog entries, numbered from `first`."""
    anchor = "  changelog:\n"
    text = PASS_CARD.read_text(encoding="utf-8")
    entries = "".join(
        f'    - {{card_version: "0.{i}", date: 2026-01-01, changes: r{i}}}\n' for i in range(first, first + n)
    )
    path = folder / f"{name}.yaml"
    path.write_text(text.replace(anchor, anchor + entries), encoding="utf-8")
    return path


def _changelog_comparisons(folder: Path, n: int, monkeypatch: pytest.MonkeyPatch) -> int:
    reports = [
        check_file(_with_changelog(folder, f"{name}-{n}", first, n), today=TODAY, evidence=False)
        for name, first in (("old", 0), ("new", n // 2))
    ]
    count = 0
    equal = ChangelogEntry.__eq__

    def counting(self: ChangelogEntry, other: object) -> bool:
        nonlocal count
        count += 1
        return equal(self, other)

    with monkeypatch.context() as patch:
        patch.setattr(ChangelogEntry, "__eq__", counting)
        found = diff.diff_versions(*reports)
    assert [e.card_version for e in found.changelog] == [f"0.{i}" for i in range(n, n + n // 2)]
    return count


def test_new_changelog_entries_are_found_in_linear_work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    small, large = (
        _changelog_comparisons(tmp_path, 200, monkeypatch),
        _changelog_comparisons(tmp_path, 400, monkeypatch),
    )
    assert large <= 2.5 * small, f"{small:,} comparisons for 200 entries, {large:,} for 400"


def _one_for_one(items: list[Any], others: list[Any]) -> tuple[Any, ...]:
    """How diff matched list items before: each item against the first equal one left in the other list."""
    left = list(others)
    kept = []
    for item in items:
        if item in left:
            left.remove(item)
        else:
            kept.append(item)
    return tuple(kept)


SCALARS = st.sampled_from([None, True, False, 0, 1, 1.0, -0.0, 0.0, 2, "a", "b", "1", ""])
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from("abc"), inner, max_size=3),
    max_leaves=5,
)
"""JSON values from a small alphabet, so that equal ones (1, 1.0 and true among them) meet often."""


@bounded(1)
@given(st.lists(JSON, max_size=8), st.lists(JSON, max_size=8))
def test_list_items_match_one_for_one_as_before(items: list[JsonValue], others: list[JsonValue]) -> None:
    assert diff._only_in(items, others) == _one_for_one(items, others)
    reordered = [dict(reversed(item.items())) if isinstance(item, dict) else item for item in others]
    assert diff._only_in(items, reordered) == _one_for_one(items, reordered)


@pytest.mark.slow
def test_a_diff_of_60000_conditions_and_changelog_entries_finishes(tmp_path: Path) -> None:
    """A hang guard, not a timing: the quadratic diff took minutes at this size, the linear one seconds."""
    anchors = ("  conditions:\n", "  changelog:\n")
    text = PASS_CARD.read_text(encoding="utf-8")
    versions = []
    for name, first in (("old", 0), ("new", 30_000)):
        numbers = range(first, first + 60_000)
        conditions = "".join(f"    - condition {i}\n" for i in numbers)
        changelog = "".join(f'    - {{card_version: "0.{i}", date: 2026-01-01, changes: r{i}}}\n' for i in numbers)
        path = tmp_path / f"{name}.yaml"
        path.write_text(
            text.replace(anchors[0], anchors[0] + conditions).replace(anchors[1], anchors[1] + changelog),
            encoding="utf-8",
        )
        versions.append(path)
    ran = safetycase_process("diff", *versions, "--no-evidence", "--format", "json")  # times out after 120 s
    assert ran.returncode == 0, ran.stderr
    (conditions,) = json.loads(ran.stdout)["release_gate"]
    assert (len(conditions["added"]), len(conditions["removed"])) == (30_000, 30_000)
