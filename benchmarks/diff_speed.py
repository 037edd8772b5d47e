"""Benchmark: `safetycase diff` of two card versions with long lists, 1,000 items against 60,000 (not a test).

    python benchmarks/diff_speed.py [--runs 5] [--sizes 1000,60000]

Each version is the passing example with N release conditions and N changelog entries added, half
of them shared with the other version (so the diff lists N/2 added and N/2 removed of each). For
each size: the diff step alone in this process (checker.diff.diff_versions on the two checked
reports), and the whole command in a new process (`diff OLD NEW --no-evidence --format json`: loading
and checking both cards dominate it). Medians of the runs, then each size's ratio to the smallest
size: a linear diff grows like the item ratio (60x), a quadratic one like its square (3,600x; the
diff step of 60,000 conditions once took 110 s). Machines are noisy: compare medians and ratios.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from check_speed import CARD, ROOT, TODAY, timed

CONDITIONS = "  conditions:\n"
CHANGELOG = "  changelog:\n"


def make(folder: Path, items: int) -> tuple[Path, Path]:
    """The old and the new version with `items` release conditions and changelog entries each, half shared."""
    text = CARD.read_text(encoding="utf-8")
    assert text.count(CONDITIONS) == 1 and text.count(CHANGELOG) == 1
    paths = []
    for name, first in (("old", 0), ("new", items // 2)):
        numbers = range(first, first + items)
        conditions = "".join(f"    - condition {i}\n" for i in numbers)
        changelog = "".join(
            f'    - {{card_version: "0.{i}", date: 2026-01-01, changes: revision {i}}}\n' for i in numbers
        )
        path = folder / f"{name}-{items}.yaml"
        path.write_text(text.replace(CONDITIONS, CONDITIONS + conditions).replace(CHANGELOG, CHANGELOG + changelog))
        paths.append(path)
    return paths[0], paths[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sizes", default="1000,60000", help="comma-separated item counts; the first is the baseline")
    options = parser.parse_args()
    sizes = [int(size) for size in options.sizes.split(",")]

    sys.path.insert(0, str(ROOT))
    from checker.diff import diff_versions
    from checker.pipeline import check_file

    print(f"{options.runs} runs each, Python {sys.version.split()[0]}; items: release conditions and changelog entries")
    steps: dict[int, float] = {}
    commands: dict[int, float] = {}
    with tempfile.TemporaryDirectory() as folder:
        for items in sizes:
            old, new = make(Path(folder), items)
            reports = [check_file(path, today=TODAY, evidence=False) for path in (old, new)]
            step = []
            for _ in range(options.runs):
                start = time.perf_counter()
                diff_versions(*reports)
                step.append(time.perf_counter() - start)
            argv = [sys.executable, "-m", "checker", "diff", str(old), str(new), "--no-evidence", "--format", "json"]
            command = [timed(argv) for _ in range(options.runs)]
            steps[items], commands[items] = statistics.median(step), statistics.median(command)
            print(
                f"{items:>7,} items: diff step median {steps[items]:.4f} s (min {min(step):.4f}, max {max(step):.4f});"
                f" whole command median {commands[items]:.2f} s (min {min(command):.2f}, max {max(command):.2f})"
            )
    baseline = sizes[0]
    for items in sizes[1:]:
        print(
            f"{items:,} / {baseline:,} items ({items / baseline:g}x): diff step {steps[items] / steps[baseline]:.0f}x,"
            f" whole command {commands[items] / commands[baseline]:.1f}x"
        )


if __name__ == "__main__":
    main()
