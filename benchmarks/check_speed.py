"""Benchmark: how long `safetycase check` takes on the passing example (not a test).

    python benchmarks/check_speed.py [--runs 11]

Reports medians of: the whole command as a user runs it (a new interpreter each time), the
in-process check alone (load, validate, checks, scoring, rendering), and the import of the
command line. Machines are noisy: compare medians and ratios, not single runs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CARD = ROOT / "examples" / "aster-2-pass" / "card.yaml"
"""The typical card."""
TODAY = dt.date(2026, 11, 24)
"""A fixed clock, so every run checks alike."""


def timed(argv: Sequence[str], ok: Sequence[int] = (0,)) -> float:
    """Wall seconds of `argv` in a new process, its output discarded; exits when its exit code is not in `ok`."""
    start = time.perf_counter()
    done = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode not in ok:
        raise SystemExit(f"{' '.join(argv)} failed (exit {done.returncode}):\n{done.stderr[-2000:]}")
    return elapsed


def median_ms(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1000:.0f} ms (min {min(samples) * 1000:.0f}, max {max(samples) * 1000:.0f})"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=11)
    runs = parser.parse_args().runs

    command, imports, bare = [], [], []
    for _ in range(runs):
        command.append(timed([sys.executable, "-m", "checker", "check", str(CARD)], ok=(0, 1)))
        imports.append(timed([sys.executable, "-c", "import checker.cli"]))
        bare.append(timed([sys.executable, "-c", "pass"]))

    sys.path.insert(0, str(ROOT))
    from checker.catalog import load_catalog
    from checker.pipeline import check_file
    from checker.render.text import render

    load_catalog()
    in_process = []
    for _ in range(runs):
        start = time.perf_counter()
        render(check_file(CARD, today=TODAY))
        in_process.append(time.perf_counter() - start)

    print(
        f"card: {CARD.relative_to(ROOT)} ({CARD.stat().st_size:,} bytes), {runs} runs, Python {sys.version.split()[0]}"
    )
    print(f"safetycase check (whole command):    {median_ms(command)}")
    print(f"  of which interpreter start:        {median_ms(bare)}")
    print(f"  of which importing the CLI:        {median_ms(imports)}")
    print(f"check in process (after imports):    {median_ms(in_process)}")


if __name__ == "__main__":
    main()
