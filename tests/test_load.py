"""Loading: formats, YAML 1.2 typing, positions, and every limit on hostile input."""

from __future__ import annotations

import codecs
import json
import random
from pathlib import Path

import pytest
import yaml

from checker.load import (
    DEFAULT_LIMITS,
    Limits,
    Position,
    YamlParser,
    load_card,
    parse_card,
    read_regular,
)
from checker.problems import CardError


@pytest.fixture(params=["fast", "pure"])
def yaml_parser(request: pytest.FixtureRequest) -> YamlParser:
    """Every test that reads YAML runs with libyaml's event parser and with the pure one: they must agree."""
    if request.param == "fast":
        assert hasattr(yaml, "CSafeLoader"), "PyYAML without libyaml: cards load several times slower"
    parser: YamlParser = request.param
    return parser


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def only_problem(path: Path, yaml_parser: YamlParser | None = None) -> str:
    with pytest.raises(CardError) as caught:
        load_card(path, yaml_parser=yaml_parser)
    assert len(caught.value.problems) == 1
    return str(caught.value.problems[0])


def test_yaml_12_typing_keeps_no_and_dates_as_strings(tmp_path: Path, yaml_parser: YamlParser) -> None:
    path = write(
        tmp_path,
        "c.yaml",
        "a: no\nb: 2024-01-31\nc: 012\nd: 1:30\ne: 0x1F\nf: .5\ng: ~\nh: 'yes'\ni: True\nj: 1e3\nk: off\n",
    )
    data = load_card(path, yaml_parser=yaml_parser).data
    assert data == {
        "a": "no",
        "b": "2024-01-31",
        "c": 12,
        "d": "1:30",
        "e": 31,
        "f": 0.5,
        "g": None,
        "h": "yes",
        "i": True,
        "j": 1000.0,
        "k": "off",
    }


def test_quoted_and_block_scalars_are_strings(tmp_path: Path, yaml_parser: YamlParser) -> None:
    path = write(tmp_path, "c.yaml", 'a: "12"\nb: |\n  true\nc: !!str 5\nd: !!float 3\n')
    assert load_card(path, yaml_parser=yaml_parser).data == {"a": "12", "b": "true\n", "c": "5", "d": 3.0}


def test_positions_point_at_values_and_keys(tmp_path: Path, yaml_parser: YamlParser) -> None:
    path = write(tmp_path, "c.yaml", "top:\n  name: x\n  list:\n    - {n: 5}\n    - 7\n")
    card = load_card(path, yaml_parser=yaml_parser)
    assert card.positions["/top/name"] == Position(2, 9)
    assert card.positions["/top/list"] == Position(3, 3)  # a collection sits at its key
    assert card.positions["/top/list/0/n"] == Position(4, 11)
    assert card.positions["/top/list/1"] == Position(5, 7)
    assert card.locate("/top/list/0/missing") == Position(4, 7)  # nearest existing ancestor


def test_json_matches_the_standard_library_and_has_positions(tmp_path: Path) -> None:
    rng = random.Random(7)

    def value(depth: int) -> object:
        kind = rng.randrange(7 if depth < 5 else 5)
        return [
            lambda: rng.randrange(-(10**6), 10**6),
            lambda: rng.random() * 10 ** rng.randrange(-5, 5),
            lambda: "".join(rng.choice('ab"\\/\n\té€😀') for _ in range(rng.randrange(6))),
            lambda: rng.choice([True, False, None]),
            lambda: "plain",
            lambda: {f"k{i}\u00e9/~": value(depth + 1) for i in range(rng.randrange(4))},
            lambda: [value(depth + 1) for _ in range(rng.randrange(4))],
        ][kind]()

    for i in range(200):
        document = {"root": value(0)}
        text = json.dumps(document, indent=rng.choice([None, 2]), ensure_ascii=rng.choice([True, False]))
        path = write(tmp_path, f"c{i}.json", text)
        assert load_card(path).data == json.loads(text)
    card = load_card(write(tmp_path, "p.json", '{\n  "a": {\n    "b/c": [1, "x"]\n  }\n}'))
    assert card.positions["/a/b~1c/1"] == Position(3, 16)


def test_markdown_front_matter_and_body(tmp_path: Path, yaml_parser: YamlParser) -> None:
    path = write(tmp_path, "card.md", "---\nname: x\nn: 3\n---\n# Narrative\n\nText.\n")
    card = load_card(path, yaml_parser=yaml_parser)
    assert card.format == "markdown"
    assert card.data == {"name": "x", "n": 3}
    assert card.narrative == "# Narrative\n\nText.\n"
    assert card.positions["/n"] == Position(3, 4)  # lines count from the top of the file


def test_utf8_bom_is_accepted_and_hash_is_of_the_bytes(tmp_path: Path, yaml_parser: YamlParser) -> None:
    import hashlib

    raw = b"\xef\xbb\xbfa: 1\n"
    card = load_card(write(tmp_path, "c.yaml", raw), yaml_parser=yaml_parser)
    assert card.data == {"a": 1}
    assert card.sha256 == hashlib.sha256(raw).hexdigest()


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("dup.yaml", "a: 1\nb: 2\na: 3\n", "dup.yaml:3:1: duplicate key 'a' (first on line 1)"),
        ("dup.json", '{"a": 1,\n "a": 2}', "dup.json:2:2: duplicate key 'a' (first on line 1)"),
        ("nested-dup.yaml", "x:\n  - {k: 1, k: 2}\n", "nested-dup.yaml:2:12: duplicate key 'k'"),
        ("bad.yaml", "a: [1, 2\nb: 3\n", "bad.yaml:2:2: invalid YAML"),
        ("bad.json", '{"a": 1,, }', "bad.json:1:9: invalid JSON: expected a key in double quotes"),
        ("trailing.json", '{"a": [1,]}', "trailing.json:1:10: invalid JSON: expected a value"),
        ("nan.json", '{"a": NaN}', "nan.json:1:7: invalid JSON: NaN is not a JSON number"),
        ("inf.yaml", "a: .inf\n", "inf.yaml:1:4: '.inf' is not a finite number"),
        ("empty.yaml", "", "empty.yaml:1:1: the file is empty"),
        ("blank.json", " \n\n", "blank.json:1:1: the file is empty"),
        ("list.yaml", "- 1\n", "list.yaml:1:1: the card must be a mapping of keys, but it is a list"),
        ("scalar.json", '"x"', "scalar.json:1:1: the card must be a mapping of keys, but it is a string"),
        (
            "tag.yaml",
            "a: !!python/object:os.system x\n",
            "tag.yaml:1:4: YAML tag '!!python/object:os.system' is not allowed",
        ),
        ("local-tag.yaml", "a: !secret x\n", "local-tag.yaml:1:4: YAML tag '!secret' is not allowed"),
        ("two.yaml", "a: 1\n---\nb: 2\n", "two.yaml:2:1: a card is one YAML document"),
        ("v11.yaml", "%YAML 1.1\n---\na: no\n", "v11.yaml:1:1: only YAML 1.2 is accepted"),
        ("alias.yaml", "a: *nowhere\n", "alias.yaml:1:4: alias '*nowhere' names no anchor defined before it"),
        ("key.yaml", "? [1, 2]\n: x\n", "key.yaml:1:3: a mapping key must be a plain value"),
        ("open.md", "---\na: 1\n", "open.md:1:1: the front matter opened on line 1 is never closed"),
        ("nofront.md", "# Card\n", "nofront.md:1:1: a Markdown card must start with YAML front matter"),
        ("extra.json", '{"a": 1} x', "extra.json:1:10: invalid JSON: unexpected 'x' after the end"),
        ("nul.yaml", b"a: 1\n\x00\n", "nul.yaml:2: not a text file (it contains NUL bytes)"),
    ],
)
def test_malformed_input_is_one_clear_problem(
    tmp_path: Path, yaml_parser: YamlParser, name: str, content: str | bytes, expected: str
) -> None:
    message = only_problem(write(tmp_path, name, content), yaml_parser)
    assert message.startswith(str(tmp_path / expected.split(":")[0]) + ":")
    assert str(tmp_path / expected) in message or (str(tmp_path) + "/" + expected) in message


def test_binary_garbage(tmp_path: Path, yaml_parser: YamlParser) -> None:
    message = only_problem(write(tmp_path, "card.yaml", bytes(range(256)) * 16), yaml_parser)
    assert "not UTF-8 text" in message and "binary" in message


@pytest.mark.parametrize("name", ["deep.yaml", "deep.json"])
def test_nesting_100000_deep_is_refused_early(tmp_path: Path, yaml_parser: YamlParser, name: str) -> None:
    message = only_problem(write(tmp_path, name, "[" * 100_000 + "]" * 100_000), yaml_parser)
    assert f"1:{DEFAULT_LIMITS.depth + 1}: nested too deeply (the limit is {DEFAULT_LIMITS.depth} levels)" in message


def test_deep_block_yaml_is_refused(tmp_path: Path, yaml_parser: YamlParser) -> None:
    text = "".join("  " * i + "a:\n" for i in range(1_000))
    assert "nested too deeply" in only_problem(write(tmp_path, "deep.yaml", text), yaml_parser)


def test_depth_at_the_limit_is_accepted(tmp_path: Path, yaml_parser: YamlParser) -> None:
    text = "a: " + "[" * (DEFAULT_LIMITS.depth - 1) + "]" * (DEFAULT_LIMITS.depth - 1) + "\n"
    assert load_card(write(tmp_path, "ok.yaml", text), yaml_parser=yaml_parser).data["a"] is not None


def test_alias_bomb_is_refused(tmp_path: Path, yaml_parser: YamlParser) -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    message = only_problem(write(tmp_path, "bomb.yaml", "\n".join(lines) + "\n"), yaml_parser)
    assert "aliases expand to more than 1,000,000 values" in message


def test_too_many_aliases(tmp_path: Path, yaml_parser: YamlParser) -> None:
    text = "a: &x 1\nb: [" + ", ".join(["*x"] * (DEFAULT_LIMITS.aliases + 1)) + "]\n"
    assert f"too many aliases (the limit is {DEFAULT_LIMITS.aliases})" in only_problem(
        write(tmp_path, "many.yaml", text), yaml_parser
    )


def test_a_few_aliases_are_fine(tmp_path: Path, yaml_parser: YamlParser) -> None:
    card = load_card(write(tmp_path, "ok.yaml", "a: &x {k: 1}\nb: *x\n"), yaml_parser=yaml_parser)
    assert card.data == {"a": {"k": 1}, "b": {"k": 1}}


def test_file_over_the_size_limit_is_not_read(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    with open(path, "wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # sparse: 50 MiB on paper
    message = only_problem(path)
    assert "file is 50.0 MiB; the limit is 10.0 MiB" in message
    assert DEFAULT_LIMITS.file_bytes == 10 * 1024 * 1024


def test_a_file_just_over_the_size_limit_is_told_in_bytes(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    with open(path, "wb") as handle:
        handle.truncate(DEFAULT_LIMITS.file_bytes + 1)  # 10.0 MiB to one decimal, like the limit
    assert only_problem(path) == f"{path}: file is 10,485,761 bytes; the limit is 10,485,760 bytes"


def test_a_link_is_read_through_unless_links_are_refused(tmp_path: Path) -> None:
    card = write(tmp_path, "card.yaml", "schema_version: '1.0'\n")
    link = tmp_path / "link.yaml"
    link.symlink_to(card)
    assert read_regular(link, what="card").raw == card.read_bytes()
    with pytest.raises(CardError) as refused:
        read_regular(link, what="card", follow_links=False)
    assert str(refused.value.problems[0]) == f"{link}: is a symbolic link; refused, not followed"


@pytest.mark.parametrize(
    ("mark", "encoding", "name"),
    [
        (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16"),
        (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16"),
        (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32"),
        (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32"),
    ],
)
def test_utf16_and_utf32_are_named_as_such(tmp_path: Path, mark: bytes, encoding: str, name: str) -> None:
    path = write(tmp_path, "card.yaml", mark + "schema_version: '1.0'\n".encode(encoding))
    expected = f"{name} text (it starts with a {name} byte-order mark); the file must be UTF-8"
    assert only_problem(path) == f"{path}:1: {expected}"


def test_a_problem_quoting_control_characters_is_one_line_that_shows_them(tmp_path: Path) -> None:
    key = "x-\x1b]0;pwned\x07\r\x9b2J\u202egnp.exe\nFAKE: card.yaml:1:1: all clear"
    path = write(tmp_path, "card.json", f"{{{json.dumps(key)}: 1, {json.dumps(key)}: 2}}")
    message = only_problem(path)
    assert "\n" not in message and not any(c in message for c in "\x1b\x07\r\x9b\u202e")
    shown = "x-\\x1b]0;pwned\\x07\\r\\x9b2J\\u202egnp.exe\\nFAKE: card.yaml:1:1: all clear"
    assert f"duplicate key '{shown}'" in message and message.endswith(f"(at /{shown})")


def test_not_a_regular_file(tmp_path: Path) -> None:
    assert "is a folder" in only_problem(tmp_path)
    assert "is not a regular file" in only_problem(Path("/dev/zero"))
    assert "no such file" in only_problem(tmp_path / "missing.yaml")


def test_parse_card_never_raises_anything_but_card_error(yaml_parser: YamlParser) -> None:
    rng = random.Random(11)
    alphabet = b"{}[]:,-\"'!&*?|>%@`#\n \t\\abc01\x00\xff\xc3"
    for _ in range(2_000):
        raw = bytes(rng.choice(alphabet) for _ in range(rng.randrange(1, 40)))
        for fmt in ("yaml", "json", "markdown"):
            try:
                parse_card(raw, "fuzz", fmt, yaml_parser=yaml_parser)  # type: ignore[arg-type]
            except CardError as error:
                assert error.problems and all(p.file == "fuzz" for p in error.problems)


def test_a_tag_error_in_markdown_front_matter_is_placed_on_its_own_line(
    tmp_path: Path, yaml_parser: YamlParser
) -> None:
    path = write(tmp_path, "c.md", "---\nschema_version: '1.0'\nx: !!python/object:os.system a\n---\n# Notes\n")
    assert only_problem(path, yaml_parser).startswith(
        f"{path}:3:4: YAML tag '!!python/object:os.system' is not allowed"
    )


@pytest.mark.parametrize(
    ("name", "text", "place"),
    [
        ("card.yaml", 'schema_version: "1.0"\nsubmission: {organization: "Lab\x01 One"}\n', "2:32"),
        ("card.yaml", "a: 1\nb: \ufffe\n", "2:4"),
        ("card.md", '---\nschema_version: "1.0"\nname: "x\x08y"\n---\n# Narrative\n', "3:9"),
        ("card.yaml", 'schema_version: "1.0"\rsubmission:\r  a: "ab\x01c"\r', "3:9"),  # old Mac line ends
        ("card.yaml", 'schema_version: "1.0"\r\nsubmission:\r\n  a: "ab\x01c"\r\n', "3:9"),
    ],
)
def test_a_character_yaml_does_not_allow_is_placed(
    tmp_path: Path, yaml_parser: YamlParser, name: str, text: str, place: str
) -> None:
    # PyYAML's ReaderError gives an index into the YAML text, not a line: it once reached the user as
    # 'position 10 of "<unicode string>"'.
    path = write(tmp_path, name, text.encode("utf-8"))
    code = ord(next(c for c in text if c in "\x01\x08\ufffe"))
    assert (
        only_problem(path, yaml_parser)
        == f"{path}:{place}: invalid YAML: the character U+{code:04X} is not allowed in YAML text"
    )


@pytest.mark.parametrize("values", [300, 301])
def test_the_path_budget_counts_json_and_yaml_alike(tmp_path: Path, yaml_parser: YamlParser, values: int) -> None:
    # A list item's pointer is kept once, a mapping member's twice (for its key): the same card
    # in either format is refused at the same size, never one and not the other.
    # 300 items: 4,328 characters of pointers in all; 301 items: 4,340
    limits = Limits(path_characters=4_328)
    data = {"schema_version": "1.0", "x-items": list(range(values)), "x-map": {f"k{i}": i for i in range(40)}}
    as_json = write(tmp_path, "card.json", json.dumps(data).encode())
    as_yaml = write(
        tmp_path,
        "card.yaml",
        (
            "x-items: ["
            + ", ".join(map(str, range(values)))
            + "]\n"
            + "x-map: {"
            + ", ".join(f"k{i}: {i}" for i in range(40))
            + "}\nschema_version: '1.0'\n"
        ).encode(),
    )
    outcomes = []
    for path in (as_json, as_yaml):
        try:
            fmt = "json" if path.suffix == ".json" else "yaml"
            parse_card(path.read_bytes(), str(path), fmt, limits=limits, yaml_parser=yaml_parser)
            outcomes.append("read")
        except CardError as error:
            assert "the paths to the card's values pass" in str(error)
            outcomes.append("refused")
    assert outcomes[0] == outcomes[1]
    assert outcomes[0] == ("read" if values == 300 else "refused")
