"""The batch summary in three forms: summary.json, summary.csv and a self-contained index.html.

They take a finished `checker.summary.Summary` and compute nothing. In the CSV, a text cell that
a spreadsheet would run as a formula (it starts with =, +, -, @, a tab or a carriage return)
is prefixed with an apostrophe (OWASP, "CSV injection"): card text comes from outside.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from urllib.parse import quote

from checker.render import FORMATS
from checker.render.document import render_template
from checker.render.json import json_escaped
from checker.summary import Summary

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def render_json(summary: Summary) -> str:
    return json_escaped(summary.model_dump_json(indent=2)) + "\n"


def _cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, str):
        return "'" + value if value.startswith(_FORMULA_START) else value
    if isinstance(value, float):
        return f"{value:.1f}"
    return value


def render_csv(summary: Summary) -> str:
    area_ids = list(summary.areas)
    header = [
        "name", "card", "status", "error", "organization", "model", "release_id", "verdict", "score",
        "pass_score", *(f"score_{area}" for area in area_ids), "blocker", "major", "minor", "evidence", "gate",
        *(f"report_{fmt}" for fmt in summary.formats),
    ]  # fmt: skip
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in summary.cards:
        writer.writerow(
            _cell(value)
            for value in (
                row.name,
                row.card,
                row.status,
                row.error,
                row.organization,
                row.model,
                row.release_id,
                row.verdict,
                row.score,
                row.pass_score,
                *(row.areas.get(area) for area in area_ids),
                row.blocker,
                row.major,
                row.minor,
                row.evidence,
                row.gate,
                *(row.reports.get(fmt) for fmt in summary.formats),
            )
        )
    return out.getvalue()


READ_FIRST = ("html", "pdf", "markdown", "json")
"""The report a reader opens from the index, in order of preference; then any other, in the registry's order."""


def _link(reports: dict[str, str]) -> str | None:
    for fmt in (*READ_FIRST, *FORMATS):
        if fmt in reports:
            return quote(reports[fmt])  # a relative URL: the names come from the submitted folder
    return None


def render_html(summary: Summary) -> str:
    links = {row.name: _link(row.reports) for row in summary.cards}
    return render_template("batch.html.j2", "html", summary=summary, links=links)


def render_line(summary: Summary, index: Path) -> str:
    """The batch's last words on the terminal: the totals, the gate and where the summary is."""
    t = summary.totals
    verdicts = ", ".join(f"{n} {verdict}" for verdict, n in t.verdicts.items())
    unchanged = f" ({t.unchanged} unchanged since the last run)" if t.unchanged else ""
    return (
        f"{t.cards} cards{unchanged}: {verdicts}, {t.errors} could not be checked; "
        f"{t.gate_failed} fail the gate (--fail-on {summary.fail_on}).\nSummary: {index}"
    )


__all__ = ["render_csv", "render_html", "render_json", "render_line"]
