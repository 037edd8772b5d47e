"""Card text wrapped by the columns a terminal gives it: no line wider than the width, no word lost.

A wide or full-width character takes two columns and a combining mark none (checker.terminal.columns);
wrapped by characters, as textwrap does, a line of wide characters is twice as wide as it should be
and the terminal wraps it again where the card's author likes. Plain ASCII wraps as textwrap does.
"""

from __future__ import annotations

import textwrap

import pytest

from checker.terminal import columns, wrap

TEXTS = {
    "wide": "\uff21" * 36 + "x VERDICT: PASS score 100.0/100",
    "cjk words": "\u4e2d\u6587\u5b57 " * 40,
    "combining": "Cafe\u0301 " * 30 + "e\u0301" * 90,
    "mixed": "mixed \u4e2d\u6587 words, Ａｂｃ and a\u0308 " * 10,
    "one long wide word": "\u4e2d" * 150,
    "ascii": "the quick brown fox jumps over the lazy dog " * 8 + "x" * 120,
}
WIDTHS = (10, 23, 40, 79, 80, 100)


@pytest.mark.parametrize(("char", "taken"), [("a", 1), ("\uff21", 2), ("\u4e2d", 2), ("\u0301", 0), ("é", 1)])
def test_columns_counts_wide_as_two_and_combining_as_none(char: str, taken: int) -> None:
    assert columns(char * 3) == 3 * taken


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("text", TEXTS.values(), ids=TEXTS.keys())
def test_no_line_is_wider_than_the_width_and_no_word_is_lost(text: str, width: int) -> None:
    lines = wrap(text, width, "  > ", "      ")
    assert [line for line in lines if columns(line) > width] == []
    assert lines[0].startswith("  > ") and all(line.startswith("      ") for line in lines[1:])
    assert "".join("".join(line.split()) for line in lines).removeprefix(">") == "".join(text.split())


@pytest.mark.parametrize("width", WIDTHS)
def test_a_word_of_wide_characters_is_cut_where_its_columns_end(width: int) -> None:
    *full, last = wrap("\uff21" * 100, width)
    assert {columns(line) for line in full} == {width - width % 2}  # one that would overrun starts the next line
    assert 0 < columns(last) <= width


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("text", [TEXTS["ascii"], "a-b  c-d   " * 20, "", "   "])
def test_ascii_wraps_as_textwrap_does(text: str, width: int) -> None:
    expected = textwrap.wrap(text, width=width, initial_indent="  ", subsequent_indent="    ", break_on_hyphens=False)
    assert wrap(text, width, "  ", "    ") == expected
