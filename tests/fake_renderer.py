"""The renderer of a format safetycase does not have, for tests/test_output.py to add to FORMATS: a format
needs only this and its descriptor. A module of its own, as batch's workers import a renderer by name."""

from __future__ import annotations

from checker.render import RenderOptions
from checker.report import Report


def render(report: Report, options: RenderOptions | None = None) -> str:
    return f"verdict: {report.verdict.value}\n"
