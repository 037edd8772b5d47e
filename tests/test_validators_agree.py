"""The two schema validators and the typed model reach one verdict on a card (defects the fuzzing found).

A card the compiled validator (jsonschema-rs) shows valid is not described by `jsonschema`;
where their readings of the schema differed, a card was accepted by one path and refused, or
crashed, on another. Each test here is a card that once slipped through, and the place its
problem must now be reported at.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import BASE, safetycase

from checker import validate as validate_module
from checker.load import load_card
from checker.problems import CardError
from checker.resources import describing_validator, ecma_pattern, surely_valid
from checker.validate import problems, validate


def refused(tmp_path: Path, old: str, new: str) -> list[tuple[int | None, str, str]]:
    assert old in BASE
    card = tmp_path / "card.yaml"
    card.write_text(BASE.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(CardError) as error:
        validate(load_card(card))
    return [(p.line, p.pointer, p.message) for p in error.value.problems]


def test_the_base_card_passes_both_validators(tmp_path: Path) -> None:
    card = tmp_path / "card.yaml"
    card.write_text(BASE, encoding="utf-8")
    loaded = load_card(card)
    assert surely_valid("submission", loaded.data)
    assert list(describing_validator("submission").iter_errors(loaded.data)) == []
    assert problems(loaded, thorough=True) == []


def test_an_id_ending_in_a_newline_is_refused(tmp_path: Path) -> None:
    # Python's `$` matches before a final newline; JSON Schema's (ECMA-262) does not.
    found = refused(tmp_path, "release_id: aster-2-2026-11", 'release_id: "aster-2-2026-11\\n"')
    assert found == [
        (15, "/model/release_id", "'aster-2-2026-11\n' is not a valid id (letters, digits, '.', '_', '-'; at most 64)")
    ]  # the newline itself: a terminal is shown it escaped (tests/test_hostile.py)


def test_year_zero_is_refused_at_its_place_not_by_a_crash(tmp_path: Path) -> None:
    # RFC 3339 allows 0000-01-01 and the compiled validator takes it; Python's dates have no year 0.
    found = refused(tmp_path, "submitted_on: 2026-11-01", "submitted_on: 0000-01-01")
    assert found == [(7, "/submission/submitted_on", "'0000-01-01' is not a valid ISO 8601 date (YYYY-MM-DD)")]


def test_year_zero_through_the_command_line_is_exit_2(tmp_path: Path) -> None:
    (tmp_path / "card.yaml").write_text(BASE.replace("submitted_on: 2026-11-01", "submitted_on: 0000-01-01"))
    for command in (["check", "card.yaml", "--no-evidence"], ["validate", "card.yaml"]):
        done = safetycase(*command, cwd=tmp_path)
        assert done.returncode == 2, done.stderr
        assert done.stderr.startswith("card.yaml:7:")


def test_a_count_over_n_written_as_decimals_is_refused(tmp_path: Path) -> None:
    # 8.0 and 19.0 are integers to JSON Schema; the count-over-n check once looked at ints only.
    found = refused(
        tmp_path,
        "{context: training_like, n: 800, count: 19}",
        "{context: training_like, n: 8.0, count: 19.0}",
    )
    assert found == [(45, "/evaluations/0/arms/0/count", "count 19.0 is larger than n 8.0")]


def test_a_count_equal_to_n_in_decimals_passes(tmp_path: Path) -> None:
    card = tmp_path / "card.yaml"
    card.write_text(BASE.replace("n: 800, count: 19}", "n: 800.0, count: 800.0}", 1), encoding="utf-8")
    submission = validate(load_card(card))
    assert (submission.evaluations or ())[0].arms[0].count == 800


def test_what_only_the_typed_model_refuses_is_still_placed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The last resort: were both validators to pass a card the model refuses, the model's own
    # words are reported at the place, never a traceback.
    def nothing(name: str, data: object, *, thorough: bool = False) -> list[tuple[str, str]]:
        return []

    monkeypatch.setattr(validate_module, "schema_problems", nothing)
    found = refused(tmp_path, "submitted_on: 2026-11-01", "submitted_on: 2026-13-01")
    assert [(line, pointer) for line, pointer, _ in found] == [(7, "/submission/submitted_on")]
    assert "month" in found[0][2]


@pytest.mark.parametrize(
    ("pattern", "ecma"),
    [
        ("^[a-z]+$", r"^[a-z]+\Z"),
        ("^a$|^b$", r"^a\Z|^b\Z"),
        (r"^[$]+\$$", r"^[$]+\$\Z"),  # a dollar in a class or escaped is a character
        (r"^[\]$]$", r"^[\]$]\Z"),
        ("^abc", "^abc"),
    ],
)
def test_ecma_pattern_reads_the_dollar_as_the_end_of_the_text(pattern: str, ecma: str) -> None:
    assert ecma_pattern(pattern) == ecma
