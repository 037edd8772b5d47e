"""Places in a card: a value's line and column, a key as a JSON pointer segment, a problem at one place."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Position:
    """1-based line and column of a value in its file."""

    line: int
    column: int


class Fail(Exception):
    """One problem at one place, inside the loader; turned into CardError at the package's boundary."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None, pointer: str = "") -> None:
        super().__init__(message)
        self.message, self.line, self.column, self.pointer = message, line, column, pointer


def escape(key: str) -> str:
    """`key` as one segment of a JSON pointer (RFC 6901)."""
    return key.replace("~", "~0").replace("/", "~1")


def paths_too_long(limit: int) -> str:
    return f"the paths to the card's values pass {limit:,} characters in all (too many values under long keys)"
