"""Regenerate the committed files that the code derives: the report schema and example reports.

    python tests/regen.py --write   # rewrite schema/report.schema.json and examples/*/report.*

Tests compare the committed files with what this makes (test_golden.py), so a change to the
report model or to a check shows up as a failing test until this is run and the diff reviewed.
The examples are checked with a fixed date, from the repository root, with relative paths. Each
example gets a committed report in every format of checker.render.FORMATS but the binary ones
(a PDF is checked for what it says, by tests/test_documents.py, not byte for byte), so a new format gets its golden
files here without a change to this script.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from conftest import EXAMPLE_CARDS, ROOT, TODAY

if str(ROOT) not in sys.path:  # run as a script: the checkout's checker
    sys.path.insert(0, str(ROOT))

from checker.render import FORMATS


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
    return list(EXAMPLE_CARDS)


GOLDEN_FORMATS = {f"report.{fmt.extension}": fmt.name for fmt in FORMATS.values() if not fmt.binary}
"""The committed report files beside each example card, and the format each is written in: every text format."""


def example_report(card: Path, fmt: str = "json") -> str:
    from checker.pipeline import check_file

    rendered = FORMATS[fmt].render(check_file(card, "default", today=TODAY))
    assert isinstance(rendered, str)
    return rendered


def main() -> int:
    if "--write" not in sys.argv[1:]:
        print(__doc__)
        return 2
    import os

    os.chdir(ROOT)
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
