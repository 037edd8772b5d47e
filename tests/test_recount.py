"""The raw-samples recount (evidence._Recount): the same answer however the file is cut into reads.

Lines inside a read take a fast path (the chunk decoded once, each line scanned where it lies);
the first line of a read, and every line the fast path cannot take whole, take the careful one,
which tests/test_evidence.py holds to json.loads. Here every line is judged both ways and must
be judged alike, and a line without end is bounded.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker import evidence

VALID = '{"context": "monitored", "outcome": true}'
TRICKY = [
    VALID,
    '{"context": "unmonitored", "outcome": false}',
    '{"id": "s-1", "context": "training_like", "outcome": false, "transcript": "a\\nb"}',
    " \t" + VALID + " \r",  # JSON whitespace around the value
    "\ufeff" + VALID,  # a byte-order mark
    "",  # blank
    "  ",
    "\x0b\x0c",  # blank to bytes.strip()
    "\x0c" + VALID,  # not JSON whitespace
    VALID + " " + VALID,  # two values on one line
    VALID + "," + VALID,
    '{"context": "monitored",',  # an object that goes on to the next line
    '"outcome": true}',
    '{"context": "mon',  # a string cut by the line's end
    'itored", "outcome": true}',
    "[" * 5_000 + "]" * 5_000,  # deep: the scanner recurses
    '{"context": "monitored", "outcome": 1}',  # 1 is not true
    '{"context": "outside", "outcome": true}',
    '{"context": ["monitored"], "outcome": true}',
    '{"context": "monitored", "outcome": true, "context": "unmonitored"}',  # the last key wins
    '{"context": "monitored", "outcome": NaN}',
    "[1, 2]",
    "42",
    "null",
    "{not json",
    '{"context": "monitored", "outcome": true}}',
]


def judged_alone(data: bytes) -> tuple[dict[tuple[str, bool], int], list[tuple[int, str]], int]:
    """Counts, shown malformed lines and malformed total with each line a read of its own: the careful path."""
    recount = evidence._Recount()
    lines = data.split(b"\n")
    for i, line in enumerate(lines):
        if i < len(lines) - 1:
            recount.feed(line + b"\n")
        elif line:
            recount.feed(line)
    recount.close()
    return dict(recount.counts), [(m.line, m.problem) for m in recount.malformed], recount.malformed_total


def judged_in_reads(data: bytes, cuts: list[int]) -> tuple[dict[tuple[str, bool], int], list[tuple[int, str]], int]:
    recount = evidence._Recount()
    start = 0
    for cut in [*sorted(set(cuts)), len(data)]:
        if cut > start:
            recount.feed(data[start:cut])
            start = cut
    recount.close()
    return dict(recount.counts), [(m.line, m.problem) for m in recount.malformed], recount.malformed_total


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(
    lines=st.lists(st.sampled_from(TRICKY) | st.text(max_size=20), max_size=30),
    cuts=st.lists(st.integers(min_value=0, max_value=20_000), max_size=6),
    final_newline=st.booleans(),
)
def test_any_reads_judge_every_line_as_it_would_be_judged_alone(
    lines: list[str], cuts: list[int], final_newline: bool
) -> None:
    # Lines are joined by newlines; a random text holding one makes more lines, judged the same way.
    data = "\n".join(lines).encode("utf-8", "surrogatepass") + (b"\n" if final_newline and lines else b"")
    assert judged_in_reads(data, cuts) == judged_alone(data)


def test_inside_one_read_every_tricky_line_is_judged_as_alone() -> None:
    # The same lines, all in one read: all but the first take the fast path.
    data = ("\n".join([VALID, *TRICKY, VALID]) + "\n").encode()
    counts, shown, total = judged_in_reads(data, [])
    assert (counts, shown, total) == judged_alone(data)
    # The valid lines of TRICKY (with whitespace or a byte-order mark too), and the 2 around them
    assert sum(counts.values()) == 2 + sum(1 for line in TRICKY if _counted(line))
    assert total == sum(1 for line in TRICKY if line.strip(" \t\r\n\x0b\x0c") and not _counted(line))


def _counted(line: str) -> bool:
    """Whether json.loads takes the line's bytes as one countable sample (the rule the recount keeps)."""
    try:
        sample: Any = json.loads(line.encode("utf-8"))
    except (ValueError, RecursionError):
        return False
    context = sample.get("context") if isinstance(sample, dict) else None
    return isinstance(context, str) and context in evidence.CONTEXTS and isinstance(sample.get("outcome"), bool)


def test_a_line_without_end_is_malformed_and_never_held_whole() -> None:
    recount = evidence._Recount()
    recount.feed((VALID + "\n").encode())
    held = []
    piece = b"x" * (1 << 20)
    for _ in range(evidence.MAX_LINE // len(piece) + 3):  # 3 MiB past the limit, in 1 MiB reads
        recount.feed(piece)
        held.append(recount.pending_size)
    recount.feed(b"tail\n" + (VALID + "\n").encode())
    recount.close()
    assert max(held) <= evidence.MAX_LINE
    assert recount.counts[("monitored", True)] == 2
    assert [(m.line, m.problem) for m in recount.malformed] == [(2, "longer than 16 MiB")]


def test_a_line_at_the_limit_is_still_read() -> None:
    line = '{"context": "monitored", "outcome": true, "pad": "'
    line += "p" * (evidence.MAX_LINE - len(line) - 2) + '"}'
    assert len(line) == evidence.MAX_LINE
    recount = evidence._Recount()
    for start in range(0, len(line), 1 << 20):
        recount.feed(line[start : start + (1 << 20)].encode())
    recount.feed(b"\n")
    recount.close()
    assert (dict(recount.counts), recount.malformed_total) == ({("monitored", True): 1}, 0)


def test_a_last_line_without_newline_past_the_limit_is_malformed() -> None:
    recount = evidence._Recount()
    recount.feed(b"y" * (evidence.MAX_LINE + 1))
    recount.close()
    assert [(m.line, m.problem) for m in recount.malformed] == [(1, "longer than 16 MiB")]


# --- what a malformed line costs ------------------------------------------------------------------


def calls(data: bytes) -> int:
    """Function calls, Python's and built-in, that recounting `data` makes: its work counted, not timed."""
    made = 0

    def count(frame: Any, event: str, arg: Any) -> None:
        nonlocal made
        made += event in ("call", "c_call")

    recount = evidence._Recount()
    sys.setprofile(count)
    try:
        recount.feed(data)
        recount.close()
    finally:
        sys.setprofile(None)
    return made


MALFORMED = {
    "a character": b"x",
    "an open brace": b"{",
    "blank": b"",
    "spaces": b"   \t",
    "not UTF-8": b"\xff" * 40,
    "cut short": b'{"context": "monitored", "outcome": tru',
    "an unknown context": b'{"context": "elsewhere", "outcome": true}',
    "no outcome": b'{"context": "monitored", "result": true, "x": 1}',
    "an array": b"[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]",
    "nested": b"[" * 40 + b"]" * 40,
}
"""Malformed (or blank) lines of every kind, from a byte to a good line's length."""


@pytest.mark.parametrize("line", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_line_costs_no_more_than_a_good_one(line: bytes) -> None:
    """Malformed raw samples once took the slow path at about 2 s a MB: each line parsed twice, with
    exceptions, where a good one is parsed once. Counted in calls for as many lines as a good file."""
    lines = 2_000
    good = calls((VALID.encode() + b"\n") * lines)
    assert calls((line + b"\n") * lines) <= good
    assert calls((line + b"\n") * 2 * lines) <= 2 * calls((line + b"\n") * lines) + 10  # linear in the lines
