"""The Markdown report, for a pull request or a wiki: the card's text quoted, so it cannot break the structure."""

from __future__ import annotations

from checker.render import RenderOptions
from checker.render.document import render_template
from checker.report import Report


def render(report: Report, options: RenderOptions | None = None) -> str:
    return render_template("report.md.j2", "markdown", report=report)
