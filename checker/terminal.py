"""Card text for a reader: every character a terminal would act on, or a reader could not see, is shown as an escape.

Reports and terminal output quote the card (its names, its keys, its paths). Left as they are, an
escape sequence could retitle the window or erase the screen, a line break could fake a second line
of output, a bidirectional control could make a line read differently than it is ('Trojan
Source'), and an invisible character (a zero-width space, a tag character) could make two
different names look the same or hide text from the reader; so could a letter that draws nothing (a
braille blank, a Hangul filler). The text, Markdown and HTML reports,
the batch summary and the messages on the terminal all show card text through these functions;
JSON, SARIF and JUnit keep it exact, hidden characters written in their own syntax's escapes.

A file name need not be UTF-8 at all (`lab\xff`, made by another system): Python keeps each byte
that is not as a lone surrogate, which no output can encode. `path_text` writes such a byte as its
escape, `\xff`, wherever a path enters a report, a summary or a message.

A terminal gives a wide character (CJK, full-width forms) two columns and a combining mark none:
`wrap` fills lines by those columns, so that no line of card text is wider than the terminal and
soft-wraps where the card's author chose.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Callable

HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp"})
"""What is hidden: controls (C0, DEL, C1), format characters (bidirectional controls, zero-width
characters, the soft hyphen, the byte-order mark, tag characters) and the line and paragraph separators."""
_HIDDEN = (
    "\x00-\x1f\x7f-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f"
    "\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"
)
"""The characters of HIDDEN_CATEGORIES (Unicode 15.1), as a regular expression class: spelled out,
since `re` has no Unicode categories and finding them in unicodedata costs a third of a second."""
_UNDECODABLE = "\udc80-\udcff"
"""What a byte that is not UTF-8 becomes in a file name Python decoded (`surrogateescape`)."""
BLANK_LOOKING = frozenset("\u034f\u115f\u1160\u17b4\u17b5\u2800\u3164\uffa0")
"""Letters and marks that draw nothing though they are not spaces: the combining grapheme joiner, the Khmer
inherent vowels, the Hangul fillers and the braille blank. `visible` escapes them too; other spaces (a no-break
space, U+3000) are whitespace, which card text on one line makes a plain space and `distinct` escapes."""
_ANY_HIDDEN = re.compile(f"[{_HIDDEN}{_UNDECODABLE}{''.join(sorted(BLANK_LOOKING))}]")
_HIDDEN_BUT_LAYOUT = f"(?![\t\n])[{_HIDDEN}]"
_HIDDEN_IN_PROSE = re.compile(f"\r\n|{_HIDDEN_BUT_LAYOUT}")
_HIDDEN_IN_A_DOCUMENT = re.compile(_HIDDEN_BUT_LAYOUT)
_SPACE_BUT_SPACE = re.compile(r"[^\S ]")


def _escape(match: re.Match[str]) -> str:
    hidden = match.group()
    if hidden == "\r\n":
        return "\n"
    return path_text(hidden) if "\udc80" <= hidden <= "\udcff" else hidden.encode("unicode_escape").decode("ascii")


def path_text(path: str | os.PathLike[str]) -> str:
    """A file name as text any output can hold: each byte of it that is not UTF-8 written as its escape, `\\xff`.

    Also for a message quoting file names: text that is already UTF-8 is kept as it is.
    """
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def visible(text: str) -> str:
    """`text` with each hidden or blank-looking character written as its Python escape: ESC as \\x1b, a newline
    as \\n, RLO as \\u202e, a braille blank as \\u2800; and each byte of a file name that is not UTF-8 as
    `path_text` writes it, \\xff."""
    return _ANY_HIDDEN.sub(_escape, text)


def visible_prose(text: str) -> str:
    """`visible`, but the line breaks and tabs that lay out the card's own text (its Markdown, a sample's
    lines) are kept, a CR LF as one line break; a lone CR, like every other hidden character, is escaped."""
    return _HIDDEN_IN_PROSE.sub(_escape, text)


def escape_hidden(document: str, escape: Callable[[str], str]) -> str:
    """A JSON or XML document with each hidden character but tabs and line feeds (its layout) written
    as `escape` spells it in that syntax (\\u0085, &#x85;): the same data once parsed, none of it raw."""
    return _HIDDEN_IN_A_DOCUMENT.sub(lambda match: escape(match.group()), document)


def distinct(name: str) -> str:
    """A name shown so that two different names do not look alike: `visible` (which escapes blank-looking
    letters too), every space but ' ' escaped (a no-break space looks like one), and every character beyond
    ASCII escaped in a name not in Unicode's composed form (NFC), 'Cafe\\u0301' beside 'Café', or with a word
    that mixes Latin, Cyrillic and Greek letters, 'n\\u043erthwind' beside 'northwind'. A name wholly in
    one script that looks like one in another ('аеро', 'aepo') still looks alike: no rule short of Unicode's
    confusables table tells those apart."""
    shown = _SPACE_BUT_SPACE.sub(_escape, name)
    if not unicodedata.is_normalized("NFC", name) or _mixes_scripts(name):
        return visible(shown).encode("ascii", "backslashreplace").decode("ascii")
    return visible(shown)


_LOOKALIKE_SCRIPTS = ("LATIN", "CYRILLIC", "GREEK")
"""Scripts with letters drawn alike (Latin o, Cyrillic о, Greek ο): a word mixing them may pass for another."""
_LETTER_RUN = re.compile(r"[^\W\d_]+")


def _mixes_scripts(name: str) -> bool:
    """Whether a run of letters in `name` holds letters of two of the look-alike scripts."""
    return any(len({_script(letter) for letter in word} - {None}) > 1 for word in _LETTER_RUN.findall(name))


def _script(letter: str) -> str | None:
    """The look-alike script a letter's Unicode name starts with ('CYRILLIC SMALL LETTER O'), if any."""
    return next((script for script in _LOOKALIKE_SCRIPTS if unicodedata.name(letter, "").startswith(script)), None)


def columns(text: str) -> int:
    """How many columns a terminal gives `text`: two for each wide or full-width character, none for a combining
    mark, one for any other (hidden characters are escaped before text is measured)."""
    return sum(_columns(char) for char in text)


def _columns(char: str) -> int:
    if unicodedata.category(char) in ("Mn", "Me"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


_WORDS = re.compile("( *)([^ ]+)")
"""A word and the spaces before it: other whitespace is escaped or, as in textwrap, part of a word."""


def wrap(text: str, width: int, indent: str = "", hang: str = "") -> list[str]:
    """`text`'s words in lines of at most `width` columns, the first line after `indent`, the others after `hang`;
    the spaces between two words on a line kept, those where a line breaks dropped. As `textwrap.wrap` without
    breaking on hyphens (for text with no tab or line break), but by columns, not characters: a word too long for any line
    (longer than its line's width after the indent) is cut at a character, from where the line has room."""
    lines: list[str] = []
    line, empty = indent, True
    for gap, word in _WORDS.findall(text):
        spaced = word if empty else gap + word
        room = width - columns(hang if lines else indent)
        if not empty and columns(line + spaced) > width and (columns(word) <= room or columns(line + gap) >= width):
            lines.append(line)
            line, spaced = hang, word
        if columns(line + spaced) <= width:
            line += spaced
        else:
            line = _cut(spaced, line, width, hang, lines)
        empty = False
    if not empty:
        lines.append(line)
    return lines


def _cut(word: str, line: str, width: int, hang: str, lines: list[str]) -> str:
    """`word` added to `line` a character at a time, each full line added to `lines` (each takes at least one
    character, however narrow the width); the line it ends on."""
    used, start = columns(line), len(line)
    for char in word:
        if used + _columns(char) > width and len(line) > start:
            lines.append(line.rstrip(" "))
            line, used, start = hang, columns(hang), len(hang)
        line, used = line + char, used + _columns(char)
    return line


__all__ = [
    "BLANK_LOOKING",
    "HIDDEN_CATEGORIES",
    "columns",
    "distinct",
    "escape_hidden",
    "path_text",
    "visible",
    "visible_prose",
    "wrap",
]
