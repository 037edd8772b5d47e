"""`safetycase batch`: a folder of submissions in, one report folder per card and a summary out."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import CONDITIONAL_CARD, FAIL_CARD, PASS_CARD, ROOT, SOURCE_DATE_EPOCH, TODAY, Ran, safetycase

from checker.batch import (
    CARDS,
    LOCK,
    STATE,
    SUMMARY_FILES,
    BatchInterrupted,
    Found,
    Settings,
    check_one,
    discover,
    run_batch,
    summarize,
)
from checker.catalog import load_catalog
from checker.pipeline import check_file
from checker.profiles import load_profile
from checker.progress import Progress
from checker.render import FORMATS
from checker.render import batch as render_batch
from checker.render.batch import render_csv, render_html
from checker.severity import FailOn
from checker.summary import Row

EXAMPLES = {"pass": PASS_CARD.parent, "conditional": CONDITIONAL_CARD.parent, "fail": FAIL_CARD.parent}


def _submission(example: Path, target: Path, model: str) -> None:
    """A copy of an example folder whose card names another model (copied: a hard-linked evidence file is refused)."""
    shutil.copytree(example, target, ignore=shutil.ignore_patterns("report.*"))
    card = target / "card.yaml"
    text = card.read_text(encoding="utf-8")
    name = text.split("\n  name: ", 1)[1].split("\n", 1)[0]
    card.write_text(text.replace(f"\n  name: {name}\n", f"\n  name: {model}\n", 1), encoding="utf-8")


INVALID = {
    "broken-yaml.yaml": ("schema_version: '1.0'\nmodel: {\n", "invalid YAML"),
    "not-a-card.json": ('{"hello": "world"}\n', "required"),
}


def _generate(root: Path, count: int) -> dict[str, str]:
    """`count` submissions: passing, conditional and failing folders, and invalid bare files.

    Returns name -> expected outcome ('pass', 'conditional', 'fail' or 'error').
    """
    expected: dict[str, str] = {}
    kinds = ["pass", "conditional", "fail", "error"]
    for i in range(count):
        kind = kinds[i % len(kinds)]
        if kind == "error":
            file_name, (content, _) = list(INVALID.items())[(i // 4) % len(INVALID)]
            name = f"bare-{i:03d}-{file_name}"
            (root / name).write_text(content, encoding="utf-8")
        else:
            name = f"sub-{i:03d}-{kind}"
            _submission(EXAMPLES[kind], root / name, f"Model {i}")
        expected[name] = kind
    return expected


@pytest.fixture(scope="module")
def verdicts() -> dict[str, tuple[str, float, int, int, int]]:
    """What the one-card pipeline, in this process, says of each example: the batch must agree."""
    out = {}
    for kind, folder in EXAMPLES.items():
        report = check_file(folder / "card.yaml", "default", today=TODAY)
        assert report.verdict.value == kind  # the examples are what their names say
        c = report.counts
        out[kind] = (report.verdict.value, report.score, c.blocker, c.major, c.minor)
    return out


# --- the must-hold run: 200 cards, mixed ------------------------------------------------------


@pytest.fixture(scope="module")
def big_batch(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, Path, dict[str, str], Ran]:
    base = tmp_path_factory.mktemp("batch200")
    submissions = base / "submissions"
    submissions.mkdir()
    expected = _generate(submissions, 200)
    (submissions / "README.md").write_text("# Submissions received in November\n", encoding="utf-8")
    out = base / "reports"
    done = safetycase("batch", submissions, "--out", out, "--jobs", "2", "--format", "json,html")
    return submissions, out, expected, done


def test_a_batch_of_200_mixed_cards_writes_one_report_per_card_and_a_correct_summary(
    big_batch: tuple[Path, Path, dict[str, str], Ran],
    verdicts: dict[str, tuple[str, float, int, int, int]],
) -> None:
    submissions, out, expected, done = big_batch
    assert done.returncode == 1, done.stderr  # failing and broken cards fail the gate
    assert "Traceback" not in done.stderr
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    rows = {row["name"]: row for row in summary["cards"]}
    assert set(rows) == set(expected)  # the README without front matter is not a card
    for name, kind in expected.items():
        row = rows[name]
        if kind == "error":
            assert row["status"] == "error" and row["gate"] == "fail"
            assert row["error"].startswith(str(submissions / name) + ":")  # file and place
            assert INVALID[name.split("-", 2)[2]][1] in row["error"]
            assert not (out / CARDS / name / "report.json").exists()
            continue
        verdict, score, blocker, major, minor = verdicts[kind]
        assert (row["verdict"], row["score"], row["blocker"], row["major"], row["minor"]) == (
            verdict,
            score,
            blocker,
            major,
            minor,
        )
        assert row["model"] == f"Model {int(name.split('-')[1])}"
        assert row["gate"] == ("fail" if blocker else "pass")
        report = json.loads((out / CARDS / name / "report.json").read_text(encoding="utf-8"))
        assert report["submission"]["model"] == row["model"] and report["verdict"] == verdict
        assert (out / CARDS / name / "report.html").read_text(encoding="utf-8").rstrip().endswith("</html>")
        assert row["reports"] == {"json": f"cards/{name}/report.json", "html": f"cards/{name}/report.html"}
    totals = summary["totals"]
    kinds = list(expected.values())
    assert totals["cards"] == 200
    assert totals["verdicts"] == {k: kinds.count(k) for k in ("pass", "conditional", "fail")}
    assert totals["errors"] == kinds.count("error")
    assert totals["gate_failed"] == kinds.count("fail") + kinds.count("error")
    assert totals["checked"] == 200 - kinds.count("error") and totals["unchanged"] == 0
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("report.*"))
    assert written == sorted(
        f"cards/{n}/report.{e}" for n, k in expected.items() if k != "error" for e in ("html", "json")
    )
    # The CSV holds the same rows; the index links every checked card's HTML report.
    table = list(csv.DictReader(io.StringIO((out / "summary.csv").read_text(encoding="utf-8"))))
    assert [r["name"] for r in table] == sorted(expected)
    assert all(r["verdict"] == (rows[r["name"]]["verdict"] or "") for r in table)
    index = (out / "index.html").read_text(encoding="utf-8")
    assert index.count('<a href="cards/sub-') == kinds.count("pass") + kinds.count("conditional") + kinds.count("fail")
    # The last line says it all, on standard output; progress went to standard error, a line a card.
    assert done.stdout.startswith(
        f"200 cards: {kinds.count('pass')} pass, {kinds.count('conditional')} conditional, {kinds.count('fail')} fail, "
        f"{kinds.count('error')} could not be checked; {totals['gate_failed']} fail the gate"
    )
    progress = [line for line in done.stderr.splitlines() if line.startswith("[")]
    assert len(progress) == 200 and progress[-1].startswith("[200/200] ")


def test_a_rerun_checks_only_what_changed(big_batch: tuple[Path, Path, dict[str, str], Ran], tmp_path: Path) -> None:
    submissions, out, expected, _ = big_batch
    # A fresh copy of the output, so that the other tests see the first run's.
    again = tmp_path / "reports"
    shutil.copytree(out, again)
    before = (again / "cards/sub-000-pass/report.json").stat().st_mtime_ns
    done = safetycase("batch", submissions, "--out", again, "--jobs", "2", "--format", "json,html")
    assert done.returncode == 1
    summary = json.loads((again / "summary.json").read_text(encoding="utf-8"))
    valid = sum(k != "error" for k in expected.values())
    assert summary["totals"]["unchanged"] == valid and summary["totals"]["checked"] == 0
    assert (again / "cards/sub-000-pass/report.json").stat().st_mtime_ns == before  # not rewritten
    assert f"({valid} unchanged since the last run)" in done.stdout


# --- one card at a time, in process ----------------------------------------------------------


def _settings(out: Path, **changes: object) -> Settings:
    values: dict[str, object] = {
        "out": out,
        "profile": load_profile("default", load_catalog()),
        "formats": (FORMATS["json"],),
        "today": TODAY,
    }
    values.update(changes)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def one(tmp_path: Path) -> tuple[Found, Path]:
    submissions = tmp_path / "in"
    submissions.mkdir()
    _submission(EXAMPLES["pass"], submissions / "aster", "Aster-2")
    found = discover(submissions)
    assert [f.name for f in found] == ["aster"]
    return found[0], tmp_path / "out"


def test_an_unchanged_card_is_not_checked_again_and_each_input_change_is_noticed(one: tuple[Found, Path]) -> None:
    found, out = one
    out.mkdir()
    assert check_one(found, _settings(out)).status == "checked"
    assert check_one(found, _settings(out)).status == "unchanged"
    assert check_one(found, _settings(out, force=True)).status == "checked"
    # Another profile, or another format, is another output.
    assert check_one(found, _settings(out, profile=load_profile("regulator", load_catalog()))).status == "checked"
    assert check_one(found, _settings(out)).status == "checked"
    assert check_one(found, _settings(out, formats=(FORMATS["json"], FORMATS["markdown"]))).status == "checked"
    assert check_one(found, _settings(out)).status == "checked"
    assert check_one(found, _settings(out)).status == "unchanged"
    # An evidence file changed: its hash no longer matches, and the card is checked again.
    evidence = next(p for p in (found.path.parent / "evidence").iterdir() if p.suffix == ".jsonl")
    content = evidence.read_bytes()
    evidence.write_bytes(content + b'{"context": "monitored", "outcome": false}\n')
    row = check_one(found, _settings(out))
    assert row.status == "checked" and "mismatch" in row.evidence and row.verdict == "fail"
    # A deleted report is written again.
    assert check_one(found, _settings(out)).status == "unchanged"
    (out / CARDS / "aster" / "report.json").unlink()
    assert check_one(found, _settings(out)).status == "checked"
    assert (out / CARDS / "aster" / "report.json").is_file()


def test_a_card_that_breaks_loses_its_old_reports(one: tuple[Found, Path]) -> None:
    found, out = one
    out.mkdir()
    assert check_one(found, _settings(out)).status == "checked"
    assert (out / CARDS / "aster" / "report.json").is_file()
    found.path.write_text("schema_version: '1.0'\nmodel: [\n", encoding="utf-8")
    row = check_one(found, _settings(out))
    assert row.status == "error" and row.error is not None and row.error.startswith(f"{found.path}:3:")
    assert not (out / CARDS / "aster" / "report.json").exists()  # no report of a version that is gone


def test_an_interrupted_card_is_redone(one: tuple[Found, Path]) -> None:
    found, out = one
    out.mkdir()
    check_one(found, _settings(out))
    (out / CARDS / "aster" / STATE).unlink()  # what a card stopped between its reports and its state looks like
    assert check_one(found, _settings(out)).status == "checked"


def test_discovery_finds_folders_bare_cards_and_front_matter_markdown_only(tmp_path: Path) -> None:
    root = tmp_path / "in"
    (root / "lab-a" / "evidence").mkdir(parents=True)
    (root / "lab-a" / "card.yaml").write_text("x: 1\n", encoding="utf-8")
    (root / "lab-a" / "evidence" / "samples.json").write_text("{}\n", encoding="utf-8")  # evidence, not a card
    (root / "lab-b").mkdir()
    (root / "lab-b" / "card.json").write_text("{}\n", encoding="utf-8")
    (root / "lab-b" / "card.yaml").write_text("x: 1\n", encoding="utf-8")
    (root / "nested" / "deeper").mkdir(parents=True)
    (root / "nested" / "deeper" / "c.yml").write_text("x: 1\n", encoding="utf-8")
    (root / "card-d.md").write_text("---\nx: 1\n---\n# Notes\n", encoding="utf-8")
    (root / "README.md").write_text("# Not a card\n", encoding="utf-8")
    (root / "notes.txt").write_text("no\n", encoding="utf-8")
    (root / ".hidden.yaml").write_text("x: 1\n", encoding="utf-8")
    (root / "link.yaml").symlink_to(root / "lab-a" / "card.yaml")
    (root / "reports").mkdir()
    (root / "reports" / "old.json").write_text("{}\n", encoding="utf-8")
    found = discover(root, exclude=root / "reports")
    assert [(f.name, f.path.relative_to(root).as_posix(), f.problem is not None) for f in found] == [
        ("card-d.md", "card-d.md", False),
        ("lab-a", "lab-a/card.yaml", False),
        ("lab-b", "lab-b/card.yaml", True),
        ("link.yaml", "link.yaml", True),
        ("nested/deeper/c.yml", "nested/deeper/c.yml", False),
    ]
    problems = {f.name: f.problem for f in found}
    assert problems["lab-b"] == "2 cards in one folder (card.yaml, card.json); keep one"
    assert problems["link.yaml"] == "a symbolic link; batch does not follow links"


def test_a_submissions_folder_that_is_itself_a_card_folder(tmp_path: Path) -> None:
    _submission(EXAMPLES["pass"], tmp_path / "aster", "Aster-2")
    assert [(f.name, f.path.name) for f in discover(tmp_path / "aster")] == [("aster", "card.yaml")]


# --- the gate and the summary's forms ---------------------------------------------------------


def test_the_gate_follows_fail_on_and_a_broken_card_always_fails_it(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    juniper = EXAMPLES["conditional"]
    row = check_one(Found("j", juniper / "card.yaml", folder=juniper), _settings(out))
    assert row.blocker == 0 and row.major > 0 and row.minor > 0
    assert [row.fails_gate(level) for level in ("blocker", "major", "minor", "never")] == [False, True, True, False]
    broken = check_one(Found("b", tmp_path / "missing.yaml"), _settings(out))
    assert broken.status == "error" and "missing.yaml" in (broken.error or "")
    assert broken.fails_gate("never")


def test_the_csv_defuses_formulas_and_the_index_escapes_card_text(tmp_path: Path) -> None:
    submissions = tmp_path / "in"
    submissions.mkdir()
    _submission(EXAMPLES["pass"], submissions / "hostile", '"=HYPERLINK(\\"http://x\\")<script>alert(1)</script>"')
    out = tmp_path / "out"
    out.mkdir()
    settings = _settings(out, formats=(FORMATS["json"], FORMATS["html"]))
    rows = [check_one(f, settings) for f in discover(submissions)]
    assert rows[0].model == '=HYPERLINK("http://x")<script>alert(1)</script>'
    summary = summarize(rows, settings, root=submissions, fail_on=FailOn.BLOCKER)
    table = list(csv.reader(io.StringIO(render_csv(summary))))
    model_column = table[0].index("model")
    assert table[1][model_column] == "'" + rows[0].model  # a spreadsheet shows it as text, never runs it
    index = render_html(summary)
    assert "<script>alert(1)" not in index and "&lt;script&gt;alert(1)" in index
    assert index.count("<script>") == 1  # the page's own sorting script only


# --- the command line ----------------------------------------------------------------------------


def test_bad_use_is_exit_2_with_nothing_written(tmp_path: Path) -> None:
    submissions = tmp_path / "in"
    submissions.mkdir()
    _submission(EXAMPLES["pass"], submissions / "aster", "Aster-2")
    cases = {
        "no such folder": (["batch", tmp_path / "nowhere", "--out", tmp_path / "o1"], "no such folder"),
        "out holds the input": (["batch", submissions, "--out", tmp_path], "holds the submissions folder"),
        "out is the input": (["batch", submissions, "--out", submissions], "holds the submissions folder"),
        "unknown format": (["batch", submissions, "--out", tmp_path / "o2", "-f", "json,docx"], "unknown format"),
        "bad profile": (["batch", submissions, "--out", tmp_path / "o3", "-p", "nonesuch"], "nonesuch"),
        "no cards": (["batch", tmp_path / "empty", "--out", tmp_path / "o4"], "no cards under"),
        "jobs 0": (["batch", submissions, "--out", tmp_path / "o5", "-j", "0"], "--jobs"),
        "a name too long": (["batch", tmp_path / ("x" * 300), "--out", tmp_path / "o6"], "File name too long"),
        "an out too long": (["batch", submissions, "--out", tmp_path / ("x" * 300)], "File name too long"),
    }
    (tmp_path / "empty").mkdir()
    for name, (args, expected) in cases.items():
        done = safetycase(*args)
        assert done.returncode == 2, (name, done.stderr)
        assert expected in done.stderr, (name, done.stderr)
        assert "Traceback" not in done.stderr and done.stdout == ""
    assert not any((tmp_path / f"o{i}").exists() for i in range(1, 6))
    assert sorted(p.name for p in submissions.rglob("report.*")) == []


def test_an_output_folder_inside_the_submissions_is_not_searched(tmp_path: Path) -> None:
    _submission(EXAMPLES["pass"], tmp_path / "aster", "Aster-2")
    first = safetycase("batch", ".", "--out", "reports", "-j", "1", cwd=tmp_path)
    second = safetycase("batch", ".", "--out", "reports", "-j", "1", cwd=tmp_path)
    assert first.returncode == second.returncode == 0, first.stderr + second.stderr
    summary = json.loads((tmp_path / "reports" / "summary.json").read_text(encoding="utf-8"))
    assert [row["name"] for row in summary["cards"]] == ["aster"]  # not reports/summary.json as a card


def test_interrupting_a_batch_leaves_only_whole_reports_and_a_rerun_finishes_it(tmp_path: Path) -> None:
    submissions = tmp_path / "in"
    submissions.mkdir()
    for i in range(120):
        _submission(EXAMPLES[("pass", "fail")[i % 2]], submissions / f"card-{i:03d}", f"Model {i}")
    out = tmp_path / "out"
    environment = {**os.environ, "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH}
    # Its own process group, as a terminal's foreground job: Ctrl-C reaches the workers too. And Ctrl-C
    # acts, as in a terminal, even when this suite was started with SIGINT ignored (a background job
    # of a script inherits that, and Python then leaves it ignored): without this the batch ran to
    # its end and the test failed whenever pytest was started so, before and after issue 11.
    process = subprocess.Popen(
        [sys.executable, "-m", "checker", "batch", str(submissions), "--out", str(out), "-j", "2", "-f", "json,html"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment,
        cwd=ROOT,
        start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list(out.glob(f"{CARDS}/*/{STATE}"))) < 10:
        time.sleep(0.02)
    os.killpg(process.pid, signal.SIGINT)
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, stderr
    assert "interrupted after" in stderr and "Traceback" not in stderr and stdout == ""
    done = {p.parent.name for p in out.glob(f"{CARDS}/*/{STATE}")}
    assert 10 <= len(done) < 120, "the interrupt came before the end"
    assert not (out / "summary.json").exists() and not (out / "index.html").exists()
    leftovers = [p for p in out.rglob(".*") if p.name not in (STATE, LOCK)]
    assert leftovers == []  # no temporary files
    for report in out.rglob("report.json"):
        json.loads(report.read_text(encoding="utf-8"))  # whole, not cut
    for report in out.rglob("report.html"):
        assert report.read_text(encoding="utf-8").rstrip().endswith("</html>")
    # The rerun checks only what was not finished.
    rerun = safetycase("batch", submissions, "--out", out, "-j", "2", "-f", "json,html")
    assert rerun.returncode == 1  # half the cards fail
    totals = json.loads((out / "summary.json").read_text(encoding="utf-8"))["totals"]
    assert totals["unchanged"] == len(done) and totals["checked"] == 120 - len(done)


def test_on_a_terminal_a_progress_bar_and_errors_above_it(tmp_path: Path) -> None:
    import pty

    submissions = tmp_path / "in"
    submissions.mkdir()
    _submission(EXAMPLES["pass"], submissions / "aster", "Aster-2")
    (submissions / "broken.yaml").write_text("model: [\n", encoding="utf-8")
    leader, follower = pty.openpty()  # standard error is a terminal; standard output is not
    process = subprocess.Popen(
        [sys.executable, "-m", "checker", "batch", str(submissions), "--out", str(tmp_path / "out"), "-j", "1"],
        stdout=subprocess.PIPE,
        stderr=follower,
        text=True,
        env={**os.environ, "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH, "TERM": "xterm"},
        cwd=ROOT,
    )
    os.close(follower)
    stdout, _ = process.communicate(timeout=120)
    shown = b""
    with contextlib.suppress(OSError):  # EIO once the child has closed the terminal
        while chunk := os.read(leader, 65536):
            shown += chunk
    os.close(leader)
    terminal = shown.decode("utf-8", "replace")
    assert process.returncode == 1
    assert "checking" in terminal and "\x1b[" in terminal  # the bar, drawn with escape codes
    assert f"broken.yaml: error: {submissions / 'broken.yaml'}:2:1: invalid YAML" in terminal
    assert "[1/2]" not in terminal  # not the plain lines meant for logs
    assert stdout.startswith("2 cards: 1 pass, 0 conditional, 0 fail, 1 could not be checked")


@pytest.mark.parametrize(("fail_on", "failing"), [("blocker", 2), ("major", 3), ("never", 1)])
def test_the_bar_counts_the_cards_that_fail_the_gate(fail_on: str, failing: int) -> None:
    rows = [
        Row(name="a", card="a.yaml", status="checked", verdict="fail", blocker=1),
        Row(name="b", card="b.yaml", status="checked", verdict="conditional", major=2),
        Row(name="c", card="c.yaml", status="checked", verdict="pass"),
        Row(name="d", card="d.yaml", status="error", error="broken"),
    ]
    progress = Progress(len(rows), terminal=True, fail_on=FailOn(fail_on))
    with progress:
        for row in rows:
            progress.advance(row)
    (task,) = progress._display.tasks  # the rich bar's one task
    assert (progress.finished, task.fields["failed"]) == (4, failing)
    assert failing == sum(row.fails_gate(FailOn(fail_on)) for row in rows)  # the summary's count, the same gate


def _two_bare_cards(tmp_path: Path) -> list[Found]:
    submissions = tmp_path / "in"
    submissions.mkdir()
    for name, card in (("a.yaml", PASS_CARD), ("b.yaml", FAIL_CARD)):
        (submissions / name).write_bytes(card.read_bytes())
    return discover(submissions)


def test_ctrl_c_while_the_summary_is_made_writes_none_of_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The summary's files are rendered before any is written: no new summary.json beside an index.html.
    # The last run's went before the cards were checked: they no longer describe the reports.
    found, out = _two_bare_cards(tmp_path), tmp_path / "out"
    settings = _settings(out, evidence=False)
    run_batch(found, settings, root=tmp_path / "in", jobs=1, fail_on=FailOn.BLOCKER)

    def interrupted(summary: object) -> str:
        raise KeyboardInterrupt

    monkeypatch.setattr(render_batch, "render_html", interrupted)
    with pytest.raises(KeyboardInterrupt) as caught:
        run_batch(found, _settings(out, evidence=False, force=True), root=tmp_path / "in", jobs=1, fail_on=FailOn.MAJOR)
    assert not isinstance(caught.value, BatchInterrupted)  # every card was done: the command says no count
    assert [name for name in SUMMARY_FILES if (out / name).exists()] == []
