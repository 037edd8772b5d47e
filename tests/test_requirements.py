"""Every requirement with a card that meets it and a card that does not.

Each `cases/<id>.yaml` edits a copy of `cases/base.yaml` (which meets every requirement) by
exact text replacement. A failing case marks the line its finding must point at with a
comment `# <- <id>`: the expected line is found by reading the text, not by the loader, so the
test checks the loader's positions as well as the check.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import BASE, CASES, PASS_CARD, TODAY

from checker.catalog import load_catalog
from checker.model import Status
from checker.pipeline import check_file
from checker.report import Report


def case_files() -> list[Path]:
    return sorted(p for p in CASES.glob("*.yaml") if p.name != "base.yaml")


def edited(edits: list[dict[str, str]]) -> str:
    text = BASE
    for edit in edits:
        occurrences = text.count(edit["old"])
        assert occurrences == 1, f"edit must match exactly once, matched {occurrences}: {edit['old']!r}"
        text = text.replace(edit["old"], edit["new"])
    return text


EVIDENCE = PASS_CARD.parent / "evidence"
"""The base card declares the passing example's evidence files, with their hashes."""


def run(tmp_path: Path, text: str, *, evidence: bool = False) -> Report:
    """Check the card text. With `evidence`, beside the base card's evidence files, which are read.

    Without, files are not read: a case that edits declared counts would otherwise be checked
    against the unedited raw samples (and the recount, not the edit, would be compared).
    """
    card = tmp_path / "card.yaml"
    card.write_text(text, encoding="utf-8")
    if evidence and not (tmp_path / "evidence").exists():
        shutil.copytree(EVIDENCE, tmp_path / "evidence")
    return check_file(card, "default", today=TODAY, evidence=evidence)


def status(report: Report, requirement: str) -> Status:
    for area in report.areas:
        for result in area.requirements:
            if result.id == requirement:
                return result.status
    raise AssertionError(f"{requirement} is not in the report")


def load_case(path: Path) -> dict[str, Any]:
    case = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert case["requirement"] == path.stem
    return case


def test_base_card_meets_every_requirement(tmp_path: Path) -> None:
    report = run(tmp_path, BASE, evidence=True)
    assert report.findings == ()
    assert report.verdict.value == "pass"


def test_every_requirement_has_both_cases() -> None:
    catalog_ids = {r.id for r in load_catalog().requirements}
    assert {p.stem for p in case_files()} == catalog_ids


@pytest.mark.parametrize("path", case_files(), ids=lambda p: p.stem)
def test_passing_case(tmp_path: Path, path: Path) -> None:
    case = load_case(path)
    requirement = case["requirement"]
    variants = case["pass"] if isinstance(case["pass"], list) else [case["pass"]]
    for variant in variants:
        report = run(tmp_path, edited(variant["edits"]), evidence=case.get("evidence", False))
        assert [f for f in report.findings if f.requirement == requirement] == [], variant["why"]
        assert status(report, requirement) is Status.MET, f"a passing case must apply: {variant['why']}"


@pytest.mark.parametrize("path", case_files(), ids=lambda p: p.stem)
def test_failing_case(tmp_path: Path, path: Path) -> None:
    case = load_case(path)
    requirement, fail = case["requirement"], case["fail"]
    text = edited(fail["edits"])
    marked = [i for i, line in enumerate(text.splitlines(), start=1) if line.endswith(f"# <- {requirement}")]
    assert len(marked) == 1, "a failing case marks exactly one line"
    report = run(tmp_path, text, evidence=case.get("evidence", False))
    findings = [f for f in report.findings if f.requirement == requirement]
    assert findings, f"{requirement} found nothing: {fail['why']}"
    assert status(report, requirement) in (Status.PARTIAL, Status.UNMET)
    expected = (requirement, fail["severity"], fail["pointer"], marked[0])
    seen = [(f.requirement, f.severity.value, place.pointer, place.line) for f in findings for place in f.places]
    assert expected in seen
    assert all(f.message and f.remediation for f in findings)


def test_yaml_json_and_markdown_cards_give_the_same_findings(tmp_path: Path) -> None:
    case = load_case(CASES / "CV-4.yaml")
    text = edited(case["fail"]["edits"])
    data = yaml.safe_load(text)
    (tmp_path / "card.json").write_text(json.dumps(data, indent=2, default=str), encoding="utf-8")
    (tmp_path / "card.md").write_text("---\n" + text + "---\n\n# Aster-2 safety case\n", encoding="utf-8")
    (tmp_path / "card.yaml").write_text(text, encoding="utf-8")
    reports = {
        name: check_file(tmp_path / name, "default", today=TODAY) for name in ("card.yaml", "card.json", "card.md")
    }
    findings = {
        name: [(f.requirement, p.pointer, p.message) for f in r.findings for p in f.places]
        for name, r in reports.items()
    }
    assert findings["card.yaml"] == findings["card.json"] == findings["card.md"] != []
    yaml_line = reports["card.yaml"].findings_for("CV-4")[0].places[0].line
    md_line = reports["card.md"].findings_for("CV-4")[0].places[0].line
    assert md_line == yaml_line + 1  # the front matter's opening line
    json_text = (tmp_path / "card.json").read_text(encoding="utf-8").splitlines()
    json_line = reports["card.json"].findings_for("CV-4")[0].places[0].line
    assert json_line is not None and json_text[json_line - 1].strip().startswith('"arms"')
