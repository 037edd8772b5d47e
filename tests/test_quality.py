"""The code stays lint-clean, formatted and strictly typed: ruff and mypy run as part of the suite.

CI runs only the README's test command, so these checks live here rather than in a separate CI step.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import pytest
from conftest import ROOT

SOURCES = ("checker", "tests", "docs", "benchmarks")


def run_tool(module: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run `python -m <module> <args>` from the repository root, where pyproject.toml configures it."""
    # The tools are test dependencies: a missing one fails the suite instead of skipping the check.
    if importlib.util.find_spec(module) is None:
        pytest.fail(f"{module} is not installed, but it is a test dependency: pip install '.[test]'", pytrace=False)
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,  # mypy on a cold cache takes a while; a hang still fails
    )


def assert_clean(done: subprocess.CompletedProcess[str]) -> None:
    command = " ".join(done.args[2:])
    assert done.returncode == 0, f"`{command}` exited {done.returncode}:\n{done.stdout}{done.stderr}"


@pytest.mark.parametrize("args", [("check", *SOURCES), ("format", "--check", *SOURCES)], ids=["lint", "format"])
def test_ruff_is_clean(args: tuple[str, ...]) -> None:
    assert_clean(run_tool("ruff", *args))


def test_mypy_strict_is_clean() -> None:
    # --strict on the command line, so strictness does not hang on the pyproject setting alone.
    assert_clean(run_tool("mypy", "--strict", "checker"))
