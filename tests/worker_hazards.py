"""Card checks that misbehave on cue in batch's worker processes: hang, eat memory, die.

A worker process cannot be monkeypatched from a test, so a test gives the pool one of these
instead of the real check (or puts `check` in place of `checker.batch._guarded`, which the pool is
given by name and the workers import). The card's file name says what to do; any other card is
checked for real. A hostile card makes the real check misbehave in the same ways, only more slowly.
"""

from __future__ import annotations

import ctypes
import os
import signal
import time
from collections.abc import Callable
from pathlib import Path

from checker import batch
from checker.batch import Found, Settings
from checker.summary import Row

MIB = 1024 * 1024


def _hang() -> None:
    time.sleep(3600)


def _eat_memory() -> None:
    """Grow, as a card whose check needs more and more: stopped by the worker's memory bound (touched, so real)."""
    eaten = []
    while True:
        eaten.append(bytearray(16 * MIB))


def _killed() -> None:
    os.kill(os.getpid(), signal.SIGKILL)  # as the kernel's OOM killer ends a process


def _exit() -> None:
    os._exit(7)


def _crash() -> None:
    ctypes.string_at(0)  # a crash in C code (a parser's, say): SIGSEGV


HAZARDS: dict[str, Callable[[], None]] = {
    "hangs": _hang,
    "eats-memory": _eat_memory,
    "killed": _killed,
    "exits": _exit,
    "crashes": _crash,
}
"""A card's file name (without its suffix) -> what checking it does."""


def check(found: Found, settings: Settings) -> Row:
    """The hazard a card's name asks for, or the real check."""
    hazard = HAZARDS.get(found.path.stem)
    if hazard is not None:
        hazard()
    return batch._guarded(found, settings)


def task(item: str, context: None) -> str:
    """For the pool alone: the hazard the item names, or the item back."""
    hazard = HAZARDS.get(item)
    if hazard is not None:
        hazard()
    return item


def task_in_view(item: str, folder: str) -> str:
    """For the pool alone: note in `folder` that `item` was started, then dawdle a second on 'dawdles'."""
    Path(folder, item).touch()
    if item == "dawdles":
        time.sleep(1)
    return item


def _refuse() -> None:
    raise RuntimeError("a context that cannot be unpickled")


class Unpicklable:
    """A context a worker cannot unpickle: the worker ends before it can take an item."""

    def __reduce__(self) -> tuple[Callable[[], None], tuple[()]]:
        return _refuse, ()
