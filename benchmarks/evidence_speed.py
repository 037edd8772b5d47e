"""Benchmark: recounting raw samples of 100,000 and 1,000,000 lines (not a test).

    python benchmarks/evidence_speed.py [--runs 5]

Each measurement is a new process, so its peak resident memory is its own (see measure.py).
For each size: the evidence step (sha256 and recount in one pass), and as baselines the same
file only read in 1 MiB chunks, and read and hashed. The files are made here, in a
temporary folder, with a fixed seed. Read medians and ratios: machines are noisy.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
from pathlib import Path

from measure import measured

ROOT = Path(__file__).resolve().parent.parent
CONTEXTS = ("monitored", "unmonitored", "training_like", "deployment_like")
TARGET_SECONDS = 3.0

RECOUNT = "recount (evidence step)"
TASKS = {
    RECOUNT: "from checker.evidence import hash_and_recount as f; r = f(PATH, True); assert not r[1].malformed_total",
    "read only (1 MiB chunks)": "h = open(PATH, 'rb', buffering=0)\nwhile h.read(1 << 20): pass",
    "read and sha256": "import hashlib; d = hashlib.sha256(); h = open(PATH, 'rb', buffering=0)\nwhile c := h.read(1 << 20): d.update(c)",
}


def make(path: Path, lines: int) -> None:
    rng = random.Random(lines)
    with open(path, "w", encoding="utf-8") as handle:
        for i in range(lines):
            context = rng.choice(CONTEXTS)
            handle.write(json.dumps({"id": f"s-{i:07d}", "context": context, "outcome": rng.random() < 0.1}) + "\n")


def run(code: str, path: Path) -> tuple[float, float]:
    """(wall seconds, peak resident MB) of `code` in a new Python, with PATH set to `path`."""
    script = f"import sys; sys.path.insert(0, {str(ROOT)!r}); PATH = {str(path)!r}\n{code}"
    return measured([sys.executable, "-c", script])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    print(f"{runs} runs each, Python {sys.version.split()[0]}; wall time includes starting Python")
    start = run("pass", Path("/dev/null"))
    print(f"starting Python alone: {start[0]:.3f} s, {start[1]:.1f} MB")
    with tempfile.TemporaryDirectory() as folder:
        for lines in (100_000, 1_000_000):
            path = Path(folder) / f"raw-{lines}.jsonl"
            make(path, lines)
            print(f"\n{lines:,} lines, {path.stat().st_size / 1e6:.1f} MB")
            medians = {}
            for name, code in TASKS.items():
                results = [run(code, path) for _ in range(runs)]
                walls, peaks = [r[0] for r in results], [r[1] for r in results]
                medians[name] = statistics.median(walls)
                print(
                    f"  {name:26} wall median {statistics.median(walls):.3f} s (min {min(walls):.3f}, max {max(walls):.3f});"
                    f" peak median {statistics.median(peaks):.1f} MB"
                )
            ratio = medians[RECOUNT] / medians["read and sha256"]
            print(f"  recount / read-and-hash: {ratio:.1f}x")
            if lines == 1_000_000:
                verdict = "met" if medians[RECOUNT] <= TARGET_SECONDS else "NOT met"
                print(f"  target: at most {TARGET_SECONDS:g} s for 1,000,000 lines: {verdict}")


if __name__ == "__main__":
    main()
