"""Every number a profile may set is bounded to where the statistics and the scoring work (issue 12).

`significance_level: 1e-17` once passed the profile schema and crashed the statistics (exit 3). RANGES
is the contract, as docs/profiles.md states it: at each bound the last good value checks every example
card, and the first bad value is refused with exit 2, naming the profile file, the setting and its
whole range. Every number the profile schema holds must be in RANGES, so a new setting comes with its
range and its tests. The model holds the same bounds for a profile made in code.
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLE_CARDS, safetycase
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from checker.catalog import load_catalog
from checker.profiles import Profile, load_profile
from checker.resources import schema
from tests.test_properties import bounded

AREAS = [area.id for area in load_catalog().areas]
WEIGHTS = "0, or from 0.001 to 1,000"
RANGES: dict[str, tuple[str, list[tuple[float, float]]]] = {
    "pass_score": ("from 0 to 100", [(0, -5e-324), (100, math.nextafter(100, math.inf))]),
    "gap_tolerance_pp": ("from 0.01 to 100", [(0.01, math.nextafter(0.01, 0)), (100, math.nextafter(100, math.inf))]),
    "significance_level": ("from 1e-10 to 0.2", [(1e-10, math.nextafter(1e-10, 0)), (0.2, math.nextafter(0.2, 1))]),
    "power": ("from 0.5 to 0.999", [(0.5, math.nextafter(0.5, 0)), (0.999, math.nextafter(0.999, 1))]),
    "min_arm_size": ("from 1 to 1,000,000,000", [(1, 0), (10**9, 10**9 + 1)]),
    "min_samples": ("from 0 to 1,000,000", [(0, -1), (10**6, 10**6 + 1)]),
    "situational_awareness_high": ("from 0 to 1", [(0, -5e-324), (1, math.nextafter(1, 2))]),
    "evaluation_awareness_threshold": ("from 0 to 1", [(0, -5e-324), (1, math.nextafter(1, 2))]),
    "audit_access.days": ("from 0 to 36,500", [(0, -1), (36500, 36501)]),
    "max_evidence_file_mib": ("from 1 to 1,048,576", [(1, 0), (2**20, 2**20 + 1)]),
    "max_evidence_card_mib": ("from 1 to 1,048,576", [(1, 0), (2**20, 2**20 + 1)]),
    **{
        f"area_weights.{area}": (
            WEIGHTS,
            [(0, -5e-324), (0, 5e-324), (0.001, math.nextafter(0.001, 0)), (1000, math.nextafter(1000, math.inf))],
        )
        for area in AREAS
    },
}
"""Setting -> (its range in words, [(last good value, first bad value) at each bound])."""


def _numbers(node: dict[str, Any], prefix: str = "") -> Iterator[str]:
    """The dotted name of every number setting in the profile schema."""
    for name, sub in node.get("properties", {}).items():
        if "$ref" in sub:
            sub = schema("profile")["$defs"][sub["$ref"].rsplit("/", 1)[1]]
        if sub.get("type") in ("number", "integer") or "anyOf" in sub:
            yield prefix + name
        yield from _numbers(sub, f"{prefix}{name}.")


def _profile_text(setting: str, value: float) -> str:
    """A profile that extends the default and sets `setting` (dotted for a table's key) to `value`, as YAML."""
    written = repr(value)  # the shortest text that reads back as the same number
    if "." in setting and setting.split(".")[0] in ("area_weights", "audit_access"):
        table, key = setting.split(".")
        return f"extends: default\n{table}: {{{key}: {written}}}\n"
    return f"extends: default\n{setting}: {written}\n"


CASES = [
    pytest.param(setting, good, bad, id=f"{setting}: {good!r} good, {bad!r} bad")
    for setting, (_, pairs) in RANGES.items()
    for good, bad in pairs
]


def test_every_number_a_profile_may_set_has_its_range_here() -> None:
    assert sorted(_numbers(schema("profile"))) == sorted(RANGES)


@pytest.mark.parametrize(("setting", "good", "bad"), CASES)
def test_the_last_good_value_checks(tmp_path: Path, setting: str, good: float, bad: float) -> None:
    profile = tmp_path / "bounds.yaml"
    profile.write_text(_profile_text(setting, good), encoding="utf-8")
    ran = safetycase("check", *EXAMPLE_CARDS, "--profile", profile, "--no-evidence", "--format", "json")
    assert ran.returncode in (0, 1), ran.stderr


@pytest.mark.parametrize(("setting", "good", "bad"), CASES)
def test_the_first_bad_value_is_refused_with_the_range(tmp_path: Path, setting: str, good: float, bad: float) -> None:
    profile = tmp_path / "bounds.yaml"
    profile.write_text(_profile_text(setting, bad), encoding="utf-8")
    ran = safetycase("check", EXAMPLE_CARDS[0], "--profile", profile)
    allowed = RANGES[setting][0]
    assert ran.returncode == 2
    assert ran.stderr.startswith(f"{profile}:2:"), ran.stderr
    assert f": {setting} must be {allowed}, found " in ran.stderr, ran.stderr
    assert len(ran.stderr.splitlines()) == 1, ran.stderr


@pytest.mark.parametrize(("setting", "good", "bad"), CASES)
def test_the_model_refuses_the_first_bad_value_too(setting: str, good: float, bad: float) -> None:
    settings = load_profile("default", load_catalog()).model_dump()
    table, _, key = setting.rpartition(".")
    (settings[table] if table else settings)[key] = bad
    with pytest.raises(ValidationError, match=f"{setting} must be {RANGES[setting][0]}"):
        Profile(**settings)


# --- anywhere in range, the statistics work -----------------------------------------------------------

STATISTICS = ("significance_level", "power", "gap_tolerance_pp", "min_arm_size")
"""The settings the context comparisons are computed with."""


def _in_range(setting: str) -> st.SearchStrategy[float]:
    """The setting's bounds themselves, or any value between."""
    low, high = min(good for good, _ in RANGES[setting][1]), max(good for good, _ in RANGES[setting][1])
    between = st.integers(low, high) if isinstance(low + high, int) else st.floats(low, high)
    return st.sampled_from([low, high]) | between


@pytest.mark.slow
@bounded(0.5)
@given(st.fixed_dictionaries({setting: _in_range(setting) for setting in STATISTICS}))
def test_any_statistics_settings_in_range_check_every_example(settings: dict[str, float]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        profile = Path(folder) / "in-range.yaml"
        profile.write_text(
            "extends: default\n" + "".join(f"{k}: {v!r}\n" for k, v in settings.items()), encoding="utf-8"
        )
        ran = safetycase("check", *EXAMPLE_CARDS, "--profile", profile, "--format", "json")
    assert ran.returncode in (0, 1), ran.stderr
