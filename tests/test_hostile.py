"""Hostile inputs through the command line, as a user would meet them: the corpus in tests/hostile/.

Each case in tests/hostile/cases.yaml names a card (committed, or written by make.py), the
command and what must come out. Whatever the case, the run must also print no traceback, write
nothing on bad input, leave the input files as they were (and add none), put no terminal control
character on standard output or error, write HTML or Markdown that neither runs nor fetches
anything, and stay under 500 MB of memory. Each run is a process of its own, so that its memory can
be measured: forked by tests/hostile/runner.py, which imports the checker once for them all. How
long a case takes is not asserted here: benchmarks/hostile_speed.py times the corpus (medians
against a baseline run beside them).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import subprocess
import sys
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, SOURCE_DATE_EPOCH, TODAY
from markdown_it import MarkdownIt

from checker.pipeline import check_file
from checker.render import FORMATS
from checker.report import Report
from checker.terminal import HIDDEN_CATEGORIES
from tests.hostile.make import CASES, CORPUS, FOLDERS, SUBMISSIONS, TEXTS, case_arguments, place

PEAK_LIMIT_KIB = 500 * 1024
"""Peak resident memory of one run (ru_maxrss is in KiB on Linux)."""
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
"""Characters a terminal acts on (escape sequences, bell, backspace): C0 and C1 controls but tab and
newline. A carriage return arrives as a newline: a run's output is read with universal newlines."""


# --- running one case ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    returncode: int
    stdout: str
    stderr: str
    peak_kib: int
    """The run's peak resident memory (an upper bound: see tests/hostile/runner.py)."""


class Runner:
    """tests/hostile/runner.py, started once: each run is a process of its own, forked from an interpreter
    that has imported the checker, through the console script's last guard, its peak memory measured."""

    def __init__(self) -> None:
        environment = {k: v for k, v in os.environ.items() if k != "SAFETYCASE_DEBUG"}
        environment["SOURCE_DATE_EPOCH"] = SOURCE_DATE_EPOCH
        environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), environment.get("PYTHONPATH")]))
        self._process = subprocess.Popen(
            [sys.executable, str(CORPUS / "runner.py")],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            env=environment,
        )

    def run(self, *args: str, cwd: Path) -> Run:
        """`safetycase ARGS` run in `cwd`; its output read as text, with universal newlines."""
        assert self._process.stdin is not None and self._process.stdout is not None
        stdout, stderr = cwd.parent / "stdout.txt", cwd.parent / "stderr.txt"
        self._process.stdin.write(json.dumps([list(args), str(cwd), str(stdout), str(stderr)]) + "\n")
        self._process.stdin.flush()
        answer = self._process.stdout.readline()
        if not answer:
            pytest.fail(f"tests/hostile/runner.py ended (exit {self._process.wait()})")
        returncode, peak = json.loads(answer)
        return Run(returncode, stdout.read_text(encoding="utf-8"), stderr.read_text(encoding="utf-8"), peak)

    def close(self) -> None:
        assert self._process.stdin is not None
        self._process.stdin.close()
        self._process.wait(timeout=60)


@pytest.fixture(scope="module")
def runner() -> Iterator[Runner]:
    started = Runner()
    try:
        yield started
    finally:
        started.close()


def snapshot(folder: Path) -> dict[str, str]:
    """Every entry under `folder`: a file by its sha256, a link by its target; a pipe is never opened."""
    entries = {}
    for path in sorted(folder.rglob("*")):
        mode = path.lstat().st_mode
        if stat.S_ISLNK(mode):
            entries[str(path)] = f"link to {os.readlink(path)}"
        elif stat.S_ISREG(mode):
            entries[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
        else:
            entries[str(path)] = stat.filemode(mode)
    return entries


# --- what no report may hold --------------------------------------------------------------------

LIVE_TAGS = {"script", "iframe", "frame", "object", "embed", "applet", "img", "image", "link", "base", "form"}
FETCHED = {"src", "srcset", "data", "poster", "background", "action", "formaction", "xlink:href", "ping"}
LINK_SCHEMES = {"http", "https", "mailto"}
_SCHEME = re.compile(r"([a-z][a-z0-9+.-]*):")
_IGNORED_BEFORE_SCHEME = "".join(map(chr, range(33)))
"""Browsers drop leading spaces and controls before a scheme: " javascript:" still runs."""


class _Markup(HTMLParser):
    """Start tags and the text of style elements, character references decoded as a browser does."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.styles: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {name: value or "" for name, value in attrs}))
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.styles.append(data)


def live_markup(html: str) -> list[str]:
    """What in `html` would run script or fetch something when a browser shows it."""
    parser = _Markup()
    parser.feed(html)
    found = []
    for tag, attrs in parser.tags:
        if tag in LIVE_TAGS or (tag == "meta" and "http-equiv" in attrs):
            found.append(f"<{tag} {attrs}>")
        for name, value in attrs.items():
            scheme = _SCHEME.match(value.lstrip(_IGNORED_BEFORE_SCHEME).lower())
            if name.startswith("on"):
                found.append(f"<{tag} {name}=...>")
            elif name in FETCHED and scheme:
                found.append(f"<{tag} {name}={value!r}> fetches")
            elif name == "href" and scheme and scheme.group(1) not in LINK_SCHEMES:
                found.append(f"<{tag} href={value!r}>")
            elif name == "style" and "url(" in value:
                found.append(f"<{tag} style={value!r}>")
    found += [f"<style> fetches: {css[:80]!r}" for css in parser.styles if re.search(r"url\(|@import", css)]
    return found


def _permissive_viewer() -> MarkdownIt:
    """A Markdown viewer at its least careful: raw HTML rendered, every link and image kept."""
    viewer = MarkdownIt("commonmark", {"html": True})
    viewer.validateLink = lambda url: True  # type: ignore[method-assign]
    return viewer


def live_in_output(path: Path, text: str) -> list[str]:
    if path.suffix == ".html":
        return live_markup(text)
    if path.suffix == ".md":
        return live_markup(_permissive_viewer().render(text))
    return []


# --- the cases ----------------------------------------------------------------------------------


def _param(name: str) -> Any:
    reason = CASES[name].get("xfail")
    return pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=reason) if reason else ())


def _output_path(args: list[str]) -> Path | None:
    for flag in ("-o", "--output"):
        if flag in args:
            return Path(args[args.index(flag) + 1])
    return None


@pytest.mark.slow
@pytest.mark.parametrize("name", [_param(name) for name in CASES])
def test_hostile_input(runner: Runner, name: str, tmp_path: Path) -> None:
    case = CASES[name]
    inputs, out = tmp_path / "in", tmp_path / "out"
    inputs.mkdir()
    out.mkdir()
    card = place(case["card"], inputs).relative_to(inputs)
    args = case_arguments(name, card, out)
    before = snapshot(inputs)

    run = runner.run(*args, cwd=inputs)

    about = (
        f"{name}: safetycase {' '.join(args)}\nexit {run.returncode}, peak RSS {run.peak_kib / 1024:.0f} MiB\n"
        f"stderr: {run.stderr[:2000]}"
    )
    assert "Traceback" not in run.stderr and "internal error" not in run.stderr, about
    assert run.returncode == case["exit"], about
    assert run.peak_kib < PEAK_LIMIT_KIB, about
    assert snapshot(inputs) == before, f"the input files changed or new ones appeared\n{about}"
    assert not CONTROL.search(run.stdout + run.stderr), f"a terminal control character was printed\n{about}"
    if "stderr" in case:
        assert run.stderr.splitlines() == [case["stderr"].replace("{path}", str(card))], about
    for piece in case.get("stderr_contains", ()):
        assert piece.replace("{path}", str(card)) in run.stderr, about

    report = _output_path(args)
    written = sorted(p.name for p in out.iterdir())
    if run.returncode == 2:
        assert len(run.stderr.splitlines()) == 1, f"one problem, one line\n{about}"
        assert written == [] and run.stdout == "", f"written on bad input: {written}\n{about}"
        return
    if report is not None:
        assert written == [report.name], about
    read = Path(case["read"].replace("{out}", str(out))) if "read" in case else report
    text = run.stdout if read is None else read.read_bytes().decode("utf-8", "replace")  # a PDF, as far as it is text
    for piece in case.get("contains", ()):
        assert piece in text, f"{piece!r} missing from the output\n{about}"
    for piece in case.get("absent", ()):
        assert piece not in text, f"{piece!r} in the output\n{about}"
    if read is not None and read.name != "index.html":  # a report (a batch's index.html has a script of its own)
        assert live_in_output(read, text) == [], about
    if "evidence" in case:
        records = {
            r["path"]: r["status"] + (f": {r['reason']}" if r["reason"] else "") for r in json.loads(text)["evidence"]
        }
        assert records == case["evidence"], about


# --- every format, in process ----------------------------------------------------------------------

CARD_TEXT = sorted({c["card"] for c in CASES.values() if c["exit"] in (0, 1) and (CORPUS / c["card"]).is_file()})
"""The committed cards the corpus checks (not refuses): hostile text for every report to hold safely."""
TEXT_FORMATS = [f for f in FORMATS.values() if not f.binary]
"""Every format whose report is text (the PDF's printing is tests/test_documents.py's)."""


@pytest.fixture(scope="module")
def card_text_reports() -> dict[str, Report]:
    return {card: check_file(CORPUS / card, today=TODAY) for card in CARD_TEXT}


@pytest.mark.parametrize(("card", "name"), [(card, fmt.name) for card in CARD_TEXT for fmt in TEXT_FORMATS])
def test_what_no_report_may_hold(card_text_reports: dict[str, Report], card: str, name: str) -> None:
    """Whatever the format: nothing that runs or fetches when the report is shown as its kind, and no
    character a terminal acts on or a reader cannot see, bar the report's own line breaks and tabs (a
    report may well be read with cat or less). JSON, SARIF and JUnit keep the card's text exact all the
    same: they write such characters as escapes."""
    fmt = FORMATS[name]
    text = fmt.render(card_text_reports[card])
    assert isinstance(text, str)
    assert live_in_output(Path(f"report.{fmt.extension}"), text) == []
    assert not CONTROL.search(text), f"a terminal control character in the {name} report: {CONTROL.findall(text)[:5]}"
    hidden = [c for c in text if unicodedata.category(c) in HIDDEN_CATEGORIES and c not in "\t\n"]
    assert hidden == [], f"hidden characters in the {name} report: {hidden[:5]}"


# --- the corpus itself --------------------------------------------------------------------------


def test_every_case_has_its_card_and_every_card_a_case() -> None:
    named = {case["card"] for case in CASES.values()}
    committed = {
        p.name for p in CORPUS.iterdir() if p.name not in ("cases.yaml", "make.py", "runner.py", "__pycache__")
    }
    generated = TEXTS.keys() | SUBMISSIONS.keys()
    assert named - committed - generated == set(), "cases.yaml names a card that is neither here nor in make.py"
    assert committed - named == set() and generated - named == set(), "a card that no case runs"
    assert FOLDERS.keys() <= committed


def test_committed_cards_stay_small() -> None:
    sizes = {str(p.relative_to(CORPUS)): p.stat().st_size for p in CORPUS.rglob("*") if p.is_file()}
    assert {name: size for name, size in sizes.items() if size > 100_000} == {}


@pytest.mark.parametrize(
    "html",
    [
        "<script>alert(1)</script>",
        '<img src="http://evil.example/x.png" alt="">',
        '<a href=" JaVaScRiPt:alert(1)">spaces and case</a>',
        '<a href="javascript&#58;alert(1)">a character reference</a>',
        '<p onclick="alert(1)">handler</p>',
        '<div style="background: url(http://evil.example/)"></div>',
        '<style>@import "http://evil.example/x.css";</style>',
        '<meta http-equiv="refresh" content="0; url=http://evil.example/">',
    ],
)
def test_the_inspection_sees_live_markup(html: str) -> None:
    # The report checks are only as good as this one: it must see what a browser would run or fetch.
    assert live_markup(html) != []


def test_the_inspection_passes_inert_markup_and_sees_through_markdown() -> None:
    inert = '<a href="https://example.org/">out</a><a href="#top">in</a><style>p { color: red }</style>'
    assert live_markup(inert) == []
    assert len(live_in_output(Path("r.md"), "![x](http://evil.example/x.png) [y](javascript:alert(1))")) == 3
