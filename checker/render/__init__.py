"""Renderers: each takes a finished Report and returns its text (bytes for PDF). They compute nothing."""

from __future__ import annotations

from collections.abc import Callable

from checker.report import Report

Renderer = Callable[[Report], str | bytes]

EXTENSIONS = {
    "json": "json",
    "html": "html",
    "pdf": "pdf",
    "markdown": "md",
    "text": "txt",
    "sarif": "sarif",
    "junit": "xml",
}
"""The file name extension of each format, for reports written into a folder (report.<extension>)."""


def _text(report: Report) -> str:
    from checker.render.text import render

    return render(report, width=80, colour=False)


def _json(report: Report) -> str:
    from checker.render.json import render

    return render(report)


def _markdown(report: Report) -> str:
    from checker.render.markdown import render

    return render(report)


def _html(report: Report) -> str:
    from checker.render.html import render

    return render(report)


def _pdf(report: Report) -> bytes:
    from checker.render.pdf import render

    return render(report)


def _sarif(report: Report) -> str:
    from checker.render.sarif import render

    return render(report)


def _junit(report: Report) -> str:
    from checker.render.junit import render

    return render(report)


RENDERERS: dict[str, Renderer] = {
    "text": _text,
    "json": _json,
    "markdown": _markdown,
    "html": _html,
    "pdf": _pdf,
    "sarif": _sarif,
    "junit": _junit,
}
"""Format name -> renderer, for formats available now."""

PLANNED: tuple[str, ...] = ()
"""Formats the command line names but this version cannot write yet (none at present)."""


def renderer(name: str) -> Renderer:
    try:
        return RENDERERS[name]
    except KeyError:
        if name in PLANNED:
            raise LookupError(
                f"the {name} format is not available in this version yet (available: {', '.join(RENDERERS)})"
            ) from None
        raise LookupError(f"unknown format '{name}' (available: {', '.join(RENDERERS)})") from None
