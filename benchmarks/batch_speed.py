"""Benchmark: `safetycase batch` over 1,000 typical cards to JSON (not a test).

    python benchmarks/batch_speed.py [--cards 1000] [--jobs 2] [--runs 5]

The cards are copies of the three examples in turn (passing, conditional, failing), each in
its own folder with its evidence files, so every run reads and hashes the evidence and
recounts the raw samples, as a regulator's batch would. Each run starts from an empty output
folder (nothing is skipped as unchanged). Reports the median wall time and cards per second,
the same with --jobs 1 for the ratio, and a rerun over unchanged cards. Machines are noisy:
compare medians and ratios, not single runs.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = [ROOT / "examples" / name for name in ("aster-2-pass", "juniper-3-conditional", "orion-7-fail")]


def generate(folder: Path, cards: int) -> None:
    for i in range(cards):
        example = EXAMPLES[i % len(EXAMPLES)]
        target = folder / f"{i:04d}-{example.name}"
        # Copied, not hard-linked: a file with a second name is refused as evidence, and never read.
        shutil.copytree(example, target, ignore=shutil.ignore_patterns("report.*"))
        card = target / "card.yaml"
        text = card.read_text(encoding="utf-8")
        card.write_text(text + f"# submission {i}\n", encoding="utf-8")  # each card its own hash


def batch(submissions: Path, out: Path, jobs: int, *extra: str) -> float:
    start = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "checker",
            "batch",
            str(submissions),
            "--out",
            str(out),
            "--jobs",
            str(jobs),
            "--format",
            "json",
            *extra,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"batch failed ({done.returncode}): {done.stderr[-2000:]}")
    return elapsed


def timed_batches(base: Path, submissions: Path, jobs: int, runs: int) -> list[float]:
    """Wall seconds of `runs` batches over `submissions`, each into a new, empty folder under `base`."""
    times = []
    for run in range(runs):
        out = base / f"out-{jobs}-{run}"
        times.append(batch(submissions, out, jobs))
        shutil.rmtree(out)
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cards", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as temporary:
        base = Path(temporary)
        submissions = base / "submissions"
        submissions.mkdir()
        generate(submissions, args.cards)
        size = sum(p.stat().st_size for p in submissions.rglob("*") if p.is_file())

        parallel = timed_batches(base, submissions, args.jobs, args.runs)
        serial = timed_batches(base, submissions, 1, args.runs)
        out = base / "out-rerun"
        batch(submissions, out, args.jobs)
        rerun = [batch(submissions, out, args.jobs) for _ in range(args.runs)]

    def show(label: str, times: list[float]) -> str:
        median = statistics.median(times)
        return (
            f"{label}: median {median:.2f} s (min {min(times):.2f}, max {max(times):.2f}), "
            f"{args.cards / median:.0f} cards/s"
        )

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(
        f"{args.cards} cards ({size / 1e6:.1f} MB with evidence), {args.runs} runs, {cores} cores, Python {sys.version.split()[0]}"
    )
    print(show(f"batch --jobs {args.jobs} --format json", parallel))
    print(show("batch --jobs 1 --format json", serial))
    print(f"speed-up with {args.jobs} jobs: {statistics.median(serial) / statistics.median(parallel):.2f}x")
    print(show("rerun, every card unchanged", rerun))


if __name__ == "__main__":
    main()
