"""What the benchmarks share: finding a console script, and running one command with its own peak memory.

Not a benchmark itself; the scripts beside it import it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

# A fresh interpreter that starts the command, waits for it and prints its wall time and peak
# resident memory. Why not wait4 on the command straight from the benchmark: Linux carries the
# high-water mark of the memory a process had before exec() into the new program's ru_maxrss,
# and a child started from the benchmark (by fork or vfork) has the benchmark's memory then, so
# a 20 MB command read as 400 MB under a benchmark holding 400 MB. A forked intermediate has the
# same flaw (it is a copy of the benchmark). A newly exec'd Python holds about 13 MB, less than
# any command measured here, so the figure is the command's own. /usr/bin/time -f %M would do too,
# but is not on every machine.
_WRAPPER = """\
import json, os, subprocess, sys, time
start = time.perf_counter()
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
stderr = child.stderr.read()
_, status, usage = os.wait4(child.pid, 0)
wall = time.perf_counter() - start
print(json.dumps({"wall": wall, "peak_kb": usage.ru_maxrss, "exit": os.waitstatus_to_exitcode(status),
                  "stderr": stderr[-2000:].decode(errors="replace")}))
"""


def console_script(name: str) -> Path | None:
    """The console script `name` of this interpreter's environment, else the first on PATH, else None."""
    beside = Path(sys.executable).parent / name
    if beside.is_file() and os.access(beside, os.X_OK):
        return beside
    found = shutil.which(name)
    return Path(found) if found else None


def measured(
    argv: Sequence[str], *, env: Mapping[str, str] | None = None, ok: Sequence[int] = (0,)
) -> tuple[float, float]:
    """(wall seconds, peak resident MB) of `argv` run in a new process, its output discarded.

    Exits with the command's error output when its exit code is not in `ok`.
    """
    done = subprocess.run([sys.executable, "-c", _WRAPPER, *argv], capture_output=True, text=True, env=env, check=True)
    result = json.loads(done.stdout)
    if result["exit"] not in ok:
        raise SystemExit(f"{' '.join(argv)} failed (exit {result['exit']}):\n{result['stderr']}")
    return result["wall"], result["peak_kb"] / 1024  # Linux reports kilobytes
