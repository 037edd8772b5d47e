"""`safetycase batch` against a hostile submitter and a busy output folder (issue 12).

What one lab's files can do to the regulator's batch: special files that block whoever opens
them, card names that are the summary's own file names, a huge sparse card, a bare card that
reads the other labs' files. And what the output folder must withstand: two batches at once,
reports of an earlier run that no longer hold, temporary files of a batch that was killed.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
from pathlib import Path
from typing import Any

import yaml
from conftest import PASS_CARD, safetycase

from checker.batch import CARDS

EXAMPLE = PASS_CARD.parent


def _submission(target: Path) -> None:
    """A copy of the passing example's folder: its card and evidence (the evidence hard-linked, only read)."""
    shutil.copytree(EXAMPLE, target, copy_function=os.link, ignore=shutil.ignore_patterns("report.*"))
    card = target / "card.yaml"
    text = card.read_text(encoding="utf-8")
    card.unlink()  # a file of its own, so that a test may change it
    card.write_text(text, encoding="utf-8")


def _summary(out: Path) -> dict[str, dict[str, Any]]:
    """The rows of OUT/summary.json by card name."""
    return {row["name"]: row for row in json.loads((out / "summary.json").read_text(encoding="utf-8"))["cards"]}


# --- card names that are the summary's names ----------------------------------------------------------


def test_cards_named_like_the_summary_files_get_their_reports_and_the_summary_is_whole(tmp_path: Path) -> None:
    submissions, out = tmp_path / "in", tmp_path / "out"
    submissions.mkdir()
    folders = ["index.html", "summary.csv", "cards", "cards.yaml"]
    for name in folders:
        _submission(submissions / name)
    card = yaml.safe_load(PASS_CARD.read_text(encoding="utf-8"))
    (submissions / "summary.json").write_text(json.dumps(card, default=str), encoding="utf-8")  # a bare card
    names = sorted([*folders, "summary.json"])
    done = safetycase("batch", submissions, "--out", out, "-j", "1", "-f", "json,html")
    assert done.returncode in (0, 1), done.stderr
    rows = _summary(out)
    assert sorted(rows) == names
    for name in names:
        assert rows[name]["status"] == "checked"
        assert rows[name]["reports"] == {"json": f"cards/{name}/report.json", "html": f"cards/{name}/report.html"}
        assert json.loads((out / CARDS / name / "report.json").read_text(encoding="utf-8"))["verdict"]
    table = list(csv.DictReader(io.StringIO((out / "summary.csv").read_text(encoding="utf-8"))))
    assert [row["name"] for row in table] == names
    index = (out / "index.html").read_text(encoding="utf-8")
    assert all(f'<a href="cards/{name}/report.html">' in index for name in names)
    assert index.rstrip().endswith("</html>")
