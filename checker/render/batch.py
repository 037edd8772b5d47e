"""The batch summary in three forms: summary.json, summary.csv and a self-contained index.html.

They take a finished `checker.summary.Summary` and compute nothing. Names and card text come from
outside (a submitter names its folder and writes its card), so the CSV and the index show each
through `checker.terminal.distinct`: hidden and blank-looking characters (controls,
bidirectional and zero-width ones, a braille blank) as escapes, and a name not in NFC or mixing
Latin, Cyrillic and Greek in a word in ASCII escapes, so that names differing only in what a reader
cannot see do not look alike. summary.json keeps every string exact.

In the CSV, no text a spreadsheet could read as a cell runs as a formula (OWASP, "CSV
injection"): wherever a cell could begin, at the start or after a comma or semicolon (a
spreadsheet may split on either; tabs and line breaks are escaped already), text that begins,
after spaces and double quotes, with =, +, - or @ gets an apostrophe before it:
`Acme;'=HYPERLINK(...)`, `Acme;"'=cmd|...` (a quote there opens a quoted cell for a reader that
splits on semicolons, and the cell it reads would begin with the formula).
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from urllib.parse import quote

from checker.render import FORMATS
from checker.render.document import render_template
from checker.render.json import json_escaped
from checker.summary import Summary
from checker.terminal import distinct

_FORMULA = re.compile(r'(^|[,;])([ "]*)(?=[=+\-@])')
"""Where a spreadsheet could read a cell that starts a formula: the start, or after a comma or a semicolon,
then any spaces and double quotes (which a reader drops as a cell's quoting)."""


def render_json(summary: Summary) -> str:
    return json_escaped(summary.model_dump_json(indent=2)) + "\n"


def _defused(text: str) -> str:
    """`text` with an apostrophe before each place a spreadsheet could start a formula: it shows text instead."""
    return _FORMULA.sub(r"\1\2'", text)


def _cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, str):
        return _defused(distinct(value))
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
