"""Benchmark: printing a card whose method is one long word, against printing the plain example (not a test).

    python benchmarks/long_word_speed.py [--runs 3] [--length 10000 --length 40000 --length 100000]

WeasyPrint laid a word it could not break out again for each line it filled, so the time grew with
the square of the word's length (a 100,000-character word: 158 s); the HTML it prints now breaks
long words into pieces (checker.render.document.breakable). Each run is a new process, as a user
runs it: `python -m checker report CARD -o report.pdf`, run by run interleaved with the same for
examples/aster-2-pass/card.yaml, the baseline. The table gives each card's median wall time, its
ratio to the baseline's median and its peak memory. Machines are noisy: read medians and ratios.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

from check_speed import CARD, ROOT
from measure import measured

sys.path.insert(0, str(ROOT))
from tests.hostile.make import long_word  # the hostile corpus's card, at each length

LENGTHS = (10_000, 40_000, 100_000)
SOURCE_DATE_EPOCH = "1795478400"


def printed(card: Path, out: Path) -> tuple[float, float]:
    """(wall seconds, peak MB) of printing `card` to PDF in a new process."""
    command = [sys.executable, "-m", "checker", "report", str(card), "-o", str(out)]
    return measured(command, env={**os.environ, "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH}, ok=(0, 1))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--length", type=int, action="append", help="word lengths (default: 10k, 40k, 100k)")
    arguments = parser.parse_args()
    lengths = arguments.length or LENGTHS
    with tempfile.TemporaryDirectory() as folder:
        cards = {f"baseline: {CARD.relative_to(ROOT)}": CARD}
        for length in lengths:
            card = Path(folder) / f"word-{length}.yaml"
            card.write_text(long_word(length), encoding="utf-8")
            cards[f"a {length:,}-character word in method"] = card
        walls: dict[str, list[float]] = {name: [] for name in cards}
        peaks: dict[str, list[float]] = {name: [] for name in cards}
        for _ in range(arguments.runs):
            for name, card in cards.items():
                wall, peak = printed(card, Path(folder) / "report.pdf")
                walls[name].append(wall)
                peaks[name].append(peak)
    baseline = statistics.median(next(iter(walls.values())))
    print(f"report -o report.pdf, {arguments.runs} runs each, Python {sys.version.split()[0]}")
    print(f"{'card':<42} {'median s':>9} {'x baseline':>10} {'peak MB':>8}")
    for name in cards:
        median = statistics.median(walls[name])
        print(f"{name:<42} {median:>9.2f} {median / baseline:>10.2f} {statistics.median(peaks[name]):>8.0f}")


if __name__ == "__main__":
    main()
