"""Batch's workers: a card that hangs, eats memory or kills its worker costs that card, not the batch;
no more workers than cores and cards; and a reader that goes away does not stop the batch.

The misbehaving checks are tests/worker_hazards.py's: a worker process cannot be monkeypatched.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import worker_hazards
from conftest import FAIL_CARD, PASS_CARD, ROOT, SOURCE_DATE_EPOCH, TODAY, safetycase

from checker import batch as batch_module
from checker.batch import CARDS, SUMMARY_FILES, BatchInterrupted, Settings, discover, run, run_batch, workers
from checker.catalog import load_catalog
from checker.profiles import load_profile
from checker.render import FORMATS
from checker.severity import FailOn
from checker.summary import Row
from checker.workers import Bounds, Lost, Pool, WorkerFailed

BOUNDS = Bounds(seconds=2, mebibytes=512)
"""Tight enough for a test (a hazard is stopped within seconds) and loose enough for a real card to
be checked (the examples' JSON report peaks at ~70 MiB of address space, in well under a second)."""


def _settings(out: Path) -> Settings:
    return Settings(
        out=out,
        profile=load_profile("default", load_catalog()),
        formats=(FORMATS["json"],),
        today=TODAY,
        evidence=False,
    )


def _submissions(folder: Path, *names: str) -> Path:
    """A folder of bare cards, each a copy of the passing example under one of `names` (a hazard's, say)."""
    folder.mkdir()
    for name in names:
        (folder / f"{name}.yaml").write_bytes(PASS_CARD.read_bytes())
    return folder


# --- a card that misbehaves costs that card ------------------------------------------------------------

EXPECTED = {
    "hangs": "took longer than 2 s (--card-timeout)",
    "eats-memory": "needed more than 512 MiB (--card-memory)",
    "killed": "the worker process checking it was killed by SIGKILL",
    "exits": "the worker process checking it ended with exit code 7",
    "crashes": "the worker process checking it was killed by SIGSEGV",
}


def test_each_hazard_costs_its_card_and_the_others_are_checked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    names = ["a-first", *EXPECTED, "z-last"]
    found = discover(_submissions(tmp_path / "in", *names))
    monkeypatch.setattr(batch_module, "_guarded", worker_hazards.check)
    shown: list[str] = []
    left = {}  # what an earlier run and a worker killed mid-write leave in each hazard card's folder
    for name in EXPECTED:
        folder = tmp_path / "out" / CARDS / f"{name}.yaml"
        folder.mkdir(parents=True)
        left[name] = [
            folder / "report.json",
            folder / ".safetycase-state.json",
            folder / ".report.json.safetycase-tmp-abcd1234",
        ]
        for path in left[name]:
            path.write_text("{}\n", encoding="utf-8")
        (folder / "notes.txt").write_text("the user's own\n", encoding="utf-8")

    rows = run(found, _settings(tmp_path / "out"), jobs=2, bounds=BOUNDS, progress=lambda row: shown.append(row.name))

    assert [row.name for row in rows] == [f.name for f in found]  # in the order found, whatever finished first
    assert sorted(shown) == sorted(f.name for f in found)  # and each shown as it finished
    errors = {Path(row.name).stem: row.error for row in rows if row.status == "error"}
    assert errors == {name: f"{tmp_path / 'in' / name}.yaml: {why}" for name, why in EXPECTED.items()}
    for name, paths in left.items():  # a lost card keeps no report of an earlier run, nor half of one
        assert [path.name for path in paths if path.exists()] == [], name
        assert (paths[0].parent / "notes.txt").exists()
    checked = [row for row in rows if row.status == "checked"]
    assert [row.name for row in checked] == ["a-first.yaml", "z-last.yaml"]
    assert all(row.verdict == "pass" for row in checked)


def test_a_batch_with_a_hazard_writes_its_summary_and_fails_the_gate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    submissions = _submissions(tmp_path / "in", "aster", "eats-memory", "hangs", "killed")
    monkeypatch.setattr(batch_module, "_guarded", worker_hazards.check)
    out = tmp_path / "out"

    done = safetycase(
        "batch", submissions, "--out", out, "-f", "json", "--card-timeout", "2", "--card-memory", "512", "-j", "1"
    )

    assert done.returncode == 1, done.stderr  # as for any card that could not be checked
    assert done.stdout.startswith("4 cards: 1 pass, 0 conditional, 0 fail, 3 could not be checked;")
    assert "eats-memory.yaml: needed more than 512 MiB (--card-memory)" in done.stderr
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert [(row["name"], row["status"], row["gate"]) for row in summary["cards"]] == [
        ("aster.yaml", "checked", "pass"),
        ("eats-memory.yaml", "error", "fail"),
        ("hangs.yaml", "error", "fail"),
        ("killed.yaml", "error", "fail"),
    ]
    assert all((out / name).is_file() for name in SUMMARY_FILES)


def test_a_dead_worker_is_replaced_and_bounds_of_0_are_none(tmp_path: Path) -> None:
    items = ["a", "killed", "b", "exits", "c"]
    results: dict[int, str | Lost] = {}
    with Pool(worker_hazards.task, None, workers=1, bounds=Bounds(seconds=0, mebibytes=0)) as pool:
        pool.map(items, results.__setitem__)
        assert pool.started == 3  # the first, and one for each death
    assert results == {0: "a", 1: Lost("died", -9), 2: "b", 3: Lost("died", 7), 4: "c"}


def test_a_worker_that_cannot_start_is_a_bug_not_a_lost_card() -> None:
    pool = Pool(worker_hazards.task, worker_hazards.Unpicklable(), workers=1, bounds=BOUNDS)  # type: ignore[arg-type]
    with pool, pytest.raises(WorkerFailed, match="exit code 1"):
        pool.map(["a", "b"], lambda index, result: None)


# --- Ctrl-C ------------------------------------------------------------------------------------------


def test_ctrl_c_finishes_the_items_started_and_starts_no_other(tmp_path: Path) -> None:
    items = ["dawdles", "a", "b", "c", "d", "e", "f"]
    results: dict[int, str | Lost] = {}

    def interrupted_at_the_first(index: int, result: str | Lost) -> None:
        results[index] = result
        if len(results) == 1:  # Ctrl-C, once the first is back and "dawdles" is under way
            deadline = time.monotonic() + 60  # a guard, not a timing: it starts in milliseconds
            while not (tmp_path / "dawdles").exists() and time.monotonic() < deadline:
                time.sleep(0.01)
            raise KeyboardInterrupt

    pool = Pool(worker_hazards.task_in_view, str(tmp_path), workers=2, bounds=BOUNDS)
    with pool, pytest.raises(KeyboardInterrupt):
        pool.map(items, interrupted_at_the_first)
    started = sorted(p.name for p in tmp_path.iterdir())
    assert "dawdles" in started and len(started) < len(items)  # the others were not started
    assert sorted(items[index] for index in results) == started  # and each one that was, was finished
    assert not any(isinstance(result, Lost) for result in results.values())


def test_ctrl_c_in_a_batch_says_how_many_cards_were_done_and_writes_no_summary(tmp_path: Path) -> None:
    found = discover(_submissions(tmp_path / "in", *"abcdefgh"))
    out = tmp_path / "out"
    shown: list[Row] = []

    def interrupted_at_the_first(row: Row) -> None:  # Ctrl-C reaches the parent as a card is shown
        shown.append(row)
        if len(shown) == 1:
            raise KeyboardInterrupt

    with pytest.raises(BatchInterrupted) as interrupted:
        run_batch(
            found,
            _settings(out),
            root=tmp_path / "in",
            jobs=2,
            fail_on=FailOn.BLOCKER,
            progress=interrupted_at_the_first,
        )
    assert interrupted.value.finished == len(shown) < interrupted.value.total == 8
    assert all(row.status == "checked" for row in shown)
    assert sorted(p.parent.name for p in (out / CARDS).glob("*/report.json")) == sorted(row.name for row in shown)
    assert not any((out / name).exists() for name in SUMMARY_FILES)


# --- as many workers as are useful ------------------------------------------------------------------------


@pytest.fixture
def two_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    """This process may run on two cores, whatever the machine has."""
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)


@pytest.mark.usefixtures("two_cores")
def test_no_more_workers_than_cores_or_cards(tmp_path: Path) -> None:
    assert [workers(jobs) for jobs in (None, 1, 2, 64)] == [2, 1, 2, 2]
    with Pool(worker_hazards.task, None, workers=8, bounds=BOUNDS) as pool:
        pool.map(["a", "b", "c"], lambda index, result: None)
        assert pool.started == 3  # one per item, not eight
    found = discover(_submissions(tmp_path / "in", "a", "b", "c", "d", "e"))
    alive: list[int] = []
    run_batch(
        found,
        _settings(tmp_path / "out"),
        root=tmp_path / "in",
        jobs=64,
        fail_on=FailOn.BLOCKER,
        progress=lambda row: alive.append(len(multiprocessing.active_children())),
    )
    assert 1 <= max(alive) <= 2


@pytest.mark.usefixtures("two_cores")
def test_more_jobs_than_cores_is_said_once(tmp_path: Path) -> None:
    submissions = _submissions(tmp_path / "in", "a", "b", "c")
    done = safetycase("batch", submissions, "--out", tmp_path / "out", "-f", "json", "--jobs", "64")
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines()[0] == "safetycase: --jobs 64: using 2, the cores available"
    assert done.stderr.count("--jobs") == 1
    again = safetycase("batch", submissions, "--out", tmp_path / "out", "-f", "json", "--jobs", "2")
    assert "--jobs" not in again.stderr  # asked for what there is: nothing to say


# --- a reader that goes away ------------------------------------------------------------------------------


def _batch_process(submissions: Path, out: Path, **streams: object) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "checker", "batch", str(submissions), "--out", str(out), "-j", "1", "-f", "json"],
        text=True,
        env={**os.environ, "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH},
        cwd=ROOT,
        **streams,  # type: ignore[call-overload]
    )


def _mixed(folder: Path) -> Path:
    folder.mkdir()
    for i in range(8):
        (folder / f"card-{i}.yaml").write_bytes((PASS_CARD, FAIL_CARD)[i % 2].read_bytes())
    return folder


def test_standard_error_closed_after_the_first_line_the_batch_still_finishes(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with open(tmp_path / "stdout.txt", "w+", encoding="utf-8") as stdout:
        process = _batch_process(_mixed(tmp_path / "in"), out, stdout=stdout, stderr=subprocess.PIPE)
        assert process.stderr is not None
        first = process.stderr.readline()  # as `2>&1 | head -1`
        process.stderr.close()
        assert process.wait(timeout=120) == 1  # the gate's code: half the cards fail
        stdout.seek(0)
        rest = stdout.read()
    assert first.startswith("[1/8] card-0.yaml: PASS")
    assert all((out / name).is_file() for name in SUMMARY_FILES)
    assert rest.startswith("8 cards: 4 pass, 0 conditional, 4 fail")
    assert "BrokenPipe" not in rest and "Exception ignored" not in rest


def test_standard_output_closed_the_batch_still_finishes(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with open(tmp_path / "stderr.txt", "w+", encoding="utf-8") as stderr:
        process = _batch_process(_mixed(tmp_path / "in"), out, stdout=subprocess.PIPE, stderr=stderr)
        assert process.stdout is not None
        process.stdout.close()  # as `| true`: the summary's line has no reader
        assert process.wait(timeout=120) == 1
        stderr.seek(0)
        rest = stderr.read()
    assert all((out / name).is_file() for name in SUMMARY_FILES)
    assert rest.splitlines()[-1].startswith("[8/8] card-7.yaml: FAIL")
    assert "Broken pipe" not in rest and "BrokenPipe" not in rest and "Exception ignored" not in rest
