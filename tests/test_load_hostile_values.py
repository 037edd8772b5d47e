"""Values that parse but cannot be carried through a check: refused at load, at their place.

Each once passed loading and crashed later (an integer too long to print, a lone surrogate that
cannot be written as UTF-8, a float literal that overflowed to inf); each must be one located
problem, and the command line must exit 2 with that one line.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from conftest import safetycase

from checker.load import DEFAULT_LIMITS, load_card
from checker.problems import CardError

BASE = (Path(__file__).parent / "cases" / "base.yaml").read_text(encoding="utf-8")
TOO_LONG = "number too long (more than 4,300 digits)"


def replace(old: str, new: str) -> str:
    assert BASE.count(old) == 1
    return BASE.replace(old, new)


def base_json(old: str, new: str) -> str:
    """The base card as indented JSON, with one raw piece of text swapped for another."""
    text = json.dumps(yaml.safe_load(BASE), indent=2, default=str)
    assert text.count(old) == 1
    return text.replace(old, new)


def only_problem(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CardError) as caught:
        load_card(path)
    assert len(caught.value.problems) == 1
    message = str(caught.value.problems[0])
    assert message.startswith(f"{path}:")
    return message.removeprefix(f"{path}:")


BIG = "1" + "0" * DEFAULT_LIMITS.digits  # one digit past the limit
HUGE_ARM = "      - {context: training_like, n: 800, count: 19}"
ORGANIZATION = "  organization: Example Lab"
METRIC = "      - {name: alignment_faking_reasoning_rate, value: 0.004, n: 800}"

CASES = {
    "long integer in YAML": (
        "card.yaml",
        replace(HUGE_ARM, "      - {context: training_like, n: " + BIG + ", count: 19}"),
        f"45:37: {TOO_LONG} (at /evaluations/0/arms/0/n)",
    ),
    "long integer under an x- key": (
        "card.yaml",
        replace(ORGANIZATION, ORGANIZATION + "\n  x-serial: -" + BIG),
        f"6:13: {TOO_LONG} (at /submission/x-serial)",
    ),
    "long hex integer in YAML": (
        "card.yaml",
        replace(ORGANIZATION, ORGANIZATION + "\n  x-serial: 0x" + "f" * 3600),
        f"6:13: {TOO_LONG} (at /submission/x-serial)",
    ),
    "long integer in JSON": (
        "card.json",
        base_json('"n": 800,\n          "count": 19', f'"n": {BIG},\n          "count": 19'),
        f"86:16: {TOO_LONG} (at /evaluations/0/arms/0/n)",
    ),
    "lone surrogate in double-quoted YAML": (
        "card.yaml",
        replace(ORGANIZATION, '  organization: "Ex\\ud800ample"'),
        "5:17: text holds a lone surrogate \\ud800, which is not a character (at /submission/organization)",
    ),
    "lone surrogate in a YAML key": (
        "card.yaml",
        replace(ORGANIZATION, ORGANIZATION + '\n  "x-\\udc00": 1'),
        "6:3: text holds a lone surrogate \\udc00, which is not a character (at /submission)",
    ),
    "lone surrogate in JSON": (
        "card.json",
        base_json('"Example Lab"', '"Ex\\ud800ample"'),
        "4:21: text holds a lone surrogate \\ud800, which is not a character (at /submission/organization)",
    ),
    "float overflowing to inf in YAML": (
        "card.yaml",
        replace(METRIC, "      - {name: alignment_faking_reasoning_rate, value: 1e400, n: 800}"),
        "50:56: '1e400' is too large to be a finite number; cards hold finite numbers only"
        " (at /evaluations/0/metrics/0/value)",
    ),
    "huge integer tagged !!float in YAML": (
        "card.yaml",
        replace(METRIC, "      - {name: alignment_faking_reasoning_rate, value: !!float 1" + "0" * 400 + ", n: 800}"),
        "50:56: '" + "1" + "0" * 38 + "…' is too large to be a finite number;"  # clipped to 40 characters
        " cards hold finite numbers only (at /evaluations/0/metrics/0/value)",
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_refused_at_load_with_its_place(tmp_path: Path, case: str) -> None:
    name, text, expected = CASES[case]
    assert only_problem(tmp_path, name, text) == expected


def test_the_longest_allowed_integer_and_escaped_surrogate_pairs_load(tmp_path: Path) -> None:
    path = tmp_path / "card.yaml"
    path.write_text(f'x-long: {"9" * DEFAULT_LIMITS.digits}\nyaml: "\\ud83d\\ude00"\n', encoding="utf-8")
    assert load_card(path).data == {"x-long": int("9" * DEFAULT_LIMITS.digits), "yaml": "\N{GRINNING FACE}"}
    path = tmp_path / "card.json"
    path.write_text('{"json": "\\ud83d\\ude00"}', encoding="utf-8")
    assert load_card(path).data == {"json": "\N{GRINNING FACE}"}


@pytest.mark.parametrize("case", CASES)
def test_check_exits_2_with_one_line(tmp_path: Path, case: str) -> None:
    name, text, expected = CASES[case]
    card = tmp_path / name
    card.write_text(text, encoding="utf-8")
    done = safetycase("check", card, "--format", "json")
    assert done.returncode == 2
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr
    assert done.stderr.splitlines() == [f"{card}:{expected}"]
    assert done.stdout == ""
