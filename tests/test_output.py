"""The format registry and the output plan, in process: what --format and -o mean, decided before any card is checked.

The command line only passes options through (tests/test_cli*.py run it end to end); what goes
where, and what is refused, is decided here.
"""

from __future__ import annotations

import json
import os
from pathlib import Path, PurePath

import pytest
from conftest import FAIL_CARD, PASS_CARD, ROOT, TODAY, SharedPrinter, safetycase

from checker import output
from checker.output import OutputPlan, OutputRefused, parse_formats, plan_output, write_atomically
from checker.pipeline import check_file
from checker.problems import UsageError
from checker.render import DOCUMENTS, FORMATS, Format, RenderOptions, format_named, format_of_file
from checker.report import Report


@pytest.fixture(scope="module")
def reports() -> tuple[Report, Report]:
    """The passing and the failing example, checked as test_documents checks them (so that PDFs are shared)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(ROOT)
        return tuple(check_file(card.relative_to(ROOT), today=TODAY) for card in (PASS_CARD, FAIL_CARD))  # type: ignore[return-value]


def _plan(formats: str, out: Path | None, *cards: Path) -> OutputPlan:
    return plan_output(parse_formats(formats), out, cards or (PASS_CARD,))


# --- the registry ------------------------------------------------------------------------------


def test_every_text_format_renders_text(reports: tuple[Report, Report]) -> None:
    for fmt in FORMATS.values():
        if not fmt.binary:
            assert isinstance(fmt.render(reports[1]), str), fmt.name


@pytest.mark.slow
def test_every_binary_format_renders_bytes(reports: tuple[Report, Report], pdf_printer: SharedPrinter) -> None:
    binary = [fmt for fmt in FORMATS.values() if fmt.binary]
    assert binary
    for fmt in binary:
        assert isinstance(fmt.render(reports[1]), bytes), fmt.name


def test_each_extension_and_suffix_belongs_to_one_format() -> None:
    assert len({f.extension for f in FORMATS.values()}) == len(FORMATS)
    suffixes = [s for f in FORMATS.values() for s in f.suffixes]
    assert len(set(suffixes)) == len(suffixes)
    for fmt in DOCUMENTS:
        for suffix in fmt.suffixes:
            assert format_of_file(PurePath(f"audit{suffix.upper()}")) is fmt
    assert format_of_file(PurePath("audit.txt")) is None and format_of_file(PurePath(".pdf")) is None
    with pytest.raises(LookupError, match=r"^unknown format 'docx' \(available: " + ", ".join(FORMATS) + r"\)$"):
        format_named("docx")


def test_the_help_lists_the_registry() -> None:
    names = list(FORMATS)
    check_help = " ".join(safetycase("check", "--help", env={"COLUMNS": "200"}).stdout.split())
    assert f"{', '.join(names[:-1])} or {names[-1]} (" in check_help
    batch_help = " ".join(safetycase("batch", "--help", env={"COLUMNS": "200"}).stdout.split())
    assert f"separated by commas: {', '.join(names)}." in batch_help
    report_help = " ".join(safetycase("report", "--help", env={"COLUMNS": "200"}).stdout.split())
    assert "<" + "|".join(f.name for f in DOCUMENTS) + ">" in report_help


# --- --format ----------------------------------------------------------------------------------


def test_formats_are_parsed_in_order_case_and_spaces_aside() -> None:
    assert parse_formats(" JSON, sarif,markdown") == (FORMATS["json"], FORMATS["sarif"], FORMATS["markdown"])


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("json,,sarif", "--format 'json,,sarif' has an empty name; give names separated by commas, e.g. json,sarif"),
        ("json,docx", "unknown format 'docx' (available: " + ", ".join(FORMATS) + ")"),
        ("json,html,JSON,html", "--format names html, json more than once"),
    ],
)
def test_bad_format_lists_are_refused(value: str, message: str) -> None:
    with pytest.raises(UsageError) as refused:
        parse_formats(value)
    assert str(refused.value) == message


# --- where the reports go ------------------------------------------------------------------------


def test_one_format_without_o_goes_to_standard_output() -> None:
    plan = _plan("text", None)
    assert (plan.targets, plan.folder, plan.several_cards) == ((), None, False)


def test_one_format_with_o_goes_to_that_file(tmp_path: Path) -> None:
    plan = _plan("sarif", tmp_path / "out.sarif")
    assert (plan.targets, plan.folder) == ((tmp_path / "out.sarif",), None)


def test_several_formats_go_into_the_folder_named_by_their_extensions(tmp_path: Path) -> None:
    plan = _plan(",".join(FORMATS), tmp_path / "new")
    assert plan.folder == tmp_path / "new"
    assert plan.targets == tuple(tmp_path / "new" / f"report.{f.extension}" for f in FORMATS.values())
    assert not (tmp_path / "new").exists()  # made when the reports are ready, not when planned


@pytest.mark.parametrize(
    ("formats", "out", "cards", "message"),
    [
        (
            "json",
            "x.json",
            2,
            "-o takes one card; give one card per run, or use `safetycase batch` for a folder of cards",
        ),
        ("json,sarif", None, 1, "several formats (json, sarif) need a folder to write them to: give -o FOLDER"),
        ("pdf", None, 1, "the pdf format is binary; write it to a file with -o"),
        (
            "html",
            None,
            2,
            "the html format holds one card; check one card per run, or use `safetycase batch` for a folder",
        ),
    ],
)
def test_options_that_do_not_go_together(formats: str, out: str | None, cards: int, message: str) -> None:
    with pytest.raises(UsageError) as refused:
        _plan(formats, None if out is None else Path(out), *[PASS_CARD] * cards)
    assert str(refused.value) == message


def test_every_one_card_format_is_refused_for_several_cards_on_standard_output() -> None:
    for fmt in FORMATS.values():
        if fmt.binary:
            continue
        if fmt.several_cards:
            assert _plan(fmt.name, None, PASS_CARD, FAIL_CARD).several_cards
        else:
            with pytest.raises(UsageError, match=f"the {fmt.name} format holds one card"):
                _plan(fmt.name, None, PASS_CARD, FAIL_CARD)


def test_outputs_that_would_damage_something_are_refused_before_any_work(tmp_path: Path) -> None:
    card = tmp_path / "card.yaml"
    card.write_bytes(PASS_CARD.read_bytes())
    with pytest.raises(OutputRefused, match=r"is the card .* being checked"):
        _plan("json", card, card)
    (tmp_path / "folder").mkdir()
    with pytest.raises(OutputRefused, match="it is a folder; give a file name"):
        _plan("json", tmp_path / "folder", card)
    (tmp_path / "elsewhere").write_text("not a report")
    (tmp_path / "folder" / "report.json").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(OutputRefused, match=r"report\.json: it is a symbolic link"):
        _plan("json,sarif", tmp_path / "folder", card)
    with pytest.raises(UsageError, match=r"several formats go to a folder, and .* is not one"):
        _plan("json,sarif", card, card)
    with pytest.raises(UsageError, match="no folder"):
        _plan("json,sarif", tmp_path / "missing" / "reports", card)
    with pytest.raises(UsageError, match="File name too long"):  # the path cannot even be looked at
        _plan("json,sarif", tmp_path / ("x" * 300), card)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["card.yaml", "elsewhere", "folder"]
    assert (tmp_path / "elsewhere").read_text() == "not a report"


# --- rendering what was planned -----------------------------------------------------------------


def test_standard_output_joins_several_cards_as_each_format_says(reports: tuple[Report, Report]) -> None:
    one = _plan("json", None).text(reports[:1], RenderOptions())
    assert one == FORMATS["json"].render(reports[0]) and json.loads(one)["verdict"] == "pass"
    several = _plan("json", None, PASS_CARD, FAIL_CARD).text(reports, RenderOptions())
    assert [r["verdict"] for r in json.loads(several)] == ["pass", "fail"] and several.endswith("]\n")
    text = _plan("text", None, PASS_CARD, FAIL_CARD).text(reports, RenderOptions())
    assert text == "\n".join(str(FORMATS["text"].render(r)) for r in reports)
    assert _plan("text", None).text([], RenderOptions()) == ""  # the only card could not be checked


def test_colour_reaches_the_terminal_report_only(reports: tuple[Report, Report]) -> None:
    plan = _plan("text", None)
    assert "\x1b[" in plan.text(reports[1:], RenderOptions(colour=True))
    assert "\x1b[" not in plan.text(reports[1:], RenderOptions())


def test_the_folder_is_made_and_each_report_written_whole(tmp_path: Path, reports: tuple[Report, Report]) -> None:
    plan = _plan("json,markdown,sarif", tmp_path / "reports")
    written = plan.write(reports[1])
    assert written == plan.targets and all(t.is_file() for t in written)
    assert json.loads(written[0].read_text(encoding="utf-8"))["verdict"] == "fail"
    assert written[1].read_text(encoding="utf-8") == FORMATS["markdown"].render(reports[1])
    assert sorted(p.name for p in (tmp_path / "reports").iterdir()) == ["report.json", "report.md", "report.sarif"]


def test_a_folder_that_cannot_be_made_is_a_usage_error(tmp_path: Path, reports: tuple[Report, Report]) -> None:
    plan = _plan("json,sarif", tmp_path / "reports")
    (tmp_path / "reports").write_text("made meanwhile")  # a file where the folder was to be
    with pytest.raises(UsageError, match=r"cannot write .*reports"):
        plan.write(reports[0])


# --- a new format is its renderer and its entry -----------------------------------------------------


def test_a_new_format_needs_only_its_renderer_and_its_descriptor(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(
        FORMATS,
        "yaml",
        Format(name="yaml", extension="yml", binary=False, join=None, description="a test", module="fake_renderer"),
    )
    done = safetycase("check", FAIL_CARD, "-f", "json,yaml", "-o", tmp_path / "r")
    assert done.returncode == 1, done.stderr
    assert (tmp_path / "r" / "report.yml").read_text(encoding="utf-8") == "verdict: fail\n"
    submissions = tmp_path / "in"
    submissions.mkdir()
    (submissions / "orion.yaml").write_bytes(FAIL_CARD.read_bytes())
    done = safetycase("batch", submissions, "-o", tmp_path / "out", "-f", "yaml", "-j", "1", "--no-evidence")
    assert done.returncode == 1, done.stderr
    assert (tmp_path / "out" / "cards" / "orion.yaml" / "report.yml").read_text(encoding="utf-8") == "verdict: fail\n"
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["cards"][0]["reports"] == {"yaml": "cards/orion.yaml/report.yml"}


# --- never over the card's own evidence -------------------------------------------------------------


def _card_with_evidence(tmp_path: Path) -> Path:
    """A copy of the passing example, evidence and all: its files are the inputs no report may replace."""
    import shutil

    shutil.copytree(PASS_CARD.parent / "evidence", tmp_path / "aster" / "evidence")
    card = tmp_path / "aster" / "card.yaml"
    card.write_bytes(PASS_CARD.read_bytes())
    return card


@pytest.mark.parametrize(
    ("args", "target"),
    [
        (["check", "{card}", "-f", "markdown", "-o", "{folder}/evidence/audit-1.md"], "evidence/audit-1.md"),
        (["check", "{card}", "-f", "json", "-o", "{folder}/./evidence//sa-suite.jsonl"], "evidence/sa-suite.jsonl"),
        (
            ["check", "{card}", "-f", "json", "-o", "{folder}/evidence/audit-1.md", "--no-evidence"],
            "evidence/audit-1.md",
        ),
        (["report", "{card}", "-o", "{folder}/evidence/audit-1.md"], "evidence/audit-1.md"),
        (
            ["report", "{card}", "-f", "html", "-o", "{folder}/evidence/sb-wmdp-summary.md"],
            "evidence/sb-wmdp-summary.md",
        ),
    ],
)
def test_a_report_over_a_declared_evidence_file_is_refused(tmp_path: Path, args: list[str], target: str) -> None:
    card = _card_with_evidence(tmp_path)
    before = {p.name: p.read_bytes() for p in (card.parent / "evidence").iterdir()}
    done = safetycase(*(a.format(card=card, folder=card.parent) for a in args))
    written = Path(args[args.index("-o") + 1].format(folder=card.parent))  # as the command line reads it
    assert done.returncode == 2, done.stderr
    assert done.stderr == (
        f"safetycase: cannot write {written}: it is the evidence file {target} that the card {card} declares; "
        "refusing to overwrite an input\n"
    )
    assert {p.name: p.read_bytes() for p in (card.parent / "evidence").iterdir()} == before


def test_a_report_folder_whose_report_would_replace_a_declared_file_is_refused(tmp_path: Path) -> None:
    card = _card_with_evidence(tmp_path)
    declares = card.read_text(encoding="utf-8").replace("evidence/audit-1.md", "evidence/report.json")
    card.write_text(declares, encoding="utf-8")
    (card.parent / "evidence" / "audit-1.md").rename(card.parent / "evidence" / "report.json")
    before = (card.parent / "evidence" / "report.json").read_bytes()
    done = safetycase("check", card, "-f", "markdown,json", "-o", card.parent / "evidence")
    assert done.returncode == 2
    assert f"cannot write {card.parent / 'evidence' / 'report.json'}: it is the evidence file evidence/report.json" in (
        done.stderr
    )
    assert (card.parent / "evidence" / "report.json").read_bytes() == before
    assert not (card.parent / "evidence" / "report.md").exists()  # nothing written, not even the other format


def test_a_declared_file_that_is_missing_is_not_written_either(tmp_path: Path) -> None:
    """A report at a declared path would become the evidence of the next check: refused by name."""
    card = _card_with_evidence(tmp_path)
    (card.parent / "evidence" / "audit-1.md").unlink()
    done = safetycase("report", card, "-o", card.parent / "evidence" / "audit-1.md")
    assert done.returncode == 2 and "it is the evidence file evidence/audit-1.md" in done.stderr
    assert not (card.parent / "evidence" / "audit-1.md").exists()


def test_a_report_beside_the_evidence_under_another_name_is_written(tmp_path: Path) -> None:
    card = _card_with_evidence(tmp_path)
    done = safetycase("check", card, "-f", "markdown,json", "-o", card.parent / "evidence")
    assert done.returncode == 0, done.stderr
    assert (card.parent / "evidence" / "report.md").is_file() and (card.parent / "evidence" / "report.json").is_file()


def test_a_batch_never_writes_into_a_card_s_folder(tmp_path: Path) -> None:
    card = _card_with_evidence(tmp_path / "in")
    before = {p.name: p.read_bytes() for p in (card.parent / "evidence").iterdir()}
    done = safetycase("batch", tmp_path / "in", "--out", card.parent / "evidence", "-j", "1")
    assert done.returncode == 2
    assert done.stderr == (
        f"safetycase: cannot write into {card.parent / 'evidence'}: it is inside {card.parent}, the folder of a card, "
        "whose evidence files a report there could replace; give a folder outside every card's folder\n"
    )
    assert {p.name: p.read_bytes() for p in (card.parent / "evidence").iterdir()} == before
    beside = safetycase("batch", tmp_path / "in", "--out", tmp_path / "in" / "reports", "-j", "1")
    assert beside.returncode == 0, beside.stderr  # inside the submissions, outside every card's folder


# --- writing atomically -------------------------------------------------------------------------


def test_a_report_reaches_the_disk_before_its_rename_and_the_rename_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    events: list[tuple[str, str]] = []
    fsync, replace = os.fsync, os.replace

    def recorded_fsync(descriptor: int) -> None:
        events.append(("fsync", os.readlink(f"/proc/self/fd/{descriptor}")))
        fsync(descriptor)

    def recorded_replace(source: str, target: str) -> None:
        events.append(("rename", os.fspath(target)))
        replace(source, target)

    monkeypatch.setattr(output.os, "fsync", recorded_fsync)
    monkeypatch.setattr(output.os, "replace", recorded_replace)
    target = tmp_path / "report.json"
    write_atomically(target, "{}\n")
    assert [kind for kind, _ in events] == ["fsync", "rename", "fsync"]
    assert Path(events[0][1]).parent == tmp_path and output.is_temporary(Path(events[0][1]).name)
    assert events[1:] == [("rename", str(target)), ("fsync", str(tmp_path))]
    assert target.read_text(encoding="utf-8") == "{}\n"
    events.clear()
    write_atomically(tmp_path / "cache.json", "{}\n", durable=False)  # a file a crash may lose without harm
    assert events == [("rename", str(tmp_path / "cache.json"))]
