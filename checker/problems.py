"""Problems with the input: what makes a card unreadable or invalid, each with its place.

A problem is plain data; `CardError` carries every problem found in one file, so that the
user sees them all at once (like a compiler), never a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, kw_only=True)
class Problem:
    """One thing wrong with an input file, at one place."""

    file: str
    """The path of the file as the user gave it."""
    message: str
    """What is wrong, in one line, without the place."""
    pointer: str = ""
    """JSON pointer (RFC 6901) of the offending value; "" is the whole document."""
    line: int | None = None
    """1-based line in the file, when known."""
    column: int | None = None
    """1-based column in the file, when known."""

    def __str__(self) -> str:
        place = self.file
        if self.line is not None:
            place += f":{self.line}"
            if self.column is not None:
                place += f":{self.column}"
        where = f" (at {self.pointer})" if self.pointer else ""
        return f"{place}: {self.message}{where}"


@dataclass
class CardError(Exception):
    """Raised by loading and validation with every problem found in one input."""

    problems: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)
