"""A batch's progress on standard error: a bar on a terminal, one line per card elsewhere (CI logs).

Card text (names, errors) is shown with its control characters escaped, and never read as
markup by the bar's library. What batch writes outlives its reader: a closed pipe
(`batch ... 2>&1 | head -1`) ends the writing, not the batch (`say`).
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable
from types import TracebackType
from typing import Any, TextIO

import typer

from checker.severity import FailOn
from checker.summary import Row
from checker.terminal import visible


class Progress:
    """Counts the cards as they finish, and shows each: use it as a context manager around the batch."""

    def __init__(self, total: int, *, terminal: bool, fail_on: FailOn) -> None:
        self.total = total
        self.finished = 0
        self._display: Any
        self._show: Callable[[Row], None]
        self._display, self._show = _bar(total, fail_on) if terminal else (contextlib.nullcontext(), self._line)

    def __enter__(self) -> Progress:
        self._display.__enter__()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._display.__exit__(kind, error, trace)

    def advance(self, row: Row) -> None:
        self.finished += 1
        self._show(row)

    def _line(self, row: Row) -> None:
        """One line per card: for CI logs, where a bar would be noise."""
        if row.status == "error":
            outcome = f"error: {row.error}"
        else:
            outcome = f"{(row.verdict or '').upper()} {row.score:.1f}" + (
                " (unchanged)" if row.status == "unchanged" else ""
            )
        width = len(str(self.total))
        say(visible(f"[{self.finished:>{width}}/{self.total}] {row.name}: {outcome}"))


def say(text: str, *, err: bool = True) -> None:
    """Write a line of the batch's own (progress, a note, the summary's line) to standard error, or output.

    A closed or broken stream is let go, not raised: the batch's results are its files, and it
    finishes them whatever became of its reader. The stream's descriptor then points at /dev/null,
    so that neither a later line nor the interpreter's last flush fails on it again.
    """
    stream = sys.stderr if err else sys.stdout
    if stream is None:  # started with it closed (`2>&-`)
        return
    try:
        typer.echo(text, err=err)
    except OSError:
        _let_go(stream)


def _let_go(stream: TextIO) -> None:
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
        os.close(devnull)


def _bar(total: int, fail_on: FailOn) -> tuple[Any, Callable[[Row], None]]:
    """A progress bar on a terminal (standard error), with the cards that fail the gate counted as it goes."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeRemainingColumn
    from rich.progress import Progress as Bar

    bar = Bar(
        TextColumn("checking"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[failed]} failing"),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    task = bar.add_task("batch", total=total, failed=0)
    failed = 0

    def advance(row: Row) -> None:
        nonlocal failed
        failed += row.fails_gate(fail_on)
        if row.status == "error":  # above the bar, as it happens; card text is never read as markup, nor acted on
            bar.console.print(visible(f"{row.name}: error: {row.error}"), markup=False, highlight=False, soft_wrap=True)
        bar.update(task, advance=1, failed=failed)

    return bar, advance


__all__ = ["Progress", "say"]
