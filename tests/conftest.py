"""What the tests share: the checkout's paths, the fixed date, the command line in process, and no network.

`safetycase(*args, cwd=..., env=...)` runs the command line in this process (0.04 s a run where
a new interpreter takes 0.5 s). `safetycase_process` runs it as the console script does, in a
process of its own with the last guard (`checker.cli.run`): only for what the process boundary
is, such as exit 3, a closed standard output or another hash seed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
"""The checkout."""
CASES = ROOT / "tests" / "cases"
BASE_CARD = CASES / "base.yaml"
"""The card that meets every requirement; tests/cases/<id>.yaml edit it."""
BASE = BASE_CARD.read_text(encoding="utf-8")
EXAMPLES = ROOT / "examples"
PASS_CARD = EXAMPLES / "aster-2-pass" / "card.yaml"
CONDITIONAL_CARD = EXAMPLES / "juniper-3-conditional" / "card.yaml"
FAIL_CARD = EXAMPLES / "orion-7-fail" / "card.yaml"
EXAMPLE_CARDS = sorted(p.relative_to(ROOT) for p in EXAMPLES.glob("*/card.yaml"))
"""Every example card, relative to the checkout (as the committed reports name them)."""

TODAY = dt.date(2026, 11, 24)
"""The date every test checks on, and every committed report carries."""
SOURCE_DATE_EPOCH = "1795478400"
"""TODAY at midnight UTC, for the command line."""
assert dt.datetime.fromtimestamp(int(SOURCE_DATE_EPOCH), tz=dt.UTC).date() == TODAY


def golden(card: Path) -> dict[str, Any]:
    """The committed JSON report beside an example card (kept byte-identical to a fresh check by test_golden.py)."""
    return json.loads(_golden_text((ROOT / card).parent / "report.json"))


@cache
def _golden_text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


# --- the command line ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Ran:
    """What a run of the command line did, as subprocess.CompletedProcess shows it."""

    returncode: int
    stdout: str
    stderr: str


def safetycase(*args: str | Path, cwd: Path = ROOT, env: dict[str, str | None] | None = None) -> Ran:
    """`safetycase ARGS` in this process: the Typer app, standard output and error apart, `cwd` and
    `env` (None unsets) in force for the run only, SOURCE_DATE_EPOCH set and SAFETYCASE_DEBUG unset.

    Output is kept as written: colour codes are not stripped (so a test can see any that leak), and
    an exception that would reach the console script's last guard is raised here, with its traceback.
    """
    from typer.testing import CliRunner

    from checker.cli import app

    environment = {"SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH, "SAFETYCASE_DEBUG": None, **(env or {})}
    here = os.getcwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(
            app, [str(a) for a in args], env=environment, color=True, catch_exceptions=False, prog_name="safetycase"
        )
    finally:
        os.chdir(here)
    return Ran(result.exit_code, result.stdout, result.stderr)


def safetycase_process(*args: str | Path, cwd: Path = ROOT, env: dict[str, str] | None = None) -> Ran:
    """`safetycase ARGS` in a new interpreter, through the console script's last guard (`python -m checker`)."""
    environment = {**os.environ, "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH, **(env or {})}
    environment.pop("SAFETYCASE_DEBUG", None)
    done = subprocess.run(
        [sys.executable, "-m", "checker", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=environment,
        check=False,
        timeout=120,  # a run that blocks (on a pipe, say) fails instead of hanging the suite
    )
    return Ran(done.returncode, done.stdout, done.stderr)


# --- PDF printing, once a session -------------------------------------------------------------------


@dataclass(frozen=True)
class Printed:
    """A PDF as checker.render.pdf printed it, and the layout it was printed from."""

    pdf: bytes
    layout: Any
    """The weasyprint Document: its pages' boxes (walked for overflow by test_documents.py)."""


@contextlib.contextmanager
def layouts() -> Iterator[list[Any]]:
    """Every document WeasyPrint lays out meanwhile (HTML.render, which HTML.write_pdf calls), kept."""
    import weasyprint

    laid_out: list[Any] = []
    render = weasyprint.HTML.render

    def keeping(self: Any, *args: Any, **kwargs: Any) -> Any:
        document = render(self, *args, **kwargs)
        laid_out.append(document)
        return document

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(weasyprint.HTML, "render", keeping)
        yield laid_out


def printed(print_it: Callable[[], bytes]) -> Printed:
    """What `print_it` prints, with the one layout it printed from."""
    with layouts() as laid_out:
        data = print_it()
    (layout,) = laid_out
    return Printed(data, layout)


class SharedPrinter:
    """checker.render.pdf.write_pdf, printing each (HTML, identifier) once a session: laying a report out
    takes seconds, and the same report's PDF is asked for by several tests. A call with a fetcher of its
    own (to see what it refused) is always printed afresh. Sound because printing is deterministic
    (test_cli.py's reproducibility test compares a print in this process with one in another)."""

    def __init__(self, write_pdf: Callable[..., bytes]) -> None:
        self._write_pdf = write_pdf
        self._printed: dict[tuple[str, bytes], Printed] = {}
        self.last: Printed | None = None
        """The last print asked for, fresh or shared."""

    def write_pdf(self, html: str, identifier: bytes, fetcher: Any = None) -> bytes:
        if fetcher is not None:
            return self._write_pdf(html, identifier, fetcher)
        key = (html, identifier)
        if key not in self._printed:
            self._printed[key] = printed(lambda: self._write_pdf(html, identifier))
        self.last = self._printed[key]
        return self.last.pdf

    def report(self, report: Any) -> Printed:
        """The PDF report of a checked report, as checker.render.pdf.render prints it."""
        from checker.render import pdf

        pdf.render(report)
        assert self.last is not None
        return self.last


@pytest.fixture(scope="session")
def pdf_printer() -> Iterator[SharedPrinter]:
    """PDFs printed once a session, from the first test that asks on (see SharedPrinter)."""
    from checker.render import pdf

    printer = SharedPrinter(pdf.write_pdf)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pdf, "write_pdf", printer.write_pdf)
        yield printer


# --- what a test may not leave behind ---------------------------------------------------------------


def _children() -> list[int]:
    """This process's child processes (a zombie too: one not waited for), but multiprocessing's own that last
    the session (the forkserver batch's workers start from, its resource tracker). Linux only: elsewhere none
    are seen."""
    try:
        pids = [pid for task in Path("/proc/self/task").iterdir() for pid in (task / "children").read_text().split()]
    except OSError:
        return []
    children = []
    for pid in pids:
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:  # it ended just now
            continue
        if b"from multiprocessing." not in command:
            children.append(int(pid))
    return sorted(children)


def _state() -> dict[str, object]:
    """What one run of the command line in this process could change for the runs after it (an environment
    variable as $NAME), the example files' link counts, and the processes it could leave behind."""
    umask = os.umask(0o022)
    os.umask(umask)
    loggers = {name: logging.getLogger(name).level for name in ("", "weasyprint", "fontTools")}
    environment = {key: value for key, value in os.environ.items() if key != "PYTEST_CURRENT_TEST"}  # pytest's own
    return {
        "cwd": os.getcwd(),
        "umask": umask,
        # A link to an example's file elsewhere makes its evidence refused (a hard link) for every later test.
        "examples hard-linked": sorted(str(p) for p in EXAMPLES.rglob("*") if p.is_file() and p.stat().st_nlink > 1),
        "logging levels": loggers,
        "child processes": _children(),
        **{f"${k}": v for k, v in environment.items()},
    }


@pytest.fixture(autouse=True)
def _leaves_no_trace() -> Iterator[None]:
    """Every test leaves the process as it found it (after its own fixtures are undone): working folder,
    environment, umask, log levels and child processes. The command line runs in this process; a run that
    changed one of these would change the runs after it, and a worker left running would outlive it."""
    before = _state()
    yield
    after = _state()
    changed = {
        what: (before.get(what), after.get(what))
        for what in before.keys() | after.keys()
        if before.get(what) != after.get(what)
    }
    assert not changed, f"the test left the process changed: {changed}"


# --- no network -------------------------------------------------------------------------------------


class NetworkRefused(RuntimeError):
    """A test reached for the network; safetycase never does."""


_INTERNET = (socket.AF_INET, socket.AF_INET6)


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Internet sockets refuse to connect and names to resolve. Local (AF_UNIX) sockets still work:
    batch's worker pool talks to its forkserver through one."""
    connect, connect_ex = socket.socket.connect, socket.socket.connect_ex

    def refuse(address: object) -> NetworkRefused:
        return NetworkRefused(f"a test tried to reach {address!r}: the suite runs without the network")

    def guarded_connect(self: socket.socket, address: Any) -> None:
        if self.family in _INTERNET:
            raise refuse(address)
        connect(self, address)

    def guarded_connect_ex(self: socket.socket, address: Any) -> int:
        if self.family in _INTERNET:
            raise refuse(address)
        return connect_ex(self, address)

    def no_lookup(host: Any, *args: Any, **kwargs: Any) -> Any:
        raise refuse(host)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", guarded_connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", no_lookup)
    monkeypatch.setattr(socket, "gethostbyname", no_lookup)
    yield
