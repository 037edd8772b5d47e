"""The JSON report: the Report as documented by `schema/report.schema.json`, stable key order."""

from __future__ import annotations

import json

from checker.report import Report


def render(report: Report) -> str:
    return json.dumps(report.model_dump(mode="json"), indent=2, ensure_ascii=False, allow_nan=False) + "\n"
