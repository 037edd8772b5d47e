"""The command line: parse options, call the pipeline, choose the exit code. No logic here.

Exit codes: 0 the gate passes, 1 it does not (by --fail-on), 2 bad input or misuse.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
from enum import Enum
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from checker import __version__
from checker.problems import CardError

EXIT_PASS, EXIT_GATE, EXIT_INPUT = 0, 1, 2

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


def _write(out: Path, text: str) -> None:
    """Write atomically: a reader never sees half a report, a failure leaves nothing behind."""
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        _usage(f"cannot write {out}: no folder {folder}")
    handle = tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=folder, prefix=f".{out.name}.", delete=False)  # noqa: SIM115 - closed below, then renamed
    try:
        with handle:
            handle.write(text)
        os.replace(handle.name, out)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise


def _gate_fails(fail_on: FailOn, severities: set[str]) -> bool:
    if fail_on is FailOn.never:
        return False
    order = ("blocker", "major", "minor")
    return any(s in severities for s in order[: order.index(fail_on.value) + 1])


def _version(value: bool) -> None:
    if value:
        typer.echo(f"safetycase {__version__}")
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
        str, typer.Option("--format", "-f", help="text or json (markdown, html, pdf, sarif, junit: not yet).")
    ] = "text",
    out: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the report to this file instead of standard output.")
    ] = None,
    fail_on: Annotated[
        FailOn, typer.Option("--fail-on", help="The least severity that fails the gate (exit 1).")
    ] = FailOn.blocker,
) -> None:
    """Check cards and report the verdict, scores and findings."""
    from checker.pipeline import check_file
    from checker.render import renderer

    try:
        render = renderer(output_format)
    except LookupError as error:
        _usage(str(error))
    if out is not None and len(cards) > 1:
        _usage("-o takes one card; give one card per run, or use one run per card")
    today = _today()
    code, rendered = EXIT_PASS, []
    for card in cards:
        try:
            report = check_file(card, profile, today=today)
        except CardError as error:
            _report_problems(error)
            code = EXIT_INPUT
            continue
        if _gate_fails(fail_on, {f.severity.value for f in report.findings}) and code == EXIT_PASS:
            code = EXIT_GATE
        if output_format == "text" and out is None:
            from checker.render.text import render as render_text

            colour = sys.stdout.isatty() and "NO_COLOR" not in os.environ
            rendered.append(render_text(report, width=80, colour=colour))
        else:
            rendered.append(render(report))
    if out is not None:
        if code != EXIT_INPUT:
            _write(out, rendered[0])
    elif output_format == "json" and len(cards) > 1:
        typer.echo("[\n" + ",\n".join(r.rstrip("\n") for r in rendered) + "\n]")
    else:
        typer.echo("\n".join(rendered), nl=False)
    raise typer.Exit(code)


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
            typer.echo(f"{card}: valid")
    raise typer.Exit(code)


@app.command()
def schema() -> None:
    """Print the submission JSON Schema."""
    from checker.resources import read_bytes

    typer.echo(read_bytes("schema", "submission.schema.json").decode("utf-8"), nl=False)


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
            typer.echo(render_json(catalog), nl=False)
        case CatalogFormat.markdown:
            typer.echo(render_markdown(catalog), nl=False)
        case CatalogFormat.text:
            typer.echo(render_text(catalog), nl=False)


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
        typer.echo(text, nl=False)
        return
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
        sys.exit(EXIT_INPUT)


__all__ = ["app", "run"]
