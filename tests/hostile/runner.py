"""Runs the command line once per request, each run in a process of its own, and says what it did.

    python tests/hostile/runner.py     # started by tests/test_hostile.py, one per test module

This interpreter imports the checker once; for each request (a JSON line on standard input:
arguments, working folder, and files for the run's standard output and error) it forks a process
that runs the console script's entry point (`checker.cli.run`, with its last guard) as
`safetycase ARGS`, under an address-space limit and an alarm, and answers with a JSON line: the
exit code (negative: killed by that signal) and the run's peak resident memory in KiB (ru_maxrss
of that process alone, from wait4). A forked run starts with this interpreter's memory, so the
figure is an upper bound: the checker's own peak, or this interpreter's (about 60 MB) if higher.
What a new interpreter pays before the checker runs (start-up and imports, ~0.3 s a run) is paid
once: how long runs take is benchmarks/hostile_speed.py's business, not the tests'.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import sys
import traceback

# What a run imports anyway: the command line, the pipeline and the renderers the corpus writes.
import checker.cli
import checker.output
import checker.pipeline
import checker.render.html
import checker.render.json
import checker.render.markdown

ADDRESS_SPACE = 3 * 1024**3
"""A run that asks for more fails with MemoryError instead of taking the machine's memory."""
SECONDS = 120
"""A run still going after this is killed (SIGALRM): a hang fails its test instead of the suite."""


def _run(args: list[str], cwd: str, stdout: str, stderr: str) -> int:
    """In the forked process: the run itself. Returns its exit code."""
    os.chdir(cwd)
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))
    signal.alarm(SECONDS)
    for fd, path, flags in ((0, os.devnull, os.O_RDONLY), (1, stdout, os.O_WRONLY), (2, stderr, os.O_WRONLY)):
        opened = os.open(path, flags | (os.O_CREAT | os.O_TRUNC if fd else 0), 0o644)
        os.dup2(opened, fd)
        os.close(opened)
    sys.argv = ["safetycase", *args]
    code = 1
    try:
        checker.cli.run()
        code = 0
    except SystemExit as end:
        code = end.code if isinstance(end.code, int) else 0 if end.code is None else 1
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                code = code or 1
    return code


def main() -> None:
    for line in sys.stdin:
        args, cwd, stdout, stderr = json.loads(line)
        pid = os.fork()
        if pid == 0:
            code = 70  # EX_SOFTWARE: the run itself could not be set up
            try:
                code = _run(args, cwd, stdout, stderr)
            except BaseException:
                traceback.print_exc()
            finally:
                os._exit(code)
        _, status, usage = os.wait4(pid, 0)
        print(json.dumps([os.waitstatus_to_exitcode(status), usage.ru_maxrss]), flush=True)


if __name__ == "__main__":
    main()
