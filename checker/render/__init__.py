"""Output formats: one descriptor each, the one place that says what a format is.

Each renderer module has `render(report, options)`, which takes a finished Report and returns its
text (bytes for a binary format) and computes nothing. A format's module is imported only when
the format is rendered (WeasyPrint costs half a second; a plain check loads no templates).
Everything else that names formats reads `FORMATS`: the command line's choices and help,
`report`'s file-name suffixes, batch's file names, the docs and the parametrised tests. Adding a
format is its renderer, its template if any, its entry here and its tests.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from checker.report import Report


PLACES_SHOWN = 10
"""How many places of one finding a document lists (text, Markdown, HTML, PDF, JUnit, diff): the rest are
counted ("and 24,990 more"). The JSON report lists every place; SARIF its own number (render/sarif.py)."""
ROWS_SHOWN = 25
"""How many rows a table of the HTML, PDF and Markdown reports shows (comparisons, evidence files, the card's
entries), and how many items a figure or a list of the card's shows: the rest are counted, and are in the
JSON report. A card's size is bounded only by its file's; a report a reader can read must be bounded too."""


@dataclass(frozen=True, kw_only=True)
class RenderOptions:
    """How to render, beyond the report itself: only the terminal report reads these."""

    width: int = 80
    colour: bool = False


class _RendererModule(Protocol):
    def render(self, report: Report, options: RenderOptions) -> str | bytes: ...


def _concatenated(documents: Sequence[str]) -> str:
    return "\n".join(documents)


def _json_array(documents: Sequence[str]) -> str:
    return "[\n" + ",\n".join(document.rstrip("\n") for document in documents) + "\n]\n"


@dataclass(frozen=True, kw_only=True)
class Format:
    """What one output format is."""

    name: str
    """What --format takes."""
    extension: str
    """The file name extension of its reports in a folder (report.<extension>)."""
    description: str
    """What it is for, in a few words (the docs)."""
    module: str
    """The module whose `render(report, options)` writes it."""
    join: Callable[[Sequence[str]], str] | None = None
    """How the documents of several cards make one output; None when a document holds one card."""
    binary: bool = False
    """Bytes, to a file only; never to a terminal."""
    suffixes: tuple[str, ...] = ()
    """The file names `report` writes in this format (the audit documents only)."""

    @property
    def several_cards(self) -> bool:
        """Whether the documents of several cards fit in one output."""
        return self.join is not None

    def render(self, report: Report, options: RenderOptions | None = None) -> str | bytes:
        module: _RendererModule = importlib.import_module(self.module)
        return module.render(report, options or RenderOptions())


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format(
            name="text",
            extension="txt",
            join=_concatenated,
            description="the terminal report: verdict, area scores, findings at their lines",
            module="checker.render.text",
        ),
        Format(
            name="json",
            extension="json",
            join=_json_array,
            description="the report as data, documented by schema/report.schema.json (several cards: an array)",
            module="checker.render.json",
        ),
        Format(
            name="markdown",
            extension="md",
            join=_concatenated,
            suffixes=(".md", ".markdown"),
            description="the audit report for a pull request or a wiki",
            module="checker.render.markdown",
        ),
        Format(
            name="html",
            extension="html",
            suffixes=(".html", ".htm"),
            description="the audit report as one self-contained page",
            module="checker.render.html",
        ),
        Format(
            name="pdf",
            extension="pdf",
            binary=True,
            suffixes=(".pdf",),
            description="the audit report printed on A4",
            module="checker.render.pdf",
        ),
        Format(
            name="sarif",
            extension="sarif",
            description="SARIF 2.1.0 for code scanning: a rule per requirement, a result per place of a finding",
            module="checker.render.sarif",
        ),
        Format(
            name="junit",
            extension="xml",
            description="JUnit XML for CI test views: a test case per requirement",
            module="checker.render.junit",
        ),
    )
}
"""Every output format, by name, in the order the command line lists them."""

DOCUMENTS = tuple(f for f in FORMATS.values() if f.suffixes)
"""The audit documents, which `report` writes."""


def format_named(name: str) -> Format:
    """The format of that name; LookupError, naming the formats there are, for any other."""
    try:
        return FORMATS[name]
    except KeyError:
        raise LookupError(f"unknown format '{name}' (available: {', '.join(FORMATS)})") from None


def format_of_file(path: PurePath) -> Format | None:
    """The audit document a file name asks for, by its suffix (`audit.pdf`), or None."""
    suffix = path.suffix.lower()
    return next((f for f in DOCUMENTS if suffix in f.suffixes), None)


def listing(names: Sequence[str], last: str = "or") -> str:
    """'a, b or c': format names for a help text or a message."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} {last} {names[-1]}"


__all__ = [
    "DOCUMENTS",
    "FORMATS",
    "PLACES_SHOWN",
    "ROWS_SHOWN",
    "Format",
    "RenderOptions",
    "format_named",
    "format_of_file",
    "listing",
]
