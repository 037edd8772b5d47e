"""Reading YAML: PyYAML's event stream, typed by the YAML 1.2 core schema (tags, anchors and aliases
handled here), fed to the tree builder."""

from __future__ import annotations

import re
import typing
from typing import Any, Literal

import yaml
from yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    CollectionStartEvent,
    DocumentStartEvent,
    ScalarEvent,
    SequenceStartEvent,
)

from checker.load.limits import Limits
from checker.load.place import Fail, Position
from checker.load.text import characters, clip, finite, whole_number
from checker.load.tree import YAML, TreeBuilder

YamlParser = Literal["fast", "pure"]
"""Which YAML parser reads the events: libyaml's ("fast", the pure one re-reading invalid YAML so
that messages are PyYAML's) or the pure one alone. None chooses libyaml's when PyYAML has it."""

_YAML_TAG = "tag:yaml.org,2002:"
_YAML_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
_ALLOWED_TAGS = {f"{_YAML_TAG}{t}" for t in ("str", "int", "float", "bool", "null", "map", "seq")}
_SEQUENCE_TAGS = (None, "!", f"{_YAML_TAG}seq")
_MAPPING_TAGS = (None, "!", f"{_YAML_TAG}map")
# YAML 1.2 core schema (https://yaml.org/spec/1.2.2/#1032-tag-resolution).
_NULL = re.compile(r"(?:~|null|Null|NULL|)\Z")
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT10 = re.compile(r"[-+]?[0-9]+\Z")
_INT8 = re.compile(r"0o[0-7]+\Z")
_INT16 = re.compile(r"0x[0-9a-fA-F]+\Z")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z")
_SPECIAL_FLOAT = re.compile(r"[-+]?\.(?:inf|Inf|INF)\Z|\.(?:nan|NaN|NAN)\Z")


def _scalar(event: ScalarEvent, digits: int) -> Any:
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


def _mark(event: yaml.Event, line_offset: int) -> tuple[int, int]:
    mark = event.start_mark
    if mark is None:  # PyYAML always sets it; the type allows None
        return 1 + line_offset, 1
    return mark.line + 1 + line_offset, mark.column + 1


_FAST_LOADER: type[Any] | None = getattr(yaml, "CSafeLoader", None)
"""libyaml's parser, when PyYAML was built with it: the same events, several times faster."""


def read_yaml(text: str, limits: Limits, parser: YamlParser | None, *, line_offset: int) -> TreeBuilder:
    """The tree built from the YAML event stream, iteratively, every limit enforced as it goes.

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
        try:
            return _read_events(text, _FAST_LOADER, limits, line_offset)
        except Fail as fail:
            if not fail.message.startswith("invalid YAML"):
                raise
        except (yaml.YAMLError, ValueError):  # a string libyaml cannot take (it encodes it as UTF-8)
            pass
    return _read_events(text, yaml.SafeLoader, limits, line_offset)


def _read_events(text: str, loader: type[Any], limits: Limits, line_offset: int) -> TreeBuilder:
    tree = TreeBuilder(limits, YAML)
    anchors: dict[str, tuple[Any, int]] = {}  # anchor -> (value, expanded node count)
    open_anchors: list[str | None] = []  # the anchor of each mapping and list being built
    documents = 0
    aliases = 0
    try:
        # Most frequent first; what counts against the limits is the tree builder's to say.
        for event in yaml.parse(text, Loader=loader):
            if isinstance(event, ScalarEvent):
                line, column = _mark(event, line_offset)
                tree.begin(line, column)
                try:
                    value = _scalar(event, limits.digits)
                except Fail as fail:
                    raise Fail(fail.message, fail.line or line, fail.column or column, tree.pointer()) from None
                if event.anchor:
                    anchors[event.anchor] = (value, 1)
                tree.scalar(value, Position(line, column), event.value)
            elif isinstance(event, CollectionEndEvent):
                container, nodes = tree.close()
                anchor = open_anchors.pop()
                if anchor:
                    anchors[anchor] = (container, nodes)
            elif isinstance(event, CollectionStartEvent):
                line, column = _mark(event, line_offset)
                tree.begin(line, column)
                sequence = isinstance(event, SequenceStartEvent)
                tag = event.tag
                if tag not in (_SEQUENCE_TAGS if sequence else _MAPPING_TAGS):
                    tree.check_depth(line, column)  # too deep is told before a refused tag
                    raise Fail(f"YAML tag '{_short(tag)}' is not allowed in a card", line, column, tree.pointer())
                tree.open([] if sequence else {}, Position(line, column))
                open_anchors.append(event.anchor)
            elif isinstance(event, AliasEvent):
                aliases += 1
                _alias(event, aliases, anchors, tree, limits, line_offset)
            elif isinstance(event, DocumentStartEvent):
                documents += 1
                _document(event, documents, line_offset)
    except yaml.YAMLError as error:
        raise _invalid(error, text, line_offset) from None
    return tree


def _alias(
    event: AliasEvent,
    count: int,
    anchors: dict[str, tuple[Any, int]],
    tree: TreeBuilder,
    limits: Limits,
    line_offset: int,
) -> None:
    """The `count`-th alias of the card: its anchored value again, every value it expands to counted."""
    line, column = _mark(event, line_offset)
    if count > limits.aliases:
        raise Fail(f"too many aliases (the limit is {limits.aliases})", line, column)
    if event.anchor not in anchors:
        raise Fail(f"alias '*{event.anchor}' names no anchor defined before it", line, column)
    value, nodes = anchors[event.anchor]
    tree.alias(value, nodes, Position(line, column))


def _document(event: DocumentStartEvent, count: int, line_offset: int) -> None:
    """Fail unless this, the `count`-th document of the stream, is the first, in YAML 1.2."""
    if count > 1:
        raise Fail("a card is one YAML document; found a second one ('---')", *_mark(event, line_offset))
    if event.version is not None and event.version != (1, 2):
        raise Fail("only YAML 1.2 is accepted (remove the %YAML directive)", *_mark(event, line_offset))


def _invalid(error: yaml.YAMLError, text: str, line_offset: int) -> Fail:
    """PyYAML's error as a located problem, in one line."""
    if isinstance(error, yaml.MarkedYAMLError):
        mark = error.problem_mark or error.context_mark
        problem = error.problem or error.context or "invalid YAML"
        return Fail(
            f"invalid YAML: {' '.join(str(problem).split())}",
            mark.line + 1 + line_offset if mark else None,
            mark.column + 1 if mark else None,
        )
    if isinstance(error, yaml.reader.ReaderError):  # a character YAML does not allow: placed by its index in the text
        where = min(error.position, len(text))
        breaks = list(_YAML_LINE_BREAK.finditer(text, 0, where))  # YAML's line breaks, as PyYAML's marks count them
        character = error.character if isinstance(error.character, int) else ord(str(error.character)[:1] or "\0")
        return Fail(
            f"invalid YAML: the character U+{character:04X} is not allowed in YAML text",
            len(breaks) + 1 + line_offset,
            where - (breaks[-1].end() if breaks else 0) + 1,
        )
    return Fail(f"invalid YAML: {' '.join(str(error).split())}")
