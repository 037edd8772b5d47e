"""Card text for a reader: every character a terminal would act on, or a reader could not see, is shown as an escape.

Reports and terminal output quote the card (its names, its keys, its paths). Left as they are, an
escape sequence could retitle the window or erase the screen, a line break could fake a second line
of output, a bidirectional control could make a line read differently than it is ('Trojan
Source'), and an invisible character (a zero-width space, a tag character) could make two
different names look the same or hide text from the reader. The text, Markdown and HTML reports,
the batch summary and the messages on the terminal all show card text through these functions;
JSON, SARIF and JUnit keep it exact, hidden characters written in their own syntax's escapes.

A file name need not be UTF-8 at all (`lab\xff`, made by another system): Python keeps each byte
that is not as a lone surrogate, which no output can encode. `path_text` writes such a byte as its
escape, `\xff`, wherever a path enters a report, a summary or a message.
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
_ANY_HIDDEN = re.compile(f"[{_HIDDEN}{_UNDECODABLE}]")
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
    """`text` with each hidden character written as its Python escape: ESC as \\x1b, a newline as \\n, RLO as \\u202e;
    and each byte of a file name that is not UTF-8 as `path_text` writes it, \\xff."""
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
    """A name shown so that two different names never look alike: `visible`, every space but ' ' escaped
    (a no-break space looks like one), and, in a name not in Unicode's composed form (NFC), every
    character beyond ASCII escaped: 'Cafe\\u0301' beside 'Café', not two rows that read 'Café'."""
    shown = _SPACE_BUT_SPACE.sub(_escape, name)
    if not unicodedata.is_normalized("NFC", name):
        return visible(shown).encode("ascii", "backslashreplace").decode("ascii")
    return visible(shown)


__all__ = ["HIDDEN_CATEGORIES", "distinct", "escape_hidden", "path_text", "visible", "visible_prose"]
