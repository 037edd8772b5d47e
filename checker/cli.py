"""The command line: parse options, call the pipeline, choose the exit code. No logic here.

Exit codes: 0 the gate passes, 1 it does not (by --fail-on), 2 bad input or misuse,
3 an internal error (a bug in safetycase, never the input's fault).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sys
from collections.abc import Sequence
from enum import Enum
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from checker import __version__
from checker.output import OutputRefused, check_output_path, write_atomically
from checker.problems import CardError

EXIT_PASS, EXIT_GATE, EXIT_INPUT, EXIT_INTERNAL = 0, 1, 2, 3
BINARY_FORMATS = ("pdf",)
"""Formats that go to a file (-o), never to a terminal."""
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


@app.command()
def check(
    cards: Annotated[
        list[Path],
        typer.Argument(
            help="Card files (YAML, JSON, or Markdown with YAML front matter).", show_default=False, metavar="CARD"
        ),
    ],
    profile: Annotated[
        str, typer.Option("--profile", "-p", help="A built-in profile (default, regulator) or a profile file.")
    ] = "default",
    output_format: Annotated[
        str, typer.Option("--format", "-f", help="text, json, markdown, html or pdf (pdf needs -o).")
    ] = "text",
    out: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the report to this file instead of standard output.")
    ] = None,
    fail_on: Annotated[
        FailOn, typer.Option("--fail-on", help="The least severity that fails the gate (exit 1).")
    ] = FailOn.blocker,
    no_evidence: Annotated[
        bool,
        typer.Option(
            "--no-evidence", help="Do not read evidence files (a draft): the report says they were not verified."
        ),
    ] = False,
) -> None:
    """Check cards and report the verdict, scores and findings."""
    from checker.catalog import load_catalog
    from checker.pipeline import check_file
    from checker.profiles import load_profile
    from checker.render import renderer

    try:
        render = renderer(output_format)
    except LookupError as error:
        _usage(str(error))
    if out is not None and len(cards) > 1:
        _usage("-o takes one card; give one card per run, or use one run per card")
    if out is None and output_format in BINARY_FORMATS:
        _usage(f"the {output_format} format is binary; write it to a file with -o")
    if out is not None:
        _refuse_unsafe_output(out, cards)
    today = _today()
    try:
        # Once, before any card: a bad profile is one error, not one per card.
        resolved = load_profile(profile, load_catalog())
    except CardError as error:
        _report_problems(error)
        raise typer.Exit(EXIT_INPUT) from None
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
        if output_format == "text" and out is None:
            from checker.render.text import render as render_text

            rendered.append(render_text(report, width=80, colour=_colour()))
        else:
            rendered.append(render(report))
    texts = [r for r in rendered if isinstance(r, str)]
    if out is not None:
        if code != EXIT_INPUT:
            _write(out, rendered[0])
    elif output_format == "json" and len(cards) > 1:
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
    profile: Annotated[
        str, typer.Option("--profile", "-p", help="A built-in profile (default, regulator) or a profile file.")
    ] = "default",
    no_evidence: Annotated[
        bool,
        typer.Option(
            "--no-evidence", help="Do not read evidence files (a draft): the report says they were not verified."
        ),
    ] = False,
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
    from checker.validate import problems

    code = EXIT_PASS
    for card in cards:
        try:
            found = problems(load_card(card))
        except CardError as error:
            found = error.problems
        if found:
            _report_problems(CardError(found))
            code = EXIT_INPUT
        else:
            _print(f"{card}: valid")
    raise typer.Exit(code)


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
) -> None:
    """Write a commented card to fill in (it validates as it is)."""
    from checker.resources import read_bytes

    text = read_bytes("templates", "card.yaml").decode("utf-8")
    if out is None:
        _print(text, nl=False)
        return
    if out.suffix.lower() not in _CARD_SUFFIXES:
        _usage(f"cannot write {out}: the card is YAML with comments; name it .yaml or .yml")
    _refuse_unsafe_output(out)
    if out.exists() and not force:
        _usage(f"{out} exists already; use --force to overwrite it")
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
            f"safetycase: internal error ({type(error).__name__}: {error}); "
            "this is a bug in safetycase, please report it (SAFETYCASE_DEBUG=1 shows the traceback)",
            err=True,
        )
        # Not 2: CI must be able to tell a bug in the checker from a bad card.
        sys.exit(EXIT_INTERNAL)


__all__ = ["app", "run"]
