"""Loading a card file (YAML, JSON, or Markdown with YAML front matter) into plain data and the place of each value.

Whatever the input, within the limits (limits.py) and without recursion, only CardError leaves this package."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checker.load.files import CardSyntax, FileIdentity, FileRead, format_of, read_regular
from checker.load.json_tokens import read_json
from checker.load.limits import DEFAULT_LIMITS, Limits
from checker.load.place import Fail, Position
from checker.load.text import FrontMatter, decode, front_matter, is_blank
from checker.load.tree import TreeBuilder
from checker.load.yaml_events import YamlParser, read_yaml
from checker.problems import CardError, Problem

__all__ = [
    "DEFAULT_LIMITS",
    "CardSyntax",
    "FileIdentity",
    "FileRead",
    "FrontMatter",
    "Limits",
    "LoadedCard",
    "Parsed",
    "Position",
    "YamlParser",
    "decode_text",
    "load_card",
    "parse_card",
    "parse_front_matter",
    "read_regular",
    "split_front_matter",
]


@dataclass(frozen=True)
class LoadedCard:
    """A parsed card: its data, where each value sits in the file, and its hash."""

    path: Path
    sha256: str
    format: CardSyntax
    data: dict[str, Any]
    positions: dict[str, Position] = field(repr=False)
    """JSON pointer -> position of the value (or of its key, for mappings and lists)."""
    key_positions: dict[str, Position] = field(repr=False, default_factory=dict)
    """JSON pointer of a mapping member -> position of its key."""
    narrative: str = ""
    """The Markdown body after the front matter (Markdown cards only)."""

    def locate_key(self, pointer: str) -> Position | None:
        """The position of the key of `pointer` (for errors about the key itself)."""
        return self.key_positions.get(pointer) or self.locate(pointer)

    def locate(self, pointer: str) -> Position | None:
        """The position of `pointer`, or of its nearest ancestor that exists in the file."""
        return locate(self.positions, pointer)


def locate(positions: dict[str, Position], pointer: str) -> Position | None:
    """The position of `pointer` among `positions`, or of its nearest ancestor there (a missing key's mapping)."""
    while True:
        if pointer in positions:
            return positions[pointer]
        if not pointer:
            return None
        pointer = pointer.rsplit("/", 1)[0]


def load_card(
    path: str | Path,
    *,
    limits: Limits = DEFAULT_LIMITS,
    yaml_parser: YamlParser | None = None,
    raw: bytes | None = None,
) -> LoadedCard:
    """Read and parse a card file. Raises CardError (with file, place and problem) on bad input.

    `raw` is the file's content when the caller has read it already (with read_regular, so
    within the limits): batch reads each card once, so that what it hashes is what is checked.
    """
    path = Path(path)
    name = str(path)
    if raw is None:
        raw = read_regular(path, what="card", limits=limits).raw
    fmt = format_of(path, raw)
    parsed = parse_card(raw, name, fmt, limits=limits, yaml_parser=yaml_parser)
    return LoadedCard(
        path=path,
        sha256=hashlib.sha256(raw).hexdigest(),
        format=parsed.format,
        data=parsed.data,
        positions=parsed.positions,
        key_positions=parsed.key_positions,
        narrative=parsed.narrative,
    )


@dataclass(frozen=True)
class Parsed:
    """A document's data with the position of every value and key."""

    data: dict[str, Any]
    positions: dict[str, Position]
    key_positions: dict[str, Position]
    narrative: str
    format: CardSyntax


def parse_card(
    raw: bytes, name: str, fmt: CardSyntax, *, limits: Limits = DEFAULT_LIMITS, yaml_parser: YamlParser | None = None
) -> Parsed:
    """Parse a card's (or profile's) bytes; CardError on any problem."""
    with _card_errors(name, limits):
        text = decode(raw)
        if is_blank(text):
            raise Fail("the file is empty", 1, 1)
        if fmt == "markdown":
            front = front_matter(text)
            if front is None:
                raise Fail("a Markdown card must start with YAML front matter: a first line '---'", 1, 1)
            return parse_front_matter(front, name, limits=limits, yaml_parser=yaml_parser)
        tree = read_json(text, limits) if fmt == "json" else read_yaml(text, limits, yaml_parser, line_offset=0)
    return _parsed(tree, name, "", fmt)


def decode_text(raw: bytes, name: str) -> str:
    """The text of a file's bytes (UTF-8, a leading byte-order mark dropped); CardError if they are not UTF-8 text.

    An empty text is returned as it is: only a card must hold something.
    """
    with _card_errors(name, DEFAULT_LIMITS):
        return decode(raw)


def split_front_matter(text: str, name: str) -> FrontMatter | None:
    """The YAML front matter of a Markdown text whose first line is '---' (else None); CardError if never closed."""
    with _card_errors(name, DEFAULT_LIMITS):
        return front_matter(text)


def parse_front_matter(
    front: FrontMatter, name: str, *, limits: Limits = DEFAULT_LIMITS, yaml_parser: YamlParser | None = None
) -> Parsed:
    """A Markdown card's front matter read as its data, the body after it kept as its narrative; CardError on any problem."""
    with _card_errors(name, limits):
        tree = read_yaml(front.yaml, limits, yaml_parser, line_offset=front.line_offset)
    return _parsed(tree, name, front.body, "markdown")


@contextmanager
def _card_errors(name: str, limits: Limits) -> Iterator[None]:
    """A problem found inside the package, raised as the CardError that names the file."""
    try:
        yield
    except Fail as fail:
        raise CardError(
            [Problem(file=name, message=fail.message, line=fail.line, column=fail.column, pointer=fail.pointer)]
        ) from None
    except RecursionError:  # defensive: neither reader recurses, but a crash must never escape
        message = f"nested too deeply (the limit is {limits.depth} levels)"
        raise CardError([Problem(file=name, message=message)]) from None


def _parsed(tree: TreeBuilder, name: str, narrative: str, fmt: CardSyntax) -> Parsed:
    """The tree as a card's data; CardError when it is not a mapping."""
    data = tree.root
    if not isinstance(data, dict):
        kind = "empty" if data is None else f"a {_kind(data)}"
        raise CardError(
            [Problem(file=name, line=1, column=1, message=f"the card must be a mapping of keys, but it is {kind}")]
        )
    return Parsed(data, tree.positions, tree.key_positions, narrative, fmt)


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return "list"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    return "string"
