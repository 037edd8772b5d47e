"""`safetycase init --from README.md`: a card started from a Hugging Face model card.

The expected values are read from the fixtures here independently (PyYAML for the front matter,
plain line search for the body), never from the code under test.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import ROOT, safetycase

from checker import init_from
from checker.init_from import MAX_README_BYTES, card_from_readme
from checker.load import load_card, parse_card
from checker.problems import CardError
from checker.validate import problems

HF = Path(__file__).parent / "hf"
KESTREL = HF / "kestrel-README.md"
HOSTILE = HF / "hostile-README.md"
TEMPLATE = ROOT / "templates" / "card.yaml"


def _front_matter(path: Path) -> dict[str, Any]:
    """The README's front matter, read by PyYAML on its own."""
    _, front, _ = path.read_text(encoding="utf-8").split("---\n", 2)
    data: dict[str, Any] = yaml.safe_load(front)
    return data


def _line_of(path: Path, line: str) -> int:
    """The 1-based number of the README line that is exactly `line`."""
    return path.read_text(encoding="utf-8").split("\n").index(line) + 1


def _card(text: str, tmp_path: Path, name: str = "card.yaml") -> dict[str, Any]:
    """A generated card, loaded by the card loader and checked valid."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    card = load_card(path)
    assert problems(card) == []
    return card.data


def _init(readme: Path, tmp_path: Path) -> tuple[str, dict[str, Any]]:
    out = tmp_path / "card.yaml"
    done = safetycase("init", "--from", readme, "-o", out)
    assert done.returncode == 0, done.stderr
    return out.read_text(encoding="utf-8"), _card(out.read_text(encoding="utf-8"), tmp_path, "reloaded.yaml")


# --- the realistic README ------------------------------------------------------------------------


def test_model_name_organisation_and_metrics_come_from_the_readme(tmp_path: Path) -> None:
    front = _front_matter(KESTREL)
    developed_by = next(
        line.removeprefix("- **Developed by:**").strip()
        for line in KESTREL.read_text(encoding="utf-8").splitlines()
        if line.startswith("- **Developed by:**")
    )
    _, data = _init(KESTREL, tmp_path)

    assert data["model"]["name"] == front["model-index"][0]["name"] == "Kestrel-7B-Instruct"
    assert data["submission"]["organization"] == developed_by == "Northwind AI Lab"
    results = front["model-index"][0]["results"]
    # A rate on the 0-100 scale (an accuracy of 63.42) says so: read as a fraction it would be impossible.
    assert [e["metrics"] for e in data["evaluations"]] == [
        [
            {"name": m.get("name", m["type"]), "value": m["value"]} | ({"unit": "percent"} if m["value"] > 1 else {})
            for m in r["metrics"]
        ]
        for r in results
    ]
    assert any(m["value"] > 1 for r in results for m in r["metrics"])
    assert [e["title"] for e in data["evaluations"]] == [
        f"{r['task']['name']} on {r['dataset']['name']}" for r in results
    ]
    # Benchmarks are not deception tests: kept under "other", tested on the card's one configuration.
    assert {(e["category"], e["configuration"]) for e in data["evaluations"]} == {("other", "release")}
    assert len({e["id"] for e in data["evaluations"]}) == len(results)
    assert "cais/mmlu (config all, split test)" in data["evaluations"][0]["method"]


def test_the_card_validates_and_checks(tmp_path: Path) -> None:
    out = tmp_path / "card.yaml"
    assert safetycase("init", "--from", KESTREL, "-o", out).returncode == 0
    validated = safetycase("validate", out)
    assert (validated.returncode, validated.stdout) == (0, f"{out}: valid\n")
    checked = safetycase("check", out, "--format", "json")
    assert checked.returncode in (0, 1), checked.stderr
    assert json.loads(checked.stdout)["submission"]["model"] == "Kestrel-7B-Instruct"


def test_what_does_not_map_is_left_as_todo_comments(tmp_path: Path) -> None:
    text, data = _init(KESTREL, tmp_path)
    comments = [line.strip() for line in text.splitlines() if line.lstrip().startswith("#")]

    assert data["model"]["release_id"] == "TODO-release-id"
    assert data["model"]["configurations"] == [{"id": "release"}]
    assert data["independent_audits"] == data["reasoning_evidence"] == data["claims"] == []
    assert data["release_gate"] == {"decision": "hold", "deeper_review": {"performed": False}}
    front = _front_matter(KESTREL)
    assert f"#   license: {front['license']}" in comments
    assert f"#   language: {', '.join(front['language'])}" in comments
    assert f"# TODO fine_tuning_history: the README names its base model: {front['base_model']}" in comments
    bias = _line_of(KESTREL, "## Bias, Risks, and Limitations")
    assert any(c.startswith("# TODO claims") and f'"Bias, Risks, and Limitations" (line {bias})' in c for c in comments)
    evaluation = _line_of(KESTREL, "## Evaluation")
    assert any(f'section "Evaluation" (line {evaluation})' in c for c in comments)
    out_of_scope = _line_of(KESTREL, "### Out-of-Scope Use")
    assert any(c.startswith("# TODO conditions") and f"(line {out_of_scope})" in c for c in comments)
    assert sum("# TODO designed_by, run_by, date" in c for c in comments) == len(data["evaluations"])
    # The plain template's help stays: the example evaluation, audit and claim are still there.
    for line in ("# - id: af-helpful-only", "# - id: audit-1", "# - id: C1"):
        assert line in comments


def test_line_numbers_count_crlf_line_ends_too(tmp_path: Path) -> None:
    crlf = KESTREL.read_bytes().replace(b"\n", b"\r\n")
    text = card_from_readme(crlf, "README.md")
    assert f'"Bias, Risks, and Limitations" (line {_line_of(KESTREL, "## Bias, Risks, and Limitations")})' in text
    assert _card(text, tmp_path)["model"]["name"] == "Kestrel-7B-Instruct"


def test_the_output_is_deterministic(tmp_path: Path) -> None:
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    assert safetycase("init", "--from", KESTREL, "-o", first).returncode == 0
    assert safetycase("init", "--from", KESTREL, "-o", second).returncode == 0
    printed = safetycase("init", "--from", KESTREL)
    assert first.read_bytes() == second.read_bytes() == printed.stdout.encode("utf-8")
    assert card_from_readme(KESTREL.read_bytes(), str(KESTREL)) == printed.stdout


# --- hostile values ------------------------------------------------------------------------------


def test_hostile_values_stay_literal_strings(tmp_path: Path) -> None:
    front = _front_matter(HOSTILE)
    text, data = _init(HOSTILE, tmp_path)
    entry = front["model-index"][0]
    result = entry["results"][0]

    assert data["model"]["name"] == entry["name"]
    assert data["submission"]["organization"] == (
        "Evil: corp # x - *ref {a: b} !!python/name:os.system \"quoted\" \u202e\x07 'sq' &anchor"
    )
    first = data["evaluations"][0]
    assert first["title"] == f"{result['task']['name']} on {result['dataset']['name']}"
    assert result["dataset"]["split"] in first["method"]
    assert first["metrics"] == [{"name": "-- name: [x], value: 2 #", "value": 0.5}]
    # Nothing in the README became structure: the card has exactly the template's keys.
    template = yaml.safe_load(TEMPLATE.read_text(encoding="utf-8"))
    assert data.keys() == template.keys()
    assert data["schema_version"] == "1.1"
    assert data["submission"].keys() == template["submission"].keys()
    assert data["model"].keys() == template["model"].keys()
    assert all(
        e.keys() <= {"id", "title", "category", "configuration", "method", "metrics"} for e in data["evaluations"]
    )
    # Every line is one printable line: no README line break, control or format character got out.
    assert text.splitlines() == text.split("\n")[:-1]
    assert all(line.isprintable() for line in text.splitlines())
    assert "\u202e" not in text  # a right-to-left override is written as an escape, not as itself


def test_hostile_metrics_and_shapes_are_left_as_todo(tmp_path: Path) -> None:
    text, data = _init(HOSTILE, tmp_path)
    assert len(data["evaluations"]) == 2  # the third result is not a mapping; the second entry is ignored
    assert "metrics" not in data["evaluations"][1]
    assert "# TODO metrics: percent: its value 85% is not a number" in text
    assert "# TODO metrics: huge: its value is beyond ±1e300" in text
    assert "#   model-index: only the first of its 2 entries was carried over" in text


def test_every_character_survives_the_round_trip(tmp_path: Path) -> None:
    # json.dumps escapes everything beyond ASCII (as surrogate pairs above the BMP): the README
    # is written without the YAML emitter under test. All code points below U+3000, every 23rd above: under the size limit.
    characters = "".join(chr(c) for c in (*range(0x3000), *range(0x3000, 0x110000, 23)) if not 0xD800 <= c < 0xE000)
    front = (
        "---\nmodel-index:\n- name: " + json.dumps(characters[:200]) + "\n  results:\n"
        "  - task: {name: T}\n    dataset: {name: " + json.dumps(characters) + "}\n"
        "    metrics: [{type: " + json.dumps(characters[-200:]) + ", value: -0.000001}]\n---\n"
    )
    data = _card(card_from_readme(front.encode("utf-8"), "README.md"), tmp_path)
    assert data["model"]["name"] == characters[:200]
    assert data["evaluations"][0]["title"] == "T on " + characters
    assert data["evaluations"][0]["metrics"] == [{"name": characters[-200:], "value": -0.000001}]


def test_a_readme_name_cannot_break_out_of_its_comment(tmp_path: Path) -> None:
    text = card_from_readme(KESTREL.read_bytes(), "models/evil\nschema_version: 2\u2028x.md")
    assert '# Started from the Hugging Face model card "evil schema_version: 2 x.md"' in text
    assert _card(text, tmp_path)["schema_version"] == "1.1"


def test_names_too_long_for_the_format_stay_todo(tmp_path: Path) -> None:
    readme = f"---\nmodel-index:\n- name: {'n' * 201}\n---\n\n- **Developed by:** {'o' * 201}\n"
    text = card_from_readme(readme.encode("utf-8"), "README.md")
    data = _card(text, tmp_path)
    assert data["model"]["name"] == "TODO model name"
    assert data["submission"]["organization"] == "TODO your organisation"
    assert "#   model name: longer than 200 characters, which is not a name" in text


def test_markdown_that_parses_slowly_is_not_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Inline parsing is quadratic on a run of '[': unbounded, this heading alone takes minutes. What is
    # handed to the inline parser is bounded (how long that takes is benchmarks/' business, not a test's).
    parsed: list[int] = []
    parse_inline = init_from._INLINE.parseInline
    monkeypatch.setattr(
        init_from._INLINE, "parseInline", lambda src, *a: parsed.append(len(src)) or parse_inline(src, *a)
    )
    readme = "# Model Card for M\n\n## " + "[" * 300_000 + "\n\n- **Developed by:** " + "[" * 300_000 + "\n"
    # Then labelled items, each within MAX_INLINE, past INLINE_BUDGET in all.
    readme += "\n" + "".join(f"- **Item {i}:** {'x' * 400}\n" for i in range(400))
    data = _card(card_from_readme(readme.encode("utf-8"), "README.md"), tmp_path)
    assert (data["model"]["name"], data["submission"]["organization"]) == ("M", "TODO your organisation")
    assert parsed and max(parsed) <= init_from.MAX_INLINE
    assert init_from.INLINE_BUDGET - init_from.MAX_INLINE < sum(parsed) <= init_from.INLINE_BUDGET


# --- READMEs with less in them -------------------------------------------------------------------


def test_no_front_matter_gives_a_valid_card(tmp_path: Path) -> None:
    text, data = _init(HF / "plain-README.md", tmp_path)
    assert data["model"]["name"] == "Wren-1.3B"  # from "# Model Card for Wren-1.3B"
    assert data["submission"]["organization"] == "Wren Collective"
    assert data["evaluations"] == []
    assert "# The README also states" not in text


@pytest.mark.parametrize(
    "readme", ["", "Just a line of text.\n", "---\n---\n# Model Card for Model ID\n", "---\n# c\n---\n"]
)
def test_a_readme_stating_nothing_gives_the_all_todo_card(readme: str, tmp_path: Path) -> None:
    text = card_from_readme(readme.encode("utf-8"), "README.md")
    data = _card(text, tmp_path)
    assert data == yaml.safe_load(TEMPLATE.read_text(encoding="utf-8"))
    assert "# Nothing in it maps to the card" in text


def test_front_matter_without_model_index_gives_a_valid_card(tmp_path: Path) -> None:
    text, data = _init(HF / "no-model-index-README.md", tmp_path)
    # The Hugging Face template's placeholders ("Model ID", "[More Information Needed]") are not values.
    assert data["model"]["name"] == "TODO model name"
    assert data["submission"]["organization"] == "TODO your organisation"
    assert data["evaluations"] == []
    assert "#   license: cc-by-4.0" in text
    assert f'"Evaluation" (line {_line_of(HF / "no-model-index-README.md", "## Evaluation")})' in text


def test_a_model_index_of_another_shape_is_ignored_with_a_note(tmp_path: Path) -> None:
    text = card_from_readme(b"---\nmodel-index: {name: x}\n---\n", "README.md")
    assert _card(text, tmp_path)["evaluations"] == []
    assert "#   model-index: not a list of {name, results} entries, so no results were taken from it" in text


# --- bad input: one located message, exit 2, nothing written -------------------------------------


def _bad_readmes(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    """name -> (README, the message after 'README:')."""

    def write(name: str, content: bytes) -> Path:
        path = tmp_path / name
        path.write_bytes(content)
        return path

    return {
        "malformed front matter": (HF / "malformed-README.md", "7:1: invalid YAML: expected ',' or '}'"),
        "missing": (tmp_path / "absent.md", "no such file"),
        "a folder": (tmp_path, "is a folder, not a README file"),
        "not UTF-8": (write("latin1.md", b"---\nlicense: mit\n---\n# Caf\xe9\n"), "4: not UTF-8 text"),
        "UTF-16": (  # named as the card loader names it: the two share their decoding
            write("utf16.md", "---\nlicense: mit\n---\n".encode("utf-16")),
            "1: UTF-16 text (it starts with a UTF-16 byte-order mark); the file must be UTF-8",
        ),
        "NUL": (write("nul.md", b"# a\n\x00\n"), "2: not a text file"),
        "duplicate key": (write("dup.md", b"---\nlicense: mit\nlicense: gpl\n---\n"), "3:1: duplicate key 'license'"),
        "python tag": (write("tag.md", b"---\nx: !!python/object:os.system a\n---\n"), "YAML tag '!!python"),
        "unclosed": (write("open.md", b"---\nlicense: mit\n# body\n"), "1:1: the front matter opened on line 1"),
        "a list": (write("list.md", b"---\n- a\n---\n"), "1:1: the card must be a mapping of keys"),
        "too large": (
            write("big.md", b"#" * (MAX_README_BYTES + 1)),
            "file is 1.0 MiB; a README to start a card from may be at most 1 MiB",
        ),
    }


def test_bad_readmes_exit_2_with_one_located_message_and_no_file(tmp_path: Path) -> None:
    out = tmp_path / "card.yaml"
    for name, (readme, message) in _bad_readmes(tmp_path).items():
        done = safetycase("init", "--from", readme, "-o", out)
        assert done.returncode == 2, name
        assert done.stderr.startswith(f"{readme}:"), (name, done.stderr)
        assert message in done.stderr, (name, done.stderr)
        assert len(done.stderr.splitlines()) == 1, (name, done.stderr)
        assert "Traceback" not in done.stderr
        assert not out.exists(), name
        assert done.stdout == ""


def test_a_tag_error_in_front_matter_names_its_line() -> None:
    with pytest.raises(CardError) as raised:
        card_from_readme(b"---\nlicense: mit\nx: !!python/object:os.system a\n---\n", "README.md")
    assert raised.value.problems[0].line == 3


def test_the_readme_is_never_written_over(tmp_path: Path) -> None:
    readme = tmp_path / "card.yaml"  # a README named like a card: -o may not name it
    readme.write_bytes(KESTREL.read_bytes())
    done = safetycase("init", "--from", readme, "-o", readme, "--force")
    assert done.returncode == 2 and "refusing to overwrite an input" in done.stderr
    linked = tmp_path / "linked.yaml"  # the same file under another name
    os.link(readme, linked)
    done = safetycase("init", "--from", readme, "-o", linked, "--force")
    assert done.returncode == 2 and "refusing to overwrite an input" in done.stderr
    assert readme.read_bytes() == KESTREL.read_bytes()


def test_the_plain_init_refusals_hold_with_from(tmp_path: Path) -> None:
    existing = tmp_path / "card.yaml"
    existing.write_text("keep\n", encoding="utf-8")
    done = safetycase("init", "--from", KESTREL, "-o", existing)
    assert done.returncode == 2 and "exists already" in done.stderr
    assert existing.read_text(encoding="utf-8") == "keep\n"
    assert safetycase("init", "--from", KESTREL, "-o", existing, "--force").returncode == 0
    assert load_card(existing).data["model"]["name"] == "Kestrel-7B-Instruct"
    json_out = safetycase("init", "--from", KESTREL, "-o", tmp_path / "card.json")
    assert json_out.returncode == 2 and "name it .yaml or .yml" in json_out.stderr


def test_the_generated_card_parses_as_yaml_as_it_does_as_a_card(tmp_path: Path) -> None:
    # Another YAML reader sees the same values: the card means one thing, whoever reads it.
    text = card_from_readme(HOSTILE.read_bytes(), "README.md")
    ours = parse_card(text.encode("utf-8"), "card.yaml", "yaml").data
    assert yaml.safe_load(text) == ours
