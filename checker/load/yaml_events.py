"""Reading YAML: PyYAML's event stream, typed by the YAML 1.2 core schema, with every limit enforced."""

from __future__ import annotations

import re
import typing
from dataclasses import dataclass, field
from typing import Any, Literal

import yaml

from checker.load.limits import Limits
from checker.load.place import Fail, Position, escape, paths_too_long
from checker.load.text import characters, clip, finite, whole_number

YamlParser = Literal["fast", "pure"]
"""Which YAML parser reads the events: libyaml's ("fast", the pure one re-reading invalid YAML so
that messages are PyYAML's) or the pure one alone. None chooses libyaml's when PyYAML has it."""

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
    value = characters(event.value)
    tag = event.tag
    if tag is not None and tag != "!":
        if tag not in _ALLOWED_TAGS:
            raise Fail(
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
            raise Fail(f"'{clip(value)}' is not a valid !!{kind}")  # placed by the caller
        return finite(typing.cast(float, resolved), value) if kind == "float" else resolved
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
        return whole_number(value, 10, digits)
    if _INT8.match(value):
        return whole_number(value[2:], 8, digits)
    if _INT16.match(value):
        return whole_number(value[2:], 16, digits)
    if _FLOAT.match(value) and value not in (".", "+.", "-."):
        return finite(float(value), value)
    if _SPECIAL_FLOAT.match(value):
        raise Fail(f"'{value}' is not a finite number; cards hold finite numbers only")
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


def read_yaml(
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
        except Fail as fail:
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
            raise Fail(paths_too_long(limits.path_characters), position.line, position.column)
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
                raise Fail("a mapping key must be a plain value, not a list or mapping", position.line, position.column)
            key = (
                value if isinstance(value, str) else event.value if isinstance(event, yaml.ScalarEvent) else str(value)
            )
            if key in parent.container:
                first = parent.key_line[key]
                raise Fail(
                    f"duplicate key '{key}' (first on line {first})",
                    position.line,
                    position.column,
                    f"{parent.pointer}/{escape(key)}",
                )
            parent.key, parent.key_position = key, position
            parent.key_line[key] = position.line
            key_positions[counted(f"{parent.pointer}/{escape(key)}", position)] = position
            return
        pointer = counted(f"{parent.pointer}/{escape(parent.key)}", position)
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
        return f"{parent.pointer}/{escape(parent.key)}" if parent.key is not None else parent.pointer

    try:
        for event in yaml.parse(text, Loader=loader):
            if isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    raise Fail("a card is one YAML document; found a second one ('---')", *_mark(event, line_offset))
                if event.version is not None and event.version != (1, 2):
                    raise Fail("only YAML 1.2 is accepted (remove the %YAML directive)", *_mark(event, line_offset))
                continue
            if isinstance(event, yaml.StreamStartEvent | yaml.StreamEndEvent | yaml.DocumentEndEvent):
                continue
            total_nodes += 1
            if total_nodes > limits.nodes:
                raise Fail(f"too many values (the limit is {limits.nodes:,})", *_mark(event, line_offset))
            if isinstance(event, yaml.AliasEvent):
                aliases += 1
                if aliases > limits.aliases:
                    raise Fail(f"too many aliases (the limit is {limits.aliases})", *_mark(event, line_offset))
                if event.anchor not in anchors:
                    raise Fail(f"alias '*{event.anchor}' names no anchor defined before it", *_mark(event, line_offset))
                value, nodes = anchors[event.anchor]
                total_nodes += nodes
                if total_nodes > limits.nodes:
                    raise Fail(
                        f"aliases expand to more than {limits.nodes:,} values (an alias bomb?)",
                        *_mark(event, line_offset),
                    )
                place(value, nodes, at(event), event, isinstance(value, dict | list))
            elif isinstance(event, yaml.ScalarEvent):
                try:
                    value = _scalar(event, limits.digits)
                except Fail as fail:
                    line, column = _mark(event, line_offset)
                    raise Fail(fail.message, fail.line or line, fail.column or column, pointer_for_child()) from None
                if event.anchor:
                    anchors[event.anchor] = (value, 1)
                place(value, 1, at(event), event, False)
            elif isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent):
                if len(stack) >= limits.depth:
                    raise Fail(f"nested too deeply (the limit is {limits.depth} levels)", *_mark(event, line_offset))
                tag = event.tag
                expected = "seq" if isinstance(event, yaml.SequenceStartEvent) else "map"
                if tag not in (None, "!", f"{_YAML_TAG}{expected}"):
                    raise Fail(
                        f"YAML tag '{_short(tag)}' is not allowed in a card",
                        *_mark(event, line_offset),
                        pointer_for_child(),
                    )
                container: dict[str, Any] | list[Any] = [] if expected == "seq" else {}
                if stack and isinstance(stack[-1].container, dict) and stack[-1].key is None:
                    raise Fail("a mapping key must be a plain value, not a list or mapping", *_mark(event, line_offset))
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
        raise Fail(
            f"invalid YAML: {' '.join(str(problem).split())}",
            mark.line + 1 + line_offset if mark else None,
            mark.column + 1 if mark else None,
        ) from None
    except yaml.reader.ReaderError as error:  # a character YAML does not allow: placed by its index in the text
        where = min(error.position, len(text))
        breaks = list(_YAML_LINE_BREAK.finditer(text, 0, where))  # YAML's line breaks, as PyYAML's marks count them
        character = error.character if isinstance(error.character, int) else ord(str(error.character)[:1] or "\0")
        raise Fail(
            f"invalid YAML: the character U+{character:04X} is not allowed in YAML text",
            len(breaks) + 1 + line_offset,
            where - (breaks[-1].end() if breaks else 0) + 1,
        ) from None
    except yaml.YAMLError as error:
        raise Fail(f"invalid YAML: {' '.join(str(error).split())}") from None
    return root, positions
