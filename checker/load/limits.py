"""The limits a card is read under: how large, deep and many its parts may be."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class Limits:
    """How much of a card is read: each bound refuses a hostile file before it can hurt."""

    file_bytes: int = 10 * 1024 * 1024
    """Largest card file read, in bytes. Real cards are tens of kilobytes."""
    depth: int = 64
    """Deepest nesting of mappings and lists. The format itself needs six levels."""
    aliases: int = 100
    """Most YAML aliases (`*name`) in one card."""
    nodes: int = 1_000_000
    """Most values in the loaded data, counting every expansion of every alias."""
    path_characters: int = 64 * 1024 * 1024
    """Most characters in the JSON pointers of all the card's values together. Every value's place
    is kept under its pointer, which repeats the keys above it: without this bound, a 1 MiB key
    above 600 values would take 600 MiB, and a 10 MiB card could ask for terabytes."""
    digits: int = 4_300
    """Most decimal digits in a whole number. Python refuses to turn a longer integer into text or
    back (`sys.get_int_max_str_digits`), so a longer one could be neither read nor shown."""


DEFAULT_LIMITS = Limits()
"""The limits every command reads cards and profiles under."""

MIB = 1 << 20
"""A mebibyte, the unit the size limits are set in (cards, evidence, a batch worker's memory)."""


def size_text(n: int) -> str:
    """A number of bytes in the largest unit it reaches: `4.0 GiB`, `256.0 MiB`, `512 bytes`."""
    for unit, scale in (("GiB", 1 << 30), ("MiB", MIB), ("KiB", 1 << 10)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n:,} bytes"


def sizes(size: int, limit: int) -> tuple[str, str]:
    """A size and the limit it is over, for a message: in bytes when rounding would show the two alike (a byte
    over 1 MiB), else in the largest unit each reaches (`4.0 GiB`, `256.0 MiB`)."""
    shown, most = size_text(size), size_text(limit)
    return (shown, most) if shown != most else (f"{size:,} bytes", f"{limit:,} bytes")
