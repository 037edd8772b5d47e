"""The command line: parse options, call the library, choose the exit code. No logic here.

Exit codes: 0 the gate passes, 1 it does not (by --fail-on), 2 bad input or misuse,
3 an internal error (a bug in safetycase, never the input's fault).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import os
import sys
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn, ParamSpec

import typer

from checker import __version__
from checker.problems import CardError, Problem, UsageError
from checker.render import DOCUMENTS, FORMATS, listing
from checker.severity import FailOn, gate_fails
from checker.terminal import visible
from checker.workers import DEFAULT_BOUNDS, Bounds

if TYPE_CHECKING:
    from checker.profiles import Profile

EXIT_PASS, EXIT_GATE, EXIT_INPUT, EXIT_INTERNAL = 0, 1, 2, 3
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

Options = ParamSpec("Options")


def _command(function: Callable[Options, None]) -> Callable[Options, None]:
    """A command whose misuse (UsageError) and bad input (CardError) end in their messages and exit 2.

    Every command is one: the library raises, this is the one place that turns either into exit 2.
    """

    @functools.wraps(function)
    def command(*args: Options.args, **kwargs: Options.kwargs) -> None:
        try:
            function(*args, **kwargs)
        except UsageError as misuse:
            _usage(str(misuse))
        except CardError as error:
            _report_problems(error.problems)
            raise typer.Exit(EXIT_INPUT) from None

    return command


class CatalogFormat(str, Enum):
    text = "text"
    json = "json"
    markdown = "markdown"


ReportFormat = Enum("ReportFormat", {f.name: f.name for f in DOCUMENTS}, type=str)  # type: ignore[misc]
"""The audit documents `report` writes, as --format choices."""


def _today() -> dt.date:
    """The report date: from SOURCE_DATE_EPOCH when set (reproducible builds), else today."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is None:
        return dt.date.today()
    try:
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date()
    except (ValueError, OverflowError, OSError):
        raise UsageError(f"SOURCE_DATE_EPOCH must be a whole number of seconds, found '{epoch}'") from None


def _usage(message: str) -> NoReturn:
    typer.echo(f"safetycase: {message}", err=True)
    raise typer.Exit(EXIT_INPUT)


def _report_problems(problems: list[Problem]) -> None:
    for problem in problems:
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


def _profile(name_or_file: str) -> Profile:
    """The profile, loaded and checked once per command (CardError on a bad one)."""
    from checker.catalog import load_catalog
    from checker.profiles import load_profile

    return load_profile(name_or_file, load_catalog())


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


ProfileOption = Annotated[
    str, typer.Option("--profile", "-p", help="A built-in profile (default, regulator) or a profile file.")
]
"""--profile, as every command that checks takes it."""
DraftOption = Annotated[
    bool,
    typer.Option("--no-evidence", help="Do not read evidence files (a draft): the report says they were not verified."),
]
"""--no-evidence of the commands that write one card's report (check, report)."""
FailOnOption = Annotated[FailOn, typer.Option("--fail-on", help="The least severity that fails the gate (exit 1).")]
"""--fail-on, of the commands that gate (check, batch)."""

_BINARY = [f.name for f in FORMATS.values() if f.binary]
_CHECK_FORMATS = (
    f"{listing(list(FORMATS))} ({listing(_BINARY, 'and')} need{'s' if len(_BINARY) == 1 else ''} -o). Several, "
    "separated by commas, write report.<ext> for each into the folder -o."
)


@app.command()
@_command
def check(
    cards: Annotated[
        list[Path],
        typer.Argument(
            help="Card files (YAML, JSON, or Markdown with YAML front matter).", show_default=False, metavar="CARD"
        ),
    ],
    profile: ProfileOption = "default",
    output_format: Annotated[str, typer.Option("--format", "-f", help=_CHECK_FORMATS)] = "text",
    out: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write the report to this file (a folder for several formats)."),
    ] = None,
    fail_on: FailOnOption = FailOn.BLOCKER,
    no_evidence: DraftOption = False,
) -> None:
    """Check cards and report the verdict, scores and findings."""
    from checker.output import parse_formats, plan_output
    from checker.pipeline import check_files
    from checker.render import RenderOptions

    resolved = _profile(profile)
    plan = plan_output(parse_formats(output_format), out, cards, resolved.files)
    today = _today()
    reports, problems = check_files(cards, resolved, today=today, evidence=not no_evidence)
    _report_problems(problems)
    if plan.targets and not problems:
        written = plan.write(reports[0])
        if len(written) > 1:
            typer.echo(f"wrote {', '.join(str(t) for t in written)}", err=True)
    elif not plan.targets:
        _print(plan.text(reports, RenderOptions(colour=_colour())), nl=False)
    failing = any(gate_fails(fail_on, (f.severity for f in report.findings)) for report in reports)
    raise typer.Exit(EXIT_INPUT if problems else EXIT_GATE if failing else EXIT_PASS)


@app.command()
@_command
def report(
    card: Annotated[Path, typer.Argument(help="The card file.", show_default=False, metavar="CARD")],
    out: Annotated[Path, typer.Option("--output", "-o", help="The report file to write.", show_default=False)],
    output_format: Annotated[
        ReportFormat | None,
        typer.Option(
            "--format", "-f", help=f"{listing([f.name for f in DOCUMENTS])}; by default from the -o file's extension."
        ),
    ] = None,
    profile: ProfileOption = "default",
    no_evidence: DraftOption = False,
) -> None:
    """Write the audit report of one card: Markdown, HTML, or a PDF printed from the HTML."""
    from checker.output import check_not_an_input, check_output_path, write_atomically
    from checker.pipeline import check_file
    from checker.render import format_of_file

    fmt = FORMATS[output_format.value] if output_format else format_of_file(out)
    if fmt is None:
        names = listing([f.name for f in DOCUMENTS])
        raise UsageError(f"cannot tell the format of {out} from its extension; give --format {names}")
    resolved = _profile(profile)
    check_output_path(out, [card], resolved.files)
    finished = check_file(card, resolved, today=_today(), evidence=not no_evidence)
    check_not_an_input(out, finished)
    write_atomically(out, fmt.render(finished))
    typer.echo(f"wrote {out} ({fmt.name}): {finished.verdict.value}, score {finished.score:.1f}", err=True)


@app.command()
@_command
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
        except CardError as error:
            _report_problems(error.problems)
            code = EXIT_INPUT
        else:
            _print(visible(f"{card}: valid"))
    raise typer.Exit(code)


@app.command()
@_command
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
    from checker.pipeline import check_files
    from checker.render.diff import renderer

    try:
        render = renderer(output_format)
    except LookupError as error:
        raise UsageError(str(error)) from None
    today = _today()
    # Both, so that two bad cards show all their problems at once.
    reports, problems = check_files((old, new), _profile(profile), today=today, evidence=not no_evidence)
    if problems:
        raise CardError(problems)
    _print(render(diff_versions(*reports)), nl=False)


@app.command()
@_command
def batch(
    folder: Annotated[Path, typer.Argument(help="The folder of submissions.", show_default=False, metavar="DIR")],
    out: Annotated[
        Path,
        typer.Option("--out", "-o", help="The folder for the reports and the summary.", show_default=False),
    ],
    profile: ProfileOption = "default",
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs", "-j", min=1, help="Worker processes (default, and at most: one per core).", show_default=False
        ),
    ] = None,
    output_format: Annotated[
        str,
        typer.Option(
            "--format", "-f", help=f"Report formats for each card, separated by commas: {', '.join(FORMATS)}."
        ),
    ] = "json,html",
    fail_on: FailOnOption = FailOn.BLOCKER,
    no_evidence: Annotated[
        bool, typer.Option("--no-evidence", help="Do not read evidence files: the reports say they were not verified.")
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Check every card again, even those unchanged since the last run.")
    ] = False,
    card_timeout: Annotated[
        float,
        typer.Option(
            "--card-timeout",
            min=0,
            max=86_400,
            help="Seconds one card may take; a card still being checked then is stopped and listed as not "
            "checked, and the batch goes on (0: no bound).",
        ),
    ] = DEFAULT_BOUNDS.seconds,
    card_memory: Annotated[
        int,
        typer.Option(
            "--card-memory",
            min=0,
            max=1_048_576,
            help="MiB of memory a worker process may use for one card; a card that needs more is listed as not "
            "checked, and the batch goes on (0: no bound).",
        ),
    ] = DEFAULT_BOUNDS.mebibytes,
) -> None:
    """Check every card under a folder: one report folder per card, and summary.csv, summary.json, index.html.

    Exit 1 when any card fails the gate or cannot be checked (it is listed with its error).
    """
    from checker.batch import BatchInterrupted, Settings, cards_to_check, check_folders, jobs_note, run_batch
    from checker.output import parse_formats
    from checker.progress import Progress, say
    from checker.render.batch import render_line

    formats = parse_formats(output_format)
    check_folders(folder, out)
    resolved = _profile(profile)
    found = cards_to_check(folder, out)
    settings = Settings(
        out=out, profile=resolved, formats=formats, today=_today(), evidence=not no_evidence, force=force
    )
    note = jobs_note(jobs)
    if note is not None:
        say(f"safetycase: {note}")
    terminal = sys.stderr is not None and sys.stderr.isatty() and os.environ.get("TERM") != "dumb"
    progress = Progress(len(found), terminal=terminal, fail_on=fail_on)
    bounds = Bounds(seconds=card_timeout, mebibytes=card_memory)
    try:
        with progress:
            summary = run_batch(
                found, settings, root=folder, jobs=jobs, fail_on=fail_on, bounds=bounds, progress=progress.advance
            )
    except BatchInterrupted as interrupted:
        say(
            f"safetycase: interrupted after {interrupted.finished} of {interrupted.total} cards; their reports are "
            "whole, and no summary was written. Run the same command again to finish: unchanged cards are not "
            "checked again."
        )
        raise typer.Exit(130) from None
    say(render_line(summary, out / "index.html"), err=False)  # the summary is written: a lost reader changes no exit
    raise typer.Exit(EXIT_GATE if summary.totals.gate_failed else EXIT_PASS)


@app.command()
@_command
def schema() -> None:
    """Print the submission JSON Schema."""
    from checker.resources import read_bytes

    _print(read_bytes("schema", "submission.schema.json").decode("utf-8"), nl=False)


@app.command()
@_command
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
@_command
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
    from checker.output import check_output_path, write_atomically
    from checker.resources import read_bytes

    if out is not None:
        if out.suffix.lower() not in _CARD_SUFFIXES:
            raise UsageError(f"cannot write {out}: the card is YAML with comments; name it .yaml or .yml")
        check_output_path(out, [from_] if from_ is not None else [])
        if out.exists() and not force:
            raise UsageError(f"{out} exists already; use --force to overwrite it")
    if from_ is None:
        text = read_bytes("templates", "card.yaml").decode("utf-8")
    else:
        from checker.init_from import card_from_readme
        from checker.load import read_regular

        text = card_from_readme(read_regular(from_, what="README").raw, str(from_))
    if out is None:
        _print(text, nl=False)
        return
    write_atomically(out, text)
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
