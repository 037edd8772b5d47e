"""Worker processes for batch, each bounded in time and memory: a card that hangs, eats memory or kills
its worker costs that card, not the batch.

`Pool(task, context, workers=N, bounds=...)` starts up to N processes from the forkserver (a clean
process, not a copy of one that may run threads) and gives each, over a pipe, an item to do and
the next one: a worker does them in order, so the parent always knows which item it is on. It
waits on the results and on the workers' ends at once (`multiprocessing.connection.wait`). A
worker still on its item when the time bound runs out is killed. A worker limits its own address space: a MemoryError ends it with
an exit code that says so, and a crash or a kill (the kernel's out-of-memory killer) is a death.
Whatever the end, the item it was on is `Lost`, with the reason, and a new worker takes the rest.
`concurrent.futures.ProcessPoolExecutor` could do neither: it cannot tell which task killed a
worker, and one death breaks the whole pool.

Workers ignore SIGINT: Ctrl-C reaches the whole process group, and only the parent acts on it,
telling each worker to stop after the item it is on.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import TYPE_CHECKING, Generic, Literal, TypeVar

if TYPE_CHECKING:  # multiprocessing is imported by a pool, not by the command line reading Bounds' defaults
    from multiprocessing.connection import Connection
    from multiprocessing.process import BaseProcess

Item = TypeVar("Item")
Context = TypeVar("Context")
Result = TypeVar("Result")

_OUT_OF_MEMORY = 86
"""A worker's exit code when it ran out of memory (a MemoryError anywhere): its item was over the memory bound."""
_HELLO = "ready"
"""A worker's first message: its bounds are set and it waits for items (the clock starts then, not at its start)."""
_STOP = "stop"
"""Ctrl-C: finish the item in hand, start no other."""
_DEPTH = 2
"""Items a worker is given at once: the one it is on, and the next."""


@dataclass(frozen=True)
class Bounds:
    """What one item may cost a worker; 0: no bound."""

    seconds: float = 120
    """Wall time, from when the worker is given the item. Normal cards take well under a second to
    check (a few seconds with a PDF); a card still going after two minutes is hostile or broken."""
    mebibytes: int = 2048
    """The worker process's address space (RLIMIT_AS), its own ~60 MiB included. Checking the
    examples peaks at ~75 MiB for JSON and HTML reports, ~400 MiB with a PDF (WeasyPrint, fonts)."""


DEFAULT_BOUNDS = Bounds()


@dataclass(frozen=True)
class Lost:
    """An item that gave no result, and why."""

    cause: Literal["time", "memory", "died"]
    exitcode: int | None = None
    """How its worker ended, for `died`: an exit code, or minus the signal that killed it."""


class WorkerFailed(RuntimeError):
    """Workers ended before they could take an item (they could not even start), MAX_FAILED_STARTS in a row: no
    item is to blame."""


MAX_FAILED_STARTS = 3
"""Workers in a row that may end as they start before the pool gives up (WorkerFailed): another is started
in place of each before."""


def _serve(task: Callable[[Item, Context], Result], context: Context, connection: Connection, mebibytes: int) -> None:
    """A worker's life: ignore Ctrl-C, take the memory bound, then do the items it is given in order until
    the pipe closes or the parent says stop."""
    import resource

    from checker.load.limits import MIB

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        if mebibytes:
            _, hard = resource.getrlimit(resource.RLIMIT_AS)  # a bound set on the batch itself is lower still
            limit = mebibytes * MIB if hard == resource.RLIM_INFINITY else min(mebibytes * MIB, hard)
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))  # the hard limit too: no item can raise it
        connection.send(_HELLO)
        given: deque[tuple[int, Item]] = deque()
        while True:
            while not given or connection.poll():  # all that was sent: a stop is seen before the next item
                message = connection.recv()
                if message == _STOP:
                    return
                given.append(message)
            index, item = given.popleft()
            connection.send((index, task(item, context)))
    except (EOFError, BrokenPipeError):  # the parent is done with this worker, or gone
        return
    except MemoryError:
        # Anywhere: in the task, or unpickling or sending what it made. A fresh worker takes the next
        # item, as this one's heap may be left in pieces.
        os._exit(_OUT_OF_MEMORY)


@dataclass
class _Worker:
    process: BaseProcess
    connection: Connection
    ready: bool = False
    given: deque[int] = field(default_factory=deque)
    """The items it was given and has not answered, in order: it is on the first, the others wait in its pipe."""
    since: float = 0.0
    """When it started on the first (time.monotonic): when it was given it, or when the one before came back."""


class Pool(Generic[Item, Context, Result]):
    """Up to `workers` processes, each doing `task(item, context)` for one item at a time, within `bounds`.

    Use it as a context manager: on the way out every worker is ended and reaped, even on an error.
    """

    def __init__(
        self,
        task: Callable[[Item, Context], Result],
        context: Context,
        *,
        workers: int,
        bounds: Bounds,
        preload: Sequence[str] = (),
    ) -> None:
        import multiprocessing

        self._task, self._context, self._size, self._bounds = task, context, max(1, workers), bounds
        self._forkserver = multiprocessing.get_context("forkserver")
        # Modules the forkserver imports once, so that each worker starts from them instead of importing
        # them again (effective when this process starts its forkserver, that is once).
        self._forkserver.set_forkserver_preload(list(preload))
        self._workers: list[_Worker] = []
        self._waiting: deque[int] = deque()
        self._stopping = False
        self.started = 0
        self._failed_starts = 0
        """Workers in a row that ended before they were ready: one may be chance (the kernel's
        out-of-memory killer, say); MAX_FAILED_STARTS in a row is a bug."""
        """How many worker processes this pool has started, replacements included."""

    def __enter__(self) -> Pool[Item, Context, Result]:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        for worker in self._workers:
            if worker.given or kind is not None:
                worker.process.kill()  # mid-item (interrupted twice, an error): a rerun redoes its card
            worker.connection.close()  # an idle worker reads the end of its pipe and leaves
        for worker in self._workers:
            worker.process.join()
            worker.process.close()
        self._workers = []

    def map(self, items: Sequence[Item], done: Callable[[int, Result | Lost], None]) -> None:
        """Do every item; `done(index, result or Lost)` as each finishes, in the order they finish.

        On KeyboardInterrupt no item is started any more, the items in hand are finished (and given
        to `done`), and the interrupt propagates.
        """
        self._waiting = deque(range(len(items)))
        try:
            while self._waiting or self._holding():
                self._hand_out(items)
                self._collect(done)
        except KeyboardInterrupt:
            self._stop()
            while self._holding():
                with contextlib.suppress(WorkerFailed):  # one still starting took the Ctrl-C too
                    self._collect(done)
            raise

    def _holding(self) -> list[_Worker]:
        return [worker for worker in self._workers if worker.given]

    def _hand_out(self, items: Sequence[Item]) -> None:
        """Start the workers still needed, and give each ready one an item to do and one to do next.

        The next item waits in its pipe, so that the worker need not wait for this process between
        two (on a busy machine, for its turn on a core): one item each first, the second when every
        worker has one.
        """
        needed = min(self._size, len(self._waiting) + sum(len(worker.given) for worker in self._workers))
        while len(self._workers) < needed:
            self._start()
        ready = [worker for worker in self._workers if worker.ready]
        depth = _DEPTH if len(ready) == len(self._workers) else 1
        for given in range(depth):
            for worker in ready:
                if len(worker.given) == given and self._waiting:
                    self._give(worker, items)

    def _give(self, worker: _Worker, items: Sequence[Item]) -> None:
        index = self._waiting.popleft()
        try:
            worker.connection.send((index, items[index]))
        except OSError:  # it has just ended (its sentinel will say so): the item goes to another
            self._waiting.appendleft(index)
            return
        # Noted after the send: an interrupt between the two leaves the item unnoted, and its worker is
        # killed on the way out (a rerun redoes its card) instead of waited for.
        if not worker.given:
            worker.since = time.monotonic()
        worker.given.append(index)

    def _start(self) -> None:
        ours, theirs = self._forkserver.Pipe()
        process = self._forkserver.Process(
            target=_serve, args=(self._task, self._context, theirs, self._bounds.mebibytes), daemon=True
        )
        process.start()
        theirs.close()
        self._workers.append(_Worker(process, ours))
        self.started += 1

    def _stop(self) -> None:
        """Ctrl-C: no item is given any more, and each worker stops after the item it is on."""
        self._stopping = True
        self._waiting.clear()
        for worker in self._workers:
            with contextlib.suppress(OSError):
                worker.connection.send(_STOP)

    def _collect(self, done: Callable[[int, Result | Lost], None]) -> None:
        """Wait for a result, a worker's end or a worker's time to run out, and deal with what came."""
        from multiprocessing.connection import wait

        ready = wait(
            [*(worker.connection for worker in self._workers), *(worker.process.sentinel for worker in self._workers)],
            timeout=self._time_left(),
        )
        for worker in list(self._workers):
            if worker.process.sentinel in ready or (worker.connection in ready and not self._receive(worker, done)):
                self._ended(worker, done)
        if self._bounds.seconds:
            for worker in self._holding():
                with contextlib.suppress(OSError):  # a result that came just now is its item's, in time
                    while worker.given and worker.connection.poll() and self._receive(worker, done):
                        pass
                if worker.given and time.monotonic() - worker.since > self._bounds.seconds:
                    worker.process.kill()
                    self._lose(worker, Lost("time"), done)

    def _time_left(self) -> float | None:
        """Until the first worker's item runs out of time; None: no item can."""
        if not self._bounds.seconds or not self._holding():
            return None
        first = min(worker.since for worker in self._holding())
        return max(0.0, first + self._bounds.seconds - time.monotonic())

    def _receive(self, worker: _Worker, done: Callable[[int, Result | Lost], None]) -> bool:
        """Take one message from `worker`; False when there is none to come: it has ended."""
        try:
            message = worker.connection.recv()
        except (EOFError, OSError):  # perhaps halfway through a message: its end says what became of its item
            return False
        if message == _HELLO:
            worker.ready = True
            self._failed_starts = 0
        else:
            index, result = message
            worker.given.popleft()
            worker.since = time.monotonic()  # it goes on to the next, if it has one
            done(index, result)
        return True

    def _ended(self, worker: _Worker, done: Callable[[int, Result | Lost], None]) -> None:
        """A worker's process ended: the item it was on, if any, is lost with the reason."""
        with contextlib.suppress(OSError):
            while worker.connection.poll() and self._receive(worker, done):  # what it sent before it ended counts
                pass
        worker.process.join()
        exitcode = worker.process.exitcode
        if self._stopping and exitcode == 0:  # it stopped as told, before the item it would have done next
            worker.given.clear()
        self._lose(worker, Lost("memory") if exitcode == _OUT_OF_MEMORY else Lost("died", exitcode), done)
        if not worker.ready:
            self._failed_starts += 1
            if self._failed_starts >= MAX_FAILED_STARTS:
                raise WorkerFailed(
                    f"a worker process ended as it started (exit code {exitcode}), {MAX_FAILED_STARTS} in a row"
                )

    def _lose(self, worker: _Worker, lost: Lost, done: Callable[[int, Result | Lost], None]) -> None:
        """Take `worker` out of the pool (it has ended or been killed): the item it was on is `lost`, and
        those it had not started go to another worker."""
        self._workers.remove(worker)
        worker.connection.close()
        worker.process.join()
        worker.process.close()
        if worker.given:
            on, *next_ones = worker.given
            if not self._stopping:
                self._waiting.extendleft(reversed(next_ones))
            done(on, lost)


__all__ = ["DEFAULT_BOUNDS", "Bounds", "Lost", "Pool", "WorkerFailed"]
