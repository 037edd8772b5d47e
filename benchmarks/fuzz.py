"""Fuzzing: the property tests of tests/test_properties.py under the long hypothesis profile (not a test).

    python benchmarks/fuzz.py [--examples N]

Runs pytest on that module with SAFETYCASE_FUZZ=long: not derandomized, so each run tries new
inputs, and thousands of examples (N is the base number; each property takes its share of it, as
in the module; the default is the profile's). Prints, for each property, the examples it ran
(passing, failing, and invalid: drawn but discarded), its time and its outcome; then the
total, and each failure with its falsifying example and the `@reproduce_failure` line that
replays it. pytest's whole output goes to a log file, named first, as it runs. The exit status
is pytest's.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODULE = "tests/test_properties.py"
STATISTICS = re.compile(r"(\d+) passing, (\d+) failing, and (\d+) invalid")
FAILURE_LINES = re.compile(r"^(E  |Falsifying|@reproduce_failure|You can reproduce)|reproduce_failure")


@dataclass
class Property:
    """One test of the module as this run saw it."""

    name: str
    seconds: float = 0.0
    outcome: str = "not run"
    passing: int = 0
    failing: int = 0
    invalid: int = 0
    failure: str = ""


def statistics(output: str, properties: dict[str, Property]) -> None:
    """Adds up, per test, the examples of every phase in hypothesis's statistics (--hypothesis-show-statistics)."""
    current = None
    for line in output.splitlines():
        header = re.match(rf"{re.escape(MODULE)}::(\S+):$", line.strip())
        if header:
            current = properties.setdefault(header.group(1), Property(header.group(1)))
            continue
        counts = STATISTICS.search(line)
        if counts and current is not None:
            current.passing += int(counts.group(1))
            current.failing += int(counts.group(2))
            current.invalid += int(counts.group(3))


def outcomes(report: Path, properties: dict[str, Property]) -> None:
    """Time and outcome of each test, from pytest's JUnit XML report."""
    for case in ElementTree.parse(report).iter("testcase"):
        found = properties.setdefault(case.get("name", ""), Property(case.get("name", "")))
        found.seconds += float(case.get("time", 0))
        skipped = case.find("skipped")
        failed = case.find("failure") if case.find("failure") is not None else case.find("error")
        if failed is not None:
            found.outcome, found.failure = "FAILED", failed.text or failed.get("message") or ""
        elif skipped is not None and skipped.get("type") == "pytest.xfail":
            found.outcome = "xfail (known: see its reason)"
        elif skipped is not None:
            found.outcome = "skipped"
        else:
            found.outcome = "passed"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--examples", type=int, help="the base number of examples (default: the long profile's)")
    examples = parser.parse_args().examples

    environment = {**os.environ, "SAFETYCASE_FUZZ": "long"}
    if examples is not None:
        environment["SAFETYCASE_FUZZ_EXAMPLES"] = str(examples)
    log = Path(tempfile.gettempdir()) / f"safetycase-fuzz-{time.strftime('%Y%m%d-%H%M%S')}.log"
    print(f"{MODULE}, profile long, base examples {examples or 'of the profile'}, Python {sys.version.split()[0]}")
    print(f"pytest's output as it runs: {log}\n", flush=True)
    with tempfile.TemporaryDirectory() as folder, open(log, "w", encoding="utf-8") as output:
        report = Path(folder) / "junit.xml"
        start = time.perf_counter()
        run = subprocess.run(
            [sys.executable, "-m", "pytest", "-v", "-p", "no:cacheprovider", "--hypothesis-show-statistics",
             f"--junitxml={report}", MODULE],
            cwd=ROOT, env=environment, stdout=output, stderr=subprocess.STDOUT, check=False,
        )  # fmt: skip
        seconds = time.perf_counter() - start
        properties: dict[str, Property] = {}
        statistics(log.read_text(encoding="utf-8"), properties)
        if report.exists():
            outcomes(report, properties)

    width = max((len(name) for name in properties), default=10)
    print(f"{'property':<{width}}  {'examples':>8}  {'failing':>7}  {'invalid':>7}  {'seconds':>7}  outcome")
    for found in properties.values():
        print(
            f"{found.name:<{width}}  {found.passing + found.failing:>8,}  {found.failing:>7,}  {found.invalid:>7,}"
            f"  {found.seconds:>7.1f}  {found.outcome}"
        )
    ran = sum(found.passing + found.failing for found in properties.values())
    failed = [found for found in properties.values() if found.outcome == "FAILED"]
    print(f"\n{ran:,} examples in {seconds:.0f} s; {len(failed)} failing propert{'y' if len(failed) == 1 else 'ies'}")
    for found in failed:
        print(f"\n--- {found.name}")
        print("\n".join(line for line in found.failure.splitlines() if FAILURE_LINES.search(line)) or found.failure)
    sys.exit(run.returncode)


if __name__ == "__main__":
    main()
