"""Profiles as the command line meets them: read once, refused in one line that says "profile",
and named in the report together with the file they came from."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import CONDITIONAL_CARD, PASS_CARD, safetycase


def _profile(tmp_path: Path, text: str, name: str = "mine.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_bad_profile_is_reported_once_for_many_cards(tmp_path: Path) -> None:
    profile = _profile(tmp_path, "extends: default\npass_scor: 90\n")
    done = safetycase("check", PASS_CARD, CONDITIONAL_CARD, PASS_CARD, "--profile", profile)
    assert done.returncode == 2
    assert done.stdout == ""
    assert len(done.stderr.splitlines()) == 1, done.stderr
    assert done.stderr.startswith(f"{profile}:2:1: unknown profile option 'pass_scor'")


@pytest.mark.parametrize(
    ("text", "kind"),
    [("- a\n- b\n", "a list"), ("root:x:0:0:root:/root:/bin/bash\n", "a string")],  # /etc/passwd's shape
)
def test_a_profile_that_is_not_a_mapping_says_profile(tmp_path: Path, text: str, kind: str) -> None:
    profile = _profile(tmp_path, text)
    done = safetycase("check", PASS_CARD, "--profile", profile)
    assert (done.returncode, done.stderr) == (
        2,
        f"{profile}:1:1: the profile must be a mapping of keys, but it is {kind}\n",
    )


@pytest.mark.parametrize("spec", ["nope.yaml", "nope.YML", "sub/nope", "./nope"])
def test_a_missing_profile_file_is_a_missing_file(tmp_path: Path, spec: str) -> None:
    done = safetycase("check", PASS_CARD, "--profile", spec, cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr == f"{Path(spec)}: no such profile file\n"  # not "built-in profiles: ..."


def test_a_fifo_as_profile_is_not_a_regular_file(tmp_path: Path) -> None:
    fifo = tmp_path / "profile.yaml"
    os.mkfifo(fifo)
    done = safetycase("check", PASS_CARD, "--profile", fifo)
    assert (done.returncode, done.stderr) == (2, f"{fifo}: is not a regular file (device, pipe or socket); refused\n")


def test_a_huge_number_in_a_profile_is_one_line(tmp_path: Path) -> None:
    profile = _profile(tmp_path, "extends: default\nmin_arm_size: 1e30\n")
    done = safetycase("check", PASS_CARD, "--profile", profile)
    assert (done.returncode, done.stderr) == (
        2,
        f"{profile}:2:15: min_arm_size must be from 1 to 1,000,000,000, found 1e+30 (at /min_arm_size)\n",
    )


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("min_arm_size: -5", "3:15: min_arm_size must be from 1 to 1,000,000,000, found -5 (at /min_arm_size)"),
        ("gap_tolerance_pp: -5", "3:19: gap_tolerance_pp must be from 0.01 to 100, found -5 (at /gap_tolerance_pp)"),
        ("pass_score: 150", "3:13: pass_score must be from 0 to 100, found 150 (at /pass_score)"),
        (
            "audit_access: {days: -1}",
            "3:22: audit_access.days must be from 0 to 36,500, found -1 (at /audit_access/days)",
        ),
    ],
)
def test_range_errors_in_plain_words(tmp_path: Path, setting: str, message: str) -> None:
    profile = _profile(tmp_path, f"name: mine\nextends: default\n{setting}\n")
    done = safetycase("check", PASS_CARD, "--profile", profile)
    assert (done.returncode, done.stderr) == (2, f"{profile}:{message}\n")


def test_the_text_report_names_the_profile_file(tmp_path: Path) -> None:
    # A file may call itself "regulator": the header must not let it pass for the built-in one.
    profile = _profile(tmp_path, "name: regulator\nextends: default\npass_score: 0\n")
    custom = safetycase("check", PASS_CARD, "--profile", profile)
    assert custom.returncode == 0, custom.stderr
    assert custom.stdout.splitlines()[0].endswith(f" · profile regulator ({profile})")
    builtin = safetycase("check", PASS_CARD, "--profile", "regulator")
    assert builtin.stdout.splitlines()[0].endswith(" · profile regulator")
    assert json.loads(safetycase("check", PASS_CARD, "-f", "json", "--profile", profile).stdout)["profile"][
        "source"
    ] == str(profile)
