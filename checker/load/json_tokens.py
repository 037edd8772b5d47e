"""Reading JSON: an iterative tokenizer (RFC 8259) that feeds the tree builder."""

from __future__ import annotations

import bisect
import json
import json.decoder
import math
import re

from checker.load.limits import Limits
from checker.load.place import Fail, Position
from checker.load.text import characters, clip, number_too_long
from checker.load.tree import JSON, TreeBuilder

_WS = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?")
_LITERALS = {"true": True, "false": False, "null": None}
_WORD = re.compile(r"[A-Za-z]+")


class _Source:
    """The JSON text, with where its lines start, to place an index in it."""

    __slots__ = ("line_starts", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def position(self, index: int) -> Position:
        line = bisect.bisect_right(self.line_starts, index)
        return Position(line, index - self.line_starts[line - 1] + 1)

    def fail(self, message: str, index: int, pointer: str = "") -> Fail:
        where = self.position(min(index, len(self.text)))
        return Fail(f"invalid JSON: {message}", where.line, where.column, pointer)


def read_json(text: str, limits: Limits) -> TreeBuilder:
    """The tree of a JSON document, read iteratively, every limit enforced as it goes.

    Strings are decoded by the standard library's own scanner and numbers matched by its
    grammar, so values are exactly what `json.loads` gives; what this adds is no recursion,
    duplicate-key and NaN rejection, and a position for every value.
    """
    source = _Source(text)
    tree = TreeBuilder(limits, JSON)
    closers: list[str] = []  # the bracket that ends each mapping and list being read
    end = len(text)
    i = _skip(text, 0)
    while True:
        # A value is due at i.
        if i >= end:
            raise source.fail("unexpected end of file", i)
        here = source.position(i)
        tree.begin(here.line, here.column)
        char = text[i]
        if char == "{" or char == "[":
            tree.open({} if char == "{" else [], here)
            closer = "}" if char == "{" else "]"
            i = _skip(text, i + 1)
            if i < end and text[i] == closer:
                i += 1
                tree.close()
            else:
                closers.append(closer)
                if char == "{":
                    i = _key(source, i, tree)
                continue
        elif char == '"':
            value, i = _string(source, i, here, tree)
            tree.scalar(value, here)
        elif char == "-" or char.isdigit():
            number, i = _number(source, i, here, tree, limits.digits)
            tree.scalar(number, here)
        else:
            match = _WORD.match(text, i)  # at i, not on text[i:]: a copy of the rest for each word is quadratic
            word = match.group() if match else ""
            if word in _LITERALS:
                tree.scalar(_LITERALS[word], here)
                i += len(word)
            elif word in ("NaN", "Infinity"):
                raise source.fail(f"{word} is not a JSON number", i, tree.pointer())
            else:
                raise source.fail(f"expected a value, found {_show(text, i)}", i)
        # The value is complete: close what ends here, up to the next value or the document's end.
        while closers:
            i = _skip(text, i)
            if i >= end:
                raise source.fail("unexpected end of file (a '}' or ']' is missing)", i)
            closer = closers[-1]
            if text[i] == ",":
                i = _skip(text, i + 1)
                if closer == "}":
                    i = _key(source, i, tree)
                break
            if text[i] != closer:
                raise source.fail(f"expected ',' or '{closer}', found {_show(text, i)}", i)
            i += 1
            closers.pop()
            tree.close()
        else:  # nothing left open: the document's value is complete
            break
    i = _skip(text, i)
    if i < end:
        raise source.fail(f"unexpected {_show(text, i)} after the end of the document", i)
    return tree


def _key(source: _Source, i: int, tree: TreeBuilder) -> int:
    """Read `"key" :` at i for the mapping being built; the index of the value that follows."""
    text = source.text
    if i >= len(text) or text[i] != '"':
        raise source.fail(f"expected a key in double quotes, found {_show(text, i)}", i)
    here = source.position(i)
    key, i = _string(source, i, here, tree)
    tree.key(key, here)
    i = _skip(text, i)
    if i >= len(text) or text[i] != ":":
        raise source.fail(f"expected ':' after the key '{key}', found {_show(text, i)}", i)
    return _skip(text, i + 1)


def _number(source: _Source, i: int, here: Position, tree: TreeBuilder, digits: int) -> tuple[int | float, int]:
    """The number starting at i (`here`) and the index after it."""
    text = source.text
    match = _NUMBER.match(text, i)
    if not match and text.startswith("-Infinity", i):
        raise source.fail("-Infinity is not a JSON number", i, tree.pointer())
    if not match:
        raise source.fail("malformed number", i)
    literal = match.group(0)
    if match.group(1) or match.group(2):
        number = float(literal)
        if not math.isfinite(number):
            raise source.fail(f"number {clip(literal)} is out of range", i, tree.pointer())
        return number, match.end()
    if len(literal.lstrip("-")) > digits:  # int() would raise ValueError
        raise Fail(number_too_long(digits), here.line, here.column, tree.pointer())
    return int(literal), match.end()


def _skip(text: str, i: int) -> int:
    """The index of the first non-whitespace character at or after i."""
    return _WS.match(text, i).end()  # type: ignore[union-attr]  # the pattern matches the empty string


def _string(source: _Source, i: int, here: Position, tree: TreeBuilder) -> tuple[str, int]:
    """The string whose quote is at i (`here`) and the index after it."""
    try:
        value, end = json.decoder.scanstring(source.text, i + 1, True)  # type: ignore[attr-defined]
    except json.JSONDecodeError as error:
        raise source.fail(error.msg.lower(), error.pos) from None
    try:
        return characters(value), end
    except Fail as problem:  # valid JSON syntax, but not text: placed without "invalid JSON"
        raise Fail(problem.message, here.line, here.column, tree.pointer()) from None


def _show(text: str, i: int) -> str:
    if i >= len(text):
        return "the end of the file"
    char = text[i]
    return repr(char) if char.isprintable() else f"character U+{ord(char):04X}"
