"""Reading a card's file (and a profile's, a README's): only a regular file within the size limit, with the
identity of the file read (evidence is read only from the folder that still holds it), and which format it is in."""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from checker.load.limits import DEFAULT_LIMITS, MIB, Limits, size_text, sizes
from checker.problems import CardError, Problem

CardSyntax = Literal["yaml", "json", "markdown"]
"""How a card file is written: YAML, JSON, or Markdown with YAML front matter (not an output format)."""

CHUNK = MIB
"""Bytes read at a time."""

_SUFFIXES: dict[str, CardSyntax] = {
    ".yaml": "yaml",
    ".yml": "yaml",
    ".json": "json",
    ".md": "markdown",
    ".markdown": "markdown",
}


FileIdentity = tuple[int, int]
"""(st_dev, st_ino): which file was read, whatever name it has by now."""


@dataclass(frozen=True)
class FileRead:
    """A file's bytes, its path, and the identity of the file they were read from (its descriptor's)."""

    path: Path
    raw: bytes
    identity: FileIdentity


def read_regular(
    path: Path,
    *,
    what: str,
    missing: str = "no such file",
    limits: Limits = DEFAULT_LIMITS,
    follow_links: bool = True,
) -> FileRead:
    """A regular file of at most `limits.file_bytes` read, with its identity, or CardError naming the file and why not.

    Folders, devices, pipes and sockets are refused before anything is opened (a FIFO would
    block, /dev/zero would never end), and again on the descriptor opened without blocking: a
    file swapped for a pipe in between is refused, not waited on. The size is checked before
    reading and again after, for a file that grows meanwhile. `what` names the file in messages
    ("card", "profile"). Unless `follow_links`, a symbolic link is refused, never followed. The
    identity is the descriptor's: a card's evidence is read only from a folder that still holds
    this very file (checker.evidence).
    """
    name = str(path)
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | (0 if follow_links else os.O_NOFOLLOW)
    try:
        _refuse(name, os.stat(path, follow_symlinks=follow_links), what, limits.file_bytes)
        descriptor = os.open(path, flags)
    except (FileNotFoundError, NotADirectoryError):
        raise CardError([Problem(file=name, message=missing)]) from None
    except OSError as error:
        raise CardError([Problem(file=name, message=_cannot_open(error))]) from None
    try:
        info = os.fstat(descriptor)
        _refuse(name, info, what, limits.file_bytes)
        raw = _read_at_most(descriptor, limits.file_bytes + 1)
    except OSError as error:
        raise CardError([Problem(file=name, message=f"cannot read: {error.strerror or error}")]) from None
    finally:
        os.close(descriptor)
    if len(raw) > limits.file_bytes:
        raise CardError(
            [Problem(file=name, message=f"file is larger than the limit of {size_text(limits.file_bytes)}")]
        )
    return FileRead(path=path, raw=raw, identity=(info.st_dev, info.st_ino))


def _refuse(name: str, info: os.stat_result, what: str, limit: int) -> None:
    """CardError unless `info` is a regular file within the size limit."""
    if stat.S_ISLNK(info.st_mode):
        raise CardError([Problem(file=name, message="is a symbolic link; refused, not followed")])
    if stat.S_ISDIR(info.st_mode):
        raise CardError([Problem(file=name, message=f"is a folder, not a {what} file")])
    if not stat.S_ISREG(info.st_mode):
        raise CardError([Problem(file=name, message="is not a regular file (device, pipe or socket); refused")])
    if info.st_size > limit:
        raise CardError([Problem(file=name, message=_too_large(info.st_size, limit))])


def _read_at_most(descriptor: int, size: int) -> bytes:
    """Up to `size` bytes from `descriptor`, fewer at the end of the file."""
    chunks = []
    while size > 0 and (chunk := os.read(descriptor, min(size, CHUNK))):
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def _cannot_open(error: OSError) -> str:
    if error.errno == errno.ELOOP:  # O_NOFOLLOW met a link that replaced the file after it was looked at
        return "is a symbolic link; refused, not followed"
    return f"cannot read: {error.strerror or error}"


def _too_large(size: int, limit: int) -> str:
    """'file is 11.0 MiB; the limit is 10.0 MiB' (see limits.sizes)."""
    shown, most = sizes(size, limit)
    return f"file is {shown}; the limit is {most}"


def _sniff(raw: bytes) -> CardSyntax:
    head = raw.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    return "json" if head in (b"{", b"[") else "yaml"


def format_of(path: Path, raw: bytes) -> CardSyntax:
    """The format a card file's name says, or else the one its first character suggests."""
    return _SUFFIXES.get(path.suffix.lower()) or _sniff(raw)
