"""Reading a card's file: only a regular file within the size limit, and which format it is in."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Literal

from checker.load.limits import DEFAULT_LIMITS, Limits
from checker.problems import CardError, Problem

CardSyntax = Literal["yaml", "json", "markdown"]
"""How a card file is written: YAML, JSON, or Markdown with YAML front matter (not an output format)."""

_SUFFIXES: dict[str, CardSyntax] = {
    ".yaml": "yaml",
    ".yml": "yaml",
    ".json": "json",
    ".md": "markdown",
    ".markdown": "markdown",
}


def read_regular_file(
    path: Path, *, what: str, missing: str = "no such file", limits: Limits = DEFAULT_LIMITS
) -> bytes:
    """The bytes of a regular file of at most `limits.file_bytes`, or CardError naming the file and why not.

    Folders, devices, pipes and sockets are refused before anything is opened (a FIFO would
    block, /dev/zero would never end); the size is checked before reading and again after, for a
    file that grows meanwhile. `what` names the file in messages ("card", "profile").
    """
    name = str(path)
    try:
        info = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        raise CardError([Problem(file=name, message=missing)]) from None
    except OSError as error:
        raise CardError([Problem(file=name, message=f"cannot read: {error.strerror or error}")]) from None
    if stat.S_ISDIR(info.st_mode):
        raise CardError([Problem(file=name, message=f"is a folder, not a {what} file")])
    if not stat.S_ISREG(info.st_mode):
        raise CardError([Problem(file=name, message="is not a regular file (device, pipe or socket); refused")])
    limit = limits.file_bytes
    if info.st_size > limit:
        raise CardError([Problem(file=name, message=_too_large(info.st_size, limit))])
    try:
        with open(path, "rb") as handle:
            raw = handle.read(limit + 1)
    except OSError as error:
        raise CardError([Problem(file=name, message=f"cannot read: {error.strerror or error}")]) from None
    if len(raw) > limit:
        raise CardError([Problem(file=name, message=f"file is larger than the limit of {_size(limit)}")])
    return raw


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MiB" if n >= 1024 * 1024 else f"{n} bytes"


def _too_large(size: int, limit: int) -> str:
    """'file is 11.0 MiB; the limit is 10.0 MiB', in bytes when rounding would show the two alike."""
    shown, most = _size(size), _size(limit)
    if shown == most:
        shown, most = f"{size:,} bytes", f"{limit:,} bytes"
    return f"file is {shown}; the limit is {most}"


def _sniff(raw: bytes) -> CardSyntax:
    head = raw.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    return "json" if head in (b"{", b"[") else "yaml"


def format_of(path: Path, raw: bytes) -> CardSyntax:
    """The format a card file's name says, or else the one its first character suggests."""
    return _SUFFIXES.get(path.suffix.lower()) or _sniff(raw)
