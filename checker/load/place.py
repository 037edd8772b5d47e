"""Places in a card's text: a value's line and column, and a problem found at one place."""

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
