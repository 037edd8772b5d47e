"""Evidence verification: confinement to the card's folder, hashes, and raw samples recounted.

Each test builds a card folder from cases/base.yaml and the passing example's evidence files,
then changes one file or one declaration.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest
from conftest import BASE, TODAY, safetycase

from checker import evidence
from checker.pipeline import check_file, verify_evidence
from checker.report import EvidenceRecord, Report
from checker.severity import Severity
from tests.test_requirements import EVIDENCE

SA_LINE = (
    "      - {path: evidence/sa-suite.jsonl, sha256: "
    "4b1e76bfbbfdbab16f565545016e4cab8a1324f180b942b03a0d2f2b172da58d, kind: raw_samples}\n"
)
SA_ARMS = "      - {context: overall, n: 1200, count: 648}\n"
SA_POINTER = "/evaluations/6/evidence/0"


def folder(tmp_path: Path, text: str = BASE) -> Path:
    """A card folder: the card and a copy of the base card's evidence files."""
    shutil.copytree(EVIDENCE, tmp_path / "evidence")
    card = tmp_path / "card.yaml"
    card.write_text(text, encoding="utf-8")
    return card


def with_sa_file(tmp_path: Path, path: str, sha256: str | None, arms: str = SA_ARMS) -> Path:
    """The base card with sa-suite's raw samples declared at `path` (and `sha256`) and its arms replaced."""
    declared = f"      - {{path: {json.dumps(path)}{', sha256: ' + sha256 if sha256 else ''}, kind: raw_samples}}\n"
    return folder(tmp_path, BASE.replace(SA_LINE, declared).replace(SA_ARMS, arms))


def record(report: Report, pointer: str = SA_POINTER) -> EvidenceRecord:
    (found,) = [r for r in report.evidence if r.pointer == pointer]
    return found


def findings(report: Report, requirement: str) -> list[tuple[str, Severity, str]]:
    return [(f.pointer, f.severity, f.message) for f in report.findings if f.requirement == requirement]


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- statuses --------------------------------------------------------------------------------------


def test_every_file_of_the_base_card_verifies(tmp_path: Path) -> None:
    report = check_file(folder(tmp_path), today=TODAY)
    assert report.evidence_verified is True
    assert {r.status for r in report.evidence} == {"verified"} and len(report.evidence) == 8
    assert all(r.actual_sha256 == r.declared_sha256 for r in report.evidence)
    assert record(report).recounted is not None
    assert [(a.context, a.n, a.count) for a in record(report).recounted or ()] == [("overall", 1200, 648)]


def test_mismatch_is_a_blocker_under_both_profiles(tmp_path: Path) -> None:
    card = folder(tmp_path)
    (tmp_path / "evidence" / "audit-1.md").write_text("an altered audit report\n", encoding="utf-8")
    for profile in ("default", "regulator"):
        report = check_file(card, profile, today=TODAY)
        audit = record(report, "/independent_audits/0/report")
        assert audit.status == "mismatch" and audit.actual_sha256 == sha(b"an altered audit report\n")
        ((pointer, severity, message),) = findings(report, "VS-8")
        assert (pointer, severity) == ("/independent_audits/0/report/sha256", Severity.BLOCKER)
        assert f"its sha256 is {audit.actual_sha256}, the card declares {audit.declared_sha256}" in message
        assert report.verdict.value == "fail"


def test_missing_file_is_minor_by_default_and_major_for_a_regulator(tmp_path: Path) -> None:
    card = folder(tmp_path)
    (tmp_path / "evidence" / "sb-wmdp-summary.md").unlink()
    expected = "evaluation 'sb-wmdp' declares evidence/sb-wmdp-summary.md, which is not in the card's folder (missing)"
    default = check_file(card, "default", today=TODAY)
    assert record(default, "/evaluations/2/evidence/0").status == "missing"
    assert findings(default, "VS-7") == [("/evaluations/2/evidence/0/path", Severity.MINOR, expected)]
    regulator = check_file(card, "regulator", today=TODAY)
    assert findings(regulator, "VS-7") == [("/evaluations/2/evidence/0/path", Severity.MAJOR, expected)]


def test_a_file_without_a_declared_hash_is_read_and_recounted(tmp_path: Path) -> None:
    data = (EVIDENCE / "sa-suite.jsonl").read_bytes()
    card = with_sa_file(tmp_path, "evidence/sa-suite.jsonl", None)
    report = check_file(card, today=TODAY)
    sa = record(report)
    assert (sa.status, sa.actual_sha256, sa.declared_sha256) == ("not_declared", sha(data), None)
    assert findings(report, "VS-5") and not findings(report, "VS-8")


def test_no_evidence_reads_nothing_and_says_so(tmp_path: Path) -> None:
    card = folder(tmp_path)
    (tmp_path / "evidence" / "audit-1.md").write_text("altered\n", encoding="utf-8")  # would be a blocker
    report = check_file(card, today=TODAY, evidence=False)
    assert report.evidence_verified is False
    assert {r.status for r in report.evidence} == {"not_checked"}
    assert all(r.actual_sha256 is None for r in report.evidence)
    assert report.verdict.value == "pass"
    done = safetycase("check", card, "--no-evidence")
    assert done.returncode == 0 and "Evidence files were not read" in done.stdout
    done = safetycase("check", card)
    assert done.returncode == 1 and "VS-8" in done.stdout  # read, it is a blocker


def test_a_card_with_no_folder_of_its_own_reads_no_evidence_and_says_why(tmp_path: Path) -> None:
    card = folder(tmp_path)
    why = "this card has no folder of its own"
    report = check_file(card, today=TODAY, no_folder=why)
    assert report.evidence_verified is True  # refused, not skipped: the lab has something to fix
    assert {(r.status, r.reason, r.actual_sha256) for r in report.evidence} == {("refused", why, None)}
    assert len(findings(report, "VS-7")) == len(report.evidence)
    assert {r.status for r in check_file(card, today=TODAY).evidence} == {"verified"}  # the same card, in its folder


def test_the_bytes_given_are_the_card_checked(tmp_path: Path) -> None:
    card = folder(tmp_path)
    given = BASE.replace("\n  name: ", "\n  name: Given-", 1).encode("utf-8")
    report = check_file(card, today=TODAY, raw=given)
    assert report.submission.model.startswith("Given-") and report.submission.sha256 == sha(given)


# --- refused, never opened -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/etc/passwd", "an absolute path"),
        ("C:\\\\Windows\\\\win.ini", "an absolute path"),
        ("\\\\\\\\server\\\\share\\\\x.jsonl", "an absolute path"),
        ("../outside.jsonl", "uses '..'; evidence paths may not step up a folder"),
        ("evidence/../../outside.jsonl", "uses '..'; evidence paths may not step up a folder"),
        ("evidence\\\\..\\\\..\\\\outside.jsonl", "uses '..'; evidence paths may not step up a folder"),
    ],
)
def test_paths_out_of_the_folder_are_refused_unopened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, path: str, reason: str
) -> None:
    card = with_sa_file(tmp_path / "card", json.loads(f'"{path}"'), "ab" * 32)
    opened: list[str] = []
    real_open = os.open
    monkeypatch.setattr(os, "open", lambda p, *a, **k: opened.append(str(p)) or real_open(p, *a, **k))
    report = check_file(card, today=TODAY)
    sa = record(report)
    assert (sa.status, sa.actual_sha256) == ("refused", None)
    assert sa.reason.startswith(reason)
    assert not any("outside" in p or "passwd" in p or "win.ini" in p or "server" in p for p in opened)
    ((pointer, severity, message),) = findings(report, "VS-7")
    assert pointer == SA_POINTER + "/path" and severity is Severity.MINOR
    assert message.startswith("evaluation 'sa-suite' declares ") and "was refused and never read" in message


def test_a_symbolic_link_out_of_the_folder_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    secret = tmp_path / "secret.jsonl"
    secret.write_text('{"context": "overall", "outcome": true}\n', encoding="utf-8")
    card = with_sa_file(tmp_path / "card", "evidence/link.jsonl", sha(secret.read_bytes()))
    (tmp_path / "card" / "evidence" / "link.jsonl").symlink_to(secret)
    opened: list[str] = []
    real_open = os.open
    monkeypatch.setattr(os, "open", lambda p, *a, **k: opened.append(str(p)) or real_open(p, *a, **k))
    sa = record(check_file(card, today=TODAY))
    assert (sa.status, sa.reason) == ("refused", "leads out of the card's folder through a symbolic link")
    assert str(secret) not in opened


def test_a_link_to_dev_zero_is_refused(tmp_path: Path) -> None:
    card = with_sa_file(tmp_path, "evidence/zero.jsonl", "ab" * 32)
    (tmp_path / "evidence" / "zero.jsonl").symlink_to("/dev/zero")
    sa = record(check_file(card, today=TODAY))
    assert (sa.status, sa.reason) == ("refused", "leads out of the card's folder through a symbolic link")


def test_a_pipe_or_folder_inside_is_refused_without_blocking(tmp_path: Path) -> None:
    card = with_sa_file(tmp_path, "evidence/pipe.jsonl", "ab" * 32)
    os.mkfifo(tmp_path / "evidence" / "pipe.jsonl")  # opening it for reading would block
    sa = record(check_file(card, today=TODAY))
    assert (sa.status, sa.reason) == ("refused", "not a regular file (device, pipe, socket or folder)")
    card = with_sa_file(tmp_path / "other", "evidence", "ab" * 32)
    sa = record(check_file(card, today=TODAY))
    assert sa.status == "refused" and sa.reason.startswith("not a regular file")


def test_a_link_that_stays_inside_is_followed(tmp_path: Path) -> None:
    card = with_sa_file(
        tmp_path, "evidence/latest.jsonl", "4b1e76bfbbfdbab16f565545016e4cab8a1324f180b942b03a0d2f2b172da58d"
    )
    (tmp_path / "evidence" / "latest.jsonl").symlink_to("sa-suite.jsonl")
    assert record(check_file(card, today=TODAY)).status == "verified"


# --- recounting raw samples ------------------------------------------------------------------------


def lines(*samples: tuple[str, bool]) -> list[str]:
    return [json.dumps({"context": c, "outcome": o}) for c, o in samples]


MONITORING_ARMS = "      - {context: monitored, n: 3, count: 2}\n      - {context: unmonitored, n: 2, count: 0}\n"


FIVE = lines(
    ("monitored", True), ("unmonitored", False), ("monitored", False), ("unmonitored", False), ("monitored", True)
)
"""Five samples with interleaved contexts: monitored 2 of 3, unmonitored 0 of 2."""


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("interleaved", "\n".join(FIVE) + "\n"),
        ("blank lines", "\n\n".join(FIVE) + "\n\n  \n"),
        ("no final newline", "\n".join(FIVE)),
        ("BOM", "\ufeff" + "\n".join(FIVE) + "\n"),
        ("CRLF", "\r\n".join(FIVE) + "\r\n"),
    ],
)
def test_raw_samples_are_recounted(tmp_path: Path, name: str, data: str) -> None:
    raw = data.encode("utf-8")
    card = with_sa_file(tmp_path, "evidence/mine.jsonl", sha(raw), MONITORING_ARMS)
    (tmp_path / "evidence" / "mine.jsonl").write_bytes(raw)
    report = check_file(card, today=TODAY)
    sa = record(report)
    assert sa.status == "verified", (name, sa.reason)
    assert [(a.context, a.n, a.count) for a in sa.recounted or ()] == [("monitored", 3, 2), ("unmonitored", 2, 0)]
    assert findings(report, "VS-9") == []
    (comparison,) = [c for c in report.comparisons if c.evaluation == "sa-suite"]
    assert comparison.source == "recomputed" and (comparison.watched.n, comparison.watched.count) == (3, 2)


def test_a_line_split_across_reads_counts_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(evidence, "CHUNK", 7)  # every line straddles a read
    card = folder(tmp_path)
    sa = record(check_file(card, today=TODAY))
    assert sa.status == "verified"
    assert [(a.context, a.n, a.count) for a in sa.recounted or ()] == [("overall", 1200, 648)]


def test_counts_that_differ_from_the_raw_samples_are_a_blocker(tmp_path: Path) -> None:
    raw = (
        "\n".join(lines(("monitored", True), ("monitored", False), ("unmonitored", False), ("internal", True))) + "\n"
    ).encode()
    card = with_sa_file(tmp_path, "evidence/mine.jsonl", sha(raw), MONITORING_ARMS)
    (tmp_path / "evidence" / "mine.jsonl").write_bytes(raw)
    for profile in ("default", "regulator"):
        report = check_file(card, profile, today=TODAY)
        ((pointer, severity, message),) = findings(report, "VS-9")
        assert (pointer, severity) == ("/evaluations/6/arms", Severity.BLOCKER)
        assert message == (
            "evaluation 'sa-suite': its raw samples hold 1 of 1 'internal' samples that no arm declares; "
            "monitored is declared as 2 of 3 but the raw samples hold 1 of 2; "
            "unmonitored is declared as 0 of 2 but the raw samples hold 0 of 1"
        )
        # The comparison is of the recounted numbers, and says so.
        (comparison,) = [c for c in report.comparisons if c.evaluation == "sa-suite"]
        assert comparison.source == "recomputed" and (comparison.watched.n, comparison.unwatched.n) == (2, 1)


def test_malformed_lines_make_the_file_unverifiable(tmp_path: Path) -> None:
    good = lines(
        ("monitored", True), ("monitored", True), ("monitored", False), ("unmonitored", False), ("unmonitored", False)
    )
    bad = ["{not json", "[1, 2]", '{"context": "outside", "outcome": true}', '{"context": "monitored", "outcome": "yes"}',
           '{"outcome": true}', "42", '{"context": "monitored"}']  # fmt: skip
    raw = ("\n".join(good[:2] + bad + good[2:]) + "\n").encode()
    card = with_sa_file(tmp_path, "evidence/mine.jsonl", sha(raw), MONITORING_ARMS)
    (tmp_path / "evidence" / "mine.jsonl").write_bytes(raw)
    report = check_file(card, today=TODAY)
    sa = record(report)
    assert (sa.status, sa.malformed_total, sa.recounted) == ("unverifiable", 7, None)
    assert [(m.line, m.problem) for m in sa.malformed] == [
        (3, "not a JSON value"),
        (4, "not a JSON object"),
        (5, "'context' is \"outside\", not a known context"),
        (6, "'outcome' is \"yes\", not true or false"),
        (7, "'context' is null, not a known context"),
    ]
    ((pointer, severity, message),) = findings(report, "VS-7")
    assert (pointer, severity) == (SA_POINTER + "/path", Severity.MINOR)
    assert "7 malformed lines (line 3: not a JSON value;" in message and message.endswith("; and 2 more)")
    (comparison,) = [c for c in report.comparisons if c.evaluation == "sa-suite"]
    assert comparison.source == "declared"  # unverifiable numbers are not used


def test_recount_unit_agrees_with_json_loads_line_by_line() -> None:
    """The recount decodes a chunk at a time; each line must still be judged as json.loads judges it alone."""
    valid = '{"context": "monitored", "outcome": true}'
    cases = {
        valid: True,
        " \t" + valid + " \r": True,  # JSON whitespace around the value
        "\ufeff" + valid: True,  # a byte-order mark, which json.loads drops from bytes
        "\x0b\x0c": None,  # blank to bytes.strip(): skipped, not counted, not malformed
        "\x0c" + valid: False,  # not JSON whitespace
        valid + " " + valid: False,  # two values on one line
        "[" * 100_000 + "]" * 100_000: False,  # too deep for the C scanner: malformed, not a crash
        '{"context": "monitored", "outcome": true, "context": "unmonitored"}': True,  # last key wins, as loads
    }
    for line, counted in cases.items():
        recount = evidence._Recount()
        recount.feed(line.encode("utf-8") + b"\n")
        recount.close()
        assert sum(recount.counts.values()) == (1 if counted else 0), line[:60]
        assert recount.malformed_total == (1 if counted is False else 0), line[:60]
        if "[" * 10 in line:
            assert recount.malformed[0].problem == "nested too deeply"


def test_a_line_that_is_not_utf8_is_malformed_alone() -> None:
    good = b'{"context": "monitored", "outcome": true}\n'
    recount = evidence._Recount()
    recount.feed(good + b'{"context": "monitored\xff", "outcome": true}\n' + good * 3)
    recount.close()
    assert recount.counts[("monitored", True)] == 4
    assert [(m.line, m.problem) for m in recount.malformed] == [(2, "not a JSON value")]


def test_verify_evidence_is_a_small_public_api(tmp_path: Path) -> None:
    card = folder(tmp_path)
    (tmp_path / "evidence" / "hg-auditing-game.jsonl").unlink()
    records = verify_evidence(card)
    assert [r.status for r in records].count("verified") == 7
    (missing,) = [r for r in records if r.status == "missing"]
    assert (missing.entry, missing.path) == ("hg-auditing-game", "evidence/hg-auditing-game.jsonl")
