"""A value of the wrong type anywhere in a card is refused at its place (exit 2), never a crash (issue 12).

The cross-reference checks run beside the schema, on cards that failed it: a number where a
list of arms belongs, or a mapping for an id, once reached them and ended in exit 3. Here every
place of the bundled examples gets a value of every other JSON type (number, string, list,
mapping, null, boolean, and a nested one), and the card must be checked or refused with every
problem in the file at a line and at a pointer that names a value the card holds:

- every distinct schema location (the first place of each, lists' indices set aside), in the quick loop;
- every place of every example (slow: about 8,400 cards);
- a property: one to three places of an example, each given a drawn value of another type,
  through `validate` and `check` on the command line (slow, bounded like tests/test_properties.py).

The five one-line cards issue 12 reported are tests/hostile/wrong-type-*.yaml (the corpus runs
them too); here they go through `validate`, `check` and `batch`.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, TODAY, safetycase
from hypothesis import event, given
from hypothesis import strategies as st

from checker.load import load_card
from checker.pipeline import check_file
from checker.problems import CardError
from tests.test_properties import bounded

EXAMPLE_CARDS = sorted((ROOT / "examples").glob("*/card.yaml"))
EXAMPLE_DATA = {card.parent.name: load_card(card).data for card in EXAMPLE_CARDS}
ONE_LINERS = sorted((ROOT / "tests" / "hostile").glob("wrong-type-*.yaml"))

Place = tuple[str | int, ...]
"""The keys and indices that lead to a value in a card."""

OF_EACH_TYPE: dict[str, Any] = {
    "number": 7,
    "decimal": 0.5,
    "string": "text",
    "list": ["text", 7],
    "mapping": {"id": "text"},
    "null": None,
    "boolean": True,
    "nested": [{"id": {"n": [None, 7]}, "evidence": "text"}],
}
"""A value of each JSON type; `nested` is tried everywhere, lists included (its items go wrong inside)."""


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "list" if isinstance(value, list) else "mapping"


def places(node: Any, path: Place = ()) -> Iterator[Place]:
    """The path of every value under `node` (not `node` itself), in document order."""
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, value in items:
        yield (*path, key)
        yield from places(value, (*path, key))


def location(path: Place) -> Place:
    """The schema location of a place: its list indices set aside."""
    return tuple("*" if isinstance(key, int) else key for key in path)


def replaced(data: dict[str, Any], path: Place, value: Any) -> dict[str, Any]:
    card = copy.deepcopy(data)
    parent: Any = card
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = copy.deepcopy(value)
    return card


def other_types(value: Any) -> list[str]:
    return [name for name, other in OF_EACH_TYPE.items() if name == "nested" or json_type(other) != json_type(value)]


def holds(data: Any, pointer: str) -> bool:
    """Whether the card holds a value at `pointer` (RFC 6901)."""
    for token in pointer.split("/")[1:]:
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(data, dict) and token in data:
            data = data[token]
        elif isinstance(data, list) and re.fullmatch(r"0|[1-9][0-9]*", token) and int(token) < len(data):
            data = data[int(token)]
        else:
            return False
    return True


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The examples with their evidence, copied once: a changed card is written beside its evidence."""
    root = tmp_path_factory.mktemp("examples")
    for card in EXAMPLE_CARDS:
        shutil.copytree(card.parent, root / card.parent.name, ignore=shutil.ignore_patterns("report.*"))
    return root


def assert_checked_or_placed(folder: Path, card: dict[str, Any], about: str) -> None:
    """The card, written as JSON beside its evidence, is checked, or refused with every problem placed."""
    path = folder / "changed.json"
    path.write_text(json.dumps(card, indent=2), encoding="utf-8")
    try:
        check_file(path, today=TODAY)
    except CardError as error:
        for problem in error.problems:
            assert problem.file == str(path) and problem.line is not None, f"{about}: not placed: {problem}"
            assert holds(card, problem.pointer), f"{about}: points at nothing the card holds: {problem}"


# --- the five reported one-liners -------------------------------------------------------------------


@pytest.mark.parametrize("command", ["validate", "check"])
@pytest.mark.parametrize("card", ONE_LINERS, ids=lambda card: card.stem)
def test_a_reported_one_liner_is_refused_at_its_place(card: Path, command: str) -> None:
    ran = safetycase(command, card.name, cwd=card.parent)
    assert ran.returncode == 2, ran
    assert re.fullmatch(rf"{re.escape(card.name)}:\d+:\d+: expected .*, found .* \(at /[^ ]*\)\n", ran.stderr), ran


def test_a_batch_lists_each_one_liner_at_its_place_and_goes_on(tmp_path: Path) -> None:
    submissions = tmp_path / "submissions"
    for card in ONE_LINERS:
        (submissions / card.stem).mkdir(parents=True)
        shutil.copyfile(card, submissions / card.stem / "card.yaml")
    ran = safetycase("batch", submissions, "--out", tmp_path / "out", "--format", "json")
    assert ran.returncode == 1, ran  # cards that could not be checked fail the gate
    rows = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))["cards"]
    assert len(rows) == len(ONE_LINERS)
    for row in rows:
        assert row["status"] == "error", row
        assert re.match(rf"{re.escape(row['card'])}:\d+:\d+: expected ", row["error"]), row


# --- every place, every other type -------------------------------------------------------------------


def first_of_each_location() -> Iterator[tuple[str, Place]]:
    seen: set[Place] = set()
    for name, data in EXAMPLE_DATA.items():
        for path in places(data):
            if location(path) not in seen:
                seen.add(location(path))
                yield name, path


@pytest.mark.parametrize(("example", "path"), list(first_of_each_location()), ids=str)
def test_every_schema_location_takes_every_other_type(workspace: Path, example: str, path: Place) -> None:
    data = EXAMPLE_DATA[example]
    value: Any = data
    for key in path:
        value = value[key]
    for kind in other_types(value):
        changed = replaced(data, path, OF_EACH_TYPE[kind])
        assert_checked_or_placed(workspace / example, changed, f"{example} {path} as {kind}")


@pytest.mark.slow
@pytest.mark.parametrize("example", sorted(EXAMPLE_DATA))
def test_every_place_takes_every_other_type(workspace: Path, example: str) -> None:
    data = EXAMPLE_DATA[example]
    for path in places(data):
        value: Any = data
        for key in path:
            value = value[key]
        for kind in other_types(value):
            assert_checked_or_placed(workspace / example, replaced(data, path, OF_EACH_TYPE[kind]), f"{path} as {kind}")


# --- the property, through the command line ---------------------------------------------------------

KEYS = st.sampled_from(["id", "n", "count", "context", "evidence", "configuration", "configurations", "arms", "x-a"])
SCALARS = {
    "null": st.none(),
    "boolean": st.booleans(),
    "number": st.integers() | st.floats(allow_nan=False, allow_infinity=False),
    "string": st.text(max_size=12),
}
VALUES = st.recursive(
    st.one_of(*SCALARS.values()),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS | st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)
"""Any JSON value the loader can produce, nested a little, under keys the checks read."""
OF_TYPE = SCALARS | {
    "list": st.lists(VALUES, max_size=3),
    "mapping": st.dictionaries(KEYS | st.text(max_size=5), VALUES, max_size=3),
}
"""A value of each JSON type, by its name as json_type gives it."""


@st.composite
def retyped_examples(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    """An example with one to three of its values replaced by a value of another type."""
    name = draw(st.sampled_from(sorted(EXAMPLE_DATA)))
    card = copy.deepcopy(EXAMPLE_DATA[name])
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(list(places(card))))
        parent: Any = card
        for key in path[:-1]:
            parent = parent[key]
        kind = draw(st.sampled_from([kind for kind in OF_TYPE if kind != json_type(parent[path[-1]])]))
        parent[path[-1]] = draw(OF_TYPE[kind])
    return name, card


@pytest.mark.slow
@bounded(2)
@given(retyped_examples(), st.sampled_from([".json", ".yaml"]))
def test_a_retyped_example_is_checked_or_refused_cleanly(
    workspace: Path, retyped: tuple[str, dict[str, Any]], suffix: str
) -> None:
    """JSON text is YAML too: a `.yaml` name reads the same card through the YAML loader."""
    name, card = retyped
    path = workspace / name / f"retyped{suffix}"
    path.write_text(json.dumps(card, indent=2), encoding="utf-8")
    out = workspace / "report.json"
    try:
        for args in (["validate", path], ["check", path, "--format", "json", "-o", out]):
            ran = safetycase(*args)
            said = ran.stdout + ran.stderr
            assert ran.returncode in (0, 1, 2), said
            assert "Traceback" not in said
            event(f"{args[0]}: exit {ran.returncode}")
            if ran.returncode == 2:
                for problem in ran.stderr.splitlines():
                    assert re.match(rf"{re.escape(str(path))}:\d+(:\d+)?: ", problem), f"no file and line: {problem}"
    finally:
        path.unlink()
        out.unlink(missing_ok=True)
