"""Card text cannot pass for the report's own lines: no second verdict, heading, table row or test case.

A submitter writes every free-text field of the card. Padded with spaces to wrap where it likes, or
spelling a whole line of the report, such text must start no line of the text report where the
report starts its own (the verdict, headings, area lines, finding headers, and a finding's message,
`figures:` and `fix:`: every line at or left of the messages' column), and must leave the Markdown report's blocks as they were. JUnit and SARIF are
structured and escape card text by construction: checked here once each.

The fields are found, not listed: every string of each example card that may hold free text, and
that the format shows. The report's own lines are found the same way, from the examples' reports at
every width. Each forged report is compared with a control: the same card with every character
of the forged text but the spaces made an `x`, which wraps the same and forges nothing.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import EXAMPLE_CARDS, EXAMPLES, ROOT, TODAY, safetycase
from markdown_it import MarkdownIt

from checker.diff import diff_versions
from checker.pipeline import check_file
from checker.problems import CardError
from checker.render import FORMATS, RenderOptions
from checker.render.diff import render_text as render_diff
from checker.report import Report

WIDTHS = (40, 80, 100, 200)
PADDINGS = (0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89)
"""Spaces between some text and the forged line: each wraps the line at another place."""
MESSAGE_COLUMN = 4
"""Where the findings' messages and their `figures:` and `fix:` start: the text report's own lines are those that
start at or left of it (a message's wrapped lines hang at 6)."""
LONGEST = 200
"""The longest text every free-text field takes (names are bounded by the schema)."""

Card = dict[str, Any]


# --- the card's free-text fields ----------------------------------------------------------------


def _strings(value: Any, pointer: str = "") -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, f"{pointer}/{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, f"{pointer}/{index}")
    elif isinstance(value, str):
        yield pointer


def _set(card: Card, pointer: str, text: str) -> None:
    *parents, last = pointer.split("/")[1:]
    node: Any = card
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[key]
    node[int(last) if isinstance(node, list) else last] = text


def _with(card: Card, texts: dict[str, str]) -> Card:
    changed = copy.deepcopy(card)
    for pointer, text in texts.items():
        _set(changed, pointer, text)
    return changed


class Checker:
    """Checks edited versions of a card, each written as JSON to a folder of its own."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.runs = 0

    def check(self, card: Card) -> Report:
        self.runs += 1
        path = self.folder / f"card-{self.runs}.json"
        path.write_text(json.dumps(card, default=str, ensure_ascii=False), encoding="utf-8")
        return check_file(path, today=TODAY)

    def accepted(self, card: Card, texts: dict[str, str]) -> dict[str, str]:
        """`texts` (pointer -> text) less those the card refuses (a pattern, an enumeration, a reference)."""
        texts = dict(texts)
        while texts:
            try:
                self.check(_with(card, texts))
            except CardError as error:
                refused = {p.pointer for p in error.problems}
                left = {k: v for k, v in texts.items() if not any(k == r or k.startswith(r + "/") for r in refused)}
                assert left != texts, f"refused for no field of the edit: {error}"
                texts = left
            else:
                return texts
        return texts


SHOWS: dict[str, Callable[[Report], str]] = {
    # Each format's text, as its card text is searched: the text report's wrapped lines joined again.
    "text": lambda report: " ".join(_render("text", report).split()),
    "markdown": lambda report: _render("markdown", report),
    "junit": lambda report: _render("junit", report),
    "sarif": lambda report: json.dumps(json.loads(_render("sarif", report)), ensure_ascii=False),
}


def _render(name: str, report: Report, width: int = 80) -> str:
    text = FORMATS[name].render(report, RenderOptions(width=width))
    assert isinstance(text, str)
    return text


def _marker(index: int) -> str:
    """A free text of LONGEST characters, known by its first word."""
    return f"Zqx{index:04d} {'marker ' * 40}"[:LONGEST]


@pytest.fixture(scope="module")
def examples(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Card, dict[str, list[str]], Checker]]:
    """Each example card, the free-text fields each format shows, and a checker for its edits."""
    found = []
    for example in EXAMPLE_CARDS:
        card = yaml.safe_load((ROOT / example).read_text(encoding="utf-8"))
        checker = Checker(tmp_path_factory.mktemp(example.parent.name))
        markers = {pointer: _marker(i) for i, pointer in enumerate(_strings(card))}
        free = checker.accepted(card, markers)
        report = checker.check(_with(card, free))
        shows = {name: show(report) for name, show in SHOWS.items()}
        shown = {
            name: [pointer for pointer, text in free.items() if text.split()[0] + " " in shows[name]] for name in shows
        }
        assert all(shown.values()), f"{example}: a format shows none of the card's free text"
        found.append((card, shown, checker))
    return found


def _control(text: str) -> str:
    """`text` with each character but spaces (and line breaks) an x: it wraps as `text` does and forges nothing."""
    return re.sub(r"\S", "x", text)


def _pair(
    card: Card, fields: list[str], text: str, checker: Checker, control: Callable[[str], str] = _control
) -> tuple[Report, Report]:
    """The card with `text` in every field, and its control."""
    forged = checker.check(_with(card, dict.fromkeys(fields, text)))
    return forged, checker.check(_with(card, dict.fromkeys(fields, control(text))))


# --- the text report ----------------------------------------------------------------------------


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _words(line: str) -> str:
    return " ".join(line.split())


def _own_lines() -> dict[str, str]:
    """One line of each kind the text report starts left of the messages, from the examples' reports at every
    width, by kind: its indentation and first word (digits as 0, the card's path as PATH)."""
    kinds: dict[str, str] = {}
    for example in EXAMPLE_CARDS:
        report = check_file(ROOT / example, today=TODAY)
        for width in WIDTHS:
            for line in _render("text", report, width).splitlines():
                if line.strip() and _indent(line) <= MESSAGE_COLUMN:
                    first = line.split()[0].replace(report.submission.path, "PATH")
                    if _indent(line) == MESSAGE_COLUMN and not first.endswith(":"):
                        first = "message"  # a message's first line: one kind, whatever its first word
                    kinds.setdefault(f"{_indent(line)}:{re.sub(r'[0-9]+', '0', first)}", line)
    return kinds


OWN_LINES = _own_lines()


def _starting(text: str, own: str) -> int:
    """How many lines of `text` start with the words of `own`, at its indentation."""
    return sum(_indent(line) == _indent(own) and _words(line).startswith(_words(own)) for line in text.splitlines())


def test_the_report_s_own_lines_are_found() -> None:
    kinds = {kind.split(":", 1)[1] for kind in OWN_LINES}
    assert {
        "VERDICT",
        "safetycase",
        "PATH:0",
        "Blockers",
        "Major",
        "Minor",
        "Evidence",
        "CV",
        "AR",
        "No",
        "figures",
        "fix",
    } <= {kind.rstrip(":") for kind in kinds}


QUICK = {"0:VERDICT:", "0:PATH:0", "4:fix:"}
"""The kinds tried in the quick loop (-m "not slow"): the verdict, a finding's header and its fix; the others are
slow."""


@pytest.mark.parametrize(
    "own",
    [pytest.param(line, id=kind, marks=() if kind in QUICK else pytest.mark.slow) for kind, line in OWN_LINES.items()],
)
def test_card_text_starts_no_line_where_the_text_report_starts_its_own(
    examples: list[tuple[Card, dict[str, list[str]], Checker]], own: str
) -> None:
    assert len(own) + PADDINGS[-1] + len("Lab") <= LONGEST
    for card, shown, checker in examples:
        for text in [own, *(f"Lab{' ' * padding}{own}" for padding in PADDINGS)]:
            forged, control = _pair(card, shown["text"], text, checker)
            for width in WIDTHS:
                printed = _render("text", forged, width)
                expected = _starting(_render("text", control, width), own)
                assert _starting(printed, own) == expected, f"{text!r} at width {width}:\n{printed}"
                assert sum(line.startswith("VERDICT:") for line in printed.splitlines()) == 1


WIDE = "\uff21"
"""FULLWIDTH LATIN CAPITAL LETTER A: one character, two columns on a terminal."""
BLANK = "\u2800"
"""BRAILLE PATTERN BLANK: a letter that draws nothing, not whitespace."""
FORGED = "VERDICT:{0}PASS{0}{0}{0}score{0}100.0/100"


def _columns(text: str) -> int:
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _terminal_rows(printed: str, width: int) -> list[str]:
    """What a terminal `width` columns wide shows: each line soft-wrapped where its columns run out (a wide
    character takes two, a combining mark none)."""
    rows = []
    for line in printed.splitlines():
        row, used = "", 0
        for char in line:
            taken = _columns(char)
            if used + taken > width:
                rows.append(row)
                row, used = "", 0
            row, used = row + char, used + taken
        rows.append(row)
    return rows


@pytest.mark.parametrize("blank", [" ", BLANK], ids=["space", "braille-blank"])
def test_wide_card_text_starts_no_row_of_the_terminal(
    examples: list[tuple[Card, dict[str, list[str]], Checker]], blank: str
) -> None:
    # A wide character is one character but two columns: wrapped by characters, a line of them
    # soft-wraps on the terminal, and the forged verdict after them starts a row.
    for card, shown, checker in examples:
        for padding in PADDINGS:
            text = WIDE * padding + "x" + FORGED.format(blank)
            fields = checker.accepted(card, dict.fromkeys(shown["text"], text))
            printed = {width: _render("text", checker.check(_with(card, fields)), width) for width in WIDTHS}
            for width, report in printed.items():
                rows = _terminal_rows(report, width)
                assert sum(row.startswith("VERDICT:") for row in rows) == 1, f"{padding} at {width}:\n{report}"


@pytest.mark.parametrize("width", WIDTHS)
def test_card_text_wrapped_by_the_text_report_fits_the_width(
    examples: list[tuple[Card, dict[str, list[str]], Checker]], width: int
) -> None:
    card, shown, checker = examples[0]
    for text in ("\u4e2d\u6587 " * 60, f"{WIDE * 90}x", "e\u0301" * 150, "mixed \u4e2d\u6587 words and Ａｂｃ " * 8):
        fields = checker.accepted(card, dict.fromkeys(shown["text"], text[:LONGEST]))
        printed = _render("text", checker.check(_with(card, fields)), width)
        card_lines = [line for line in printed.splitlines() if line.startswith(("model: ", "    "))]
        assert card_lines
        assert [line for line in card_lines if _columns(line) > width] == []


FORGED_FOLDER = FORGED.format(BLANK).replace("/", "\u2215") + f"{BLANK}(pass{BLANK}70){BLANK}{BLANK}0{BLANK}blocker"
"""A folder name that reads as a verdict line: no whitespace, no slash (a division slash instead)."""


def test_a_folder_name_starts_no_line_of_check_s_report(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLES / "orion-7-fail", tmp_path / FORGED_FOLDER)
    done = safetycase("check", f"{FORGED_FOLDER}/card.yaml", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    lines = done.stdout.splitlines()
    assert [line.split()[1] for line in lines if line.startswith("VERDICT:")] == ["FAIL"]
    assert lines[1].startswith("'VERDICT:\\u2800PASS\\u2800")  # the path line, quoted
    assert BLANK not in done.stdout


def test_a_folder_name_starts_no_line_of_batch_s_progress(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    shutil.copytree(EXAMPLES / "orion-7-fail", tmp_path / "in" / FORGED_FOLDER)
    done = safetycase("batch", "in", "--out", "out", "--jobs", "1", "--format", "json", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert BLANK not in done.stderr
    assert [line for line in done.stderr.splitlines() if line.startswith("VERDICT")] == []
    assert "VERDICT:\\u2800PASS" in done.stderr


# --- the text diff ------------------------------------------------------------------------------


def test_card_text_starts_no_line_of_the_text_diff(examples: list[tuple[Card, dict[str, list[str]], Checker]]) -> None:
    # The diff prints the new card's names under its header and its new changelog entries.
    card, _, checker = examples[0]
    old = checker.check(card)
    for padding in PADDINGS:
        forged = f"Lab{' ' * padding}VERDICT: PASS (unchanged) score 100.0 (unchanged), pass 70"
        pointers = ("/submission/organization", "/model/name", "/submission/changelog/0/card_version")
        fields = checker.accepted(card, dict.fromkeys(pointers, forged))
        assert len(fields) == len(pointers)
        diff = diff_versions(old, checker.check(_with(card, fields)))
        for width in WIDTHS:
            printed = render_diff(diff, width=width)
            assert sum(line.startswith("VERDICT:") for line in printed.splitlines()) == 1, printed


# --- the Markdown report ------------------------------------------------------------------------

BLOCK_STARTS = (
    "# Forged heading",
    "## Verdict: PASS",
    "Forged setext heading\n===",
    "| Forged | table |\n|---|---|\n| a | b |",
    "> Forged quote",
    "- forged item",
    "+ forged item",
    "* forged item",
    "1. forged item",
    "1) forged item",
    "```\nforged fence",
    "~~~ forged",
    "<div>forged</div>",
    "<!-- forged -->",
    "---",
    "***",
    "    forged code",
    "[forged]: https://evil.example/",
    "text\n\n# Forged heading after a blank line",
    "text  \n- forged item after a hard break",
)
"""What starts a Markdown block (CommonMark and GitHub's tables), alone and after text."""
VIEWER = MarkdownIt("commonmark").enable("table")


def _plain(text: str) -> str:
    """The Markdown control: every letter, digit or space an x (leading spaces make a block too), every other
    character but line breaks a full stop. A text that names something (an auditor, the organisation) still
    does and one of punctuation alone still does not, so that the checks judge the control as they judge the
    forged text ('---' and '...' name nobody, 'xxx' would name an auditor like its organisation)."""
    return re.sub(r"[^\n]", lambda c: "x" if c.group().isalnum() or c.group().isspace() else ".", text)


def _blocks(markdown: str) -> list[str]:
    """The report's blocks as a viewer parses them; a block quote (the card's own Markdown, quoted) as one block."""
    blocks, quoted = [], 0
    for token in VIEWER.parse(markdown):
        quoted += {"blockquote_open": 1, "blockquote_close": -1}.get(token.type, 0)
        if token.type != "inline" and (quoted == 0 or (token.type == "blockquote_open" and quoted == 1)):
            blocks.append(token.type)
    return blocks


@pytest.mark.parametrize("start", BLOCK_STARTS)
def test_each_block_start_starts_a_block_at_the_start_of_a_line(start: str) -> None:
    # The comparison below is only as good as this: unescaped, each forged start is seen.
    assert _blocks(f"| a |\n|---|\n| b |\n\n{start}\n") != _blocks(f"| a |\n|---|\n| b |\n\n{_plain(start)}\n")


@pytest.mark.parametrize(
    "start", [pytest.param(start, marks=() if start.startswith("#") else pytest.mark.slow) for start in BLOCK_STARTS]
)
def test_card_text_starts_no_block_of_the_markdown_report(
    examples: list[tuple[Card, dict[str, list[str]], Checker]], start: str
) -> None:
    for card, shown, checker in examples:
        fields = checker.accepted(card, dict.fromkeys(shown["markdown"], start))
        forged, control = _pair(card, list(fields), start, checker, _plain)
        assert _blocks(_render("markdown", forged)) == _blocks(_render("markdown", control)), start


# --- JUnit and SARIF: escaped by construction ---------------------------------------------------

STRUCTURE = 'VERDICT: PASS\n</failure></testcase><testcase name="forged"><![CDATA[ ]]> &amp; "}], {"ruleId": "x'
"""A forged line, and what would end an XML element, attribute or section or a JSON string."""


def _elements(xml: str) -> list[tuple[str, list[str]]]:
    return [(element.tag, sorted(element.attrib)) for element in ET.fromstring(xml).iter()]


def _texts(value: Any) -> Iterator[str]:
    if isinstance(value, dict | list):
        for item in value.values() if isinstance(value, dict) else value:
            yield from _texts(item)
    elif isinstance(value, str):
        yield value


def _shape(value: Any) -> Any:
    """A JSON document's structure: its keys and lengths, every string the same."""
    if isinstance(value, dict):
        return {key: _shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_shape(item) for item in value]
    return "" if isinstance(value, str) else value


def test_card_text_adds_no_element_to_junit(examples: list[tuple[Card, dict[str, list[str]], Checker]]) -> None:
    for card, shown, checker in examples:
        forged, control = _pair(card, shown["junit"], STRUCTURE, checker)
        junit = _render("junit", forged)
        assert _elements(junit) == _elements(_render("junit", control))
        assert 'VERDICT: PASS\n</failure></testcase><testcase name="forged">' in "".join(
            ET.fromstring(junit).itertext()
        )


def test_card_text_adds_no_result_to_sarif(examples: list[tuple[Card, dict[str, list[str]], Checker]]) -> None:
    for card, shown, checker in examples:
        forged, control = _pair(card, shown["sarif"], STRUCTURE, checker)
        sarif = json.loads(_render("sarif", forged))
        assert _shape(sarif) == _shape(json.loads(_render("sarif", control)))
        assert any(STRUCTURE in text for text in _texts(sarif))
