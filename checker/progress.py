"""A batch's progress on standard error: a bar on a terminal, one line per card elsewhere (CI logs).

Card text (names, errors) is shown with its control characters escaped, and never read as
markup by the bar's library.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from types import TracebackType
from typing import Any

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
        typer.echo(visible(f"[{self.finished:>{width}}/{self.total}] {row.name}: {outcome}"), err=True)


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


__all__ = ["Progress"]
