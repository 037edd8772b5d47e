"""The batch summary shows what submitters named and wrote as it is: escaped, told apart, never a formula.

A submitter chooses its folder's name and writes its card; summary.csv and index.html show both.
Hidden characters (controls, bidirectional and zero-width ones) must show as escapes, two names
that differ must not look alike (`Café` composed and decomposed), and no part of a CSV cell may
run as a formula in a spreadsheet, whether it splits lines on commas, semicolons or tabs.
summary.json keeps every string exact. The names are tests/hostile/make.py's, which the hostile
corpus runs through the command line as well.
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from pathlib import Path

import pytest
from conftest import TODAY, safetycase

from checker.render.batch import render_csv
from checker.summary import Summary, SummaryRow, Totals
from checker.terminal import HIDDEN_CATEGORIES, distinct, path_text
from tests.hostile.make import FOLDER_NAMES, ORGANIZATION, hostile_folder_names

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""What makes a spreadsheet read a cell as a formula (OWASP, "CSV injection")."""
SEPARATORS = (",", ";", "\t")
"""What a spreadsheet may split a line on: LibreOffice offers all three, Excel follows the locale."""
FORMULAS = (
    "=1+1",
    "+1",
    "-2+3",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
    " =1",
    'Acme;=HYPERLINK("http://evil.example/","x")',
    "Acme,=1",
    "Acme\t=1",
    "Acme; -1",
    "a;b,c;@d",
    "Example Lab;\"=cmd|'/C calc'!A0;",
    'Acme, " "+1',
    '"@SUM(A1)"',
    "Acme Lab",
)


def _summary(rows: list[SummaryRow]) -> Summary:
    totals = Totals(cards=len(rows), verdicts={}, errors=0, gate_failed=0, checked=len(rows), unchanged=0)
    return Summary(
        checker={}, catalog={}, profile={}, generated_on=TODAY, root="in", formats=(), fail_on="blocker",
        areas={}, totals=totals, cards=tuple(rows),
    )  # fmt: skip


QUOTING = (csv.QUOTE_MINIMAL, csv.QUOTE_NONE)
"""A spreadsheet may read double quotes as a cell's quoting (RFC 4180) or as text."""


def _fields(text: str, separator: str, quoting: int = csv.QUOTE_MINIMAL) -> list[str]:
    rows = csv.reader(io.StringIO(text), delimiter=separator, quoting=quoting)
    return [field for row in rows for field in row]


@pytest.mark.parametrize("quoting", QUOTING, ids=["quoted", "unquoted"])
@pytest.mark.parametrize("separator", SEPARATORS, ids=["comma", "semicolon", "tab"])
def test_no_field_runs_as_a_formula_however_a_spreadsheet_splits_the_line(separator: str, quoting: int) -> None:
    rows = [
        SummaryRow(name=text, card=f"{text}/card.yaml", status="checked", organization=text, model=text, gate="pass")
        for text in FORMULAS
    ]
    fields = _fields(render_csv(_summary(rows)), separator, quoting)
    assert [field for field in fields if field.lstrip(" ").startswith(FORMULA_START)] == []


def test_a_cell_is_defused_where_it_could_start_and_otherwise_kept() -> None:
    row = SummaryRow(name="Acme;=1, -2 and a-b", card="c", status="checked", organization="Acme Lab", gate="pass")
    (header, values) = csv.reader(io.StringIO(render_csv(_summary([row]))))
    shown = dict(zip(header, values, strict=True))
    assert shown["name"] == "Acme;'=1, '-2 and a-b"
    assert shown["organization"] == "Acme Lab"


@pytest.fixture(scope="module")
def hostile_batch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A batch over a folder of submissions named as FOLDER_NAMES, each card's organization ORGANIZATION."""
    base = tmp_path_factory.mktemp("names")
    (base / "in").mkdir()
    hostile_folder_names(base / "in")
    done = safetycase("batch", base / "in", "--out", base / "out", "--jobs", "1", "--format", "json")
    assert done.returncode == 0, done.stderr
    return base / "out"


def _hidden(text: str) -> list[str]:
    return [c for c in text if unicodedata.category(c) in HIDDEN_CATEGORIES and c != "\n"]


def test_summary_csv_shows_each_name_escaped_and_unlike_every_other(hostile_batch: Path) -> None:
    text = (hostile_batch / "summary.csv").read_text(encoding="utf-8")
    assert _hidden(text) == []
    table = list(csv.DictReader(io.StringIO(text)))
    assert sorted(row["name"] for row in table) == sorted(FOLDER_NAMES.values())
    assert {row["organization"] for row in table} == {'Acme Lab;\'=HYPERLINK("http://evil.example/","x")\\u202e'}
    assert len({row["name"] for row in table}) == len(FOLDER_NAMES)  # composed and decomposed Café apart
    assert [field for field in _fields(text, ";") if field.startswith(FORMULA_START)] == []


def test_index_shows_each_name_escaped_and_unlike_every_other(hostile_batch: Path) -> None:
    index = (hostile_batch / "index.html").read_text(encoding="utf-8")
    assert _hidden(index) == []
    assert all(f">{distinct(name)}</a>" in index for name in FOLDER_NAMES)
    assert "Cafe\\u0301</a>" in index and "Café</a>" in index


def test_summary_json_keeps_each_name_exact(hostile_batch: Path) -> None:
    text = (hostile_batch / "summary.json").read_text(encoding="utf-8")
    assert _hidden(text) == []  # written as \u escapes
    cards = json.loads(text)["cards"]
    assert sorted(card["name"] for card in cards) == sorted(map(path_text, FOLDER_NAMES))  # no JSON holds 0xff
    assert {card["organization"] for card in cards} == {ORGANIZATION}
    assert unicodedata.normalize("NFD", "Café") in {card["name"] for card in cards}


@pytest.mark.parametrize(
    "name",
    ["n\u043erthwind", "northwind\u2800", "northwind\u3164", "north\u115fwind", "northwind\u3000", "x\u0391x"],
    ids=["cyrillic-o", "braille-blank", "hangul-filler", "choseong-filler", "ideographic-space", "greek-alpha"],
)
def test_a_name_that_looks_like_a_plain_one_shows_an_escape(name: str) -> None:
    assert distinct(name).isascii() and "\\u" in distinct(name)


@pytest.mark.parametrize("name", ["northwind", "Café", "Ελλάς", "Acme Ελλάς", "Москва", "naïve"])
def test_a_name_in_one_script_a_word_shows_as_it_is(name: str) -> None:
    assert distinct(name) == name
