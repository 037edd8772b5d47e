"""The command line as a user meets it: exit codes, messages, files written or not."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BASE = (Path(__file__).parent / "cases" / "base.yaml").read_text(encoding="utf-8")
PASS_CARD = ROOT / "examples/aster-2-pass/card.yaml"
CONDITIONAL_CARD = ROOT / "examples/juniper-3-conditional/card.yaml"
FAIL_CARD = ROOT / "examples/orion-7-fail/card.yaml"


def safetycase(
    *args: str | Path, cwd: Path = ROOT, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the real entry point (with its last guard), as the console script does."""
    environment = {**os.environ, "SOURCE_DATE_EPOCH": "1795478400", **(env or {})}
    environment.pop("SAFETYCASE_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-m", "checker", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=environment,
        check=False,
        timeout=120,  # a run that blocks (on a pipe, say) fails instead of hanging the suite
    )


# --- bad input: exit 2, one line naming file, place and problem; nothing written ---------------


def _alias_bomb() -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def _bad_inputs(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    """name -> (file, what the one-line message must contain after 'file:')."""

    def write(name: str, content: str | bytes) -> Path:
        path = tmp_path / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
        return path

    big = tmp_path / "big.yaml"
    with open(big, "wb") as handle:
        handle.write(b"a: " + b"x" * (50 * 1024 * 1024) + b"\n")
    return {
        "malformed YAML": (write("bad.yaml", "schema_version: '1.0\nmodel: {\n"), "invalid YAML"),
        "malformed JSON": (
            write("bad.json", '{"schema_version": "1.0",}'),
            "1:26: invalid JSON: expected a key in double quotes, found '}'",
        ),
        "duplicate keys": (
            write("dup.yaml", BASE.replace("  name: Aster-2\n", "  name: Aster-2\n  name: Aster-3\n")),
            "15:3: duplicate key 'name' (first on line 14)",
        ),
        "alias bomb": (write("bomb.yaml", _alias_bomb()), "aliases expand to more than 1,000,000 values"),
        "50 MB file": (big, "file is 50.0 MiB; the limit is 10.0 MiB"),
        "deep YAML": (write("deep.yaml", "[" * 100_000 + "]" * 100_000), "1:65: nested too deeply"),
        "deep JSON": (write("deep.json", "[" * 100_000 + "]" * 100_000), "1:65: nested too deeply"),
        "binary": (write("garbage.yaml", bytes(range(256)) * 64), "not UTF-8 text"),
        "empty": (write("empty.yaml", ""), "1:1: the file is empty"),
        "count > n": (
            write("count.yaml", BASE.replace("n: 800, count: 19}", "n: 800, count: 900}")),
            "45:49: count 900 is larger than n 800",
        ),
        "dangling reference": (
            write("ref.yaml", BASE.replace("evidence: [sb-wmdp, audit-1]", "evidence: [sb-wmdp, audit-2]")),
            "256:25: 'audit-2' names no evaluation",
        ),
        "wrong type": (
            write("type.yaml", BASE.replace("    auditor_designed_tests: true", "    auditor_designed_tests: 3")),
            "224:29: expected true or false, found 3 (a number)",
        ),
    }


BAD_NAMES = [
    "malformed YAML",
    "malformed JSON",
    "duplicate keys",
    "alias bomb",
    "50 MB file",
    "deep YAML",
    "deep JSON",
    "binary",
    "empty",
    "count > n",
    "dangling reference",
    "wrong type",
]


@pytest.mark.parametrize("name", BAD_NAMES)
@pytest.mark.parametrize("command", ["check", "validate"])
def test_bad_input(tmp_path: Path, name: str, command: str) -> None:
    card, expected = _bad_inputs(tmp_path)[name]
    before = hashlib.sha256(card.read_bytes()).hexdigest()
    out = tmp_path / "reports" / "report.json"
    out.parent.mkdir()
    args = [command, card] + (["--format", "json", "-o", out] if command == "check" else [])
    done = safetycase(*args)
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
    done = safetycase("validate", card)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"{card}:45:49: count 900 is larger than n 800 (at /evaluations/0/arms/0/count)",
        f"{card}:256:25: 'audit-2' names no evaluation, audit or reasoning evidence in this card (at /claims/1/evidence/1)",
    ]


def test_validate_a_good_card() -> None:
    done = safetycase("validate", PASS_CARD)
    assert (done.returncode, done.stdout) == (0, f"{PASS_CARD}: valid\n")


def test_validate_and_batch_lines_show_control_characters_escaped(tmp_path: Path) -> None:
    # Names and keys from a folder of submissions reach the terminal escaped, one line each.
    submissions = tmp_path / "in"
    submissions.mkdir()
    good = submissions / "good\x1b]0;pwned\x07.yaml"
    good.write_text(BASE, encoding="utf-8")
    bad = submissions / "bad\u202elmay.yaml"
    bad.write_text(BASE + '"x-\\e[2J\\nFAKE: all clear": 1\n"x-\\e[2J\\nFAKE: all clear": 2\n', encoding="utf-8")
    done = safetycase("validate", good, bad)
    assert done.returncode == 2
    assert done.stdout == f"{submissions}/good\\x1b]0;pwned\\x07.yaml: valid\n"
    (line,) = done.stderr.splitlines()
    assert (
        line.startswith(f"{submissions}/bad\\u202elmay.yaml:")
        and "duplicate key 'x-\\x1b[2J\\nFAKE: all clear'" in line
    )

    batch = safetycase("batch", submissions, "--out", tmp_path / "out", "-f", "json")
    progress = [line for line in batch.stderr.splitlines() if line.startswith("[")]
    assert len(progress) == 2, batch.stderr
    assert any("bad\\u202elmay" in line and "\\x1b[2J\\nFAKE: all clear" in line for line in progress)
    assert any("good\\x1b]0;pwned\\x07" in line for line in progress)
    assert not re.search(
        "[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", done.stdout + done.stderr + batch.stderr
    )


def test_missing_card_file(tmp_path: Path) -> None:
    done = safetycase("check", tmp_path / "nope.yaml")
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
    done = safetycase("check", card, "--fail-on", fail_on)
    assert done.returncode == code, done.stderr
    assert done.stderr == ""


def test_unknown_fail_on_is_a_usage_error() -> None:
    done = safetycase("check", PASS_CARD, "--fail-on", "sometimes")
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
    done = safetycase("check", FAIL_CARD)
    lines = done.stdout.splitlines()
    assert lines[1] == str(FAIL_CARD) and lines[2] == "Orion-7 (orion-7-ga), Halcyon Labs"
    assert lines[4].startswith("VERDICT: FAIL")
    assert "3 blocker" in lines[4]
    assert "\x1b[" not in done.stdout  # not a terminal: no colour codes
    _fits_80_columns(done.stdout, str(FAIL_CARD))
    assert f"{FAIL_CARD}:133  AR-3 (unmet)\n" in done.stdout  # file:line for findings
    assert done.stdout.index("Blockers (3)") < done.stdout.index("Major findings") < done.stdout.index("Minor findings")
    # Figures are the ones the message does not state, in plain words (true, not Python's True).
    assert "    figures: financial_ties: true\n" in done.stdout
    assert "True" not in done.stdout and "None" not in done.stdout
    assert "figures: interval_pp: [5.82, 12.35]; p_value: 6.56e-08; adjusted_p_value:" in done.stdout


def test_a_long_path_and_long_names_keep_the_text_report_in_80_columns(tmp_path: Path) -> None:
    deep = tmp_path.joinpath(*["a-rather-long-folder-name"] * 6)
    deep.mkdir(parents=True)
    card = deep / "card.yaml"
    text = FAIL_CARD.read_text(encoding="utf-8")
    text = text.replace("name: Orion-7\n", "name: " + "Orion-7 extended reasoning edition " * 5 + "\n", 1)
    text = text.replace("organization: Halcyon Labs\n", "organization: " + "Halcyon Labs Group " * 8 + "\n", 1)
    card.write_text(text, encoding="utf-8")
    done = safetycase("check", card, "--no-evidence")
    assert done.returncode == 1, done.stderr
    assert len(str(card)) > 80
    lines = done.stdout.splitlines()
    assert lines[1] == str(card)
    assert "Orion-7 extended reasoning edition" in lines[2] and len(lines[2]) > 60  # wrapped, not cut
    assert "Halcyon Labs Group" in "".join(lines[2:6])
    _fits_80_columns(done.stdout, str(card))


def test_json_output_to_a_file(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    done = safetycase("check", CONDITIONAL_CARD, "--format", "json", "-o", out)
    assert done.returncode == 0 and done.stdout == ""
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["verdict"] == "conditional"
    assert report["generated_on"] == "2026-11-24"  # SOURCE_DATE_EPOCH
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_output_folder_must_exist(tmp_path: Path) -> None:
    done = safetycase("check", PASS_CARD, "--format", "json", "-o", tmp_path / "no" / "report.json")
    assert done.returncode == 2 and "no folder" in done.stderr


def test_several_formats_in_one_run_write_each_into_the_folder(tmp_path: Path) -> None:
    out = tmp_path / "reports"  # made by the run: its parent exists
    done = safetycase("check", FAIL_CARD, "--format", "json,sarif,markdown,junit", "-o", out)
    assert done.returncode == 1, done.stderr  # the gate, as with one format
    assert sorted(p.name for p in out.iterdir()) == ["report.json", "report.md", "report.sarif", "report.xml"]
    one = safetycase("check", FAIL_CARD, "--format", "json")
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
    done = safetycase("check", PASS_CARD, *(str(places.get(a, a)) for a in args))
    assert done.returncode == 2 and expected in done.stderr, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]
    assert (tmp_path / "file").read_text(encoding="utf-8") == "keep\n"


def test_several_formats_for_an_invalid_card_make_no_folder(tmp_path: Path) -> None:
    card = tmp_path / "card.yaml"
    card.write_text("schema_version: '1.0'\n", encoding="utf-8")
    done = safetycase("check", card, "--format", "json,html", "-o", tmp_path / "out")
    assert done.returncode == 2 and not (tmp_path / "out").exists()


@pytest.mark.parametrize("fmt", ["sarif", "junit", "html"])
def test_one_document_formats_take_one_card_on_standard_output(fmt: str) -> None:
    done = safetycase("check", PASS_CARD, CONDITIONAL_CARD, "--format", fmt)
    assert done.returncode == 2 and done.stdout == ""
    assert f"the {fmt} format holds one card" in done.stderr


def test_unknown_format() -> None:
    done = safetycase("check", PASS_CARD, "--format", "docx")
    assert done.returncode == 2 and "unknown format 'docx'" in done.stderr


def test_regulator_profile_is_stricter() -> None:
    default = json.loads(safetycase("check", CONDITIONAL_CARD, "-f", "json").stdout)
    regulator = json.loads(safetycase("check", CONDITIONAL_CARD, "-f", "json", "--profile", "regulator").stdout)
    assert regulator["profile"]["name"] == "regulator"
    assert regulator["pass_score"] > default["pass_score"]
    assert regulator["score"] < default["score"]
    assert len(regulator["findings"]) > len(default["findings"])


def test_profile_file_with_an_unknown_option(tmp_path: Path) -> None:
    profile = tmp_path / "strict.yaml"
    profile.write_text("extends: regulator\npass_scor: 90\n", encoding="utf-8")
    done = safetycase("check", PASS_CARD, "--profile", profile)
    assert done.returncode == 2
    assert done.stderr.startswith(f"{profile}:2:1: unknown profile option 'pass_scor' (known: ")


def test_unknown_built_in_profile() -> None:
    done = safetycase("check", PASS_CARD, "--profile", "lenient")
    assert done.returncode == 2
    assert done.stderr == "lenient: no such profile (built-in profiles: default, regulator)\n"


def test_version() -> None:
    from checker import __version__

    done = safetycase("--version")
    assert (done.returncode, done.stdout) == (0, f"safetycase {__version__}\n")


def test_schema_command_prints_the_schema() -> None:
    done = safetycase("schema")
    assert json.loads(done.stdout) == json.loads((ROOT / "schema/submission.schema.json").read_text(encoding="utf-8"))


def test_requirements_command_lists_the_catalog() -> None:
    import yaml

    ids = [
        r["id"] for r in yaml.safe_load((ROOT / "schema/requirements.yaml").read_text(encoding="utf-8"))["requirements"]
    ]
    done = safetycase("requirements", "--format", "json")
    assert [r["id"] for r in json.loads(done.stdout)["requirements"]] == ids
    text = safetycase("requirements").stdout
    assert all(i in text for i in ids)


def test_init_writes_a_card_that_validates_and_checks(tmp_path: Path) -> None:
    card = tmp_path / "card.yaml"
    done = safetycase("init", "-o", card)
    assert done.returncode == 0, done.stderr
    assert safetycase("validate", card).returncode == 0
    checked = safetycase("check", card, "--format", "json")
    report = json.loads(checked.stdout)
    assert report["verdict"] == "conditional"  # an empty card is valid, with findings to fill
    assert report["counts"]["major"] > 10
    again = safetycase("init", "-o", card)
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


def test_a_folder_given_as_profile(tmp_path: Path) -> None:
    done = safetycase("check", PASS_CARD, "--profile", tmp_path)
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
    ("name", "start"), [("audit.pdf", b"%PDF-"), ("audit.html", b"<!DOCTYPE html>"), ("audit.md", b"# ")]
)
def test_report_takes_its_format_from_the_file_name(tmp_path: Path, name: str, start: bytes) -> None:
    done = safetycase("report", FAIL_CARD, "-o", tmp_path / name)
    assert done.returncode == 0, done.stderr  # a report is written whatever the verdict
    assert (tmp_path / name).read_bytes().startswith(start)
    assert done.stderr.startswith(f"wrote {tmp_path / name} (") and "fail, score 31.5" in done.stderr


def test_report_format_option_wins_over_the_name(tmp_path: Path) -> None:
    done = safetycase("report", PASS_CARD, "--format", "markdown", "-o", tmp_path / "audit.txt")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "audit.txt").read_text(encoding="utf-8").startswith("# Safety case gap report: Aster-2")


def test_report_without_a_known_extension_or_format(tmp_path: Path) -> None:
    done = safetycase("report", PASS_CARD, "-o", tmp_path / "audit.txt")
    assert done.returncode == 2
    assert "cannot tell the format of" in done.stderr and "--format markdown, html or pdf" in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_report_of_a_bad_card_writes_nothing(tmp_path: Path) -> None:
    card = tmp_path / "card.yaml"
    card.write_text(BASE.replace("n: 800, count: 19}", "n: 800, count: 900}"), encoding="utf-8")
    done = safetycase("report", card, "-o", tmp_path / "audit.pdf")
    assert done.returncode == 2 and "count 900 is larger than n 800" in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["card.yaml"]


def test_pdf_to_standard_output_is_refused_before_any_work() -> None:
    done = safetycase("check", PASS_CARD, "--format", "pdf")
    assert done.returncode == 2
    assert done.stderr == "safetycase: the pdf format is binary; write it to a file with -o\n"


@pytest.mark.parametrize(("fmt", "suffix"), [("json", "json"), ("markdown", "md"), ("html", "html"), ("pdf", "pdf")])
def test_reports_are_byte_for_byte_reproducible(tmp_path: Path, fmt: str, suffix: str) -> None:
    # Two separate processes (other hash seeds, other temporary names): the same bytes.
    outputs = []
    for run in ("a", "b"):
        out = tmp_path / f"{run}.{suffix}"
        done = safetycase("check", FAIL_CARD, "--format", fmt, "-o", out, env={"PYTHONHASHSEED": "random"})
        assert done.returncode == 1, done.stderr  # the gate fails on blockers; the report is written
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    if fmt == "pdf":  # the dates are the report's (SOURCE_DATE_EPOCH), not the clock's
        import io

        import pypdf

        meta = pypdf.PdfReader(io.BytesIO(outputs[0])).metadata
        assert meta is not None and meta["/CreationDate"] == meta["/ModDate"] == "D:20261124000000Z"
