"""Problems with the input: what makes a card unreadable or invalid, each with its place.

A problem is plain data; `CardError` carries every problem found in one file, so that the
user sees them all at once (like a compiler), never a traceback. `UsageError` is a command
misused (options that do not go together, an output that must not be written): one line.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from checker.terminal import visible


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
        """`file:line:column: message (at pointer)`, one line: the card text in it (a key, a value) shown escaped."""
        place = self.file
        if self.line is not None:
            place += f":{self.line}"
            if self.column is not None:
                place += f":{self.column}"
        where = f" (at {self.pointer})" if self.pointer else ""
        return visible(f"{place}: {self.message}{where}")


@dataclass
class CardError(Exception):
    """Raised by loading and validation with every problem found in one input."""

    problems: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        """One line per problem: a line break in the card cannot make one problem look like two."""
        return "\n".join(str(p) for p in self.problems)


class UsageError(Exception):
    """The command was misused; the message says how, in one line, naming what it is about."""
