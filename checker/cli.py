"""The command line: parse options, call the pipeline, choose the exit code. No logic here.

Exit codes: 0 the gate passes, 1 it does not (by --fail-on), 2 bad input or misuse,
3 an internal error (a bug in safetycase, never the input's fault).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sys
from collections.abc import Callable, Sequence
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from checker import __version__
from checker.output import OutputRefused, check_output_path, write_atomically
from checker.problems import CardError
from checker.terminal import visible

if TYPE_CHECKING:
    from checker.batch import Row
    from checker.profiles import Profile

EXIT_PASS, EXIT_GATE, EXIT_INPUT, EXIT_INTERNAL = 0, 1, 2, 3
BINARY_FORMATS = ("pdf",)
"""Formats that go to a file (-o), never to a terminal."""
ONE_DOCUMENT_FORMATS = ("html", "sarif", "junit")
"""Formats whose documents cannot be concatenated: several cards would make an invalid file."""
_CARD_SUFFIXES = (".yaml", ".yml")
"""What `init` may write: the card template is YAML with comments, so a .json name would lie."""

app = typer.Typer(
    name="safetycase",
    help="Check an AI model's safety case against alignment-faking governance requirements.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


class FailOn(str, Enum):
    blocker = "blocker"
    major = "major"
    minor = "minor"
    never = "never"


class CatalogFormat(str, Enum):
    text = "text"
    json = "json"
    markdown = "markdown"


def _today() -> dt.date:
    """The report date: from SOURCE_DATE_EPOCH when set (reproducible builds), else today."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is None:
        return dt.date.today()
    try:
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date()
    except (ValueError, OverflowError, OSError):
        _usage(f"SOURCE_DATE_EPOCH must be a whole number of seconds, found '{epoch}'")


def _usage(message: str) -> NoReturn:
    typer.echo(f"safetycase: {message}", err=True)
    raise typer.Exit(EXIT_INPUT)


def _report_problems(error: CardError) -> None:
    for problem in error.problems:
        typer.echo(str(problem), err=True)


def _print(text: str, *, nl: bool = True) -> None:
    """Write to standard output; a closed, full or broken one is a one-line exit 2, not a crash."""
    if sys.stdout is None:  # started with standard output closed (`>&-`)
        _usage("cannot write to standard output: it is closed")
    try:
        typer.echo(text, nl=nl)
    except OSError as error:
        # What is still buffered would fail again at exit, with a second and noisier message.
        with contextlib.suppress(OSError, ValueError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            os.close(devnull)
        _usage(f"cannot write to standard output: {error.strerror or error}")


def _colour() -> bool:
    """Colour on a terminal, unless NO_COLOR is set and not empty (no-color.org) or TERM=dumb."""
    terminal = sys.stdout is not None and sys.stdout.isatty()  # None: started with stdout closed
    return terminal and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


def _refuse_unsafe_output(out: Path, cards: Sequence[Path] = ()) -> None:
    try:
        check_output_path(out, cards)
    except OutputRefused as refused:
        _usage(str(refused))


def _write(out: Path, content: str | bytes) -> None:
    try:
        write_atomically(out, content)
    except OutputRefused as refused:
        _usage(str(refused))


def _profile(name_or_file: str) -> Profile:
    """The profile, loaded and checked once per command; a bad one is its located errors and exit 2."""
    from checker.catalog import load_catalog
    from checker.profiles import load_profile

    try:
        return load_profile(name_or_file, load_catalog())
    except CardError as error:
        _report_problems(error)
        raise typer.Exit(EXIT_INPUT) from None


def _gate_fails(fail_on: FailOn, severities: set[str]) -> bool:
    if fail_on is FailOn.never:
        return False
    order = ("blocker", "major", "minor")
    return any(s in severities for s in order[: order.index(fail_on.value) + 1])


def _version(value: bool) -> None:
    if value:
        _print(f"safetycase {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Check an AI model's safety case against alignment-faking governance requirements."""


def _formats(value: str) -> tuple[str, ...]:
    """`json,sarif,markdown` -> the format names, each known, none twice; misuse is exit 2."""
    from checker.render import renderer

    names = tuple(name.strip().lower() for name in value.split(","))
    if not all(names):
        _usage(f"--format '{value}' has an empty name; give names separated by commas, e.g. json,sarif")
    for name in names:
        try:
            renderer(name)
        except LookupError as error:
            _usage(str(error))
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        _usage(f"--format names {', '.join(repeated)} more than once")
    return names


def _output_folder(out: Path) -> None:
    """-o for several formats: a folder, or a new one whose parent exists (made once the reports are ready)."""
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        _usage(f"cannot write {out}: several formats go to a folder, and {out} is not one")
    if not out.exists() and not out.parent.is_dir():
        _usage(f"cannot write {out}: no folder {out.parent}")


ProfileOption = Annotated[
    str, typer.Option("--profile", "-p", help="A built-in profile (default, regulator) or a profile file.")
]
"""--profile, as every command that checks takes it."""
DraftOption = Annotated[
    bool,
    typer.Option("--no-evidence", help="Do not read evidence files (a draft): the report says they were not verified."),
]
"""--no-evidence of the commands that write one card's report (check, report)."""


@app.command()
def check(
    cards: Annotated[
        list[Path],
        typer.Argument(
            help="Card files (YAML, JSON, or Markdown with YAML front matter).", show_default=False, metavar="CARD"
        ),
    ],
    profile: ProfileOption = "default",
    output_format: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            help=(
                "text, json, markdown, html, pdf, sarif or junit (pdf needs -o). Several, separated by commas, "
                "write report.<ext> for each into the folder -o."
            ),
        ),
    ] = "text",
    out: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write the report to this file (a folder for several formats)."),
    ] = None,
    fail_on: Annotated[
        FailOn, typer.Option("--fail-on", help="The least severity that fails the gate (exit 1).")
    ] = FailOn.blocker,
    no_evidence: DraftOption = False,
) -> None:
    """Check cards and report the verdict, scores and findings."""
    from checker.pipeline import check_file
    from checker.render import EXTENSIONS, renderer

    formats = _formats(output_format)
    if out is not None and len(cards) > 1:
        _usage("-o takes one card; give one card per run, or use `safetycase batch` for a folder of cards")
    if out is None and len(formats) > 1:
        _usage(f"several formats ({', '.join(formats)}) need a folder to write them to: give -o FOLDER")
    if out is None and formats[0] in BINARY_FORMATS:
        _usage(f"the {formats[0]} format is binary; write it to a file with -o")
    if out is None and len(cards) > 1 and formats[0] in ONE_DOCUMENT_FORMATS:
        _usage(
            f"the {formats[0]} format holds one card; check one card per run, or use `safetycase batch` for a folder"
        )
    targets: list[Path] = []
    if out is not None and len(formats) > 1:
        _output_folder(out)
        targets = [out / f"report.{EXTENSIONS[name]}" for name in formats]
    elif out is not None:
        targets = [out]
    folder = out if out is not None and len(formats) > 1 else None
    for target in targets:
        if folder is None or folder.is_dir():  # a folder still to be made holds nothing to damage
            _refuse_unsafe_output(target, cards)
    today = _today()
    resolved = _profile(profile)  # once, before any card: a bad profile is one error, not one per card
    code = EXIT_PASS
    rendered: list[str | bytes] = []
    for card in cards:
        try:
            report = check_file(card, resolved, today=today, evidence=not no_evidence)
        except CardError as error:
            _report_problems(error)
            code = EXIT_INPUT
            continue
        if _gate_fails(fail_on, {f.severity.value for f in report.findings}) and code == EXIT_PASS:
            code = EXIT_GATE
        if targets:
            rendered.extend(renderer(name)(report) for name in formats)
        elif formats[0] == "text":
            from checker.render.text import render as render_text

            rendered.append(render_text(report, width=80, colour=_colour()))
        else:
            rendered.append(renderer(formats[0])(report))
    texts = [r for r in rendered if isinstance(r, str)]
    if targets:
        if code != EXIT_INPUT:
            if folder is not None and not folder.exists():
                try:
                    folder.mkdir()
                except OSError as error:
                    _usage(f"cannot write {folder}: {error.strerror or error}")
            for target, content in zip(targets, rendered, strict=True):
                _write(target, content)
            if len(targets) > 1:
                typer.echo(f"wrote {', '.join(str(t) for t in targets)}", err=True)
    elif formats[0] == "json" and len(cards) > 1:
        _print("[\n" + ",\n".join(r.rstrip("\n") for r in texts) + "\n]")
    else:
        _print("\n".join(texts), nl=False)
    raise typer.Exit(code)


class ReportFormat(str, Enum):
    markdown = "markdown"
    html = "html"
    pdf = "pdf"


_FORMAT_BY_SUFFIX = {".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html", ".pdf": "pdf"}


@app.command()
def report(
    card: Annotated[Path, typer.Argument(help="The card file.", show_default=False, metavar="CARD")],
    out: Annotated[Path, typer.Option("--output", "-o", help="The report file to write.", show_default=False)],
    output_format: Annotated[
        ReportFormat | None,
        typer.Option("--format", "-f", help="markdown, html or pdf; by default from the -o file's extension."),
    ] = None,
    profile: ProfileOption = "default",
    no_evidence: DraftOption = False,
) -> None:
    """Write the audit report of one card: Markdown, HTML, or a PDF printed from the HTML."""
    from checker.pipeline import check_file
    from checker.render import renderer

    name = output_format.value if output_format else _FORMAT_BY_SUFFIX.get(out.suffix.lower())
    if name is None:
        _usage(f"cannot tell the format of {out} from its extension; give --format markdown, html or pdf")
    _refuse_unsafe_output(out, [card])
    today = _today()
    try:
        finished = check_file(card, profile, today=today, evidence=not no_evidence)
    except CardError as error:
        _report_problems(error)
        raise typer.Exit(EXIT_INPUT) from None
    _write(out, renderer(name)(finished))
    typer.echo(f"wrote {out} ({name}): {finished.verdict.value}, score {finished.score:.1f}", err=True)


@app.command()
def validate(
    cards: Annotated[list[Path], typer.Argument(help="Card files to validate.", show_default=False, metavar="CARD")],
) -> None:
    """Check cards against the schema and their cross-references only."""
    from checker.load import load_card
    from checker.validate import validate as typed

    code = EXIT_PASS
    for card in cards:
        try:
            typed(load_card(card))
            found = []
        except CardError as error:
            found = error.problems
        if found:
            _report_problems(CardError(found))
            code = EXIT_INPUT
        else:
            _print(visible(f"{card}: valid"))
    raise typer.Exit(code)


@app.command()
def diff(
    old: Annotated[Path, typer.Argument(help="The earlier version of the card.", show_default=False, metavar="OLD")],
    new: Annotated[Path, typer.Argument(help="The later version of the card.", show_default=False, metavar="NEW")],
    output_format: Annotated[str, typer.Option("--format", "-f", help="text, json or markdown.")] = "text",
    profile: ProfileOption = "default",
    no_evidence: Annotated[
        bool, typer.Option("--no-evidence", help="Do not read evidence files: neither side's hashes are verified.")
    ] = False,
) -> None:
    """Show what changed between two versions of a card: outcome, evidence that no longer applies, edits.

    Exit 0 when both cards load: the diff informs, it does not gate.
    """
    from checker.diff import diff_versions
    from checker.pipeline import check_file
    from checker.render.diff import renderer

    try:
        render = renderer(output_format)
    except LookupError as error:
        _usage(str(error))
    today = _today()
    resolved = _profile(profile)
    reports = []
    for card in (old, new):  # both, so that two bad cards show all their problems at once
        try:
            reports.append(check_file(card, resolved, today=today, evidence=not no_evidence))
        except CardError as error:
            _report_problems(error)
    if len(reports) < 2:
        raise typer.Exit(EXIT_INPUT)
    _print(render(diff_versions(*reports)), nl=False)


def _plain_progress(total: int) -> tuple[object, Callable[[Row], None]]:
    """One line per card on standard error: for CI logs, where a bar would be noise."""
    width = len(str(total))
    count = 0

    def line(row: Row) -> None:
        nonlocal count
        count += 1
        if row.status == "error":
            outcome = f"error: {row.error}"
        else:
            outcome = f"{(row.verdict or '').upper()} {row.score:.1f}" + (
                " (unchanged)" if row.status == "unchanged" else ""
            )
        typer.echo(visible(f"[{count:>{width}}/{total}] {row.name}: {outcome}"), err=True)

    return contextlib.nullcontext(), line


def _bar_progress(total: int) -> tuple[object, Callable[[Row], None]]:
    """A progress bar on a terminal (standard error), with the cards that failed counted as it goes."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    progress = Progress(
        TextColumn("checking"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[failed]} failing"),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    task = progress.add_task("batch", total=total, failed=0)
    failed = 0

    def advance(row: Row) -> None:
        nonlocal failed
        failed += row.status == "error" or row.verdict == "fail"
        if row.status == "error":  # above the bar, as it happens; card text is never read as markup, nor acted on
            progress.console.print(
                visible(f"{row.name}: error: {row.error}"), markup=False, highlight=False, soft_wrap=True
            )
        progress.update(task, advance=1, failed=failed)

    return progress, advance


@app.command()
def batch(
    folder: Annotated[Path, typer.Argument(help="The folder of submissions.", show_default=False, metavar="DIR")],
    out: Annotated[
        Path,
        typer.Option("--out", "-o", help="The folder for the reports and the summary.", show_default=False),
    ],
    profile: ProfileOption = "default",
    jobs: Annotated[
        int | None,
        typer.Option("--jobs", "-j", min=1, help="Worker processes (default: one per core).", show_default=False),
    ] = None,
    output_format: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            help="Report formats for each card, separated by commas: json, html, pdf, markdown, text, sarif, junit.",
        ),
    ] = "json,html",
    fail_on: Annotated[
        FailOn, typer.Option("--fail-on", help="The least severity that fails the gate (exit 1).")
    ] = FailOn.blocker,
    no_evidence: Annotated[
        bool, typer.Option("--no-evidence", help="Do not read evidence files: the reports say they were not verified.")
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Check every card again, even those unchanged since the last run.")
    ] = False,
) -> None:
    """Check every card under a folder: one report folder per card, and summary.csv, summary.json, index.html.

    Exit 1 when any card fails the gate or cannot be checked (it is listed with its error).
    """
    from checker.batch import Settings, discover, run, summarize
    from checker.render.batch import render_csv, render_html, render_json

    formats = _formats(output_format)
    if not folder.is_dir():
        _usage(f"{folder}: no such folder")
    root, target = folder.resolve(), out.resolve()
    if target == root or target in root.parents:
        _usage(f"--out {out} holds the submissions folder {folder}; give a folder outside it")
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        _usage(f"--out {out} is not a folder")
    resolved = _profile(profile)
    found = discover(folder, exclude=out)
    if not found:
        _usage(f"no cards under {folder} (a folder with card.yaml, card.json or card.md, or bare .yaml/.json files)")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        _usage(f"cannot write {out}: {error.strerror or error}")
    settings = Settings(
        out=out, profile=resolved, formats=formats, today=_today(), evidence=not no_evidence, force=force
    )
    terminal = sys.stderr is not None and sys.stderr.isatty() and os.environ.get("TERM") != "dumb"
    display, advance = (_bar_progress if terminal else _plain_progress)(len(found))
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    workers = jobs or cores
    finished = 0

    def progress(row: Row) -> None:
        nonlocal finished
        finished += 1
        advance(row)

    try:
        with display:  # type: ignore[attr-defined]
            rows = run(found, settings, jobs=workers, progress=progress)
    except KeyboardInterrupt:
        typer.echo(
            f"safetycase: interrupted after {finished} of {len(found)} cards; their reports are whole, and no "
            "summary was written. Run the same command again to finish: unchanged cards are not checked again.",
            err=True,
        )
        raise typer.Exit(130) from None
    summary = summarize(rows, settings, root=folder, fail_on=fail_on.value)
    for name, content in (
        ("summary.json", render_json(summary)),
        ("summary.csv", render_csv(summary)),
        ("index.html", render_html(summary)),
    ):
        _write(out / name, content)
    t = summary.totals
    verdicts = ", ".join(f"{n} {verdict}" for verdict, n in t.verdicts.items())
    unchanged = f" ({t.unchanged} unchanged since the last run)" if t.unchanged else ""
    _print(
        f"{t.cards} cards{unchanged}: {verdicts}, {t.errors} could not be checked; "
        f"{t.gate_failed} fail the gate (--fail-on {fail_on.value}).\nSummary: {out / 'index.html'}"
    )
    raise typer.Exit(EXIT_GATE if t.gate_failed else EXIT_PASS)


@app.command()
def schema() -> None:
    """Print the submission JSON Schema."""
    from checker.resources import read_bytes

    _print(read_bytes("schema", "submission.schema.json").decode("utf-8"), nl=False)


@app.command()
def requirements(
    output_format: Annotated[
        CatalogFormat, typer.Option("--format", "-f", help="text, json or markdown.")
    ] = CatalogFormat.text,
) -> None:
    """Print the requirement catalog."""
    from checker.catalog import load_catalog
    from checker.render.catalog import render_json, render_markdown, render_text

    catalog = load_catalog()
    match output_format:
        case CatalogFormat.json:
            _print(render_json(catalog), nl=False)
        case CatalogFormat.markdown:
            _print(render_markdown(catalog), nl=False)
        case CatalogFormat.text:
            _print(render_text(catalog), nl=False)


@app.command()
def init(
    out: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the card here (it must not exist yet).")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
    from_: Annotated[
        Path | None,
        typer.Option(
            "--from",
            help="Start from a Hugging Face model card (README.md with YAML front matter).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Write a commented card to fill in (it validates as it is), or start one from a model card's README."""
    from checker.resources import read_bytes

    if out is not None:
        if out.suffix.lower() not in _CARD_SUFFIXES:
            _usage(f"cannot write {out}: the card is YAML with comments; name it .yaml or .yml")
        _refuse_unsafe_output(out, [from_] if from_ is not None else [])
        if out.exists() and not force:
            _usage(f"{out} exists already; use --force to overwrite it")
    if from_ is None:
        text = read_bytes("templates", "card.yaml").decode("utf-8")
    else:
        from checker.init_from import card_from_readme
        from checker.load import read_regular_file

        try:
            text = card_from_readme(read_regular_file(from_, what="README"), str(from_))
        except CardError as error:
            _report_problems(error)
            raise typer.Exit(EXIT_INPUT) from None
    if out is None:
        _print(text, nl=False)
        return
    _write(out, text)
    typer.echo(f"wrote {out}: fill in the TODOs, then run: safetycase check {out}", err=True)


def run() -> None:
    """The console script: the app, with a last guard so that no traceback reaches the user."""
    try:
        app()
    except SystemExit:
        raise
    except KeyboardInterrupt:
        typer.echo("safetycase: interrupted", err=True)
        sys.exit(130)
    except Exception as error:
        if os.environ.get("SAFETYCASE_DEBUG"):
            raise
        typer.echo(
            visible(  # the exception may quote the card
                f"safetycase: internal error ({type(error).__name__}: {error}); "
                "this is a bug in safetycase, please report it (SAFETYCASE_DEBUG=1 shows the traceback)"
            ),
            err=True,
        )
        # Not 2: CI must be able to tell a bug in the checker from a bad card.
        sys.exit(EXIT_INTERNAL)


__all__ = ["app", "run"]
