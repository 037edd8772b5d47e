"""Benchmark: the PDF report of the largest example, wall time and peak memory (not a test).

    python benchmarks/report_speed.py [--runs 5]

Each run is a new process, as a user runs it: `python -m checker report CARD -o out.pdf`. Its
peak resident memory is the child's own (see measure.py). Also reported: the same for
HTML, and the PDF in process after a warm-up (what `batch` pays per card once WeasyPrint is
loaded). Machines are noisy: read medians and ratios, not single runs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from measure import measured

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {"wall s": 2.0, "peak MB": 300.0}
"""Issue 3's targets for the PDF of the largest example."""


def largest_example() -> Path:
    return max((ROOT / "examples").glob("*/card.yaml"), key=lambda p: p.stat().st_size)


def one_run(card: Path, out: Path, command: Sequence[str] = (sys.executable, "-m", "checker")) -> tuple[float, float]:
    """(wall seconds, peak resident MB) of one `report` command in a new process.

    `command` starts safetycase: `python -m checker` here, the console script in run.py.
    """
    return measured(
        [*command, "report", str(card), "-o", str(out)], env={**os.environ, "SOURCE_DATE_EPOCH": "1795478400"}
    )


def summary(values: list[float], unit: str) -> str:
    return f"median {statistics.median(values):.2f} {unit} (min {min(values):.2f}, max {max(values):.2f})"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    card = largest_example()
    sys.path.insert(0, str(ROOT))
    from checker.pipeline import check_file
    from checker.render.pdf import render as render_pdf

    report = check_file(card, today=dt.date(2026, 11, 24))
    print(
        f"card: {card.relative_to(ROOT)} ({card.stat().st_size:,} bytes), {runs} runs, Python {sys.version.split()[0]}"
    )
    with tempfile.TemporaryDirectory() as folder:
        for suffix in ("pdf", "html"):
            walls, peaks = [], []
            for _ in range(runs):
                wall, peak = one_run(card, Path(folder) / f"report.{suffix}")
                walls.append(wall)
                peaks.append(peak)
            size = (Path(folder) / f"report.{suffix}").stat().st_size
            print(
                f"report --format {suffix} (whole command): wall {summary(walls, 's')}; peak {summary(peaks, 'MB')}; {size:,} bytes"
            )
            if suffix == "pdf":
                met = statistics.median(walls) <= TARGETS["wall s"] and statistics.median(peaks) <= TARGETS["peak MB"]
                print(
                    f"  targets: wall <= {TARGETS['wall s']} s, peak <= {TARGETS['peak MB']:.0f} MB: {'met' if met else 'NOT met'}"
                )
    render_pdf(report)  # warm-up: imports, fonts
    in_process = []
    for _ in range(runs):
        start = time.perf_counter()
        render_pdf(report)
        in_process.append(time.perf_counter() - start)
    print(f"PDF in process, after a warm-up:      {summary(in_process, 's')}")


if __name__ == "__main__":
    main()
