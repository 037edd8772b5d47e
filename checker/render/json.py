"""The JSON report: the Report as documented by `schema/report.schema.json`, stable key order."""

from __future__ import annotations

from checker.render import RenderOptions
from checker.report import Report


def render(report: Report, options: RenderOptions | None = None) -> str:
    # pydantic's serializer: the same document as json.dumps(indent=2, ensure_ascii=False) but for
    # the spelling of small exponents (1e-7, not 1e-07), and several times faster. Every number in
    # a report is finite (the loader refuses the others), so nothing is written as null.
    return report.model_dump_json(indent=2) + "\n"
