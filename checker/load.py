"""Loading: a card file (YAML, JSON, or Markdown with YAML front matter) into plain data.

Cards come from outside, so every limit is enforced before it can hurt: the file size, the
nesting depth, the number of aliases and the number of values they expand to. Both parsers are
iterative (no recursion: a 100,000-deep `[[[...` is an error, not a crash), duplicate keys are
errors, and YAML scalars are typed by the YAML 1.2 core schema (`no` is a string, dates stay
strings). Every value's line and column are kept, so later errors can point into the file.

Whatever the input, the only exception that leaves this module is `CardError`.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import json.decoder
import math
import os
import re
import stat
import typing
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml

from checker.problems import CardError, Problem

Format = Literal["yaml", "json", "markdown"]
YamlParser = Literal["fast", "pure"]
"""Which YAML parser reads the events: libyaml's ("fast", the pure one re-reading invalid YAML so
that messages are PyYAML's) or the pure one alone. None chooses libyaml's when PyYAML has it."""


@dataclass(frozen=True, kw_only=True)
class Limits:
    """How much of a card is read: each bound refuses a hostile file before it can hurt."""

    file_bytes: int = 10 * 1024 * 1024
    """Largest card file read, in bytes. Real cards are tens of kilobytes."""
    depth: int = 64
    """Deepest nesting of mappings and lists. The format itself needs six levels."""
    aliases: int = 100
    """Most YAML aliases (`*name`) in one card."""
    nodes: int = 1_000_000
    """Most values in the loaded data, counting every expansion of every alias."""
    path_characters: int = 64 * 1024 * 1024
    """Most characters in the JSON pointers of all the card's values together. Every value's place
    is kept under its pointer, which repeats the keys above it: without this bound, a 1 MiB key
    above 600 values would take 600 MiB, and a 10 MiB card could ask for terabytes."""
    digits: int = 4_300
    """Most decimal digits in a whole number. Python refuses to turn a longer integer into text or
    back (`sys.get_int_max_str_digits`), so a longer one could be neither read nor shown."""


DEFAULT_LIMITS = Limits()
"""The limits every command reads cards and profiles under."""
MAX_BYTES = DEFAULT_LIMITS.file_bytes
MAX_DEPTH = DEFAULT_LIMITS.depth
MAX_ALIASES = DEFAULT_LIMITS.aliases
MAX_NODES = DEFAULT_LIMITS.nodes
MAX_PATH_CHARACTERS = DEFAULT_LIMITS.path_characters
MAX_DIGITS = DEFAULT_LIMITS.digits


@lru_cache
def _too_long(digits: int) -> int:
    """The smallest whole number with more than `digits` digits (for hex and octal literals)."""
    smallest: int = 10**digits
    return smallest


def _number_too_long(digits: int) -> str:
    return f"number too long (more than {digits:,} digits)"


def _paths_too_long(limit: int) -> str:
    return f"the paths to the card's values pass {limit:,} characters in all (too many values under long keys)"


_SURROGATE = re.compile("[\ud800-\udfff]")

_SUFFIXES: dict[str, Format] = {
    ".yaml": "yaml",
    ".yml": "yaml",
    ".json": "json",
    ".md": "markdown",
    ".markdown": "markdown",
}


@dataclass(frozen=True)
class Position:
    """1-based line and column of a value in its file."""

    line: int
    column: int


@dataclass(frozen=True)
class LoadedCard:
    """A parsed card: its data, where each value sits in the file, and its hash."""

    path: Path
    sha256: str
    format: Format
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
        while True:
            if pointer in self.positions:
                return self.positions[pointer]
            if not pointer:
                return None
            pointer = pointer.rsplit("/", 1)[0]


class _Fail(Exception):
    """Internal: one problem at one place; turned into CardError at the module boundary."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None, pointer: str = "") -> None:
        super().__init__(message)
        self.message, self.line, self.column, self.pointer = message, line, column, pointer


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def read_regular_file(
    path: Path, *, what: str, missing: str = "no such file", limits: Limits = DEFAULT_LIMITS
) -> bytes:
    """The bytes of a regular file of at most `limits.file_bytes`, or CardError naming the file and why not.

    Folders, devices, pipes and sockets are refused before anything is opened (a FIFO would
    block, /dev/zero would never end); the size is checked before reading and again after, for a
    file that grows meanwhile. `what` names the file in messages ("card", "profile").
    """
    name = str(path)
    try:
        info = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        raise CardError([Problem(file=name, message=missing)]) from None
    except OSError as error:
        raise CardError([Problem(file=name, message=f"cannot read: {error.strerror or error}")]) from None
    if stat.S_ISDIR(info.st_mode):
        raise CardError([Problem(file=name, message=f"is a folder, not a {what} file")])
    if not stat.S_ISREG(info.st_mode):
        raise CardError([Problem(file=name, message="is not a regular file (device, pipe or socket); refused")])
    limit = limits.file_bytes
    if info.st_size > limit:
        raise CardError([Problem(file=name, message=_too_large(info.st_size, limit))])
    try:
        with open(path, "rb") as handle:
            raw = handle.read(limit + 1)
    except OSError as error:
        raise CardError([Problem(file=name, message=f"cannot read: {error.strerror or error}")]) from None
    if len(raw) > limit:
        raise CardError([Problem(file=name, message=f"file is larger than the limit of {_size(limit)}")])
    return raw


def load_card(
    path: str | Path, *, limits: Limits = DEFAULT_LIMITS, yaml_parser: YamlParser | None = None
) -> LoadedCard:
    """Read and parse a card file. Raises CardError (with file, place and problem) on bad input."""
    path = Path(path)
    name = str(path)
    raw = read_regular_file(path, what="card", limits=limits)
    fmt = _SUFFIXES.get(path.suffix.lower()) or _sniff(raw)
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


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MiB" if n >= 1024 * 1024 else f"{n} bytes"


def _too_large(size: int, limit: int) -> str:
    """'file is 11.0 MiB; the limit is 10.0 MiB', in bytes when rounding would show the two alike."""
    shown, most = _size(size), _size(limit)
    if shown == most:
        shown, most = f"{size:,} bytes", f"{limit:,} bytes"
    return f"file is {shown}; the limit is {most}"


def _sniff(raw: bytes) -> Format:
    head = raw.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    return "json" if head in (b"{", b"[") else "yaml"


@dataclass(frozen=True)
class Parsed:
    """A document's data with the position of every value and key."""

    data: dict[str, Any]
    positions: dict[str, Position]
    key_positions: dict[str, Position]
    narrative: str
    format: Format


def parse_card(
    raw: bytes, name: str, fmt: Format, *, limits: Limits = DEFAULT_LIMITS, yaml_parser: YamlParser | None = None
) -> Parsed:
    """Parse a card's (or profile's) bytes; CardError on any problem."""
    key_positions: dict[str, Position] = {}
    try:
        text = _decode(raw)
        narrative = ""
        if fmt == "markdown":
            front, offset, narrative = _front_matter(text)
            data, positions = _parse_yaml(front, limits, yaml_parser, line_offset=offset, key_positions=key_positions)
        elif fmt == "json":
            data, positions = _parse_json(text, limits, key_positions=key_positions)
        else:
            data, positions = _parse_yaml(text, limits, yaml_parser, line_offset=0, key_positions=key_positions)
    except _Fail as fail:
        raise CardError(
            [Problem(file=name, message=fail.message, line=fail.line, column=fail.column, pointer=fail.pointer)]
        ) from None
    except RecursionError:  # defensive: neither parser recurses, but a crash must never escape
        message = f"nested too deeply (the limit is {limits.depth} levels)"
        raise CardError([Problem(file=name, message=message)]) from None
    if not isinstance(data, dict):
        kind = "empty" if data is None else f"a {_kind(data)}"
        raise CardError(
            [Problem(file=name, line=1, column=1, message=f"the card must be a mapping of keys, but it is {kind}")]
        )
    return Parsed(data, positions, key_positions, narrative, fmt)


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return "list"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    return "string"


def _decode(raw: bytes) -> str:
    # UTF-32's little-endian mark begins with UTF-16's (FF FE): it is looked for first.
    for mark, encoding in (
        (b"\xff\xfe\x00\x00", "UTF-32"),
        (b"\x00\x00\xfe\xff", "UTF-32"),
        (b"\xff\xfe", "UTF-16"),
        (b"\xfe\xff", "UTF-16"),
    ):
        if raw.startswith(mark):
            raise _Fail(f"{encoding} text (it starts with a {encoding} byte-order mark); the file must be UTF-8", 1)
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if not raw.strip():
        raise _Fail("the file is empty", 1, 1)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise _Fail(f"not UTF-8 text (invalid byte 0x{raw[error.start]:02x}; is this a binary file?)", line) from None
    nul = text.find("\x00")
    if nul >= 0:
        raise _Fail("not a text file (it contains NUL bytes)", text.count("\n", 0, nul) + 1)
    return text


def _characters(text: str) -> str:
    """`text` with escaped surrogate pairs joined into characters; _Fail on a lone surrogate.

    UTF-8 input cannot hold surrogates, but the escapes `\\ud800` (JSON, double-quoted YAML) can.
    JSON's scanner joins a pair and PyYAML does not; YAML 1.2 reads JSON, so both join here.
    A lone surrogate is not a character: it cannot be written as UTF-8, so any report quoting
    it would fail half-way.
    """
    if not _SURROGATE.search(text):
        return text
    joined = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")
    lone = _SURROGATE.search(joined)
    if lone:
        raise _Fail(f"text holds a lone surrogate \\u{ord(lone.group()):04x}, which is not a character")
    return joined


def _whole_number(literal: str, base: int, digits: int) -> int:
    """The integer a literal spells, refused (not crashed on) when it has more than `digits` digits."""
    if base == 10 and len(literal.lstrip("+-")) > digits:  # checked before int(), which would raise
        raise _Fail(_number_too_long(digits))
    number = int(literal, base)
    if abs(number) >= _too_long(digits):  # hex and octal convert at any length; printing would then fail
        raise _Fail(_number_too_long(digits))
    return number


def _finite(number: float | int, literal: str) -> float:
    """`number` as a finite float; _Fail when the literal is beyond the float range."""
    try:
        value = float(number)
    except OverflowError:  # a huge integer under !!float
        value = math.inf
    if not math.isfinite(value):
        # Overflow makes inf silently; inf passes the schema as a number, then breaks the JSON report.
        raise _Fail(f"'{_clip(literal)}' is too large to be a finite number; cards hold finite numbers only")
    return value


def _clip(literal: str, limit: int = 40) -> str:
    return literal if len(literal) <= limit else literal[: limit - 1] + "…"


def _front_matter(text: str) -> tuple[str, int, str]:
    """(front matter, lines before it, body) of a Markdown card."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip("\r\n") != "---":
        raise _Fail("a Markdown card must start with YAML front matter: a first line '---'", 1, 1)
    for i in range(1, len(lines)):
        if lines[i].rstrip("\r\n") in ("---", "..."):
            return "".join(lines[1:i]), 1, "".join(lines[i + 1 :])
    raise _Fail("the front matter opened on line 1 is never closed with a line '---'", 1, 1)


# --- YAML -------------------------------------------------------------------------------------

_YAML_TAG = "tag:yaml.org,2002:"
_YAML_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
_ALLOWED_TAGS = {f"{_YAML_TAG}{t}" for t in ("str", "int", "float", "bool", "null", "map", "seq")}
# YAML 1.2 core schema (https://yaml.org/spec/1.2.2/#1032-tag-resolution).
_NULL = re.compile(r"(?:~|null|Null|NULL|)\Z")
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT10 = re.compile(r"[-+]?[0-9]+\Z")
_INT8 = re.compile(r"0o[0-7]+\Z")
_INT16 = re.compile(r"0x[0-9a-fA-F]+\Z")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z")
_SPECIAL_FLOAT = re.compile(r"[-+]?\.(?:inf|Inf|INF)\Z|\.(?:nan|NaN|NAN)\Z")


def _scalar(event: yaml.ScalarEvent, digits: int) -> Any:
    value = _characters(event.value)
    tag = event.tag
    if tag is not None and tag != "!":
        if tag not in _ALLOWED_TAGS:
            raise _Fail(
                f"YAML tag '{_short(tag)}' is not allowed in a card"
            )  # placed by the caller, with the line offset
        kind = tag.removeprefix(_YAML_TAG)
        if kind == "str":
            return value
        resolved: Any = _plain(value, digits)
        expected: dict[str, tuple[type, ...]] = {
            "int": (int,),
            "float": (int, float),
            "bool": (bool,),
            "null": (type(None),),
        }
        allowed = expected.get(kind)
        if allowed is None or not isinstance(resolved, allowed) or (kind == "int" and isinstance(resolved, bool)):
            raise _Fail(f"'{_clip(value)}' is not a valid !!{kind}")  # placed by the caller
        return _finite(typing.cast(float, resolved), value) if kind == "float" else resolved
    if event.style or tag == "!":  # quoted or block scalars are strings (libyaml marks plain ones "", PyYAML None)
        return value
    return _plain(value, digits)


def _short(tag: str) -> str:
    return "!!" + tag.removeprefix(_YAML_TAG) if tag.startswith(_YAML_TAG) else tag


_CANNOT_RESOLVE = frozenset("abcdeghijklmopqrsuvwxyzABCDEGHIJKLMOPQRSUVWXYZ_/'\"")
"""First characters of plain scalars that only a string starts with ('n', 't', 'f' and their capitals begin null, true, false)."""


def _plain(value: str, digits: int) -> Any:
    if value and value[0] in _CANNOT_RESOLVE:  # most plain scalars in a card are words: no pattern to try
        return value
    if _NULL.match(value):
        return None
    if value in _BOOL:
        return _BOOL[value]
    if _INT10.match(value):
        return _whole_number(value, 10, digits)
    if _INT8.match(value):
        return _whole_number(value[2:], 8, digits)
    if _INT16.match(value):
        return _whole_number(value[2:], 16, digits)
    if _FLOAT.match(value) and value not in (".", "+.", "-."):
        return _finite(float(value), value)
    if _SPECIAL_FLOAT.match(value):
        raise _Fail(f"'{value}' is not a finite number; cards hold finite numbers only")
    return value


def _mark(event: yaml.Event, line_offset: int = 0) -> tuple[int, int]:
    mark = event.start_mark
    if mark is None:  # PyYAML always sets it; the type allows None
        return 1 + line_offset, 1
    return mark.line + 1 + line_offset, mark.column + 1


@dataclass
class _Frame:
    container: dict[str, Any] | list[Any]
    pointer: str
    anchor: str | None
    nodes: int = 1
    key: str | None = None
    key_position: Position | None = None
    key_line: dict[str, int] = field(default_factory=dict)


_FAST_LOADER: type[Any] | None = getattr(yaml, "CSafeLoader", None)
"""libyaml's parser, when PyYAML was built with it: the same events, several times faster."""


def _parse_yaml(
    text: str, limits: Limits, parser: YamlParser | None, *, line_offset: int, key_positions: dict[str, Position]
) -> tuple[Any, dict[str, Position]]:
    """Build data from the YAML event stream, iteratively, enforcing every limit as it goes.

    Events come from libyaml when it is there. Only its event parser is used, never its
    composer (which recurses in C and crashes on deep nesting, PITFALLS.md): the events are
    consumed one at a time here, and nesting stops at `limits.depth`. When libyaml finds the YAML
    invalid, the pure parser reads it again, so that every message is PyYAML's, whichever
    parser is installed.
    """
    if parser is None:
        parser = "pure" if _FAST_LOADER is None else "fast"
    if parser == "fast":
        if _FAST_LOADER is None:
            raise ValueError("libyaml's parser was asked for, but this PyYAML was built without it")
        positions: dict[str, Position] = {}
        try:
            result = _parse_yaml_events(text, _FAST_LOADER, limits, line_offset=line_offset, key_positions=positions)
        except _Fail as fail:
            if not fail.message.startswith("invalid YAML"):
                raise
        except (yaml.YAMLError, ValueError):  # a string libyaml cannot take (it encodes it as UTF-8)
            pass
        else:
            key_positions.update(positions)
            return result
    return _parse_yaml_events(text, yaml.SafeLoader, limits, line_offset=line_offset, key_positions=key_positions)


def _parse_yaml_events(
    text: str, loader: type[Any], limits: Limits, *, line_offset: int, key_positions: dict[str, Position]
) -> tuple[Any, dict[str, Position]]:
    positions: dict[str, Position] = {}
    anchors: dict[str, tuple[Any, int]] = {}  # anchor -> (value, expanded node count)
    stack: list[_Frame] = []
    root: Any = None
    documents = 0
    aliases = 0
    total_nodes = 0
    path_characters = 0

    def counted(pointer: str, position: Position) -> str:
        nonlocal path_characters
        path_characters += len(pointer)
        if path_characters > limits.path_characters:
            raise _Fail(_paths_too_long(limits.path_characters), position.line, position.column)
        return pointer

    def at(event: yaml.Event) -> Position:
        line, column = _mark(event, line_offset)
        return Position(line, column)

    def place(value: Any, nodes: int, position: Position, event: yaml.Event, collection: bool) -> None:
        """Put a finished value into its parent (or make it the root)."""
        nonlocal root
        if not stack:
            root = value
            positions.setdefault("", position)
            return
        parent = stack[-1]
        parent.nodes += nodes
        if isinstance(parent.container, list):
            pointer = counted(f"{parent.pointer}/{len(parent.container)}", position)
            parent.container.append(value)
            positions[pointer] = position
            return
        if parent.key is None:  # this value is a key
            if collection:
                raise _Fail(
                    "a mapping key must be a plain value, not a list or mapping", position.line, position.column
                )
            key = (
                value if isinstance(value, str) else event.value if isinstance(event, yaml.ScalarEvent) else str(value)
            )
            if key in parent.container:
                first = parent.key_line[key]
                raise _Fail(
                    f"duplicate key '{key}' (first on line {first})",
                    position.line,
                    position.column,
                    f"{parent.pointer}/{_escape(key)}",
                )
            parent.key, parent.key_position = key, position
            parent.key_line[key] = position.line
            key_positions[counted(f"{parent.pointer}/{_escape(key)}", position)] = position
            return
        pointer = counted(f"{parent.pointer}/{_escape(parent.key)}", position)
        parent.container[parent.key] = value
        # Collections are placed at their key (the line a reader looks at); scalars at the value.
        positions[pointer] = parent.key_position if collection and parent.key_position else position
        parent.key = None

    def pointer_for_child() -> str:
        if not stack:
            return ""
        parent = stack[-1]
        if isinstance(parent.container, list):
            return f"{parent.pointer}/{len(parent.container)}"
        return f"{parent.pointer}/{_escape(parent.key)}" if parent.key is not None else parent.pointer

    try:
        for event in yaml.parse(text, Loader=loader):
            if isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    raise _Fail("a card is one YAML document; found a second one ('---')", *_mark(event, line_offset))
                if event.version is not None and event.version != (1, 2):
                    raise _Fail("only YAML 1.2 is accepted (remove the %YAML directive)", *_mark(event, line_offset))
                continue
            if isinstance(event, yaml.StreamStartEvent | yaml.StreamEndEvent | yaml.DocumentEndEvent):
                continue
            total_nodes += 1
            if total_nodes > limits.nodes:
                raise _Fail(f"too many values (the limit is {limits.nodes:,})", *_mark(event, line_offset))
            if isinstance(event, yaml.AliasEvent):
                aliases += 1
                if aliases > limits.aliases:
                    raise _Fail(f"too many aliases (the limit is {limits.aliases})", *_mark(event, line_offset))
                if event.anchor not in anchors:
                    raise _Fail(
                        f"alias '*{event.anchor}' names no anchor defined before it", *_mark(event, line_offset)
                    )
                value, nodes = anchors[event.anchor]
                total_nodes += nodes
                if total_nodes > limits.nodes:
                    raise _Fail(
                        f"aliases expand to more than {limits.nodes:,} values (an alias bomb?)",
                        *_mark(event, line_offset),
                    )
                place(value, nodes, at(event), event, isinstance(value, dict | list))
            elif isinstance(event, yaml.ScalarEvent):
                try:
                    value = _scalar(event, limits.digits)
                except _Fail as fail:
                    line, column = _mark(event, line_offset)
                    raise _Fail(fail.message, fail.line or line, fail.column or column, pointer_for_child()) from None
                if event.anchor:
                    anchors[event.anchor] = (value, 1)
                place(value, 1, at(event), event, False)
            elif isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent):
                if len(stack) >= limits.depth:
                    raise _Fail(f"nested too deeply (the limit is {limits.depth} levels)", *_mark(event, line_offset))
                tag = event.tag
                expected = "seq" if isinstance(event, yaml.SequenceStartEvent) else "map"
                if tag not in (None, "!", f"{_YAML_TAG}{expected}"):
                    raise _Fail(
                        f"YAML tag '{_short(tag)}' is not allowed in a card",
                        *_mark(event, line_offset),
                        pointer_for_child(),
                    )
                container: dict[str, Any] | list[Any] = [] if expected == "seq" else {}
                if stack and isinstance(stack[-1].container, dict) and stack[-1].key is None:
                    raise _Fail(
                        "a mapping key must be a plain value, not a list or mapping", *_mark(event, line_offset)
                    )
                pointer = pointer_for_child()
                positions[pointer] = at(event)
                stack.append(_Frame(container, pointer, event.anchor))
            elif isinstance(event, yaml.SequenceEndEvent | yaml.MappingEndEvent):
                frame = stack.pop()
                if frame.anchor:
                    anchors[frame.anchor] = (frame.container, frame.nodes)
                start = positions.get(frame.pointer) or at(event)
                place(frame.container, frame.nodes, start, event, True)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = error.problem or error.context or "invalid YAML"
        raise _Fail(
            f"invalid YAML: {' '.join(str(problem).split())}",
            mark.line + 1 + line_offset if mark else None,
            mark.column + 1 if mark else None,
        ) from None
    except yaml.reader.ReaderError as error:  # a character YAML does not allow: placed by its index in the text
        where = min(error.position, len(text))
        breaks = list(_YAML_LINE_BREAK.finditer(text, 0, where))  # YAML's line breaks, as PyYAML's marks count them
        character = error.character if isinstance(error.character, int) else ord(str(error.character)[:1] or "\0")
        raise _Fail(
            f"invalid YAML: the character U+{character:04X} is not allowed in YAML text",
            len(breaks) + 1 + line_offset,
            where - (breaks[-1].end() if breaks else 0) + 1,
        ) from None
    except yaml.YAMLError as error:
        raise _Fail(f"invalid YAML: {' '.join(str(error).split())}") from None
    return root, positions


# --- JSON -------------------------------------------------------------------------------------

_WS = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?")
_LITERALS = {"true": True, "false": False, "null": None}
_WORD = re.compile(r"[A-Za-z]+")


def _parse_json(text: str, limits: Limits, *, key_positions: dict[str, Position]) -> tuple[Any, dict[str, Position]]:
    """An iterative JSON (RFC 8259) parser that keeps positions and enforces the limits.

    Strings are decoded by the standard library's own scanner and numbers matched by its
    grammar, so values are exactly what `json.loads` gives; what this adds is no recursion,
    duplicate-key and NaN rejection, and a position for every value.
    """
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def position(index: int) -> Position:
        line = bisect.bisect_right(line_starts, index)
        return Position(line, index - line_starts[line - 1] + 1)

    def fail(message: str, index: int, pointer: str = "") -> _Fail:
        where = position(min(index, len(text)))
        return _Fail(f"invalid JSON: {message}", where.line, where.column, pointer)

    positions: dict[str, Position] = {}
    # Each frame: [container, pointer, pending key, key_line map]
    stack: list[tuple[dict[str, Any] | list[Any], str, list[Any]]] = []
    nodes = 0
    path_characters = 0
    i = _skip(text, 0)
    root: Any = None
    have_root = False

    while True:
        # Expect a value at i.
        if i >= len(text):
            raise fail("unexpected end of file", i)
        pointer = ""
        if stack:
            container, parent_pointer, state = stack[-1]
            pointer = (
                f"{parent_pointer}/{len(container)}"
                if isinstance(container, list)
                else f"{parent_pointer}/{_escape(state[0])}"
            )
        nodes += 1
        if nodes > limits.nodes:
            raise fail(f"too many values (the limit is {limits.nodes:,})", i)
        here = position(i)
        # Kept for the value and, in a mapping, for its key too: counted as the YAML parser counts them.
        path_characters += len(pointer) * (2 if stack and isinstance(stack[-1][0], dict) else 1)
        if path_characters > limits.path_characters:
            raise _Fail(_paths_too_long(limits.path_characters), here.line, here.column)
        char = text[i]
        value: Any
        opened = False
        if char in "{[":
            if len(stack) >= limits.depth:
                raise _Fail(f"nested too deeply (the limit is {limits.depth} levels)", here.line, here.column)
            value = {} if char == "{" else []
            opened = True
            i += 1
        elif char == '"':
            value, i = _json_string(text, i, fail, position, pointer)
        elif char == "-" or char.isdigit():
            match = _NUMBER.match(text, i)
            if not match and text.startswith("-Infinity", i):
                raise fail("-Infinity is not a JSON number", i, pointer)
            if not match:
                raise fail("malformed number", i)
            literal = match.group(0)
            if match.group(1) or match.group(2):
                value = float(literal)
            elif len(literal.lstrip("-")) > limits.digits:  # int() would raise ValueError
                raise _Fail(_number_too_long(limits.digits), here.line, here.column, pointer)
            else:
                value = int(literal)
            if isinstance(value, float) and not math.isfinite(value):
                raise fail(f"number {_clip(literal)} is out of range", i, pointer)
            i = match.end()
        else:
            word = _WORD.match(text, i)  # at i, not on text[i:]: a copy of the rest for each word is quadratic
            if word and word.group(0) in _LITERALS:
                value = _LITERALS[word.group(0)]
                i += len(word.group(0))
            elif word and word.group(0) in ("NaN", "Infinity"):
                raise fail(f"{word.group(0)} is not a JSON number", i, pointer)
            else:
                raise fail(f"expected a value, found {_show(text, i)}", i)
        positions[pointer] = here
        if opened:
            stack.append((value, pointer, [None, {}]))
            i = _skip(text, i)
            closer = "}" if char == "{" else "]"
            if i < len(text) and text[i] == closer:
                i += 1
                stack.pop()
                # fall through to attach the empty container below
            elif char == "{":
                i = _json_key(text, i, stack[-1], position, fail, key_positions)
                continue
            else:
                continue
        # Attach the finished value, then close as many containers as end here.
        while True:
            if not stack:
                root, have_root = value, True
                break
            container, parent_pointer, state = stack[-1]
            if isinstance(container, list):
                container.append(value)
            else:
                container[state[0]] = value
            i = _skip(text, i)
            if i >= len(text):
                raise fail("unexpected end of file (a '}' or ']' is missing)", i)
            closer = "]" if isinstance(container, list) else "}"
            if text[i] == ",":
                i = _skip(text, i + 1)
                if isinstance(container, dict):
                    i = _json_key(text, i, stack[-1], position, fail, key_positions)
                break
            if text[i] == closer:
                i += 1
                stack.pop()
                value = container
                continue
            raise fail(f"expected ',' or '{closer}', found {_show(text, i)}", i)
        if have_root:
            break
    i = _skip(text, i)
    if i < len(text):
        raise fail(f"unexpected {_show(text, i)} after the end of the document", i)
    return root, positions


def _json_key(
    text: str, i: int, frame: tuple[Any, str, list[Any]], position: Any, fail: Any, key_positions: dict[str, Position]
) -> int:
    """Read `"key" :` at i into the frame; return the index of the value that follows."""
    container, pointer, state = frame
    if i >= len(text) or text[i] != '"':
        raise fail(f"expected a key in double quotes, found {_show(text, i)}", i)
    start = i
    key, i = _json_string(text, i, fail, position, pointer)
    if key in container:
        first = state[1][key]
        raise fail(f"duplicate key '{key}' (first on line {first})", start, f"{pointer}/{_escape(key)}")
    state[0] = key
    state[1][key] = position(start).line
    key_positions[f"{pointer}/{_escape(key)}"] = position(start)
    i = _skip(text, i)
    if i >= len(text) or text[i] != ":":
        raise fail(f"expected ':' after the key '{key}', found {_show(text, i)}", i)
    return _skip(text, i + 1)


def _skip(text: str, i: int) -> int:
    """The index of the first non-whitespace character at or after i."""
    return _WS.match(text, i).end()  # type: ignore[union-attr]  # the pattern matches the empty string


def _json_string(text: str, i: int, fail: Any, position: Any, pointer: str) -> tuple[str, int]:
    """The string starting at i and the index after it; `pointer` places a problem inside it."""
    try:
        value, end = json.decoder.scanstring(text, i + 1, True)  # type: ignore[attr-defined]
    except json.JSONDecodeError as error:
        raise fail(error.msg.lower(), error.pos) from None
    try:
        return _characters(value), end
    except _Fail as problem:  # valid JSON syntax, but not text: placed without "invalid JSON"
        where = position(i)
        raise _Fail(problem.message, where.line, where.column, pointer) from None


def _show(text: str, i: int) -> str:
    if i >= len(text):
        return "the end of the file"
    char = text[i]
    return repr(char) if char.isprintable() else f"character U+{ord(char):04X}"
