"""Benchmark: recounting raw samples of 100,000 and 1,000,000 lines, and malformed ones against good (not a test).

    python benchmarks/evidence_speed.py [--runs 5]

Each measurement of the first part is a new process, so its peak resident memory is its own (see
measure.py). For each size: the evidence step (sha256 and recount in one pass), and as baselines
the same file only read in 1 MiB chunks, and read and hashed.

The second part times, in this process, the evidence step on files of the same size (8 MiB) made
of good lines and of each kind of malformed line, and gives each one's median against the good
file's: a malformed line must cost no more than a good one (it once cost 70 times as much a MiB).
The files are made here, in a temporary folder, with a fixed seed. Read medians and ratios:
machines are noisy.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from measure import measured

ROOT = Path(__file__).resolve().parent.parent
CONTEXTS = ("monitored", "unmonitored", "training_like", "deployment_like")
TARGET_SECONDS = 3.0

RECOUNT = "recount (evidence step)"
TASKS = {
    RECOUNT: (
        "import os; from checker.evidence import digest; d = os.open(PATH, os.O_RDONLY)\n"
        "r = digest(d, os.fstat(d).st_size, True); assert not r[1].malformed_total"
    ),
    "read only (1 MiB chunks)": "h = open(PATH, 'rb', buffering=0)\nwhile h.read(1 << 20): pass",
    "read and sha256": "import hashlib; d = hashlib.sha256(); h = open(PATH, 'rb', buffering=0)\nwhile c := h.read(1 << 20): d.update(c)",
}


def make(path: Path, lines: int) -> None:
    rng = random.Random(lines)
    with open(path, "w", encoding="utf-8") as handle:
        for i in range(lines):
            context = rng.choice(CONTEXTS)
            handle.write(json.dumps({"id": f"s-{i:07d}", "context": context, "outcome": rng.random() < 0.1}) + "\n")


SAME_SIZE = 8 << 20
"""The size of each file of the good-against-malformed part."""
MALFORMED = {
    "one character a line": lambda i: "x",
    "an open brace a line": lambda i: "{",
    "empty lines": lambda i: "",
    "cut short": lambda i: _good(i)[:-3],
    "unknown context": lambda i: _good(i).replace('"context": "', '"context": "x-'),
    "not UTF-8": lambda i: _good(i) + "\udcff",
    "nested 990 deep": lambda i: "[" * 990,
}
"""Each kind of malformed (or blank) line, by the sample number it stands in for."""


def _good(i: int) -> str:
    rng = random.Random(i)
    return json.dumps({"id": f"s-{i:07d}", "context": rng.choice(CONTEXTS), "outcome": rng.random() < 0.1})


def make_lines(path: Path, line: Callable[[int], str]) -> None:
    """SAME_SIZE bytes of lines (a byte that is not UTF-8 written as the lone surrogate that stands for it)."""
    with open(path, "w", encoding="utf-8", errors="surrogateescape") as handle:
        written, i = 0, 0
        while written < SAME_SIZE:
            text = line(i) + "\n"
            handle.write(text)
            written += len(text.encode("utf-8", "surrogateescape"))
            i += 1


def step_seconds(path: Path, runs: int, raw_samples: bool = True) -> float:
    """The median wall time of the evidence step on `path` in this process (the file in the page cache)."""
    from checker.evidence import digest

    times = []
    for _ in range(runs + 1):  # the first run warms the cache and is dropped
        descriptor = os.open(path, os.O_RDONLY)
        start = time.perf_counter()
        digest(descriptor, os.fstat(descriptor).st_size, raw_samples)
        times.append(time.perf_counter() - start)
        os.close(descriptor)
    return statistics.median(times[1:])


def malformed_against_good(folder: Path, runs: int) -> None:
    sys.path.insert(0, str(ROOT))
    good = folder / "good.jsonl"
    make_lines(good, _good)
    baseline = step_seconds(good, runs)
    mib = SAME_SIZE / (1 << 20)
    print(f"\nthe evidence step on {mib:g} MiB files, in this process, median of {runs}:")
    print(f"  {'good samples':26} {baseline * 1000 / mib:7.1f} ms/MiB")
    print(f"  {'good, hashed only':26} {step_seconds(good, runs, raw_samples=False) * 1000 / mib:7.1f} ms/MiB")
    for name, line in MALFORMED.items():
        path = folder / f"{name}.jsonl"
        make_lines(path, line)
        seconds = step_seconds(path, runs)
        print(f"  {name:26} {seconds * 1000 / mib:7.1f} ms/MiB, {seconds / baseline:4.1f}x the good file")


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
        malformed_against_good(Path(folder), runs)


if __name__ == "__main__":
    main()
