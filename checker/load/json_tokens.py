"""Reading JSON: an iterative tokenizer (RFC 8259) that keeps positions and enforces every limit."""

from __future__ import annotations

import bisect
import json
import json.decoder
import math
import re
from typing import Any

from checker.load.limits import Limits
from checker.load.place import Fail, Position, escape, paths_too_long
from checker.load.text import characters, clip, number_too_long

_WS = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?")
_LITERALS = {"true": True, "false": False, "null": None}
_WORD = re.compile(r"[A-Za-z]+")


def read_json(text: str, limits: Limits, *, key_positions: dict[str, Position]) -> tuple[Any, dict[str, Position]]:
    """An iterative JSON (RFC 8259) parser that keeps positions and enforces the limits.

    Strings are decoded by the standard library's own scanner and numbers matched by its
    grammar, so values are exactly what `json.loads` gives; what this adds is no recursion,
    duplicate-key and NaN rejection, and a position for every value.
    """
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def position(index: int) -> Position:
        line = bisect.bisect_right(line_starts, index)
        return Position(line, index - line_starts[line - 1] + 1)

    def fail(message: str, index: int, pointer: str = "") -> Fail:
        where = position(min(index, len(text)))
        return Fail(f"invalid JSON: {message}", where.line, where.column, pointer)

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
                else f"{parent_pointer}/{escape(state[0])}"
            )
        nodes += 1
        if nodes > limits.nodes:
            raise fail(f"too many values (the limit is {limits.nodes:,})", i)
        here = position(i)
        # Kept for the value and, in a mapping, for its key too: counted as the YAML parser counts them.
        path_characters += len(pointer) * (2 if stack and isinstance(stack[-1][0], dict) else 1)
        if path_characters > limits.path_characters:
            raise Fail(paths_too_long(limits.path_characters), here.line, here.column)
        char = text[i]
        value: Any
        opened = False
        if char in "{[":
            if len(stack) >= limits.depth:
                raise Fail(f"nested too deeply (the limit is {limits.depth} levels)", here.line, here.column)
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
                raise Fail(number_too_long(limits.digits), here.line, here.column, pointer)
            else:
                value = int(literal)
            if isinstance(value, float) and not math.isfinite(value):
                raise fail(f"number {clip(literal)} is out of range", i, pointer)
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
        raise fail(f"duplicate key '{key}' (first on line {first})", start, f"{pointer}/{escape(key)}")
    state[0] = key
    state[1][key] = position(start).line
    key_positions[f"{pointer}/{escape(key)}"] = position(start)
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
        return characters(value), end
    except Fail as problem:  # valid JSON syntax, but not text: placed without "invalid JSON"
        where = position(i)
        raise Fail(problem.message, where.line, where.column, pointer) from None


def _show(text: str, i: int) -> str:
    if i >= len(text):
        return "the end of the file"
    char = text[i]
    return repr(char) if char.isprintable() else f"character U+{ord(char):04X}"
