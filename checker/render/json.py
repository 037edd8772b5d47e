"""The JSON report: the Report as documented by `schema/report.schema.json`, stable key order.

Card text is kept exact; its hidden characters (a C1 control, a bidirectional override) are written
as \\u escapes, which JSON readers decode and terminals do not act on (checker.terminal).
"""

from __future__ import annotations

import json

from checker.render import RenderOptions
from checker.report import Report
from checker.terminal import escape_hidden


def json_escaped(document: str) -> str:
    """A JSON document with the hidden characters in its strings as \\u escapes (a surrogate pair beyond the BMP)."""
    return escape_hidden(document, lambda character: json.dumps(character)[1:-1])


def render(report: Report, options: RenderOptions | None = None) -> str:
    # pydantic's serializer: the same document as json.dumps(indent=2, ensure_ascii=False) but for
    # the spelling of small exponents (1e-7, not 1e-07), and several times faster. Every number in
    # a report is finite (the loader refuses the others), so nothing is written as null.
    return json_escaped(report.model_dump_json(indent=2)) + "\n"
