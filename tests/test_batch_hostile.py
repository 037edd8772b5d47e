"""`safetycase batch` against a hostile submitter and a busy output folder (issue 12).

What one lab's files can do to the regulator's batch: special files that block whoever opens
them, card names that are the summary's own file names, a huge sparse card, a bare card that
reads the other labs' files. And what the output folder must withstand: two batches at once,
reports of an earlier run that no longer hold, temporary files of a batch that was killed.
"""

from __future__ import annotations

import builtins
import contextlib
import csv
import fcntl
import hashlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import PASS_CARD, ROOT, SOURCE_DATE_EPOCH, TODAY, safetycase

from checker.batch import BARE_CARD, CARDS, LOCK, STATE, SUMMARY_FILES, Found, Settings, check_one, discover, run_batch
from checker.catalog import load_catalog
from checker.profiles import load_profile
from checker.render import FORMATS
from checker.severity import FailOn
from checker.summary import Row

EXAMPLE = PASS_CARD.parent


def _submission(target: Path) -> None:
    """A copy of the passing example's folder: its card and evidence (copied: a hard link is refused evidence)."""
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns("report.*"))


def _summary(out: Path) -> dict[str, dict[str, Any]]:
    """The rows of OUT/summary.json by card name."""
    return {row["name"]: row for row in json.loads((out / "summary.json").read_text(encoding="utf-8"))["cards"]}


def _files(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if not p.is_dir())


def _settings(out: Path, *formats: str) -> Settings:
    return Settings(
        out=out,
        profile=load_profile("default", load_catalog()),
        formats=tuple(FORMATS[name] for name in formats or ("json",)),
        today=TODAY,
    )


@contextlib.contextmanager
def _hang_guard(seconds: int) -> Iterator[None]:
    """Fail, instead of hanging the suite, if the body blocks: a guard only, nothing is timed."""

    def blocked(signum: int, frame: object) -> None:
        raise TimeoutError(f"still blocked after {seconds} s")

    previous = signal.signal(signal.SIGALRM, blocked)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


# --- special files: nothing but a regular file is ever opened ----------------------------------------


def test_pipes_named_as_cards_are_listed_as_not_regular_files_and_the_batch_finishes(tmp_path: Path) -> None:
    submissions, out = tmp_path / "in", tmp_path / "out"
    submissions.mkdir()
    _submission(submissions / "good")
    os.mkfifo(submissions / "notes.md")  # discovery looked for front matter in it, and waited for a writer
    (submissions / "lab-f").mkdir()
    os.mkfifo(submissions / "lab-f" / "card.yaml")
    os.mkfifo(submissions / "bare.json")
    done = subprocess.run(
        [sys.executable, "-m", "checker", "batch", str(submissions), "--out", str(out), "-j", "1"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH},
        timeout=120,  # a hang guard only
        check=False,
    )
    assert done.returncode == 1, done.stderr
    rows = _summary(out)
    assert rows["good"]["verdict"] == "pass"
    for name, path in (("notes.md", "notes.md"), ("lab-f", "lab-f/card.yaml"), ("bare.json", "bare.json")):
        assert rows[name]["error"] == f"{submissions / path}: not a regular file", rows[name]


def test_a_card_swapped_for_a_pipe_after_discovery_is_refused_not_waited_on(tmp_path: Path) -> None:
    card = tmp_path / "in" / "x.yaml"
    card.parent.mkdir()
    card.write_bytes(PASS_CARD.read_bytes())
    (found,) = discover(card.parent)
    card.unlink()
    os.mkfifo(card)
    with _hang_guard(30):
        row = check_one(found, _settings(tmp_path / "out"))
    assert row.status == "error"
    assert row.error == f"{card}: is not a regular file (device, pipe or socket); refused"


def test_a_card_swapped_for_a_link_after_discovery_is_refused_not_followed(tmp_path: Path) -> None:
    card = tmp_path / "in" / "x.yaml"
    card.parent.mkdir()
    card.write_bytes(PASS_CARD.read_bytes())
    (found,) = discover(card.parent)
    card.unlink()
    card.symlink_to(PASS_CARD)
    row = check_one(found, _settings(tmp_path / "out"))
    assert row.error == f"{card}: is a symbolic link; refused, not followed"


# --- card names that are the summary's names ----------------------------------------------------------


def test_cards_named_like_the_summary_files_get_their_reports_and_the_summary_is_whole(tmp_path: Path) -> None:
    submissions, out = tmp_path / "in", tmp_path / "out"
    submissions.mkdir()
    folders = ["index.html", "summary.csv", "cards", "cards.yaml"]
    for name in folders:
        _submission(submissions / name)
    card = yaml.safe_load(PASS_CARD.read_text(encoding="utf-8"))
    (submissions / "summary.json").write_text(json.dumps(card, default=str), encoding="utf-8")  # a bare card
    names = sorted([*folders, "summary.json"])
    done = safetycase("batch", submissions, "--out", out, "-j", "1", "-f", "json,html")
    assert done.returncode in (0, 1), done.stderr
    rows = _summary(out)
    assert sorted(rows) == names
    for name in names:
        assert rows[name]["status"] == "checked"
        assert rows[name]["reports"] == {"json": f"cards/{name}/report.json", "html": f"cards/{name}/report.html"}
        assert json.loads((out / CARDS / name / "report.json").read_text(encoding="utf-8"))["verdict"]
    table = list(csv.DictReader(io.StringIO((out / "summary.csv").read_text(encoding="utf-8"))))
    assert [row["name"] for row in table] == names
    index = (out / "index.html").read_text(encoding="utf-8")
    assert all(f'<a href="cards/{name}/report.html">' in index for name in names)
    assert index.rstrip().endswith("</html>")


# --- one batch at a time in an output folder ------------------------------------------------------------


def test_a_batch_into_a_folder_another_batch_holds_is_exit_2_and_writes_nothing(tmp_path: Path) -> None:
    submissions, out = tmp_path / "in", tmp_path / "out"
    submissions.mkdir()
    _submission(submissions / "aster")
    out.mkdir()
    holder = os.open(out / LOCK, os.O_RDWR | os.O_CREAT)  # what a running batch holds
    try:
        fcntl.flock(holder, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.write(holder, f"{os.getpid()}\n".encode())
        done = safetycase("batch", submissions, "--out", out, "-p", "regulator")
    finally:
        os.close(holder)
    assert done.returncode == 2
    assert done.stderr == (
        f"safetycase: {out} is being written by another safetycase batch (pid {os.getpid()}); "
        "wait for it or choose another --out\n"
    )
    assert _files(out) == [LOCK] and (out / LOCK).read_text(encoding="utf-8") == f"{os.getpid()}\n"
    # Released (its holder ended), the folder is free again.
    assert safetycase("batch", submissions, "--out", out).returncode == 0


def test_a_rerun_with_another_profile_never_takes_the_other_profiles_reports_for_unchanged(tmp_path: Path) -> None:
    submissions, out = tmp_path / "in", tmp_path / "out"
    submissions.mkdir()
    _submission(submissions / "aster")
    report = out / CARDS / "aster" / "report.json"
    for profile in ("default", "regulator", "default"):
        assert safetycase("batch", submissions, "--out", out, "-p", profile).returncode in (0, 1)
        assert _summary(out)["aster"]["status"] == "checked"
        assert json.loads(report.read_text(encoding="utf-8"))["profile"]["name"] == profile
    assert safetycase("batch", submissions, "--out", out, "-p", "default").returncode == 0
    assert _summary(out)["aster"]["status"] == "unchanged"


# --- a card's folder holds this run's reports, and only ours are removed --------------------------------


@pytest.fixture
def checked_twice(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A submission checked in json, markdown and html, with a file of the user's in its report folder."""
    submissions, out = tmp_path / "in", tmp_path / "out"
    submissions.mkdir()
    _submission(submissions / "aster")
    assert safetycase("batch", submissions, "--out", out, "-f", "json,markdown,html").returncode == 0
    folder = out / CARDS / "aster"
    (folder / "notes.txt").write_text("the reviewer's notes\n", encoding="utf-8")
    (folder / "report.docx").write_text("not a format of ours\n", encoding="utf-8")
    return submissions, out, folder


USERS = ["notes.txt", "report.docx"]


def test_a_rerun_with_fewer_formats_leaves_only_their_reports(checked_twice: tuple[Path, Path, Path]) -> None:
    submissions, out, folder = checked_twice
    assert safetycase("batch", submissions, "--out", out, "-f", "json").returncode == 0
    assert _files(folder) == [STATE, *USERS, "report.json"]
    assert _summary(out)["aster"]["reports"] == {"json": "cards/aster/report.json"}


def test_a_card_that_breaks_loses_every_report_whatever_the_formats(checked_twice: tuple[Path, Path, Path]) -> None:
    submissions, out, folder = checked_twice
    (submissions / "aster" / "card.yaml").write_text("schema_version: '1.0'\nmodel: [\n", encoding="utf-8")
    assert safetycase("batch", submissions, "--out", out, "-f", "json").returncode == 1
    assert _summary(out)["aster"]["status"] == "error"
    assert [name for name in _files(folder) if name != STATE] == USERS


def test_a_card_that_becomes_a_pipe_loses_its_reports_and_state(checked_twice: tuple[Path, Path, Path]) -> None:
    submissions, out, folder = checked_twice
    card = submissions / "aster" / "card.yaml"
    card.unlink()
    os.mkfifo(card)
    assert safetycase("batch", submissions, "--out", out, "-f", "json").returncode == 1
    assert _summary(out)["aster"]["error"] == f"{card}: not a regular file"
    assert _files(folder) == USERS


def test_the_reports_of_a_card_no_longer_submitted_are_removed(checked_twice: tuple[Path, Path, Path]) -> None:
    submissions, out, folder = checked_twice
    _submission(submissions / "other")
    (out / CARDS / "gone" / "deeper").mkdir(parents=True)  # a card that left nothing of the user's behind
    for name in ("report.json", STATE):
        (out / CARDS / "gone" / "deeper" / name).write_text("{}\n", encoding="utf-8")
    (out / CARDS / "mine").mkdir()  # not a card's folder (no state file): the user's own
    (out / CARDS / "mine" / "report.json").write_text("{}\n", encoding="utf-8")
    shutil.rmtree(submissions / "aster")
    assert safetycase("batch", submissions, "--out", out).returncode == 0
    assert list(_summary(out)) == ["other"]
    assert _files(folder) == USERS  # the user's files stay, and with them the folder
    assert not (out / CARDS / "gone").exists()
    assert (out / CARDS / "mine" / "report.json").exists()
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("report.json")) == [
        "cards/mine/report.json",
        "cards/other/report.json",
    ]


# --- writes that survive a crash, and the temporary files of a killed batch --------------------------------


def test_a_rerun_removes_the_temporary_files_of_a_killed_batch_and_nothing_else(tmp_path: Path) -> None:
    submissions, out = tmp_path / "in", tmp_path / "out"
    submissions.mkdir()
    _submission(submissions / "aster")
    assert safetycase("batch", submissions, "--out", out).returncode == 0
    folder = out / CARDS / "aster"
    killed = [folder / ".report.json.safetycase-tmp-k1ll3d_0", out / ".summary.json.safetycase-tmp-k1ll3d_1"]
    kept = [folder / ".reviewer-notes", out / ".keep", out / ".summary.json.safetycase-tmp-short"]
    for path in killed + kept:
        path.touch()
    assert safetycase("batch", submissions, "--out", out).returncode == 0
    assert [path.exists() for path in killed] == [False, False]
    assert [path.exists() for path in kept] == [True, True, True]


# --- a huge card is refused before it is read -------------------------------------------------------------

SPARSE = 3 * 2**30
"""A 3 GiB card that takes no disk: a sparse file."""
ADDRESS_SPACE = 2**30
"""The batch's memory in the test: far less than the card, so that reading it would fail."""


def test_a_sparse_card_over_the_size_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    submissions, out = tmp_path / "in", tmp_path / "out"
    submissions.mkdir()
    card = submissions / "huge.json"
    with card.open("wb") as handle:
        handle.truncate(SPARSE)
    limited = (
        "import resource, sys\n"
        f"resource.setrlimit(resource.RLIMIT_AS, ({ADDRESS_SPACE}, {ADDRESS_SPACE}))\n"
        "from checker.cli import run\n"
        "sys.argv = ['safetycase', *sys.argv[1:]]\n"
        "run()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", limited, "batch", str(submissions), "--out", str(out), "-j", "1"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH},
        timeout=120,
        check=False,
    )
    message = "file is 3.0 GiB; the limit is 10.0 MiB"
    assert done.returncode == 1, done.stderr
    assert _summary(out)["huge.json"]["error"] == f"{card}: {message}"
    assert safetycase("check", card).stderr == f"{card}: {message}\n"  # what `check` says of the same file


def test_a_card_is_opened_once_and_what_is_hashed_is_what_is_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    submissions, out = tmp_path / "in", tmp_path / "out"
    submissions.mkdir()
    _submission(submissions / "aster")
    (found,) = discover(submissions)
    opened: list[str] = []
    os_open, io_open = os.open, io.open

    def seen(path: Any) -> None:
        if isinstance(path, str | os.PathLike) and os.path.abspath(path) == str(found.path):
            opened.append(os.fspath(path))

    def counted_os_open(path: Any, *args: Any, **kwargs: Any) -> int:
        seen(path)
        return os_open(path, *args, **kwargs)

    def counted_open(path: Any, *args: Any, **kwargs: Any) -> Any:
        seen(path)
        return io_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", counted_os_open)
    monkeypatch.setattr(io, "open", counted_open)
    monkeypatch.setattr(builtins, "open", counted_open)
    row = check_one(found, _settings(out))
    assert row.status == "checked" and len(opened) == 1
    report = json.loads((out / CARDS / "aster" / "report.json").read_text(encoding="utf-8"))
    assert report["submission"]["sha256"] == hashlib.sha256(found.path.read_bytes()).hexdigest()


# --- a bare card reads no file but itself ------------------------------------------------------------------


def test_a_bare_card_cannot_read_another_labs_files(tmp_path: Path) -> None:
    submissions, out = tmp_path / "in", tmp_path / "out"
    submissions.mkdir()
    _submission(submissions / "labA")
    theirs = submissions / "labA" / "card.yaml"
    card = PASS_CARD.read_text(encoding="utf-8").replace("{path: evidence/", "{path: labA/evidence/")
    declared = "{path: labA/evidence/sb-wmdp-summary.md, sha256: 1b5e38e387def364fcfeec21f6ba7405f6e813eca14d966066dbba50ac6457ef, kind: report}"
    assert declared in card
    card = card.replace(declared, "{path: labA/card.yaml, kind: raw_samples}")  # their card's hash and line count
    (submissions / "x.yaml").write_text(card, encoding="utf-8")
    assert safetycase("batch", submissions, "--out", out, "-j", "1").returncode == 0
    rows = _summary(out)
    assert rows["labA"]["evidence"] == "9 verified"  # the example card declares 9 files: 8 and its auditor's statement
    assert rows["x.yaml"]["evidence"] == "9 refused"
    text = (out / CARDS / "x.yaml" / "report.json").read_text(encoding="utf-8")
    records = json.loads(text)["evidence"]
    assert {(r["status"], r["reason"], r["actual_sha256"], r["recounted"]) for r in records} == {
        ("refused", BARE_CARD, None, None)
    }
    lines = theirs.read_bytes().count(b"\n")
    assert hashlib.sha256(theirs.read_bytes()).hexdigest() not in text
    assert f"{lines:,} malformed" not in text and f'"malformed_total": {lines}' not in text
    # `check` of the same card given on the command line reads from the folder the user pointed at.
    checked = safetycase("check", "x.yaml", "--format", "json", cwd=submissions)
    assert {r["status"] for r in json.loads(checked.stdout)["evidence"]} == {"verified", "unverifiable"}


def test_a_bare_card_found_directly_is_a_submission_of_one_file(tmp_path: Path) -> None:
    _submission(tmp_path / "labA")
    (tmp_path / "x.yaml").write_bytes(PASS_CARD.read_bytes())
    found = {f.name: f for f in discover(tmp_path)}
    assert found["labA"].folder == tmp_path / "labA" and found["x.yaml"].folder is None
    assert Found("y.yaml", tmp_path / "y.yaml").folder is None  # unless told otherwise, a card has no folder


def test_submissions_named_with_bytes_that_are_not_utf8_are_checked_and_shown_escaped(tmp_path: Path) -> None:
    submissions, out = tmp_path / "in", tmp_path / "out"
    _submission(submissions / "ok")
    _submission(submissions / "lab\udcff")  # the byte 0xff, as Python holds a name that is not UTF-8
    shutil.copyfile(PASS_CARD, submissions / "bare\udcfe.yaml")
    done = safetycase("batch", submissions, "--out", out, "--jobs", "1", "--format", "json,html")
    assert done.returncode in (0, 1), done.stderr
    rows = _summary(out)
    assert sorted(rows) == ["bare\\xfe.yaml", "lab\\xff", "ok"]
    assert [rows[name]["status"] for name in sorted(rows)] == ["checked"] * 3
    assert rows["lab\\xff"]["card"] == f"{submissions}/lab\\xff/card.yaml"
    assert (out / rows["lab\\xff"]["reports"]["json"]).is_file()  # the summary's path is the report's
    assert "\\xff" in done.stderr and "\udcff" not in done.stderr
    assert "lab%5Cxff/report.html" in (out / "index.html").read_text(encoding="utf-8")


def test_a_name_that_is_not_utf8_and_its_escape_share_no_report_folder(tmp_path: Path) -> None:
    submissions, out = tmp_path / "in", tmp_path / "out"
    _submission(submissions / "lab\udcff")
    _submission(submissions / "lab\\xff")
    _submission(submissions / "ok")
    done = safetycase("batch", submissions, "--out", out, "--jobs", "1", "--format", "json")
    assert done.returncode == 1
    rows = json.loads((out / "summary.json").read_text(encoding="utf-8"))["cards"]
    assert [(row["name"], row["status"]) for row in rows] == [("lab\\xff", "error")] * 2 + [("ok", "checked")]
    assert all("as another submission's does" in row["error"] for row in rows[:2])
    assert not (out / CARDS / "lab\\xff").exists()


def _nest(folder: Path, depth: int) -> Path:
    """`folder` / depth folders of 250 characters: a path longer than the system takes (PATH_MAX, 4096)."""
    here = os.open(folder, os.O_RDONLY)
    try:
        for _ in range(depth):  # made step by step, relative to the last, as no whole path can name it
            os.mkdir("d" * 250, dir_fd=here)
            inner = os.open("d" * 250, os.O_RDONLY, dir_fd=here)
            os.close(here)
            here = inner
        with open(os.open("card.yaml", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=here), "wb") as card:
            card.write(PASS_CARD.read_bytes())
    finally:
        os.close(here)
    return folder


def test_a_submission_nested_deeper_than_the_system_takes_is_listed_and_the_batch_goes_on(tmp_path: Path) -> None:
    submissions, out = tmp_path / "in", tmp_path / "out"
    _submission(submissions / "honest")
    _nest(submissions, 18)
    done = safetycase("batch", submissions, "--out", out, "--jobs", "1", "--format", "json")
    assert done.returncode == 1, done.stderr
    rows = list(_summary(out).values())
    assert [row["status"] for row in rows] == ["error", "checked"]
    assert rows[0]["name"].startswith("d" * 250 + "/") and rows[0]["error"].endswith(
        ": could not be checked: File name too long"
    )


def test_a_folder_that_cannot_be_listed_is_listed_with_the_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    submissions = tmp_path / "in"
    _submission(submissions / "honest")
    (submissions / "locked").mkdir()
    (submissions / "locked" / "card.yaml").write_bytes(PASS_CARD.read_bytes())
    listing = os.scandir

    def scandir(path: Any) -> Any:  # as for a folder its owner made unreadable (root reads every folder)
        if Path(path).name == "locked":
            raise PermissionError(13, "Permission denied", str(path))
        return listing(path)

    monkeypatch.setattr(os, "scandir", scandir)
    assert [(card.name, card.problem) for card in discover(submissions)] == [
        ("honest", None),
        ("locked", "could not be checked: Permission denied"),
    ]


# --- what is planted in the output folder ---------------------------------------------------------


def test_a_rerun_removes_the_last_summary_before_any_card_is_checked(tmp_path: Path) -> None:
    submissions, out = tmp_path / "in", tmp_path / "out"
    _submission(submissions / "aster")
    _submission(submissions / "juniper")
    assert safetycase("batch", submissions, "--out", out, "--format", "json,html").returncode == 0
    summaries_seen: list[list[str]] = []

    def finished(row: Row) -> None:  # an interrupted or failed run would end here, with OUT as it is now
        summaries_seen.append([name for name in SUMMARY_FILES if (out / name).exists()])

    settings = _settings(out, "json")
    run_batch(discover(submissions), settings, root=submissions, jobs=1, fail_on=FailOn.BLOCKER, progress=finished)
    assert summaries_seen == [[], []]
    assert json.loads((out / "summary.json").read_text(encoding="utf-8"))["formats"] == ["json"]


def test_a_pipe_planted_as_the_lock_is_exit_2_not_waited_on(tmp_path: Path) -> None:
    submissions, out = tmp_path / "in", tmp_path / "out"
    _submission(submissions / "aster")
    out.mkdir()
    os.mkfifo(out / LOCK)
    with _hang_guard(60):
        done = safetycase("batch", submissions, "--out", out)
    assert (done.returncode, done.stderr) == (
        2,
        f"safetycase: {out / LOCK} is not a regular file of its own (a batch's lock file); remove it\n",
    )


def test_a_hard_link_planted_as_the_lock_is_exit_2_and_its_file_untouched(tmp_path: Path) -> None:
    submissions, out = tmp_path / "in", tmp_path / "out"
    _submission(submissions / "aster")
    out.mkdir()
    theirs = tmp_path / "theirs.txt"  # a file of someone else's, which the lock's pid would overwrite
    theirs.write_text("keep me\n", encoding="utf-8")
    os.link(theirs, out / LOCK)
    done = safetycase("batch", submissions, "--out", out)
    assert (done.returncode, done.stderr) == (
        2,
        f"safetycase: {out / LOCK} is not a regular file of its own (a batch's lock file); remove it\n",
    )
    assert theirs.read_text(encoding="utf-8") == "keep me\n"
    assert not (out / "summary.json").exists()


@pytest.fixture
def victim(tmp_path: Path) -> Path:
    """A folder outside OUT holding what looks like a departed card's reports: a batch must never touch it."""
    (tmp_path / "victim" / "x").mkdir(parents=True)
    (tmp_path / "victim" / "x" / "report.json").write_text("theirs\n", encoding="utf-8")
    (tmp_path / "victim" / "x" / STATE).write_text("{}\n", encoding="utf-8")
    return tmp_path / "victim"


def test_cards_planted_as_a_link_is_exit_2_and_nothing_is_written_or_removed_through_it(
    tmp_path: Path, victim: Path
) -> None:
    submissions, out = tmp_path / "in", tmp_path / "out"
    _submission(submissions / "aster")
    out.mkdir()
    (out / CARDS).symlink_to(victim)
    done = safetycase("batch", submissions, "--out", out)
    assert (done.returncode, done.stderr) == (
        2,
        f"safetycase: {out / CARDS} is not a folder (a link, say); remove it, batch writes only into its own folders\n",
    )
    assert _files(victim) == ["x/.safetycase-state.json", "x/report.json"]


def test_a_card_report_folder_planted_as_a_link_is_that_cards_error(tmp_path: Path, victim: Path) -> None:
    submissions, out = tmp_path / "in", tmp_path / "out"
    _submission(submissions / "aster")
    _submission(submissions / "lab" / "x")
    (out / CARDS / "lab").mkdir(parents=True)
    (out / CARDS / "aster").symlink_to(victim / "x")
    (out / CARDS / "lab" / "x").symlink_to(victim / "x")  # a folder on the way is a link: the same
    done = safetycase("batch", submissions, "--out", out)
    assert done.returncode == 1
    rows = _summary(out)
    assert (
        rows["aster"]["error"]
        == f"{out / CARDS / 'aster'} is not a folder (a link, say); remove it, batch writes only into its own folders"
    )
    assert rows["lab/x"]["status"] == "error"
    assert _files(victim) == ["x/.safetycase-state.json", "x/report.json"]


def test_a_checker_whose_code_or_data_changed_checks_every_card_again(tmp_path: Path) -> None:
    # A fix need not change __version__: the fingerprint holds a digest of the checker itself.
    _submission(tmp_path / "in" / "aster")
    found, settings = discover(tmp_path / "in"), _settings(tmp_path / "out")
    assert [check_one(card, settings).status for card in found] == ["checked"]
    assert [check_one(card, settings).status for card in found] == ["unchanged"]
    fixed = replace(settings, code="a build with a fix")
    assert [check_one(card, fixed).status for card in found] == ["checked"]
