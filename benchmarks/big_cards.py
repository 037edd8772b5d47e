"""Benchmark: cards of many evaluations alike, each format's wall time and peak memory (not a test).

    python benchmarks/big_cards.py [--runs 3] [--sizes 200,2000,25000]

Two kinds of card, of N evaluations each (tests/hostile/make.py writes them): minimal ones (an id,
a title of 400 characters, a category, a configuration: 25,000 make 10 MB) and ones with arms on
two context pairs (each falling short the same ways, so each also gives comparisons and their
findings). For each, as a user runs it (a new process, SOURCE_DATE_EPOCH fixed, evidence not
read): `check --format json`, `text` and `html`, and `report -o report.pdf`, run by run beside the
same command on the typical card (examples/aster-2-pass/card.yaml). The table gives medians of
wall time and of the command's own peak memory (measure.py), and the ratio of each to the typical
card's, taken in the same session. Issue 12's targets: the 10 MB card's JSON in a few seconds and
well under 1 GB; the PDF of 200 evaluations in a few seconds. Machines are noisy: compare medians
and ratios, taken on a quiet machine. Exits 0 whatever the figures: this measures, it does not gate.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from check_speed import CARD, ROOT
from measure import measured

sys.path.insert(0, str(ROOT))
from tests.hostile.make import minimal_evaluations, repeated  # the checkout's, as the tests use them

KINDS: dict[str, Callable[[int], str]] = {
    "minimal": minimal_evaluations,
    "with arms": lambda n: repeated(n, ["evaluations"]),
}
"""Each kind of card, by the number of its evaluations."""
OUTPUTS = ("report.json", "report.txt", "report.html", "report.pdf")
"""What each run writes: a check in a format, or the PDF report."""


def _command(card: Path, out: Path) -> list[str]:
    if out.suffix == ".pdf":
        return [sys.executable, "-m", "checker", "report", str(card), "-o", str(out), "--no-evidence"]
    fmt = {".json": "json", ".txt": "text", ".html": "html"}[out.suffix]
    return [sys.executable, "-m", "checker", "check", str(card), "--format", fmt, "-o", str(out), "--no-evidence"]


def _run(card: Path, out: Path) -> tuple[float, float]:
    """(wall seconds, peak MB) of one command; any verdict will do (exit 0 or 1)."""
    environment = {**os.environ, "SOURCE_DATE_EPOCH": "1795478400"}
    try:
        return measured(_command(card, out), env=environment, ok=(0, 1))
    finally:
        out.unlink(missing_ok=True)


def _median(values: list[float]) -> float:
    return statistics.median(values)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sizes", default="200,2000,25000", help="numbers of evaluations, comma-separated")
    arguments = parser.parse_args()
    sizes = [int(size) for size in arguments.sizes.split(",")]
    print(f"{arguments.runs} runs each, Python {sys.version.split()[0]}; baseline: {CARD.relative_to(ROOT)}")
    print(f"{'card':<26}{'output':<13}{'wall s':>8}{'× base':>8}{'peak MB':>9}{'× base':>8}")
    with tempfile.TemporaryDirectory() as folder:
        for kind, write in KINDS.items():
            for size in sizes:
                card = Path(folder) / f"{kind.replace(' ', '-')}-{size}.yaml"
                card.write_text(write(size), encoding="utf-8")
                label = f"{size:,} {kind} ({card.stat().st_size / 1e6:.1f} MB)"
                for name in OUTPUTS:
                    out = Path(folder) / name
                    big, base = [], []
                    for _ in range(arguments.runs):
                        big.append(_run(card, out))
                        base.append(_run(CARD, out))
                    wall, peak = _median([w for w, _ in big]), _median([p for _, p in big])
                    base_wall, base_peak = _median([w for w, _ in base]), _median([p for _, p in base])
                    print(
                        f"{label:<26}{name:<13}{wall:>8.2f}{wall / base_wall:>8.1f}{peak:>9.0f}{peak / base_peak:>8.1f}"
                    )
                card.unlink()


if __name__ == "__main__":
    main()
