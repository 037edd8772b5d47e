"""Every benchmark in one command: a table of medians against their targets, and the same as JSON (not a test).

    python benchmarks/run.py [--runs N] [--json PATH] [--quick] [--require-peer]

On the typical card (examples/aster-2-pass/card.yaml), each a median over several runs:
  1. `safetycase check CARD --format json` as a user runs it: the console script, a new process each time;
  2. run by run beside it, the peer a user would otherwise run for the format alone,
     `check-jsonschema --schemafile schema/submission.schema.json CARD` (`pip install -e '.[bench]'`),
     and their ratio; then what a new process pays before it checks anything (start, imports);
  3. checks per second in this process on one core (check_file and the JSON rendering, after a
     warm-up), with the evidence not read and read;
  4. `safetycase report` of the largest example (the same card today) to PDF (report_speed.py): wall
     time and the child's own peak memory;
  5. `safetycase batch` over 1,000 cards (batch_speed.py);
  6. recounting 1,000,000 lines of raw samples (evidence_speed.py);
  7. the hostile-input cases that set a time (`seconds` in tests/hostile/cases.yaml), each against
     the check of the typical card run beside it (hostile_speed.py, which times every case).

--quick runs fewer times and smaller sizes, for a smoke test; rows whose size shrank say so. The
results file (benchmarks/results.json unless --json) describes one machine at one moment, so it
is not committed. Exits 0 whether the targets are met or not: this measures, it does not gate.
Machines are noisy: compare medians and ratios, taken on a quiet machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from batch_speed import generate, timed_batches
from check_speed import CARD, ROOT, TODAY, timed
from evidence_speed import RECOUNT, TARGET_SECONDS, TASKS, make, run
from hostile_speed import CASES, time_case
from measure import console_script
from report_speed import TARGETS, largest_example, one_run

SCHEMA = ROOT / "schema" / "submission.schema.json"
DEFAULT_JSON = ROOT / "benchmarks" / "results.json"
PEER = "check-jsonschema"
COLD_CHECK_SECONDS = 0.35
CHECKS_PER_SECOND = 200.0
BATCH_JOBS = 2
BATCH_SECONDS = 10.0
"""Issue 5's target for 1,000 cards with --jobs 2 (held only at the full size)."""
FULL_LINES = 1_000_000
"""The size evidence_speed.py's target is set for."""
# Where a new process's time goes before it checks anything; each stage includes the ones above it.
OUR_STAGES = {
    "  of which: Python starts": "pass",
    "  of which: + import checker.cli": "import checker.cli",
    "  of which: + import the check's modules": "import checker.cli, checker.pipeline, checker.render.json",
}
PEER_STAGES = {"  of which: Python starts, import check_jsonschema": "import check_jsonschema"}


@dataclass(frozen=True, kw_only=True)
class Plan:
    """How many times and how big."""

    process_runs: int
    """Runs of each quick command (the cold check, its peer, the start-up stages)."""
    heavy_runs: int
    """Runs of each slow command (the PDF, the batch, the recount)."""
    batches: int
    batch_size: int
    """Checks in process: `batches` timings of `batch_size` checks each."""
    cards: int
    lines: int


FULL = Plan(process_runs=21, heavy_runs=5, batches=20, batch_size=25, cards=1000, lines=FULL_LINES)
QUICK = Plan(process_runs=5, heavy_runs=2, batches=5, batch_size=10, cards=100, lines=FULL_LINES)

UNITS = {"s": (".3f", " s"), "MB": (".0f", " MB"), "x": (".2f", "x"), "cards/s": (".0f", " cards/s")}
"""Per unit: how its figures are shown, and its suffix."""


@dataclass(frozen=True, kw_only=True)
class Row:
    """One measurement: its samples and, if it has one, the target its median is held to."""

    name: str
    unit: str
    """A key of UNITS."""
    samples: tuple[float, ...]
    target: float | None = None
    at_least: bool = False
    """The target is a floor (a rate), not a ceiling (a time, a size, a ratio)."""

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def met(self) -> bool | None:
        if self.target is None:
            return None
        return self.median >= self.target if self.at_least else self.median <= self.target

    def cells(self) -> list[str]:
        figure, suffix = UNITS[self.unit]
        low, high = min(self.samples), max(self.samples)
        spread = f"{low:{figure}} – {high:{figure}}{suffix}" if len(self.samples) > 1 else "—"
        target = "—" if self.target is None else f"{'≥' if self.at_least else '≤'} {self.target:g}{suffix}"
        met = {None: "—", True: "yes", False: "NO"}[self.met]
        return [self.name, f"{self.median:{figure}}{suffix}", spread, target, met]

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name.strip(),
            "unit": self.unit,
            "median": self.median,
            "min": min(self.samples),
            "max": max(self.samples),
            "runs": len(self.samples),
            "target": self.target,
            "target_is": None if self.target is None else "at least" if self.at_least else "at most",
            "met": self.met,
            "samples": list(self.samples),
        }


def progress(message: str) -> None:
    print(f"... {message}", file=sys.stderr, flush=True)


def start_up(runs: int, stages: dict[str, str]) -> list[Row]:
    """Wall time of each stage's Python code in a new process, the stages interleaved run by run."""
    times: dict[str, list[float]] = {name: [] for name in stages}
    for _ in range(runs):
        for name, code in stages.items():
            times[name].append(timed([sys.executable, "-c", code]))
    return [Row(name=name, unit="s", samples=tuple(samples)) for name, samples in times.items()]


def cold_check(safetycase: Path, peer: Path | None, runs: int) -> list[Row]:
    ours = [str(safetycase), "check", str(CARD), "--format", "json"]
    theirs = [str(peer), "--schemafile", str(SCHEMA), str(CARD)] if peer else None
    # One unmeasured run each: the first after an edit compiles bytecode and fills the file cache.
    timed(ours, ok=(0, 1))
    if theirs:
        timed(theirs)
    our_times: list[float] = []
    their_times: list[float] = []
    for index in range(runs):
        # Interleaved, in alternating order, so that a noisy moment and the order itself weigh on both alike.
        ours_first = index % 2 == 0
        if ours_first:
            our_times.append(timed(ours, ok=(0, 1)))
        if theirs:
            their_times.append(timed(theirs))
        if not ours_first:
            our_times.append(timed(ours, ok=(0, 1)))
    stages = {row.name: row for row in start_up(runs, OUR_STAGES | (PEER_STAGES if theirs else {}))}
    rows = [
        Row(
            name="safetycase check --format json (new process)",
            unit="s",
            samples=tuple(our_times),
            target=COLD_CHECK_SECONDS,
        ),
        *(stages[name] for name in OUR_STAGES),
    ]
    if their_times:
        rows += [
            Row(name="check-jsonschema --schemafile (peer, new process)", unit="s", samples=tuple(their_times)),
            *(stages[name] for name in PEER_STAGES),
            Row(
                name="safetycase / peer, median of per-run ratios",
                unit="x",
                samples=tuple(a / b for a, b in zip(our_times, their_times, strict=True)),
                target=1.0,
            ),
            Row(
                name="safetycase / peer, ratio of medians",
                unit="x",
                samples=(statistics.median(our_times) / statistics.median(their_times),),
                target=1.0,
            ),
        ]
    return rows


@contextmanager
def one_core() -> Iterator[None]:
    """This process on one CPU only (where the platform can pin it), so the rate is one core's."""
    if not hasattr(os, "sched_setaffinity"):
        yield
        return
    cpus = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {min(cpus)})
    try:
        yield
    finally:
        os.sched_setaffinity(0, cpus)


def in_process(batches: int, batch_size: int) -> list[Row]:
    from checker.pipeline import check_file
    from checker.render.json import render

    def rates(evidence: bool) -> tuple[float, ...]:
        for _ in range(batch_size):  # warm-up: imports, the catalog, the compiled schema
            render(check_file(CARD, today=TODAY, evidence=evidence))
        measured = []
        for _ in range(batches):
            start = time.perf_counter()
            for _ in range(batch_size):
                render(check_file(CARD, today=TODAY, evidence=evidence))
            measured.append(batch_size / (time.perf_counter() - start))
        return tuple(measured)

    with one_core():
        without, with_evidence = rates(evidence=False), rates(evidence=True)
    return [
        Row(
            name="in process, 1 core: check + JSON, evidence not read",
            unit="cards/s",
            samples=without,
            target=CHECKS_PER_SECOND,
            at_least=True,
        ),
        Row(name="in process, 1 core: check + JSON, evidence read", unit="cards/s", samples=with_evidence),
    ]


def pdf_report(safetycase: Path, runs: int) -> list[Row]:
    card = largest_example()  # issue 3 set the targets for the largest example
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "report.pdf"
        one_run(card, out, command=[str(safetycase)])  # unmeasured: bytecode, file and font caches
        results = [one_run(card, out, command=[str(safetycase)]) for _ in range(runs)]
    label = f"safetycase report {card.parent.name} -o report.pdf"
    return [
        Row(name=f"{label}: wall", unit="s", samples=tuple(r[0] for r in results), target=TARGETS["wall s"]),
        Row(name=f"{label}: peak memory", unit="MB", samples=tuple(r[1] for r in results), target=TARGETS["peak MB"]),
    ]


def batch_of_cards(cards: int, runs: int, quick: bool) -> list[Row]:
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        submissions = base / "submissions"
        submissions.mkdir()
        generate(submissions, cards)
        times = timed_batches(base, submissions, BATCH_JOBS, runs)
    label = f"batch of {cards:,} cards, --jobs {BATCH_JOBS}, json{' (quick size)' if quick else ''}"
    return [
        Row(name=f"{label}: wall", unit="s", samples=tuple(times), target=None if quick else BATCH_SECONDS),
        Row(name=f"{label}: rate", unit="cards/s", samples=tuple(cards / t for t in times)),
    ]


def recount(lines: int, runs: int) -> list[Row]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "raw-samples.jsonl"
        make(path, lines)
        results = [run(TASKS[RECOUNT], path) for _ in range(runs)]
    label = f"recount {lines:,} raw-sample lines{' (quick size)' if lines != FULL_LINES else ''}"
    return [
        Row(
            name=f"{label}: wall, with Python's start",
            unit="s",
            samples=tuple(r[0] for r in results),
            target=TARGET_SECONDS if lines == FULL_LINES else None,
        ),
        Row(name=f"{label}: peak memory", unit="MB", samples=tuple(r[1] for r in results)),
    ]


def hostile_cases(runs: int) -> list[Row]:
    """The corpus's cases about time: wall time against the case's `seconds`, and its ratio to the typical check."""
    rows = []
    for name in (name for name, case in CASES.items() if "seconds" in case):
        timing = time_case(name, runs)
        rows += [
            Row(name=f"hostile case '{name}': wall", unit="s", samples=timing.seconds, target=timing.target),
            Row(
                name=f"hostile case '{name}' / typical check",
                unit="x",
                samples=tuple(a / b for a, b in zip(timing.seconds, timing.baseline, strict=True)),
            ),
        ]
    return rows


def git(*arguments: str) -> str | None:
    try:
        done = subprocess.run(["git", "-C", str(ROOT), *arguments], capture_output=True, text=True, check=False)
    except OSError:
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def version(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def machine(safetycase: Path, peer: Path | None) -> dict[str, Any]:
    from checker import __version__

    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    changes = git("status", "--porcelain", "--untracked-files=no")
    return {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "cpus_usable": cpus,
        "checker_version": __version__,
        "git_commit": git("rev-parse", "HEAD"),
        "git_uncommitted_changes": None if changes is None else bool(changes),
        "safetycase": str(safetycase),
        "peer": str(peer) if peer else None,
        "peer_version": version(PEER) if peer else None,
    }


def table(rows: Sequence[Row]) -> str:
    header = ["measurement", "median", "min – max", "target", "met?"]
    lines = [header, *(row.cells() for row in rows)]
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]

    def show(cells: list[str]) -> str:
        return "| " + " | ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)) + " |"

    rule = "|" + "|".join("-" * (width + 2) for width in widths) + "|"
    return "\n".join([show(header), rule, *(show(line) for line in lines[1:])])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--runs",
        type=int,
        help="runs of every measurement (default: 21 for each new-process check, 5 for the slow ones)",
    )
    parser.add_argument(
        "--json",
        type=Path,
        default=DEFAULT_JSON,
        help=f"where to write the results (default: {DEFAULT_JSON.relative_to(ROOT)})",
    )
    parser.add_argument("--quick", action="store_true", help="fewer runs and smaller sizes: a smoke test")
    parser.add_argument("--require-peer", action="store_true", help=f"fail when {PEER} is not installed")
    args = parser.parse_args()
    if args.runs is not None and args.runs < 1:
        parser.error("--runs must be at least 1")
    plan = QUICK if args.quick else FULL
    process_runs = args.runs or plan.process_runs
    heavy_runs = args.runs or plan.heavy_runs

    sys.path.insert(0, str(ROOT))
    safetycase = console_script("safetycase")
    if safetycase is None:
        raise SystemExit("the safetycase console script is not installed: pip install -e . in this environment")
    peer = console_script(PEER)
    notes = []
    if peer is None:
        if args.require_peer:
            raise SystemExit(f"{PEER} is not installed and --require-peer asks for it: pip install -e '.[bench]'")
        missing = f"{PEER} is not installed (pip install -e '.[bench]'): the peer and the ratio rows are skipped"
        print(f"NOTE: {missing}.", file=sys.stderr)
        notes.append(missing)
    if args.quick:
        notes.append("--quick: fewer runs and smaller sizes; a smoke test, not a measurement")

    rows: list[Row] = []
    progress(f"new processes: the check, its peer, start-up stages; {process_runs} runs each")
    rows += cold_check(safetycase, peer, process_runs)
    progress(f"in process, {plan.batches} batches of {plan.batch_size} checks")
    rows += in_process(plan.batches, plan.batch_size)
    progress(f"PDF report, {heavy_runs} runs")
    rows += pdf_report(safetycase, heavy_runs)
    progress(f"batch of {plan.cards:,} cards, {heavy_runs} runs")
    rows += batch_of_cards(plan.cards, heavy_runs, args.quick)
    progress(f"recount of {plan.lines:,} lines, {heavy_runs} runs")
    rows += recount(plan.lines, heavy_runs)
    progress(f"hostile cases that set a time, {heavy_runs} runs")
    rows += hostile_cases(heavy_runs)

    about = machine(safetycase, peer)
    print(
        f"card {CARD.relative_to(ROOT)}; Python {about['python']}, {about['cpus_usable']} CPUs, {about['platform']}; "
        f"checker {about['checker_version']} at {(about['git_commit'] or 'unknown')[:12]}"
        f"{' with uncommitted changes' if about['git_uncommitted_changes'] else ''}"
    )
    print(table(rows))
    for note in notes:
        print(f"note: {note}")
    results = {
        "machine": about,
        "settings": {"quick": args.quick, "process_runs": process_runs, "heavy_runs": heavy_runs, **asdict(plan)},
        "notes": notes,
        "rows": [row.as_json() for row in rows],
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"written: {args.json}")


if __name__ == "__main__":
    main()
