"""The HTML report: one self-contained file (styles and charts inline), readable on screen and printable."""

from __future__ import annotations

from checker.render import RenderOptions
from checker.render.document import render_template
from checker.report import Report


def render(report: Report, options: RenderOptions | None = None) -> str:
    return render_template("report.html.j2", "html", report=report)
