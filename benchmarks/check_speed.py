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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CARD = ROOT / "examples" / "aster-2-pass" / "card.yaml"


def median_ms(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1000:.0f} ms (min {min(samples) * 1000:.0f}, max {max(samples) * 1000:.0f})"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=11)
    runs = parser.parse_args().runs

    command, imports, bare = [], [], []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "checker", "check", str(CARD)], capture_output=True, check=False)
        command.append(time.perf_counter() - start)
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import checker.cli"], capture_output=True, check=True)
        imports.append(time.perf_counter() - start)
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], capture_output=True, check=True)
        bare.append(time.perf_counter() - start)

    sys.path.insert(0, str(ROOT))
    from checker.catalog import load_catalog
    from checker.pipeline import check_file
    from checker.render.text import render

    load_catalog()
    in_process = []
    for _ in range(runs):
        start = time.perf_counter()
        render(check_file(CARD, today=dt.date(2026, 11, 24)), width=80, colour=False)
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
