"""Benchmark: the hostile-input corpus (tests/hostile/) as a user meets it, case by case (not a test).

    python benchmarks/hostile_speed.py [--runs 5] [--case NAME]...

Each case of tests/hostile/cases.yaml is placed as tests/test_hostile.py places it and run as a
new interpreter, as a user runs it (`python -m checker ...`, SOURCE_DATE_EPOCH fixed), run by run interleaved with a
baseline in the same session: the check of the typical card (examples/aster-2-pass/card.yaml,
--format json). The table gives each case's median wall time, its ratio to the baseline's median,
and, for a case about time, the `seconds` its entry in cases.yaml sets, on a quiet machine. The
tests check every case's outcome and memory, never its time: this measures, it does not gate
(exit 0 either way). Machines are noisy: compare medians and ratios, taken on a quiet machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from check_speed import CARD, ROOT
from measure import measured

sys.path.insert(0, str(ROOT))
from tests.hostile.make import CASES, case_arguments, place  # the checkout's, as the tests use it

SOURCE_DATE_EPOCH = "1795478400"
"""2026-11-24, the date the tests check on."""
BASELINE = "baseline: safetycase check examples/aster-2-pass/card.yaml --format json"


@dataclass(frozen=True, kw_only=True)
class Timing:
    """One case's wall times, the baseline's taken beside them, and the case's target if it has one."""

    name: str
    seconds: tuple[float, ...]
    baseline: tuple[float, ...]
    target: float | None

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def ratio(self) -> float:
        """The case's median over the baseline's median, both from this session."""
        return self.median / statistics.median(self.baseline)

    @property
    def met(self) -> bool | None:
        return None if self.target is None else self.median <= self.target


def _environment() -> dict[str, str]:
    """The date fixed, and the checkout's checker imported first, as in the tests."""
    environment = {k: v for k, v in os.environ.items() if k != "SAFETYCASE_DEBUG"}
    path = os.pathsep.join(filter(None, [str(ROOT), environment.get("PYTHONPATH")]))
    return environment | {"SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH, "PYTHONPATH": path}


def _run(argv: Sequence[str], cwd: Path, exit_code: int) -> float:
    """Wall seconds of `python -m checker ARGV` in `cwd` (measure.py's wrapper, which also sees its peak)."""
    here = os.getcwd()
    os.chdir(cwd)
    try:
        seconds, _ = measured([sys.executable, "-m", "checker", *argv], env=_environment(), ok=(exit_code,))
    finally:
        os.chdir(here)
    return seconds


def time_case(name: str, runs: int) -> Timing:
    """`runs` runs of one case, each on a fresh copy of its card, each followed by a run of the baseline."""
    case: dict[str, Any] = CASES[name]
    seconds, baseline = [], []
    with tempfile.TemporaryDirectory(prefix="safetycase-hostile-") as folder:
        for run in range(runs + 1):  # the first run is not counted: bytecode, file cache
            inputs, out = Path(folder) / f"in-{run}", Path(folder) / f"out-{run}"
            inputs.mkdir()
            out.mkdir()
            card = place(case["card"], inputs).relative_to(inputs)
            took = _run(case_arguments(name, card, out), inputs, case["exit"])
            reference = _run(["check", str(CARD), "--format", "json"], ROOT, 0)
            if run:
                seconds.append(took)
                baseline.append(reference)
    return Timing(name=name, seconds=tuple(seconds), baseline=tuple(baseline), target=case.get("seconds"))


def table(timings: Sequence[Timing]) -> str:
    header = ["case", "median", "min – max", "x baseline", "target", "met?"]
    rows = [header]
    for t in timings:
        target = "—" if t.target is None else f"≤ {t.target:g} s"
        met = {None: "—", True: "yes", False: "NO"}[t.met]
        spread = f"{min(t.seconds):.3f} – {max(t.seconds):.3f} s"
        rows.append([t.name, f"{t.median:.3f} s", spread, f"{t.ratio:.1f}x", target, met])
    every = [s for t in timings for s in t.baseline]
    rows.append([BASELINE, f"{statistics.median(every):.3f} s", f"{min(every):.3f} – {max(every):.3f} s", "1.0x"])
    rows[-1] += ["—", "—"]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["| " + " | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) + " |" for row in rows]
    return "\n".join([lines[0], "|" + "|".join("-" * (w + 2) for w in widths) + "|", *lines[1:]])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=5, help="counted runs of each case (default 5)")
    parser.add_argument("--case", action="append", choices=sorted(CASES), help="only this case (repeatable)")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    names = args.case or list(CASES)
    timings = []
    for index, name in enumerate(names, start=1):
        print(f"... {index}/{len(names)} {name}", file=sys.stderr, flush=True)
        timings.append(time_case(name, args.runs))
    print(f"{len(timings)} cases of tests/hostile/cases.yaml, {args.runs} runs each, Python {sys.version.split()[0]}")
    print(table(timings))


if __name__ == "__main__":
    main()
