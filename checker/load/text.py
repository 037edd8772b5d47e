"""Card text: bytes decoded to text, front matter split off, and the rules for text and numbers both formats share."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

from checker.load.place import Fail

_SURROGATE = re.compile("[\ud800-\udfff]")
_NOT_BLANK = re.compile(r"[^ \t\n\r\x0b\x0c]")
"""Anything but ASCII white space (bytes.strip's): other spaces are left to the parser."""


def decode(raw: bytes) -> str:
    """The text of a file's bytes: UTF-8, a leading byte-order mark dropped; Fail when they are not UTF-8 text."""
    # UTF-32's little-endian mark begins with UTF-16's (FF FE): it is looked for first.
    for mark, encoding in (
        (b"\xff\xfe\x00\x00", "UTF-32"),
        (b"\x00\x00\xfe\xff", "UTF-32"),
        (b"\xff\xfe", "UTF-16"),
        (b"\xfe\xff", "UTF-16"),
    ):
        if raw.startswith(mark):
            raise Fail(f"{encoding} text (it starts with a {encoding} byte-order mark); the file must be UTF-8", 1)
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise Fail(f"not UTF-8 text (invalid byte 0x{raw[error.start]:02x}; is this a binary file?)", line) from None
    nul = text.find("\x00")
    if nul >= 0:
        raise Fail("not a text file (it contains NUL bytes)", text.count("\n", 0, nul) + 1)
    return text


def is_blank(text: str) -> bool:
    """Whether decoded text holds nothing but ASCII white space; found without copying the text, as strip() would."""
    return _NOT_BLANK.search(text) is None


def characters(text: str) -> str:
    """`text` with escaped surrogate pairs joined into characters; Fail on a lone surrogate.

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
        raise Fail(f"text holds a lone surrogate \\u{ord(lone.group()):04x}, which is not a character")
    return joined


def whole_number(literal: str, base: int, digits: int) -> int:
    """The integer a literal spells, refused (not crashed on) when it has more than `digits` digits."""
    if base == 10 and len(literal.lstrip("+-")) > digits:  # checked before int(), which would raise
        raise Fail(number_too_long(digits))
    number = int(literal, base)
    if abs(number) >= too_long(digits):  # hex and octal convert at any length; printing would then fail
        raise Fail(number_too_long(digits))
    return number


@lru_cache
def too_long(digits: int) -> int:
    """The smallest whole number with more than `digits` digits (for hex and octal literals)."""
    smallest: int = 10**digits
    return smallest


def number_too_long(digits: int) -> str:
    return f"number too long (more than {digits:,} digits)"


def finite(number: float | int, literal: str) -> float:
    """`number` as a finite float; Fail when the literal is beyond the float range."""
    try:
        value = float(number)
    except OverflowError:  # a huge integer under !!float
        value = math.inf
    if not math.isfinite(value):
        # Overflow makes inf silently; inf passes the schema as a number, then breaks the JSON report.
        raise Fail(f"'{clip(literal)}' is too large to be a finite number; cards hold finite numbers only")
    return value


def clip(literal: str, limit: int = 40) -> str:
    return literal if len(literal) <= limit else literal[: limit - 1] + "…"


@dataclass(frozen=True)
class FrontMatter:
    """The YAML front matter of a Markdown text and the body after it."""

    yaml: str
    """The lines between the first line, '---', and the closing '---' or '...'."""
    body: str
    """Everything after the closing line."""
    line_offset: int = 1
    """Lines of the file before the front matter's first."""


def front_matter(text: str) -> FrontMatter | None:
    """The front matter of a text whose first line is '---', or None; Fail when it is never closed."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip("\r\n") != "---":
        return None
    for i in range(1, len(lines)):
        if lines[i].rstrip("\r\n") in ("---", "..."):
            return FrontMatter("".join(lines[1:i]), "".join(lines[i + 1 :]))
    raise Fail("the front matter opened on line 1 is never closed with a line '---'", 1, 1)
