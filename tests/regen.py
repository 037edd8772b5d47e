"""Regenerate the committed files that the code derives: the report schema and example reports.

    python tests/regen.py --write   # rewrite schema/report.schema.json and examples/*/report.{json,md,html}

Tests compare the committed files with what this makes (test_golden.py), so a change to the
report model or to a check shows up as a failing test until this is run and the diff reviewed.
The examples are checked with a fixed date, from the repository root, with relative paths.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXED_DATE = dt.date(2026, 11, 24)
"""The date every committed example report carries."""


def report_schema() -> str:
    from checker.report import Report

    schema = Report.model_json_schema(mode="serialization")
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **schema,
    }
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def example_cards() -> list[Path]:
    """Every example card, as a path relative to the repository root."""
    return sorted(p.relative_to(ROOT) for p in (ROOT / "examples").glob("*/card.yaml"))


GOLDEN_FORMATS = {"report.json": "json", "report.md": "markdown", "report.html": "html"}
"""The committed report files beside each example card, and the format each is written in."""


def example_report(card: Path, fmt: str = "json") -> str:
    from checker.pipeline import check_file
    from checker.render import FORMATS

    rendered = FORMATS[fmt].render(check_file(card, "default", today=FIXED_DATE))
    assert isinstance(rendered, str)
    return rendered


def main() -> int:
    if "--write" not in sys.argv[1:]:
        print(__doc__)
        return 2
    import os

    os.chdir(ROOT)
    sys.path.insert(0, str(ROOT))
    (ROOT / "schema" / "report.schema.json").write_text(report_schema(), encoding="utf-8")
    print("wrote schema/report.schema.json")
    for card in example_cards():
        for name, fmt in GOLDEN_FORMATS.items():
            target = card.parent / name
            target.write_text(example_report(card, fmt), encoding="utf-8")
            print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
