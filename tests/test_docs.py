"""The documentation in docs/ is what docs/generate.py makes, and covers the whole format, catalog and CLI.

Also the pre-commit hooks: they run the console script on card files and nothing else.
"""

from __future__ import annotations

import importlib.util
import re
import sys
import tomllib
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest
import yaml
from conftest import ROOT

from checker.render.schema_doc import render_schema_reference

REGENERATE = "run python docs/generate.py --write and review the diff"


def _load_generator() -> ModuleType:
    """docs/generate.py, imported under a name of its own (it is a script, not a package module)."""
    spec = importlib.util.spec_from_file_location("docs_generate", ROOT / "docs" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the file runs
    spec.loader.exec_module(module)
    return module


generate = _load_generator()


@pytest.fixture(scope="module")
def generated() -> dict[str, str]:
    """Every page as the generator makes it now (the command examples are run for real)."""
    return dict(generate.pages())


def _doc(path: str) -> str:
    return (ROOT / path).read_text(encoding="utf-8")


def _property_names(node: Any) -> Iterator[str]:
    """Every property name declared anywhere in a schema, found by walking it as plain data."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "properties" and isinstance(value, dict):
                yield from value
            yield from _property_names(value)
    elif isinstance(node, list):
        for item in node:
            yield from _property_names(item)


def test_every_committed_page_is_what_the_generator_makes(generated: dict[str, str]) -> None:
    stale = generate.stale(generated)
    assert not stale, f"stale documentation: {', '.join(stale)}; {REGENERATE}"


@pytest.mark.parametrize(("page", "schema_file"), [("format.md", "submission"), ("report-format.md", "report")])
def test_format_reference_names_every_property_of_its_schema(page: str, schema_file: str) -> None:
    text = _doc(f"docs/{page}")
    schema = yaml.safe_load((ROOT / "schema" / f"{schema_file}.schema.json").read_text(encoding="utf-8"))
    names = set(_property_names(schema))
    assert len(names) > 40
    missing = sorted(n for n in names if f"| `{n}` |" not in text)
    assert not missing, f"docs/{page} has no row for {missing}; {REGENERATE}"


@pytest.mark.parametrize("page", ["format.md", "report-format.md", "profiles.md"])
def test_format_reference_links_resolve_to_its_own_anchors(page: str) -> None:
    text = _doc(f"docs/{page}")
    anchors = set(re.findall(r'<a id="([^"]+)"></a>', text))
    links = set(re.findall(r"\]\(#([^)]+)\)", text))
    assert links and links <= anchors, sorted(links - anchors)


def test_every_requirement_is_in_the_requirements_page() -> None:
    catalog = yaml.safe_load((ROOT / "schema" / "requirements.yaml").read_text(encoding="utf-8"))
    text = _doc("docs/requirements.md")
    ids = [r["id"] for r in catalog["requirements"]]
    assert len(ids) > 30
    missing = [i for i in ids if not re.search(rf"^### {re.escape(i)} ", text, re.MULTILINE)]
    assert not missing, f"docs/requirements.md lacks {missing}; {REGENERATE}"


def test_requirements_page_is_the_command_output() -> None:
    from typer.testing import CliRunner

    from checker.cli import app

    done = CliRunner().invoke(app, ["requirements", "--format", "markdown"])
    assert done.exit_code == 0
    assert done.stdout == _doc("docs/requirements.md"), REGENERATE


def test_every_command_has_a_page() -> None:
    from checker.cli import app

    commands = {generate.command_name(info) for info in app.registered_commands}
    pages = {page.name for page in generate.COMMAND_PAGES}
    assert not commands - pages, (
        f"no documentation page for {sorted(commands - pages)}: add a CommandPage to COMMAND_PAGES in "
        f"docs/generate.py, then {REGENERATE}"
    )
    for name in pages:
        assert (ROOT / "docs" / "commands" / f"{name}.md").is_file(), REGENERATE


def test_docs_show_no_machine_specific_paths() -> None:
    for page in sorted((ROOT / "docs").rglob("*.md")):
        text = page.read_text(encoding="utf-8")
        for private in (str(ROOT), "/tmp/", "/home/", "/Users/", "python -m checker"):
            assert private not in text, f"{page.relative_to(ROOT)} shows {private!r}"


def test_docs_index_links_to_every_page() -> None:
    index = _doc("docs/README.md")
    for page in sorted((ROOT / "docs").rglob("*.md")):
        name = str(page.relative_to(ROOT / "docs"))
        assert name == "README.md" or f"]({name})" in index, f"docs/README.md does not link {name}"


def test_long_outputs_are_cut_with_a_count() -> None:
    assert generate.cut("a\nb\nc\nd\n", 2) == "a\nb\n… (2 more lines)"
    assert generate.cut("a\nb\n", 2) == "a\nb"


def test_schema_reference_shows_nested_objects_bounds_and_values() -> None:
    schema = {
        "title": "t",
        "type": "object",
        "properties": {
            "gate": {
                "type": "object",
                "properties": {
                    "days": {"type": "integer", "minimum": 0, "maximum": 36500, "description": "days of access"},
                    "level": {"type": "string", "enum": ["low", "high"]},
                    "rule": {"type": "string", "pattern": "^(a|b)$"},
                },
                "required": ["days"],
                "additionalProperties": False,
            },
            "version": {"const": "1.0"},
        },
        "patternProperties": {"^x-": {}},
        "additionalProperties": False,
    }
    text = render_schema_reference(schema, title="T", intro="I.", root_name="card")
    assert '<a id="gate"></a>\n\n## gate\n\nUsed in: [card](#card) (`gate`).' in text
    assert "| `gate` | [gate](#gate) | optional |" in text
    assert "| `days` | integer | required | Days of access. From 0 to 36,500. |" in text
    assert "One of `low`, `high`." in text
    assert r"Matches the pattern `^(a\|b)$`." in text
    assert 'Always `"1.0"`.' in text
    assert "Keys matching `^x-` are allowed too, with any value. Any other key is an error." in text


def test_schema_reference_refuses_a_keyword_it_cannot_show() -> None:
    schema = {"type": "object", "properties": {"a": {"type": "string", "not": {"const": ""}}}}
    with pytest.raises(ValueError, match=r"/properties/a: .*not"):
        render_schema_reference(schema, title="T", intro="", root_name="card")


# --- pre-commit ---------------------------------------------------------------------------------


def _hooks() -> list[dict[str, Any]]:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert isinstance(hooks, list) and hooks
    return hooks


def test_pre_commit_hooks_run_the_console_script() -> None:
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    hooks = {hook["id"]: hook for hook in _hooks()}
    assert {"safetycase", "safetycase-validate"} <= set(hooks)
    for hook in hooks.values():
        assert hook["entry"].split()[0] in scripts
        assert hook["language"] == "python"
        assert hook["pass_filenames"] is True
    assert hooks["safetycase"]["entry"] == "safetycase check"
    assert hooks["safetycase-validate"]["entry"] == "safetycase validate"


@pytest.mark.parametrize("hook", _hooks(), ids=lambda hook: hook["id"])
def test_pre_commit_hook_picks_cards_and_nothing_else(hook: dict[str, Any]) -> None:
    files = re.compile(hook["files"])
    example_files = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "examples").rglob("*") if p.is_file())
    picked = [name for name in example_files if files.search(name)]
    assert picked == [
        f"examples/{name}/card.yaml" for name in ("aster-2-pass", "juniper-3-conditional", "orion-7-fail")
    ]
    for card in ("card.yml", "cards/card.json", "submissions/acme/card.md", "aster-2.card.yaml", "x/y.card.json"):
        assert files.search(card), card
    for other in ("evidence/af.jsonl", "report.json", "scorecard.yaml", "cards.yaml", "card.yaml.bak", "card.txt"):
        assert not files.search(other), other


def test_the_readme_states_the_catalog_and_the_formats_as_they_are() -> None:
    """The README's prose names what the code declares: the number of areas and requirements, and every format."""
    from checker.catalog import load_catalog
    from checker.render import FORMATS

    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    catalog = load_catalog()
    words = {7: "Seven", 8: "Eight", 9: "Nine"}.get(len(catalog.areas), str(len(catalog.areas)))
    assert f"{words} areas, {len(catalog.requirements)} requirements" in readme
    formats = readme.split("Formats: ", 1)[1].split(" ## ", 1)[0]  # the paragraph, up to the next heading
    for name in FORMATS:
        assert f"`{name}`" in formats, name
