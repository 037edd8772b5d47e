"""Card text for a terminal: every character a terminal would act on is shown as an escape instead.

Terminal output quotes the card (its names, its keys, its paths). Left as they are, an escape
sequence could retitle the window or erase the screen, a line break could fake a second line of
output, and a bidirectional control could make a line read differently than it is ('Trojan
Source'). The JSON, SARIF and HTML outputs have escaping of their own and do not use this.
"""

from __future__ import annotations

import re

_ACTED_ON = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
"""C0 controls (tab and newline too: card text has no line of its own to break), DEL, C1 controls,
and the characters Unicode classes Bidi_Control (embeddings, overrides, isolates and marks)."""


def visible(text: str) -> str:
    """`text` with each control character written as its Python escape: ESC as \\x1b, a newline as \\n, RLO as \\u202e."""
    return _ACTED_ON.sub(lambda match: match.group().encode("unicode_escape").decode("ascii"), text)


__all__ = ["visible"]
