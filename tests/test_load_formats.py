"""The same data, written as YAML and as JSON, meets each limit of the loader alike.

Both formats feed one tree builder (checker/load/tree.py). Under the same small Limits a card is
read in both or refused in both, each limit at the same value; at a limit it is read and one past
it refused. What counts is the data (its values, and their pointers), never how its format writes
it. Only where a value is placed differs (tree.Dialect). Places are found in the text itself, not
from the loader's positions.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
import yaml

from checker.load import DEFAULT_LIMITS, CardSyntax, Limits, Position, YamlParser, load_card, parse_card
from checker.problems import CardError, Problem

FORMATS: tuple[CardSyntax, ...] = ("yaml", "json", "markdown")


@pytest.fixture(params=["fast", "pure"])
def yaml_parser(request: pytest.FixtureRequest) -> YamlParser:
    """YAML (and Markdown front matter) is read by libyaml's event parser and by the pure one."""
    parser: YamlParser = request.param
    return parser


def read(text: str, fmt: CardSyntax, limits: Limits, yaml_parser: YamlParser) -> Problem | None:
    """The one problem refusing `text`, or None when it is read."""
    try:
        parse_card(text.encode("utf-8"), "card", fmt, limits=limits, yaml_parser=yaml_parser)
    except CardError as error:
        (problem,) = error.problems
        return problem
    return None


def place(text: str, token: str, occurrence: int = 1) -> tuple[int, int]:
    """(line, column) of the start of the `occurrence`-th `token` in `text`, 1-based."""
    index = -1
    for _ in range(occurrence):
        index = text.index(token, index + 1)
    return text.count("\n", 0, index) + 1, index - (text.rfind("\n", 0, index) + 1) + 1


def front_matter(yaml_text: str) -> str:
    return "---\n" + yaml_text + "---\n# Narrative\n"


def where(problem: Problem | None) -> tuple[int, int]:
    assert problem is not None and problem.line is not None and problem.column is not None
    return problem.line, problem.column


# --- depth --------------------------------------------------------------------------------------


@pytest.mark.parametrize("limit", [2, 3, 6])
@pytest.mark.parametrize("past", [0, 1], ids=["at the limit", "one past"])
def test_depth_is_refused_one_level_past_the_limit_at_the_same_list(
    limit: int, past: int, yaml_parser: YamlParser
) -> None:
    lists = limit + past - 1  # the card's mapping is the first level
    texts = {
        "json": '{"x": ' + "[" * lists + "1" + "]" * lists + "}",
        "yaml": "x:\n  " + "- " * lists + "1\n",
    }
    texts["markdown"] = front_matter(texts["yaml"])
    limits = Limits(depth=limit)
    problems = {fmt: read(texts[fmt], fmt, limits, yaml_parser) for fmt in FORMATS}
    if not past:
        assert problems == {"yaml": None, "json": None, "markdown": None}
        return
    # The list one level past the limit is the limit-th list under x: its bracket, or its dash.
    expected = {
        "json": place(texts["json"], "[", limit),
        "yaml": place(texts["yaml"], "- ", limit),
        "markdown": place(texts["markdown"], "- ", limit),
    }
    for fmt, problem in problems.items():
        assert problem is not None and problem.message == f"nested too deeply (the limit is {limit} levels)", fmt
        assert where(problem) == expected[fmt], fmt


def random_data(rng: random.Random, depth: int = 0) -> Any:
    """A random card-like value: mappings and lists (at most 6 deep) of short strings, numbers, booleans, nulls."""
    kind = rng.randrange(6 if depth < 6 else 4)
    if kind == 0:
        return rng.choice(["", "a", "b/c", "t~1", "no", "1", "é"])
    if kind == 1:
        return rng.randrange(-1000, 1000)
    if kind == 2:
        return rng.choice([True, False])
    if kind == 3:
        return None
    if kind == 4:
        return [random_data(rng, depth + 1) for _ in range(rng.randrange(4))]
    return {
        rng.choice(["k", "a/b", "~", "x-y", "é"]) + str(i): random_data(rng, depth + 1) for i in range(rng.randrange(4))
    }


def texts_of(data: dict[str, Any], rng: random.Random) -> dict[CardSyntax, str]:
    yaml_text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=rng.choice([False, None]))
    return {
        "yaml": yaml_text,
        "json": json.dumps(data, indent=rng.choice([None, 2]), ensure_ascii=rng.choice([True, False])),
        "markdown": front_matter(yaml_text),
    }


def depth_of(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max(map(depth_of, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(depth_of, value), default=0)
    return 0


def pointer_characters(value: Any, pointer: str = "") -> int:
    """The pointer budget the card spends, worked out from the data: every value's pointer once,
    and a mapping member's once more, for its key."""
    if isinstance(value, dict):
        members = [(f"{pointer}/{key.replace('~', '~0').replace('/', '~1')}", item) for key, item in value.items()]
        return sum(2 * len(child) + pointer_characters(item, child) for child, item in members)
    if isinstance(value, list):
        members = [(f"{pointer}/{i}", item) for i, item in enumerate(value)]
        return sum(len(child) + pointer_characters(item, child) for child, item in members)
    return 0


def test_random_cards_are_read_or_refused_alike_at_every_depth_and_pointer_budget(yaml_parser: YamlParser) -> None:
    rng = random.Random(12)
    for _ in range(60):
        data = {"schema_version": "1.0", "x": random_data(rng)}
        texts = texts_of(data, rng)
        assert {fmt: parse_card(text.encode(), "card", fmt).data for fmt, text in texts.items()} == dict.fromkeys(
            FORMATS, data
        )
        depth, budget = depth_of(data), pointer_characters(data)
        for limits, is_read in [
            *((Limits(depth=d), depth <= d) for d in range(max(depth - 2, 0), depth + 1)),
            *((Limits(path_characters=b), budget <= b) for b in {0, budget // 2, max(budget - 1, 0), budget}),
        ]:
            problems = {fmt: read(texts[fmt], fmt, limits, yaml_parser) for fmt in FORMATS}
            if is_read:
                assert problems == dict.fromkeys(FORMATS), (limits, texts["yaml"])
            else:
                messages = {p.message if p else None for p in problems.values()}
                assert len(messages) == 1 and None not in messages, (limits, problems, texts["yaml"])


# --- the pointer budget -------------------------------------------------------------------------

BUDGET_CARD = {"k": [1, [2]], "m": 3}
BUDGET_TEXTS: dict[CardSyntax, str] = {"yaml": "k:\n  - 1\n  - - 2\nm: 3\n", "json": '{"k": [1, [2]], "m": 3}'}
BUDGET_PLACES: dict[CardSyntax, dict[tuple[int, int], str]] = {
    # Where each value (and each member's key) starts in each text, read off the text by hand.
    "yaml": {(1, 1): "/k", (2, 3): "/k", (2, 5): "/k/0", (3, 5): "/k/1", (3, 7): "/k/1/0", (4, 1): "/m", (4, 4): "/m"},
    "json": {
        (1, 2): "/k",
        (1, 7): "/k",
        (1, 8): "/k/0",
        (1, 11): "/k/1",
        (1, 12): "/k/1/0",
        (1, 17): "/m",
        (1, 22): "/m",
    },
}


def test_the_budget_card_spends_what_the_rule_says() -> None:
    # /k twice (value and key), /k/0, /k/1, /k/1/0, /m twice: 4 + 4 + 4 + 6 + 4.
    assert pointer_characters(BUDGET_CARD) == 22
    assert json.loads(BUDGET_TEXTS["json"]) == yaml.safe_load(BUDGET_TEXTS["yaml"]) == BUDGET_CARD


@pytest.mark.parametrize("budget", range(24))
def test_the_pointer_budget_reads_or_refuses_the_same_card_alike(budget: int, yaml_parser: YamlParser) -> None:
    limits = Limits(path_characters=budget)
    problems = {fmt: read(text, fmt, limits, yaml_parser) for fmt, text in BUDGET_TEXTS.items()}
    if budget >= 22:
        assert problems == {"yaml": None, "json": None}
    else:
        expected = f"the paths to the card's values pass {budget:,} characters in all (too many values under long keys)"
        assert {fmt: p.message if p else None for fmt, p in problems.items()} == {"yaml": expected, "json": expected}
        for fmt, problem in problems.items():
            assert where(problem) in BUDGET_PLACES[fmt], fmt  # at a value or key of the card


def test_the_pointer_budget_refuses_the_same_card_at_the_same_value(yaml_parser: YamlParser) -> None:
    for budget in range(22):
        limits = Limits(path_characters=budget)
        refused_at = {
            fmt: BUDGET_PLACES[fmt][where(read(text, fmt, limits, yaml_parser))] for fmt, text in BUDGET_TEXTS.items()
        }
        assert refused_at["yaml"] == refused_at["json"], budget


# --- duplicate keys -----------------------------------------------------------------------------

DUPLICATES = {
    "at the top": ("/a", "a", "a: 1\nb: 2\na: 3\n", '{\n  "a": 1,\n  "b": 2,\n  "a": 3\n}'),
    "in a list's mapping": (
        "/x/1/k",
        "k",
        "x:\n  - k0: 1\n  - k: 2\n    j: 0\n    k: 3\n",
        '{"x": [\n  {"k0": 1},\n  {"k": 2,\n   "j": 0,\n   "k": 3}\n]}',
    ),
    "a key holding / and ~": (
        "/m/a~1b~0c",
        "a/b~c",
        "m:\n  a/b~c: [1]\n  d: 2\n  a/b~c: {}\n",
        '{"m": {"a/b~c": [1], "d": 2, "a/b~c": {}}}',
    ),
}


@pytest.mark.parametrize("case", DUPLICATES)
def test_a_duplicate_key_is_refused_at_the_same_pointer(case: str, yaml_parser: YamlParser) -> None:
    pointer, key, yaml_text, json_text = DUPLICATES[case]
    texts: dict[CardSyntax, str] = {"yaml": yaml_text, "json": json_text, "markdown": front_matter(yaml_text)}
    token = {"yaml": f"{key}:", "json": f'"{key}":', "markdown": f"{key}:"}
    for fmt, text in texts.items():
        problem = read(text, fmt, DEFAULT_LIMITS, yaml_parser)
        first, second = place(text, token[fmt], 1), place(text, token[fmt], 2)
        assert problem is not None and problem.message == f"duplicate key '{key}' (first on line {first[0]})", fmt
        assert problem.pointer == pointer and where(problem) == second, fmt


# --- whole numbers ------------------------------------------------------------------------------


@pytest.mark.parametrize("digits", [1, 3, 20])
@pytest.mark.parametrize("past", [0, 1], ids=["at the limit", "one past"])
@pytest.mark.parametrize("sign", ["", "-"])
def test_a_whole_number_one_digit_past_the_limit_is_refused_at_the_same_value(
    digits: int, past: int, sign: str, yaml_parser: YamlParser
) -> None:
    number = sign + "9" * (digits + past)
    texts: dict[CardSyntax, str] = {"yaml": f"x:\n  - 0\n  - {number}\n", "json": f'{{"x": [0, {number}]}}'}
    texts["markdown"] = front_matter(texts["yaml"])
    for fmt, text in texts.items():
        problem = read(text, fmt, Limits(digits=digits), yaml_parser)
        if not past:
            assert problem is None, fmt
            continue
        assert problem is not None and problem.message == f"number too long (more than {digits:,} digits)", fmt
        assert problem.pointer == "/x/1" and where(problem) == place(text, number), fmt


# --- nodes --------------------------------------------------------------------------------------

NODES_TEXTS: dict[CardSyntax, str] = {"yaml": "x: [0, 1, 2]\ny: {z: 3}\n", "json": '{"x": [0, 1, 2], "y": {"z": 3}}'}
NODES_TEXTS["markdown"] = front_matter(NODES_TEXTS["yaml"])
NODES = 7
"""The card's values: the mapping, the list and its 3 items, the inner mapping and its item (keys are not values)."""


def value_places(fmt: CardSyntax) -> list[tuple[int, int]]:
    """Where each of the card's values starts, in order (a YAML block mapping starts at its first key)."""
    text = NODES_TEXTS[fmt]
    root = place(text, "{") if fmt == "json" else place(text, "x:")
    inner = place(text, "{", 2 if fmt == "json" else 1)
    return [root, place(text, "["), place(text, "0"), place(text, "1"), place(text, "2"), inner, place(text, "3")]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("past", [0, 1], ids=["at the limit", "one past"])
def test_the_node_limit_reads_a_card_at_it_and_refuses_one_past(
    fmt: CardSyntax, past: int, yaml_parser: YamlParser
) -> None:
    limit = NODES - past
    text = NODES_TEXTS[fmt]
    problem = read(text, fmt, Limits(nodes=limit), yaml_parser)
    if not past:
        assert problem is None
        return
    assert problem is not None and problem.message == f"too many values (the limit is {limit:,})"
    assert where(problem) == place(text, "3")  # the last value


def test_the_node_limit_refuses_the_same_card_at_the_same_value(yaml_parser: YamlParser) -> None:
    for limit in range(NODES):
        for fmt, text in NODES_TEXTS.items():
            problem = read(text, fmt, Limits(nodes=limit), yaml_parser)
            assert problem is not None and problem.message == f"too many values (the limit is {limit:,})", fmt
            assert where(problem) == value_places(fmt)[limit], (fmt, limit)  # the value one past the limit


# --- positions -----------------------------------------------------------------------------------


def test_a_member_that_is_a_mapping_or_list_sits_at_its_key_in_yaml_and_at_its_bracket_in_json(
    yaml_parser: YamlParser,
) -> None:
    # tree.Dialect.collections_at_key; a scalar sits at its value and a key at itself in both.
    texts: dict[CardSyntax, str] = {"yaml": "a:\n  - 1\nb: {c: 2}\n", "json": '{"a": [1], "b": {"c": 2}}'}
    cards = {fmt: parse_card(text.encode(), "card", fmt, yaml_parser=yaml_parser) for fmt, text in texts.items()}
    yaml_text, json_text = texts["yaml"], texts["json"]
    assert cards["yaml"].positions["/a"] == Position(*place(yaml_text, "a:"))
    assert cards["yaml"].positions["/b"] == Position(*place(yaml_text, "b:"))
    assert cards["json"].positions["/a"] == Position(*place(json_text, "["))
    assert cards["json"].positions["/b"] == Position(*place(json_text, "{", 2))
    for fmt, text in texts.items():
        card = cards[fmt]
        assert card.positions["/a/0"] == Position(*place(text, "1")), fmt
        assert card.positions["/b/c"] == Position(*place(text, "2")), fmt
        key = {"yaml": "{}:", "json": '"{}":'}[fmt]
        assert {k: (v.line, v.column) for k, v in card.key_positions.items()} == {
            "/a": place(text, key.format("a")),
            "/b": place(text, key.format("b")),
            "/b/c": place(text, key.format("c")),
        }, fmt


# --- YAML's own limits, and the file's size ------------------------------------------------------


@pytest.mark.parametrize("past", [0, 1], ids=["at the limit", "one past"])
def test_aliases_at_the_limit_are_read_and_one_more_refused(past: int, yaml_parser: YamlParser) -> None:
    text = "a: &x 1\nb: [" + ", ".join(["*x"] * (3 + past)) + "]\n"
    problem = read(text, "yaml", Limits(aliases=3), yaml_parser)
    if not past:
        assert problem is None
    else:
        assert problem is not None and problem.message == "too many aliases (the limit is 3)"
        assert where(problem) == place(text, "*x", 4)


def test_what_an_alias_expands_to_counts_against_the_node_limit(yaml_parser: YamlParser) -> None:
    # 5 values up to the alias (the mapping, the list and its 3 items); the alias expands to the list
    # again, 4 values: 9 in all, as many as the same data written out in full.
    text = "a: &x [1, 2, 3]\nb: *x\n"
    written_out = '{"a": [1, 2, 3], "b": [1, 2, 3]}'
    assert read(text, "yaml", Limits(nodes=9), yaml_parser) is None
    assert read(written_out, "json", Limits(nodes=9), yaml_parser) is None
    expands = read(text, "yaml", Limits(nodes=8), yaml_parser)
    assert expands is not None and expands.message == "aliases expand to more than 8 values (an alias bomb?)"
    assert where(expands) == place(text, "*x")
    assert read(written_out, "json", Limits(nodes=8), yaml_parser) is not None


@pytest.mark.parametrize("past", [0, 1], ids=["at the limit", "one past"])
def test_a_file_at_the_size_limit_is_read_and_one_byte_more_refused(tmp_path: Path, past: int) -> None:
    text = 'schema_version: "1.0"\n'
    path = tmp_path / "card.yaml"
    path.write_text(text + "#" * past, encoding="utf-8")
    limits = Limits(file_bytes=len(text.encode()))
    if not past:
        assert load_card(path, limits=limits).data == {"schema_version": "1.0"}
        return
    with pytest.raises(CardError) as caught:
        load_card(path, limits=limits)
    assert str(caught.value) == f"{path}: file is {len(text) + 1} bytes; the limit is {len(text)} bytes"
