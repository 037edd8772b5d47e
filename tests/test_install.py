"""The package works from a built wheel, away from the checkout: data files are packaged.

The wheel is built from this checkout (hatchling, no build isolation, so no network), installed
without dependencies into a folder, and run from another folder with only that folder on the
path for `checker` — the dependencies come from the running environment. It is also installed
into a fresh virtual environment, whose `safetycase` console script is run as a user would.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
import yaml
from conftest import BASE_CARD, CONDITIONAL_CARD, ROOT, SOURCE_DATE_EPOCH

from checker.render import DOCUMENTS


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel built from this checkout, checked to carry the data files and nothing of the checkout's rest."""
    work = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(work / "dist"),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (built,) = (work / "dist").glob("safetycase-*.whl")
    names = zipfile.ZipFile(built).namelist()
    for data in (
        "checker/schema/submission.schema.json",
        "checker/schema/requirements.yaml",
        "checker/schema/profiles/regulator.yaml",
        "checker/schema/report.schema.json",
        "checker/templates/card.yaml",
        "checker/templates/report.html.j2",
        "checker/templates/report.md.j2",
        "checker/templates/print.css",
        "checker/templates/batch.html.j2",
    ):
        assert data in names, f"{data} is not in the wheel"
    assert not any(n.startswith(("tests/", "examples/")) for n in names)
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding the installed wheel alone, to put on PYTHONPATH."""
    target = tmp_path_factory.mktemp("site")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
    )
    return target


def run_installed(target: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(target), "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH}
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=cwd, env=env, check=False)


def test_package_and_data_come_from_the_wheel(installed: Path, tmp_path: Path) -> None:
    done = run_installed(
        installed,
        tmp_path,
        "-c",
        "import checker, checker.resources as r; print(checker.__file__); print(r.data_dir('schema')); print(r.data_dir('templates'))",
    )
    paths = done.stdout.splitlines()
    assert len(paths) == 3, done.stderr
    assert all(p.startswith(str(installed)) for p in paths)


def test_check_validate_init_from_the_wheel(installed: Path, tmp_path: Path) -> None:
    card = tmp_path / "card.yaml"
    shutil.copy(CONDITIONAL_CARD, card)
    checked = run_installed(
        installed, tmp_path, "-m", "checker", "check", "card.yaml", "--format", "json", "--profile", "regulator"
    )
    assert checked.returncode == 0, checked.stderr
    report = json.loads(checked.stdout)
    assert report["profile"]["name"] == "regulator" and report["verdict"] == "conditional"
    assert run_installed(installed, tmp_path, "-m", "checker", "validate", "card.yaml").returncode == 0
    assert run_installed(installed, tmp_path, "-m", "checker", "init", "-o", "new.yaml").returncode == 0
    assert run_installed(installed, tmp_path, "-m", "checker", "validate", "new.yaml").returncode == 0
    schema = run_installed(installed, tmp_path, "-m", "checker", "schema")
    assert json.loads(schema.stdout)["title"].startswith("safetycase submission")
    catalog = run_installed(installed, tmp_path, "-m", "checker", "requirements", "--format", "json")
    checkout = yaml.safe_load((ROOT / "schema" / "requirements.yaml").read_text(encoding="utf-8"))
    assert [r["id"] for r in json.loads(catalog.stdout)["requirements"]] == [r["id"] for r in checkout["requirements"]]


def test_reports_render_from_the_wheel(installed: Path, tmp_path: Path) -> None:
    # The templates and stylesheet are read from the installed package, not from the checkout: every
    # audit document `report` writes, in one run (a new interpreter costs more than a document).
    card = tmp_path / "card.yaml"
    shutil.copy(BASE_CARD, card)
    names = ",".join(f.name for f in DOCUMENTS)
    done = run_installed(installed, tmp_path, "-m", "checker", "check", "card.yaml", "-f", names, "-o", "out")
    assert done.returncode == 0, done.stderr
    written = {f.name: tmp_path / "out" / f"report.{f.extension}" for f in DOCUMENTS}
    assert set(written) == {"markdown", "html", "pdf"}
    assert written["markdown"].read_text(encoding="utf-8").startswith("# Safety case gap report: Aster-2")
    assert "<style>" in written["html"].read_text(encoding="utf-8")
    assert written["pdf"].read_bytes().startswith(b"%PDF-")


def test_batch_runs_its_workers_from_the_wheel(installed: Path, tmp_path: Path) -> None:
    # The worker processes import the installed package too, and the index template comes from it.
    for example in ("aster-2-pass", "orion-7-fail"):
        shutil.copytree(
            ROOT / "examples" / example, tmp_path / "in" / example, ignore=shutil.ignore_patterns("report.*")
        )
    done = run_installed(installed, tmp_path, "-m", "checker", "batch", "in", "--out", "out", "--jobs", "2")
    assert done.returncode == 1, done.stderr  # orion fails the gate
    index = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert '<a href="cards/orion-7-fail/report.html">orion-7-fail</a>' in index
    assert json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))["totals"]["cards"] == 2


def test_console_script_from_a_fresh_virtual_environment(wheel: Path, tmp_path: Path) -> None:
    # What a user gets: a new virtual environment, the wheel installed into it, its `safetycase`
    # console script run from a folder that is not the checkout.
    assert not tmp_path.is_relative_to(ROOT), "the temporary folder must be outside the checkout"
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, capture_output=True)
    python = venv / "bin" / "python"
    # pip installs into another interpreter with --python (pip >= 22.3, bundled with every Python
    # >= 3.11), so the fresh environment needs no pip of its own. --no-index: nothing is downloaded.
    done = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index", "-q", str(wheel)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env["SOURCE_DATE_EPOCH"] = SOURCE_DATE_EPOCH

    def run(*command: str | Path, cwd: Path = tmp_path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            list(map(str, command)), capture_output=True, text=True, cwd=cwd, env=env, check=False, timeout=120
        )

    site = Path(run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").stdout.strip())
    assert site.is_relative_to(venv), site
    # The dependencies (pydantic, typer, WeasyPrint...) cannot be downloaded here. A .pth file in the
    # fresh site-packages appends the running environment's site-packages to sys.path, after the fresh
    # one, so the wheel's `checker` is found first. Folders named in a .pth are not scanned for .pth
    # files of their own, so an editable install of the checkout there does not leak in.
    dependencies = dict.fromkeys(sysconfig.get_paths()[key] for key in ("purelib", "platlib"))
    (site / "safetycase-test-dependencies.pth").write_text("\n".join(dependencies) + "\n", encoding="utf-8")

    script = venv / "bin" / "safetycase"
    # The shebang names the fresh interpreter (or, for a long path, a /bin/sh line that execs it).
    head = script.read_text(encoding="utf-8").splitlines()[:2]
    assert any(str(python) in line for line in head), head
    imported = run(
        python, "-c", "import checker, checker.resources as r; print(checker.__file__); print(r.data_dir('schema'))"
    )
    paths = imported.stdout.splitlines()
    assert imported.returncode == 0 and len(paths) == 2, imported.stderr
    for path in map(Path, paths):
        assert path.is_relative_to(site) and not path.is_relative_to(ROOT), path

    shutil.copytree(
        ROOT / "examples" / "aster-2-pass", tmp_path / "aster-2-pass", ignore=shutil.ignore_patterns("report.*")
    )
    checked = run(script, "check", Path("aster-2-pass") / "card.yaml")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "VERDICT: PASS" in checked.stdout
    evidence = len(list((tmp_path / "aster-2-pass" / "evidence").iterdir()))
    assert f"Evidence: {evidence} files read ({evidence} verified)." in checked.stdout

    version = re.search(r'^__version__ = "(.+)"$', (ROOT / "checker" / "__init__.py").read_text(encoding="utf-8"), re.M)
    assert version is not None
    shown = run(script, "--version")
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.strip() == f"safetycase {version.group(1)}"
