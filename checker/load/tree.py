"""The one builder both readers feed: it bounds depth, values and pointers, refuses duplicate keys,
and keeps the position of every value and key."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from checker.load.limits import Limits
from checker.load.place import Fail, Position

_KEY_NOT_PLAIN = "a mapping key must be a plain value, not a list or mapping"


def escape(key: str) -> str:
    """`key` as one segment of a JSON pointer (RFC 6901)."""
    return key.replace("~", "~0").replace("/", "~1")


@dataclass(frozen=True, kw_only=True)
class Dialect:
    """Where a format's text places what the builder keeps: the one thing a reader has a say in.

    The limits, what counts against them, their messages and the values they are told at are
    the builder's, the same for every format (tests/test_load_formats.py).
    """

    collections_at_key: bool
    """YAML places a mapping or list that is a mapping's member at its key (the line a reader
    looks at); JSON places it at its bracket."""


YAML = Dialect(collections_at_key=True)
JSON = Dialect(collections_at_key=False)


class _Frame:
    """A mapping or list being built."""

    __slots__ = ("container", "key", "key_lines", "key_position", "nodes", "pointer", "position")

    def __init__(self, container: dict[str, Any] | list[Any], pointer: str, position: Position) -> None:
        self.container = container
        self.pointer = pointer
        self.position = position
        self.nodes = 1
        """Values in it so far, itself included, counting what aliases expand to (for its anchor)."""
        self.key: str | None = None
        """The key whose value is to come (a mapping's), or None."""
        self.key_position: Position | None = None
        self.key_lines: dict[str, int] = {}
        """Each key read so far -> its line, for the message about a duplicate."""


class TreeBuilder:
    """Builds a card's data from what a reader meets, in order, enforcing the limits as it goes.

    The reader calls `begin` where a scalar, mapping or list starts, before reading it (so a
    limit is told before anything else about it); then `open` for a mapping or list, `key`,
    `scalar` or `alias`; and `close` at the end of a mapping or list. Nothing recurses. Every
    refusal is a `Fail` at the place given.

    What counts against the limits is the data, whatever its format: every value (a scalar,
    mapping or list; a mapping's keys are not values), an alias as every value it expands to;
    and every value's JSON pointer, kept for the value and, in a mapping, for its key.
    """

    def __init__(self, limits: Limits, dialect: Dialect) -> None:
        self.root: Any = None
        self.positions: dict[str, Position] = {}
        """JSON pointer -> position of the value (see Dialect.collections_at_key)."""
        self.key_positions: dict[str, Position] = {}
        """JSON pointer of a mapping member -> position of its key."""
        self._max_depth = limits.depth
        self._max_nodes = limits.nodes
        self._max_path_characters = limits.path_characters
        self._collections_at_key = dialect.collections_at_key
        self._stack: list[_Frame] = []
        self._nodes = 0
        self._path_characters = 0
        self._begun = ""
        """The pointer of the value begun last."""

    def pointer(self) -> str:
        """The pointer of the value to come; the mapping's own while its next key is to come."""
        if not self._stack:
            return ""
        parent = self._stack[-1]
        if type(parent.container) is list:
            return f"{parent.pointer}/{len(parent.container)}"
        return parent.pointer if parent.key is None else f"{parent.pointer}/{escape(parent.key)}"

    def begin(self, line: int, column: int, nodes: int = 1, alias: bool = False) -> None:
        """A scalar, mapping or list starts at (line, column): a value counted against the limits
        before it is read, unless it is a mapping's key (YAML's keys are scalars like any other).
        An alias counts as the `nodes` values it expands to."""
        if not self._stack:
            self._begun = ""
        else:
            # Worked out here, not by pointer(): this runs for every value.
            parent = self._stack[-1]
            container = parent.container
            if type(container) is list:
                pointer = f"{parent.pointer}/{len(container)}"
                self._path_characters += len(pointer)
            else:
                key = parent.key
                if key is None:  # a key: not a value, and its pointer is counted with its value's
                    return
                pointer = f"{parent.pointer}/{escape(key)}"
                self._path_characters += 2 * len(pointer)  # kept for the value and for its key
            self._begun = pointer
        self._nodes += nodes
        if self._nodes > self._max_nodes:
            if alias:
                raise Fail(f"aliases expand to more than {self._max_nodes:,} values (an alias bomb?)", line, column)
            raise Fail(f"too many values (the limit is {self._max_nodes:,})", line, column)
        if self._path_characters > self._max_path_characters:
            raise self._paths_too_long(line, column)

    def check_depth(self, line: int, column: int) -> None:
        """Fail if a mapping or list opened at (line, column) would be nested too deeply."""
        if len(self._stack) >= self._max_depth:
            raise Fail(f"nested too deeply (the limit is {self._max_depth} levels)", line, column)

    def open(self, container: dict[str, Any] | list[Any], position: Position) -> None:
        """An empty mapping or list at `position`, filled by what comes until its `close`."""
        stack = self._stack
        if len(stack) >= self._max_depth:  # told by check_depth; tested here to spare a call per mapping and list
            self.check_depth(position.line, position.column)
        if stack and stack[-1].key is None and type(stack[-1].container) is dict:
            raise Fail(_KEY_NOT_PLAIN, position.line, position.column)
        pointer = self._begun
        self.positions[pointer] = position
        stack.append(_Frame(container, pointer, position))

    def key(self, key: str, position: Position) -> None:
        """The key of the next member of the mapping being built."""
        parent = self._stack[-1]
        pointer = f"{parent.pointer}/{escape(key)}"
        if key in parent.container:
            message = f"duplicate key '{key}' (first on line {parent.key_lines[key]})"
            raise Fail(message, position.line, position.column, pointer)
        parent.key = key
        parent.key_position = position
        parent.key_lines[key] = position.line
        self.key_positions[pointer] = position

    def scalar(self, value: Any, position: Position, text: str = "") -> None:
        """A scalar: a value, or in a mapping whose next key is to come (YAML), that key.

        A key that is not a string (`1: x`) is kept as written, `text`.
        """
        stack = self._stack
        if stack and stack[-1].key is None and type(stack[-1].container) is dict:
            self.key(value if isinstance(value, str) else text, position)
        else:
            self._place(value, 1, position, False, None)

    def alias(self, value: Any, nodes: int, position: Position) -> None:
        """A YAML alias: the anchored value again, all `nodes` values it holds counted (no `begin` first)."""
        collection = isinstance(value, dict | list)
        stack = self._stack
        if stack and stack[-1].key is None and type(stack[-1].container) is dict:
            if collection:
                raise Fail(_KEY_NOT_PLAIN, position.line, position.column)
            self.key(value if isinstance(value, str) else str(value), position)
            return
        self.begin(position.line, position.column, nodes, alias=True)
        self._place(value, nodes, position, collection, None)

    def close(self) -> tuple[dict[str, Any] | list[Any], int]:
        """The mapping or list being built is complete: placed, and returned with its node count."""
        frame = self._stack.pop()
        self._place(frame.container, frame.nodes, frame.position, True, frame.pointer)
        return frame.container, frame.nodes

    def _place(self, value: Any, nodes: int, position: Position, collection: bool, pointer: str | None) -> None:
        """Put a complete value into the mapping or list being built, or make it the root."""
        stack = self._stack
        if not stack:
            self.root = value
            self.positions.setdefault("", position)
            return
        parent = stack[-1]
        parent.nodes += nodes
        container = parent.container
        if pointer is None:
            pointer = self._begun
        if isinstance(container, list):
            container.append(value)
            self.positions[pointer] = position
            return
        key = parent.key
        assert key is not None  # keys go to key(), so a mapping's value always follows its key
        container[key] = value
        parent.key = None
        at_key = parent.key_position if collection and self._collections_at_key else None
        self.positions[pointer] = at_key or position

    def _paths_too_long(self, line: int, column: int) -> Fail:
        message = (
            f"the paths to the card's values pass {self._max_path_characters:,} characters in all"
            " (too many values under long keys)"
        )
        return Fail(message, line, column)
