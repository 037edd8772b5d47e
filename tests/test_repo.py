"""The repository keeps its promises to a newcomer: README commands, CI, text output details."""

from __future__ import annotations

import os

from conftest import ROOT


def readme_commands() -> list[str]:
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "```sh" and lines[3] == "```", "the README opens with the two commands"
    return lines[1:3]


def test_readme_opens_with_install_and_run_then_install_and_test() -> None:
    run, test = readme_commands()
    assert run.endswith("pip install . && safetycase check examples/aster-2-pass/card.yaml")
    assert (ROOT / "examples/aster-2-pass/card.yaml").is_file()
    assert test.endswith("pip install '.[test]' && python -m pytest")


def test_ci_runs_exactly_the_readme_test_command() -> None:
    script = ROOT / ".ci" / "run"
    assert os.access(script, os.X_OK)
    commands = [
        line for line in script.read_text(encoding="utf-8").splitlines() if line.strip() and not line.startswith("#")
    ]
    # System packages first (only when missing), then the README's test command, as written, last.
    assert commands[-1] == readme_commands()[1]
    assert [line for line in commands if "pytest" in line or "pip install" in line] == [readme_commands()[1]]
