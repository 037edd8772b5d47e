"""The layering contract (pyproject.toml, [tool.importlinter]): the flow runs one way, as import-linter sees it.

load -> validate -> evaluate -> score -> render, under the pipeline, the batch and the command
line; renderers import no check, checks no renderer. Every module of checker/ has its layer
(`exhaustive`), so a new module must be placed before the suite passes.
"""

from __future__ import annotations

import importlib
import sys
import tomllib
from pathlib import Path

import pytest
from conftest import ROOT
from importlinter.cli import lint_imports

from checker.render import FORMATS


def test_the_import_contracts_hold(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.syspath_prepend(str(ROOT))  # the checkout's checker, not an installed copy
    assert "checker" not in sys.modules or Path(sys.modules["checker"].__file__ or "").is_relative_to(ROOT)
    code = lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True, no_logo=True)
    out = capsys.readouterr().out
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    assert code == 0, out
    assert out.count(" KEPT") == len(contracts) >= 3 and "BROKEN" not in out, out


def test_every_format_is_rendered_by_a_module_the_contract_covers() -> None:
    # The registry imports each renderer by name (importlib), which import-linter cannot see: the
    # renderer must live in checker.render, where the contract holds it.
    for fmt in FORMATS.values():
        assert fmt.module.startswith("checker.render."), fmt
        module = importlib.import_module(fmt.module)
        assert module.__name__ == fmt.module and callable(module.render), fmt
