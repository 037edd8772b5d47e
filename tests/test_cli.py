"""The command line as a user meets it: exit codes, messages, files written or not."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import BASE, CONDITIONAL_CARD, FAIL_CARD, PASS_CARD, ROOT, SharedPrinter, golden, safetycase_process
from conftest import safetycase as cli

from checker.render import FORMATS

# --- bad input: exit 2, one line naming file, place and problem; nothing written ---------------


def _alias_bomb() -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def _fifty_megabytes() -> bytes:
    return b"a: " + b"x" * (50 * 1024 * 1024) + b"\n"


BAD_INPUTS: dict[str, tuple[str, str | bytes | Callable[[], bytes], str]] = {
    # name: (file, content, what the one-line message must contain after 'file:')
    "malformed YAML": ("bad.yaml", "schema_version: '1.0\nmodel: {\n", "invalid YAML"),
    "malformed JSON": (
        "bad.json",
        '{"schema_version": "1.0",}',
        "1:26: invalid JSON: expected a key in double quotes, found '}'",
    ),
    "duplicate keys": (
        "dup.yaml",
        BASE.replace("  name: Aster-2\n", "  name: Aster-2\n  name: Aster-3\n"),
        "15:3: duplicate key 'name' (first on line 14)",
    ),
    "alias bomb": ("bomb.yaml", _alias_bomb(), "aliases expand to more than 1,000,000 values"),
    "50 MB file": ("big.yaml", _fifty_megabytes, "file is 50.0 MiB; the limit is 10.0 MiB"),
    "deep YAML": ("deep.yaml", "[" * 100_000 + "]" * 100_000, "1:65: nested too deeply"),
    "deep JSON": ("deep.json", "[" * 100_000 + "]" * 100_000, "1:65: nested too deeply"),
    "binary": ("garbage.yaml", bytes(range(256)) * 64, "not UTF-8 text"),
    "empty": ("empty.yaml", "", "1:1: the file is empty"),
    "count > n": (
        "count.yaml",
        BASE.replace("n: 800, count: 19}", "n: 800, count: 900}"),
        "45:49: count 900 is larger than n 800",
    ),
    "dangling reference": (
        "ref.yaml",
        BASE.replace("evidence: [sb-wmdp, audit-1]", "evidence: [sb-wmdp, audit-2]"),
        "256:25: 'audit-2' names no evaluation",
    ),
    "wrong type": (
        "type.yaml",
        BASE.replace("    auditor_designed_tests: true", "    auditor_designed_tests: 3"),
        "224:29: expected true or false, found 3 (a number)",
    ),
}


@pytest.mark.parametrize("name", list(BAD_INPUTS))
@pytest.mark.parametrize("command", ["check", "validate"])
def test_bad_input(tmp_path: Path, name: str, command: str) -> None:
    file, content, expected = BAD_INPUTS[name]
    card = tmp_path / file
    made = content() if callable(content) else content
    card.write_bytes(made if isinstance(made, bytes) else made.encode("utf-8"))
    before = hashlib.sha256(card.read_bytes()).hexdigest()
    out = tmp_path / "reports" / "report.json"
    out.parent.mkdir()
    args = [command, card] + (["--format", "json", "-o", out] if command == "check" else [])
    done = cli(*args)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(f"{card}:")
    assert expected in lines[0]
    assert done.stdout == ""
    assert list(out.parent.iterdir()) == []  # no report, no temporary file
    assert hashlib.sha256(card.read_bytes()).hexdigest() == before


def test_validate_lists_every_problem_like_a_compiler(tmp_path: Path) -> None:
    card = tmp_path / "card.yaml"
    card.write_text(
        BASE.replace("n: 800, count: 19}", "n: 800, count: 900}").replace(
            "evidence: [sb-wmdp, audit-1]", "evidence: [sb-wmdp, audit-2]"
        ),
        encoding="utf-8",
    )
    done = cli("validate", card)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"{card}:45:49: count 900 is larger than n 800 (at /evaluations/0/arms/0/count)",
        f"{card}:256:25: 'audit-2' names no evaluation, audit or reasoning evidence in this card (at /claims/1/evidence/1)",
    ]


def test_validate_a_good_card() -> None:
    done = cli("validate", PASS_CARD)
    assert (done.returncode, done.stdout) == (0, f"{PASS_CARD}: valid\n")


def test_validate_and_batch_lines_show_control_characters_escaped(tmp_path: Path) -> None:
    # Names and keys from a folder of submissions reach the terminal escaped, one line each.
    submissions = tmp_path / "in"
    submissions.mkdir()
    good = submissions / "good\x1b]0;pwned\x07.yaml"
    good.write_text(BASE, encoding="utf-8")
    bad = submissions / "bad\u202elmay.yaml"
    bad.write_text(BASE + '"x-\\e[2J\\nFAKE: all clear": 1\n"x-\\e[2J\\nFAKE: all clear": 2\n', encoding="utf-8")
    done = cli("validate", good, bad)
    assert done.returncode == 2
    assert done.stdout == f"{submissions}/good\\x1b]0;pwned\\x07.yaml: valid\n"
    (line,) = done.stderr.splitlines()
    assert (
        line.startswith(f"{submissions}/bad\\u202elmay.yaml:")
        and "duplicate key 'x-\\x1b[2J\\nFAKE: all clear'" in line
    )

    batch = cli("batch", submissions, "--out", tmp_path / "out", "-f", "json")
    progress = [line for line in batch.stderr.splitlines() if line.startswith("[")]
    assert len(progress) == 2, batch.stderr
    assert any("bad\\u202elmay" in line and "\\x1b[2J\\nFAKE: all clear" in line for line in progress)
    assert any("good\\x1b]0;pwned\\x07" in line for line in progress)
    assert not re.search(
        "[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", done.stdout + done.stderr + batch.stderr
    )


NOT_UTF8 = "lab\udcff"
"""A folder named with the byte 0xff, which is not UTF-8 (Python holds it as a lone surrogate)."""


@pytest.fixture
def card_in_a_folder_not_utf8(tmp_path: Path) -> Path:
    folder = tmp_path / NOT_UTF8
    folder.mkdir()
    (folder / "card.yaml").write_bytes(PASS_CARD.read_bytes())
    return folder / "card.yaml"


@pytest.mark.parametrize("fmt", sorted(name for name, fmt in FORMATS.items() if not fmt.binary))
def test_a_card_path_that_is_not_utf8_is_shown_escaped_in_every_text_format(
    card_in_a_folder_not_utf8: Path, fmt: str
) -> None:
    done = cli("check", card_in_a_folder_not_utf8, "--format", fmt)
    assert done.returncode == 0, done.stderr
    # JSON doubles the backslash; SARIF's artifact URI quotes the name as shown
    escaped = {"json": "lab\\\\xff", "sarif": "lab%5Cxff"}.get(fmt, "lab\\xff")
    assert escaped in done.stdout and "\ufffd" not in done.stdout


@pytest.mark.parametrize("name", ["report.html", "report.md"])
def test_a_report_of_a_card_path_that_is_not_utf8_shows_it_escaped(
    card_in_a_folder_not_utf8: Path, tmp_path: Path, name: str
) -> None:
    done = cli("report", card_in_a_folder_not_utf8, "-o", tmp_path / name)
    assert done.returncode == 0, done.stderr
    assert "lab\\xff" in (tmp_path / name).read_text(encoding="utf-8")


def test_validate_shows_a_card_path_that_is_not_utf8_escaped(card_in_a_folder_not_utf8: Path) -> None:
    done = cli("validate", card_in_a_folder_not_utf8)
    assert (done.returncode, done.stdout) == (
        0,
        f"{card_in_a_folder_not_utf8.parent.parent}/lab\\xff/card.yaml: valid\n",
    )


def test_missing_card_file(tmp_path: Path) -> None:
    done = cli("check", tmp_path / "nope.yaml")
    assert done.returncode == 2
    assert done.stderr == f"{tmp_path / 'nope.yaml'}: no such file\n"


# --- exit codes and --fail-on ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("card", "fail_on", "code"),
    [
        (PASS_CARD, "blocker", 0),
        (PASS_CARD, "minor", 0),
        (CONDITIONAL_CARD, "blocker", 0),
        (CONDITIONAL_CARD, "major", 1),
        (CONDITIONAL_CARD, "minor", 1),
        (FAIL_CARD, "blocker", 1),
        (FAIL_CARD, "never", 0),
    ],
)
def test_exit_code_follows_fail_on(card: Path, fail_on: str, code: int) -> None:
    done = cli("check", card, "--fail-on", fail_on)
    assert done.returncode == code, done.stderr
    assert done.stderr == ""


def test_unknown_fail_on_is_a_usage_error() -> None:
    done = cli("check", PASS_CARD, "--fail-on", "sometimes")
    assert done.returncode == 2 and "sometimes" in done.stderr and "Traceback" not in done.stderr


# --- output ------------------------------------------------------------------------------------


def _fits_80_columns(stdout: str, card: str) -> None:
    """Prose fits 80 columns; a location (the card's path, then :line) is never broken."""
    for line in stdout.splitlines():
        if line.startswith(card):
            assert len(line) - len(card) <= 30, line  # ":133  AR-3 (unmet)"
        else:
            assert len(line) <= 80, line


def test_text_report_reads_in_80_columns_without_colour() -> None:
    done = cli("check", FAIL_CARD)
    lines = done.stdout.splitlines()
    assert lines[1] == str(FAIL_CARD) and lines[2] == "model: Orion-7 (orion-7-ga), Halcyon Labs"
    assert lines[4].startswith("VERDICT: FAIL")
    blockers = golden(FAIL_CARD.relative_to(ROOT))["counts"]["blocker"]
    assert blockers > 0 and f"{blockers} blocker" in lines[4]
    assert "\x1b[" not in done.stdout  # not a terminal: no colour codes
    _fits_80_columns(done.stdout, str(FAIL_CARD))
    assert f"{FAIL_CARD}:133  AR-3 (unmet)\n" in done.stdout  # file:line for findings
    assert (
        done.stdout.index(f"Blockers ({blockers})")
        < done.stdout.index("Major findings")
        < done.stdout.index("Minor findings")
    )
    # Figures are the ones the message does not state, in plain words (true, not Python's True).
    assert "    figures: financial_ties: true\n" in done.stdout
    assert "True" not in done.stdout and "None" not in done.stdout
    assert (
        "figures: pair: monitored/unmonitored; design: within; interval_pp: [5.82,\n      12.35]; p_value:"
        in done.stdout
    )


def test_a_long_path_and_long_names_keep_the_text_report_in_80_columns(tmp_path: Path) -> None:
    deep = tmp_path.joinpath(*["a-rather-long-folder-name"] * 6)
    deep.mkdir(parents=True)
    card = deep / "card.yaml"
    text = FAIL_CARD.read_text(encoding="utf-8")
    text = text.replace("name: Orion-7\n", "name: " + "Orion-7 extended reasoning edition " * 5 + "\n", 1)
    text = text.replace("organization: Halcyon Labs\n", "organization: " + "Halcyon Labs Group " * 8 + "\n", 1)
    card.write_text(text, encoding="utf-8")
    done = cli("check", card, "--no-evidence")
    assert done.returncode == 1, done.stderr
    assert len(str(card)) > 80
    lines = done.stdout.splitlines()
    assert lines[1] == str(card)
    assert "Orion-7 extended reasoning edition" in lines[2] and len(lines[2]) > 60  # wrapped, not cut
    assert "Halcyon Labs Group" in "".join(lines[2:6])
    _fits_80_columns(done.stdout, str(card))


def test_json_output_to_a_file(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    done = cli("check", CONDITIONAL_CARD, "--format", "json", "-o", out)
    assert done.returncode == 0 and done.stdout == ""
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["verdict"] == "conditional"
    assert report["generated_on"] == "2026-11-24"  # SOURCE_DATE_EPOCH
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_output_folder_must_exist(tmp_path: Path) -> None:
    done = cli("check", PASS_CARD, "--format", "json", "-o", tmp_path / "no" / "report.json")
    assert done.returncode == 2 and "no folder" in done.stderr


def test_several_formats_in_one_run_write_each_into_the_folder(tmp_path: Path) -> None:
    out = tmp_path / "reports"  # made by the run: its parent exists
    done = cli("check", FAIL_CARD, "--format", "json,sarif,markdown,junit", "-o", out)
    assert done.returncode == 1, done.stderr  # the gate, as with one format
    assert sorted(p.name for p in out.iterdir()) == ["report.json", "report.md", "report.sarif", "report.xml"]
    one = cli("check", FAIL_CARD, "--format", "json")
    assert (out / "report.json").read_text(encoding="utf-8") == one.stdout  # the same report as alone
    assert json.loads((out / "report.sarif").read_text(encoding="utf-8"))["version"] == "2.1.0"
    assert (out / "report.md").read_text(encoding="utf-8").startswith("#")
    assert "wrote " in done.stderr and done.stdout == ""


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--format", "json,sarif"], "need a folder to write them to: give -o FOLDER"),
        (["--format", "json,json", "-o", "OUT"], "--format names json more than once"),
        (["--format", "json,", "-o", "OUT"], "has an empty name"),
        (["--format", "json,docx", "-o", "OUT"], "unknown format 'docx'"),
        (["--format", "json,html", "-o", "FILE"], "is not one"),
        (["--format", "json,html", "-o", "NOPARENT"], "no folder"),
    ],
)
def test_several_formats_misused_is_exit_2_with_nothing_written(tmp_path: Path, args: list[str], expected: str) -> None:
    (tmp_path / "file").write_text("keep\n", encoding="utf-8")
    places = {"OUT": tmp_path / "out", "FILE": tmp_path / "file", "NOPARENT": tmp_path / "no" / "out"}
    done = cli("check", PASS_CARD, *(str(places.get(a, a)) for a in args))
    assert done.returncode == 2 and expected in done.stderr, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]
    assert (tmp_path / "file").read_text(encoding="utf-8") == "keep\n"


def test_several_formats_for_an_invalid_card_make_no_folder(tmp_path: Path) -> None:
    card = tmp_path / "card.yaml"
    card.write_text("schema_version: '1.0'\n", encoding="utf-8")
    done = cli("check", card, "--format", "json,html", "-o", tmp_path / "out")
    assert done.returncode == 2 and not (tmp_path / "out").exists()


@pytest.mark.parametrize("fmt", ["sarif", "junit", "html"])
def test_one_document_formats_take_one_card_on_standard_output(fmt: str) -> None:
    done = cli("check", PASS_CARD, CONDITIONAL_CARD, "--format", fmt)
    assert done.returncode == 2 and done.stdout == ""
    assert f"the {fmt} format holds one card" in done.stderr


def test_unknown_format() -> None:
    done = cli("check", PASS_CARD, "--format", "docx")
    assert done.returncode == 2 and "unknown format 'docx'" in done.stderr


def test_regulator_profile_is_stricter() -> None:
    default = json.loads(cli("check", CONDITIONAL_CARD, "-f", "json").stdout)
    regulator = json.loads(cli("check", CONDITIONAL_CARD, "-f", "json", "--profile", "regulator").stdout)
    assert regulator["profile"]["name"] == "regulator"
    assert regulator["pass_score"] > default["pass_score"]
    assert regulator["score"] < default["score"]
    # As many findings: the regulator's one more (CV-5 on af-training-cue) was on a comparison that had
    # found its 11.4 pp gap, which is no longer called underpowered (issue 13).
    assert sum(regulator["counts"].values()) >= sum(default["counts"].values())


def test_profile_file_with_an_unknown_option(tmp_path: Path) -> None:
    profile = tmp_path / "strict.yaml"
    profile.write_text("extends: regulator\npass_scor: 90\n", encoding="utf-8")
    done = cli("check", PASS_CARD, "--profile", profile)
    assert done.returncode == 2
    assert done.stderr.startswith(f"{profile}:2:1: unknown profile option 'pass_scor' (known: ")


def test_unknown_built_in_profile() -> None:
    done = cli("check", PASS_CARD, "--profile", "lenient")
    assert done.returncode == 2
    assert done.stderr == "lenient: no such profile (built-in profiles: default, regulator)\n"


def test_version() -> None:
    from checker import __version__

    done = cli("--version")
    assert (done.returncode, done.stdout) == (0, f"safetycase {__version__}\n")


def test_schema_command_prints_the_schema() -> None:
    done = cli("schema")
    assert json.loads(done.stdout) == json.loads((ROOT / "schema/submission.schema.json").read_text(encoding="utf-8"))


def test_requirements_command_lists_the_catalog() -> None:
    import yaml

    ids = [
        r["id"] for r in yaml.safe_load((ROOT / "schema/requirements.yaml").read_text(encoding="utf-8"))["requirements"]
    ]
    done = cli("requirements", "--format", "json")
    assert [r["id"] for r in json.loads(done.stdout)["requirements"]] == ids
    text = cli("requirements").stdout
    assert all(i in text for i in ids)


def test_init_writes_a_card_that_validates_and_checks(tmp_path: Path) -> None:
    card = tmp_path / "card.yaml"
    done = cli("init", "-o", card)
    assert done.returncode == 0, done.stderr
    assert cli("validate", card).returncode == 0
    checked = cli("check", card, "--format", "json")
    report = json.loads(checked.stdout)
    assert report["verdict"] == "conditional"  # an empty card is valid, with findings to fill
    assert report["counts"]["major"] > 10
    again = cli("init", "-o", card)
    assert again.returncode == 2 and "exists already" in again.stderr


def test_pdf_and_templating_libraries_are_not_imported_for_a_check() -> None:
    code = (
        "import sys; from checker.cli import app\n"
        "try:\n    app(['check', sys.argv[1]])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('weasyprint', 'jinja2', 'markdown_it') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(PASS_CARD)], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert done.stdout.splitlines()[-1] == "[]"


def test_the_command_line_starts_without_the_models_or_the_renderers() -> None:
    """`safetycase --version`, `--help` and `schema` load no pydantic, templates or PDF printer (cold start)."""
    code = (
        "import sys; import checker.cli\n"
        "print(sorted(m for m in ('pydantic', 'weasyprint', 'jinja2', 'markdown_it', 'yaml') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False)
    assert done.stdout.splitlines()[-1] == "[]", done.stderr


def test_a_folder_given_as_profile(tmp_path: Path) -> None:
    done = cli("check", PASS_CARD, "--profile", tmp_path)
    assert (done.returncode, done.stderr) == (2, f"{tmp_path}: is a folder, not a profile file\n")


def test_internal_errors_do_not_print_tracebacks(tmp_path: Path) -> None:
    # Make the pipeline itself fail in an unplanned way: the last guard must catch it.
    code = (
        "import sys, checker.pipeline as p\n"
        "def broken(*a, **k):\n    raise RuntimeError('simulated bug')\n"
        "p.check_file = broken\n"
        "from checker.cli import run\nsys.argv = ['safetycase', 'check', sys.argv[1]]\nrun()"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(PASS_CARD)], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert done.returncode == 3  # not 2: a bug is not a bad card
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("safetycase: internal error (RuntimeError: simulated bug)")


# --- report: Markdown, HTML, PDF -------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "start"),
    [
        pytest.param("audit.pdf", b"%PDF-", marks=pytest.mark.slow),
        ("audit.html", b"<!DOCTYPE html>"),
        ("audit.md", b"# "),
    ],
)
def test_report_takes_its_format_from_the_file_name(
    tmp_path: Path, name: str, start: bytes, pdf_printer: SharedPrinter
) -> None:
    done = cli("report", FAIL_CARD.relative_to(ROOT), "-o", tmp_path / name)  # the PDF printed once a session
    assert done.returncode == 0, done.stderr  # a report is written whatever the verdict
    assert (tmp_path / name).read_bytes().startswith(start)
    expected = golden(FAIL_CARD.relative_to(ROOT))
    assert done.stderr.startswith(f"wrote {tmp_path / name} (")
    assert f"{expected['verdict']}, score {expected['score']:.1f}" in done.stderr


def test_report_format_option_wins_over_the_name(tmp_path: Path) -> None:
    done = cli("report", PASS_CARD, "--format", "markdown", "-o", tmp_path / "audit.txt")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "audit.txt").read_text(encoding="utf-8").startswith("# Safety case gap report: Aster-2")


def test_report_without_a_known_extension_or_format(tmp_path: Path) -> None:
    done = cli("report", PASS_CARD, "-o", tmp_path / "audit.txt")
    assert done.returncode == 2
    assert "cannot tell the format of" in done.stderr and "--format markdown, html or pdf" in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_report_of_a_bad_card_writes_nothing(tmp_path: Path) -> None:
    card = tmp_path / "card.yaml"
    card.write_text(BASE.replace("n: 800, count: 19}", "n: 800, count: 900}"), encoding="utf-8")
    done = cli("report", card, "-o", tmp_path / "audit.pdf")
    assert done.returncode == 2 and "count 900 is larger than n 800" in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["card.yaml"]


def test_pdf_to_standard_output_is_refused_before_any_work() -> None:
    done = cli("check", PASS_CARD, "--format", "pdf")
    assert done.returncode == 2
    assert done.stderr == "safetycase: the pdf format is binary; write it to a file with -o\n"


def _another_hash_seed() -> str:
    """A hash seed other than this process's: PYTHONHASHSEED + 1 when it is fixed, else 1 (this process's
    is then random)."""
    seed = os.environ.get("PYTHONHASHSEED", "random")
    return str(int(seed) + 1) if seed.isdigit() else "1"


@pytest.fixture(scope="module")
def two_processes(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Callable[[str], tuple[bytes, bytes]]:
    """A format's report of the failing card from this process and from another, with another hash seed
    (and other temporary names). Each writes every text format at once, and the binary ones (seconds) apart;
    the PDF in this process is the one the session prints of this report anyway."""
    pairs: dict[bool, tuple[Path, Path]] = {}

    def run(binary: bool, here: bool) -> Path:
        names = [f.name for f in FORMATS.values() if f.binary is binary]
        if binary and here:
            request.getfixturevalue("pdf_printer")  # the PDF, in this process, printed once a session
        folder = tmp_path_factory.mktemp("here" if here else "another-process")
        out = folder / "reports" if len(names) > 1 else folder / f"report.{FORMATS[names[0]].extension}"
        args = ("check", FAIL_CARD.relative_to(ROOT), "--format", ",".join(names), "-o", out)
        done = cli(*args) if here else safetycase_process(*args, env={"PYTHONHASHSEED": _another_hash_seed()})
        assert done.returncode == 1, done.stderr  # the gate fails on blockers; the reports are written
        return out if len(names) > 1 else folder

    def outputs(name: str) -> tuple[bytes, bytes]:
        fmt = FORMATS[name]
        if fmt.binary not in pairs:
            pairs[fmt.binary] = (run(fmt.binary, here=True), run(fmt.binary, here=False))
        first, second = (folder / f"report.{fmt.extension}" for folder in pairs[fmt.binary])
        return first.read_bytes(), second.read_bytes()

    return outputs


@pytest.mark.parametrize(
    "name", [pytest.param(f.name, marks=pytest.mark.slow if f.binary else ()) for f in FORMATS.values()]
)
def test_reports_are_byte_for_byte_reproducible(two_processes: Callable[[str], tuple[bytes, bytes]], name: str) -> None:
    first, second = two_processes(name)
    assert first and first == second
    if name == "pdf":  # the dates are the report's (SOURCE_DATE_EPOCH), not the clock's
        import io

        import pypdf

        meta = pypdf.PdfReader(io.BytesIO(first)).metadata
        assert meta is not None and meta["/CreationDate"] == meta["/ModDate"] == "D:20261124000000Z"
