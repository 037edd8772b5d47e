"""Committed files that the code derives stay what it makes: example reports, report schema, evidence."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import regen
from conftest import ROOT, SOURCE_DATE_EPOCH

from checker.render import FORMATS
from checker.resources import schema

EXPECTED_VERDICTS = {
    "examples/aster-2-pass/card.yaml": "pass",
    "examples/juniper-3-conditional/card.yaml": "conditional",
    "examples/orion-7-fail/card.yaml": "fail",
}


@pytest.fixture(autouse=True)
def _at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def test_there_is_an_example_for_each_verdict() -> None:
    assert {str(p) for p in regen.example_cards()} == set(EXPECTED_VERDICTS)


def test_every_text_format_has_a_golden_report_and_no_other_file_claims_to_be_one() -> None:
    assert sorted(regen.GOLDEN_FORMATS.values()) == sorted(f.name for f in FORMATS.values() if not f.binary)
    for card in EXPECTED_VERDICTS:
        beside = {p.name for p in (ROOT / card).parent.glob("report.*")}
        assert beside == set(regen.GOLDEN_FORMATS), f"{card}: run python tests/regen.py --write"


@pytest.mark.parametrize("name", sorted(regen.GOLDEN_FORMATS))
@pytest.mark.parametrize("card", sorted(EXPECTED_VERDICTS))
def test_example_report_is_regenerated_byte_for_byte(card: str, name: str) -> None:
    committed = (ROOT / card).parent / name
    assert regen.example_report(Path(card), regen.GOLDEN_FORMATS[name]) == committed.read_text(encoding="utf-8"), (
        f"{committed} is stale: run python tests/regen.py --write and review the diff"
    )


@pytest.mark.parametrize("card", sorted(EXPECTED_VERDICTS))
def test_example_report_follows_the_report_schema_and_has_its_verdict(card: str) -> None:
    report = json.loads(((ROOT / card).parent / "report.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema("report"))
    assert list(validator.iter_errors(report)) == []
    assert report["verdict"] == EXPECTED_VERDICTS[card]
    blockers = [f for f in report["findings"] if f["severity"] == "blocker"]
    assert (report["verdict"] == "fail") == bool(blockers)
    assert report["counts"]["blocker"] == len(blockers)


def test_report_schema_is_what_the_model_makes() -> None:
    committed = (ROOT / "schema" / "report.schema.json").read_text(encoding="utf-8")
    assert regen.report_schema() == committed, "run python tests/regen.py --write"


def test_report_schema_rejects_a_broken_report() -> None:
    report = json.loads((ROOT / "examples/orion-7-fail/report.json").read_text(encoding="utf-8"))
    report["verdict"] = "maybe"
    del report["findings"][0]["places"][0]["line"]
    errors = list(jsonschema.Draft202012Validator(schema("report")).iter_errors(report))
    assert len(errors) == 2


def test_json_report_is_stable_across_hash_seeds() -> None:
    outputs = set()
    for seed in ("1", "2", "77"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH}
        done = subprocess.run(
            [sys.executable, "-m", "checker", "check", "examples/orion-7-fail/card.yaml", "--format", "json"],
            capture_output=True,
            env=env,
            check=False,
            cwd=ROOT,
        )
        assert done.returncode == 1, done.stderr
        outputs.add(done.stdout)
    assert len(outputs) == 1


def test_evidence_files_are_what_the_generator_makes() -> None:
    done = subprocess.run(
        [sys.executable, "examples/make_evidence.py", "--check"], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
