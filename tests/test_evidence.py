"""Evidence verification: confinement to the card's folder, hashes, and raw samples recounted.

Each test builds a card folder from cases/base.yaml and the passing example's evidence files,
then changes one file or one declaration.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import socket
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from conftest import BASE, PASS_CARD, TODAY, safetycase

from checker import batch, evidence, pipeline
from checker.batch import Settings, check_one, discover
from checker.catalog import load_catalog
from checker.load import FileRead, load_card, read_regular
from checker.pipeline import check_file, verify_evidence
from checker.problems import CardError
from checker.profiles import load_profile
from checker.render import FORMATS
from checker.report import EvidenceRecord, RecountedArm, Report
from checker.severity import Severity
from checker.summary import Row
from checker.validate import validate
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
    return [(p.pointer, f.severity, p.message) for f in report.findings_for(requirement) for p in f.places]


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
    read = read_regular(card, what="card")
    report = check_file(card, today=TODAY, read=FileRead(path=card, raw=given, identity=read.identity))
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


LINK = "is a symbolic link; evidence is read from the card's own folder, never through a link"


def test_a_symbolic_link_out_of_the_folder_is_refused_unopened(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    secret = tmp_path / "secret.jsonl"
    secret.write_text('{"context": "overall", "outcome": true}\n', encoding="utf-8")
    card = with_sa_file(tmp_path / "card", "evidence/link.jsonl", sha(secret.read_bytes()))
    (tmp_path / "card" / "evidence" / "link.jsonl").symlink_to(secret)
    opened: list[str] = []
    real_open = os.open
    monkeypatch.setattr(os, "open", lambda p, *a, **k: opened.append(str(p)) or real_open(p, *a, **k))
    sa = record(check_file(card, today=TODAY))
    assert (sa.status, sa.reason) == ("refused", f"'evidence/link.jsonl' {LINK}")
    assert not any("link.jsonl" in p or "secret" in p for p in opened)


def test_a_link_to_dev_zero_is_refused(tmp_path: Path) -> None:
    card = with_sa_file(tmp_path, "evidence/zero.jsonl", "ab" * 32)
    (tmp_path / "evidence" / "zero.jsonl").symlink_to("/dev/zero")
    sa = record(check_file(card, today=TODAY))
    assert (sa.status, sa.reason) == ("refused", f"'evidence/zero.jsonl' {LINK}")


@pytest.mark.parametrize(
    ("link", "target", "shown"),
    [
        ("a", "real-a", "a"),  # the first folder, to a folder inside
        ("a/b", "../real-b", "a/b"),  # a folder in the middle, to a folder inside
        ("a/b/samples.jsonl", "../../real-b/samples.jsonl", "a/b/samples.jsonl"),  # the file, to a file inside
        ("a", "../outside", "a"),  # the first folder, out of the card's folder
        ("a/b/samples.jsonl", "/etc/hostname", "a/b/samples.jsonl"),  # the file, to a file elsewhere
    ],
)
def test_a_link_anywhere_in_the_path_is_refused(tmp_path: Path, link: str, target: str, shown: str) -> None:
    """In or out of the card's folder: a link is never followed, so that none can be swapped in to lead out."""
    raw = (EVIDENCE / "sa-suite.jsonl").read_bytes()
    card = with_sa_file(tmp_path / "card", "a/b/samples.jsonl", sha(raw))
    for folder in (tmp_path / "card" / "real-a", tmp_path / "card" / "real-b", tmp_path / "outside"):
        folder.mkdir()
        (folder / "samples.jsonl").write_bytes(raw)
    (tmp_path / "card" / "real-a" / "b").mkdir()
    (tmp_path / "card" / "real-a" / "b" / "samples.jsonl").write_bytes(raw)
    (tmp_path / "outside" / "b").mkdir()
    (tmp_path / "outside" / "b" / "samples.jsonl").write_bytes(raw)
    for path in ("a", "a/b"):  # the real path a/b/samples.jsonl: read when no link is in the way
        (tmp_path / "card" / path).mkdir(exist_ok=True)
    (tmp_path / "card" / "a" / "b" / "samples.jsonl").write_bytes(raw)
    assert record(check_file(card, today=TODAY)).status == "verified"
    placed = tmp_path / "card" / link
    shutil.rmtree(placed) if placed.is_dir() else placed.unlink()
    placed.symlink_to(target)
    descriptors = os.listdir("/proc/self/fd")
    sa = record(check_file(card, today=TODAY))
    assert (sa.status, sa.reason, sa.actual_sha256) == ("refused", f"'{shown}' {LINK}", None)
    assert os.listdir("/proc/self/fd") == descriptors  # the folders opened on the way are closed again


def test_a_hard_link_is_refused_and_told_why(tmp_path: Path) -> None:
    """A second name of a file may be outside the card's folder (a file of another lab, say): refused, not read."""
    raw = (EVIDENCE / "sa-suite.jsonl").read_bytes()
    elsewhere = tmp_path / "elsewhere.jsonl"
    elsewhere.write_bytes(raw)
    card = with_sa_file(tmp_path / "card", "evidence/linked.jsonl", sha(raw))
    os.link(elsewhere, tmp_path / "card" / "evidence" / "linked.jsonl")
    sa = record(check_file(card, today=TODAY))
    assert (sa.status, sa.actual_sha256) == ("refused", None)
    assert sa.reason == (
        "has 2 names (hard links), and another may lie outside the card's folder; submit a copy with one name instead"
    )
    elsewhere.unlink()  # one name again: read
    assert record(check_file(card, today=TODAY)).status == "verified"


def test_a_pipe_socket_or_folder_is_refused_and_never_opened(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    card = folder(tmp_path)
    os.mkfifo(tmp_path / "evidence" / "pipe.jsonl")  # opening it for reading could block
    (tmp_path / "evidence" / "folder.jsonl").mkdir()
    not_regular = ("refused", "not a regular file (device, pipe, socket or folder)")
    expected = {
        "pipe.jsonl": not_regular,
        "socket.jsonl": not_regular,
        "folder.jsonl": not_regular,
        "pipe.jsonl/x.jsonl": ("missing", "no such file ('evidence/pipe.jsonl' is not a folder)"),
    }
    opened: list[str] = []
    real_open = os.open
    monkeypatch.setattr(os, "open", lambda p, *a, **k: opened.append(str(p)) or real_open(p, *a, **k))
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(tmp_path / "evidence" / "socket.jsonl"))
        for name, (status, reason) in expected.items():
            card.write_text(BASE.replace("evidence/sa-suite.jsonl", f"evidence/{name}"), encoding="utf-8")
            sa = record(check_file(card, today=TODAY))
            assert (sa.status, sa.reason) == (status, reason), name
    assert [p for p in opened if p in ("pipe.jsonl", "socket.jsonl", "folder.jsonl")] == []


SMALL_CARD = """\
schema_version: "1.0"
submission: {organization: Example Lab}
model: {name: Example-1, release_id: example-1, released_configurations: [release], configurations: [{id: release}]}
evaluations:
  - id: sa-suite
    category: situational_awareness
    configuration: release
    evidence:
"""
"""A card that loads in a moment: the evidence it declares follows."""


@contextlib.contextmanager
def _swapping(folder: Path, parked: Path, link: Path) -> Iterator[None]:
    """While the body runs, a thread swaps `folder` for `link` (a link out) and back, over and over."""
    stop = threading.Event()

    def swap() -> None:
        while not stop.is_set():
            os.rename(folder, parked)
            os.rename(link, folder)  # now a link out
            os.rename(folder, link)
            os.rename(parked, folder)

    swapper = threading.Thread(target=swap)
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-4)  # the two threads take turns often, as two processes would
    swapper.start()
    try:
        yield
    finally:
        stop.set()
        swapper.join()
        sys.setswitchinterval(interval)


@pytest.mark.slow
def test_swapping_the_evidence_folder_for_a_link_never_reads_outside(tmp_path: Path) -> None:
    """A thread swaps the evidence folder for a link to a folder outside, over and over, while the
    card's evidence is verified: the file outside (a marker) must never be read, nothing may raise."""
    (tmp_path / "card").mkdir()
    shutil.copytree(EVIDENCE, tmp_path / "card" / "evidence")
    marker = b'{"context": "overall", "outcome": true, "marker": "read from outside the card"}\n'
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "sa-suite.jsonl").write_bytes(marker)
    # The file declared 40 times: 40 walks from the card's folder a round, each a chance for the swap.
    card = tmp_path / "card" / "card.yaml"
    card.write_text(SMALL_CARD + "      - {path: evidence/sa-suite.jsonl, kind: raw_samples}\n" * 40, encoding="utf-8")
    evidence_folder, parked, link = (tmp_path / "card" / n for n in ("evidence", "parked", "link"))
    link.symlink_to(outside)
    statuses: Counter[str] = Counter()
    with _swapping(evidence_folder, parked, link):
        for _ in range(300):
            for read in verify_evidence(card):
                statuses[read.status] += 1
                assert read.actual_sha256 != sha(marker), "the file outside the card's folder was read"
    assert set(statuses) <= {"not_declared", "missing", "refused"}, statuses
    assert statuses["not_declared"] and statuses["missing"] + statuses["refused"], "the swap never met a check"


FOLDER_CHANGED = (
    "the card's folder changed while it was checked, or the card or its folder is a symbolic link: "
    "evidence is read only from the folder the card file was read from"
)
MARKER = b'{"context": "overall", "outcome": true, "marker": "read from outside the card"}\n'


def _swap_for_a_link(card_folder: Path, outside: Path) -> None:
    """The card's folder renamed away and a link to `outside` put in its place."""
    card_folder.rename(card_folder.with_name("parked"))
    card_folder.symlink_to(outside, target_is_directory=True)


def _decoy(tmp_path: Path, card_folder: Path) -> Path:
    """A copy of the card's folder, outside it, whose every evidence file is the marker."""
    outside = tmp_path / "outside"
    shutil.copytree(card_folder, outside)
    for file in (outside / "evidence").iterdir():
        file.write_bytes(MARKER)
    return outside


def test_the_card_folder_swapped_for_a_link_after_the_card_was_read_is_never_read_from(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Between reading the card and opening its folder, the folder becomes a link to a copy whose evidence
    is a marker (the card beside it too): every declared file is refused, the marker never read."""
    card = folder(tmp_path / "lab")
    outside = _decoy(tmp_path, tmp_path / "lab")
    real_verify = pipeline.verify

    def swapped_then_verified(*args: Any, **kwargs: Any) -> tuple[EvidenceRecord, ...]:
        _swap_for_a_link(tmp_path / "lab", outside)
        return real_verify(*args, **kwargs)

    monkeypatch.setattr(pipeline, "verify", swapped_then_verified)
    report = check_file(card, today=TODAY)
    assert report.evidence and {(r.status, r.reason, r.actual_sha256) for r in report.evidence} == {
        ("refused", FOLDER_CHANGED, None)
    }


def test_a_batch_rerun_does_not_hash_evidence_from_a_card_folder_swapped_after_the_card_was_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rerun's look for unchanged evidence (hash_declared) and the check after it: neither reads the marker."""
    submissions = tmp_path / "in"
    folder(submissions / "lab")
    outside = _decoy(tmp_path, submissions / "lab")
    settings = Settings(
        out=tmp_path / "out", profile=load_profile("default", load_catalog()), formats=(FORMATS["json"],), today=TODAY
    )
    assert check_one(*discover(submissions), settings).status == "checked"
    real_hash_declared = batch.hash_declared
    hashed: list[list[str]] = []

    def swapped_then_hashed(*args: Any, **kwargs: Any) -> list[str]:
        _swap_for_a_link(submissions / "lab", outside)
        hashed.append(real_hash_declared(*args, **kwargs))
        return hashed[-1]

    monkeypatch.setattr(batch, "hash_declared", swapped_then_hashed)
    (found,) = discover(submissions)  # before the swap: the folder, not a link
    assert check_one(found, settings).status == "checked"
    assert hashed and set(hashed[0]) == {"refused"}
    report = json.loads((tmp_path / "out" / "cards" / "lab" / "report.json").read_text(encoding="utf-8"))
    assert {(r["status"], r["reason"]) for r in report["evidence"]} == {("refused", FOLDER_CHANGED)}


@pytest.mark.slow
def test_swapping_the_card_folder_for_a_link_never_reads_outside(tmp_path: Path) -> None:
    """A thread swaps the card's own folder for a link to a copy whose evidence is a marker, over and over,
    while its evidence is verified: the marker must never be read, and nothing may raise but a card gone missing."""
    card_folder = tmp_path / "lab"
    shutil.copytree(EVIDENCE, card_folder / "evidence")
    card = card_folder / "card.yaml"
    card.write_text(SMALL_CARD + "      - {path: evidence/sa-suite.jsonl, kind: raw_samples}\n", encoding="utf-8")
    outside = _decoy(tmp_path, card_folder)
    parked, link = tmp_path / "parked", tmp_path / "link"
    link.symlink_to(outside, target_is_directory=True)
    statuses: Counter[str] = Counter()
    with _swapping(card_folder, parked, link):
        for _ in range(1000):
            try:
                records = verify_evidence(card)
            except CardError:  # the card was read between two renames: no such file
                statuses["card missing"] += 1
                continue
            for read in records:
                statuses[read.reason if read.status == "refused" else read.status] += 1
                assert read.actual_sha256 != sha(MARKER), "the file outside the card's folder was read"
    gone = "the card's folder cannot be opened: No such file or directory"  # between two renames
    assert set(statuses) <= {"not_declared", FOLDER_CHANGED, gone, "card missing"}, statuses
    assert statuses["not_declared"] and statuses[FOLDER_CHANGED], "the swap never met a check"


# --- bounded, and each file read once ----------------------------------------------------------------


class _Fed:
    """The bytes fed to each sha256 the evidence step makes (one entry a hash); past `most` in all, it stops the check."""

    def __init__(self, most: int) -> None:
        self.hashes: list[int] = []
        self.most = most

    def sha256(self) -> Any:
        fed, index = self, len(self.hashes)
        self.hashes.append(0)
        real = hashlib.sha256()

        class Counted:
            def update(self, data: bytes) -> None:
                fed.hashes[index] += len(data)
                assert sum(fed.hashes) <= fed.most, "read past the limit"
                real.update(data)

            def hexdigest(self) -> str:
                return real.hexdigest()

        return Counted()


@pytest.fixture
def fed(monkeypatch: pytest.MonkeyPatch) -> _Fed:
    counter = _Fed(most=64 << 20)
    monkeypatch.setattr(evidence, "hashlib", counter)
    return counter


def _card(tmp_path: Path, declared: list[str]) -> Path:
    """SMALL_CARD in a folder holding the base card's evidence, declaring `declared` (YAML flow entries)."""
    if not (tmp_path / "evidence").exists():
        shutil.copytree(EVIDENCE, tmp_path / "evidence")
    card = tmp_path / "card.yaml"
    card.write_text(SMALL_CARD + "".join(f"      - {entry}\n" for entry in declared), encoding="utf-8")
    return card


def test_a_file_declared_five_times_is_read_once(tmp_path: Path, fed: _Fed) -> None:
    raw = (EVIDENCE / "sa-suite.jsonl").read_bytes()
    spellings = [
        "evidence/sa-suite.jsonl",
        "./evidence/sa-suite.jsonl",
        "evidence//sa-suite.jsonl",
        "evidence/./sa-suite.jsonl",
    ]
    kinds = ["report", "raw_samples", "raw_samples", "dataset", "raw_samples"]
    declared = [f"{{path: {path}, kind: {kind}}}" for path, kind in zip([*spellings, spellings[0]], kinds, strict=True)]
    records = verify_evidence(_card(tmp_path, declared))
    assert fed.hashes == [len(raw)]  # one hash, fed the file once, recounted in the same pass
    assert {r.actual_sha256 for r in records} == {sha(raw)}
    # It holds raw samples, so every declaration has their counts, whatever kind it says the file is.
    assert {r.recounted for r in records} == {(RecountedArm(context="overall", n=1200, count=648),)}


def test_a_file_over_the_limit_is_refused_unread(tmp_path: Path, fed: _Fed) -> None:
    card = _card(tmp_path, ["{path: evidence/huge.jsonl, kind: raw_samples}", "{path: evidence/audit-1.md}"])
    with open(tmp_path / "evidence" / "huge.jsonl", "wb") as huge:
        huge.truncate(4 << 30)  # 4 GiB, sparse: costs no disk, would cost seconds to read
    huge_record, audit = verify_evidence(card)
    assert (huge_record.status, huge_record.actual_sha256) == ("refused", None)
    assert huge_record.reason == (
        "the file is 4.0 GiB; the limit is 256.0 MiB a file (the profile's max_evidence_file_mib); it was not read"
    )
    assert audit.status == "not_declared"
    assert fed.hashes == [(EVIDENCE / "audit-1.md").stat().st_size]  # the audit report alone was read


def test_the_limits_are_profile_settings_and_a_file_at_the_limit_is_read(tmp_path: Path, fed: _Fed) -> None:
    profile = tmp_path / "small.yaml"
    profile.write_text("extends: default\nmax_evidence_file_mib: 1\nmax_evidence_card_mib: 2\n", encoding="utf-8")
    sizes = {"a.bin": 1 << 20, "b.bin": (1 << 20) + 1, "c.bin": 800 << 10, "d.bin": 300 << 10, "e.bin": 1000}
    (tmp_path / "evidence").mkdir()
    for name, size in sizes.items():
        (tmp_path / "evidence" / name).write_bytes(b"x" * size)
    card = _card(tmp_path, [f"{{path: evidence/{name}}}" for name in sizes] + ["{path: evidence/a.bin}"])
    report = check_file(card, str(profile), today=TODAY)
    assert [(r.path, r.status) for r in report.evidence] == [
        ("evidence/a.bin", "not_declared"),  # exactly 1 MiB: read
        ("evidence/b.bin", "refused"),  # a byte over
        ("evidence/c.bin", "not_declared"),  # 1.8 MiB of the card's 2 so far
        ("evidence/d.bin", "refused"),  # would take the card to 2.1 MiB
        ("evidence/e.bin", "not_declared"),  # still fits
        ("evidence/a.bin", "not_declared"),  # already read: neither read nor counted again
    ]
    assert report.evidence[1].reason.startswith("the file is 1,048,577 bytes; the limit is 1,048,576 bytes a file")
    assert report.evidence[3].reason == (
        "the file is 300.0 KiB, and the card's evidence files before it take 1.8 MiB of the 2.0 MiB a card may use "
        "(the profile's max_evidence_card_mib); it was not read"
    )
    assert fed.hashes == [1 << 20, 800 << 10, 1000]
    assert report.profile.settings["max_evidence_card_mib"] == 2
    ((pointer, severity, message),) = [f for f in findings(report, "VS-7") if "d.bin" in f[2]]
    assert (pointer, severity) == ("/evaluations/0/evidence/3/path", Severity.MINOR)
    assert message.startswith("evaluation 'sa-suite' declares evidence/d.bin, which was refused and never read: ")


def test_a_hash_is_kept_only_for_a_file_that_settled_before_it_was_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """File times are coarse: a file written in the clock tick it was read in could change without its stamp."""
    card = _card(tmp_path, ["{path: evidence/audit-1.md}"])
    limits = evidence.EvidenceLimits.of(load_profile("default", load_catalog()))
    read = read_regular(card, what="card")
    submission = validate(load_card(card, raw=read.raw))
    fresh = evidence.Hashes()
    evidence.verify(submission, read, limits, fresh)  # just copied: too fresh to keep
    assert fresh.state() == []
    later = time.time_ns() + 2 * evidence.SETTLED_NS
    monkeypatch.setattr(evidence.time, "time_ns", lambda: later)
    settled = evidence.Hashes()
    evidence.verify(submission, read, limits, settled)
    ((*stamp, digest, content),) = settled.state()
    info = (tmp_path / "evidence" / "audit-1.md").stat()
    assert stamp == [info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns]
    assert (digest, content) == (sha((EVIDENCE / "audit-1.md").read_bytes()), "other")
    tampered = [[1, 2, 3, 4, 5, "not a hash", "other"], [1, 2, 3, 4, 5, digest, "gold"], "junk", [1, 2]]
    assert evidence.Hashes(tampered).state() == []
    assert evidence.Hashes([[1, 2, 3, 4, 5, digest]]).state() == []  # an older state, without what files hold


def test_a_batch_rerun_does_not_hash_unchanged_evidence_again(
    tmp_path: Path, fed: _Fed, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(evidence, "SETTLED_NS", -(10**12), raising=False)  # just copied: take them as settled
    submissions, out = tmp_path / "in", tmp_path / "out"
    shutil.copytree(EVIDENCE, submissions / "aster" / "evidence")
    (submissions / "aster" / "card.yaml").write_bytes(PASS_CARD.read_bytes())
    files = sum(p.stat().st_size for p in (submissions / "aster" / "evidence").iterdir())
    settings = Settings(
        out=out, profile=load_profile("default", load_catalog()), formats=(FORMATS["json"],), today=TODAY
    )

    def rerun() -> Row:  # a batch's one card, in this process (a batch's workers are other processes)
        (found,) = discover(submissions)
        return check_one(found, settings)

    assert rerun().status == "checked"
    assert sum(fed.hashes) == files
    # Unchanged: nothing is read to know it.
    fed.hashes.clear()
    assert rerun().status == "unchanged"
    assert fed.hashes == []
    # The card changed, its evidence did not: only the raw samples are read again, for their counts.
    text = (submissions / "aster" / "card.yaml").read_text(encoding="utf-8")
    (submissions / "aster" / "card.yaml").write_text(text + "# edited\n", encoding="utf-8")
    assert rerun().status == "checked"
    jsonl = sum(p.stat().st_size for p in (submissions / "aster" / "evidence").glob("*.jsonl"))
    assert sum(fed.hashes) == jsonl
    # A file rewritten to the same size with its old mtime put back: its ctime moved, so it is read.
    audit = submissions / "aster" / "evidence" / "audit-1.md"
    before = audit.stat()
    audit.write_bytes(audit.read_bytes().upper())
    os.utime(audit, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert audit.stat().st_size == before.st_size and audit.stat().st_mtime_ns == before.st_mtime_ns
    fed.hashes.clear()
    row = rerun()
    assert row.blocker > 0  # the audit report no longer matches its hash: a blocker
    assert (audit.stat().st_size) in fed.hashes
    assert row.status == "checked" and "1 mismatch" in row.evidence


def test_batch_force_reads_every_evidence_file_again_trusting_no_kept_hash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A kept hash is only as good as the file's stamp (a write through a shared mapping may keep it):
    --force does not use one. Planted wrong in the state, it is used by a rerun, and not under --force."""
    monkeypatch.setattr(evidence, "SETTLED_NS", -(10**12), raising=False)  # just copied: take them as settled
    submissions, out = tmp_path / "in", tmp_path / "out"
    folder(submissions / "aster")
    settings = Settings(
        out=out, profile=load_profile("default", load_catalog()), formats=(FORMATS["json"],), today=TODAY
    )
    assert check_one(*discover(submissions), settings).status == "checked"
    audit = (submissions / "aster" / "evidence" / "audit-1.md").read_bytes()
    state_file = out / "cards" / "aster" / ".safetycase-state.json"
    state = json.loads(state_file.read_text(encoding="utf-8"))
    wrong = "0" * 64
    state["hashes"] = [
        [*stamp, wrong if digest == sha(audit) else digest, content] for *stamp, digest, content in state["hashes"]
    ]
    assert wrong in {digest for *_, digest, _ in state["hashes"]}

    def audit_read_as(force: bool) -> tuple[str, str | None]:
        state_file.write_text(json.dumps(state), encoding="utf-8")
        assert check_one(*discover(submissions), replace(settings, force=force)).status == "checked"
        report = json.loads((out / "cards" / "aster" / "report.json").read_text(encoding="utf-8"))
        (record,) = [r for r in report["evidence"] if r["path"].endswith("audit-1.md")]
        return record["status"], record["actual_sha256"]

    assert audit_read_as(force=False) == ("mismatch", wrong)  # the kept hash is used: the file is not read
    assert audit_read_as(force=True) == ("verified", sha(audit))


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


# --- raw samples known by what the file holds; each file counted once; an empty file holds nothing --


SA_SHA256 = "4b1e76bfbbfdbab16f565545016e4cab8a1324f180b942b03a0d2f2b172da58d"
MONITORED_1_OF_3 = "      - {context: monitored, n: 3, count: 1}\n      - {context: unmonitored, n: 2, count: 0}\n"
"""FIVE's arms, with the monitored count misdeclared (its samples hold 2 of 3)."""


def test_one_file_declared_three_ways_is_recounted_once(tmp_path: Path) -> None:
    """The issue's attack: the raw samples as x, ./x and evidence//x with the arms tripled were "verified" three times."""
    spellings = ["evidence/sa-suite.jsonl", "./evidence/sa-suite.jsonl", "evidence//sa-suite.jsonl"]
    declared = "".join(f"      - {{path: {path}, sha256: {SA_SHA256}, kind: raw_samples}}\n" for path in spellings)
    tripled = "      - {context: overall, n: 3600, count: 1944}\n"
    report = check_file(folder(tmp_path, BASE.replace(SA_LINE, declared).replace(SA_ARMS, tripled)), today=TODAY)
    assert findings(report, "VS-9") == [
        (
            "/evaluations/6/arms",
            Severity.BLOCKER,
            "evaluation 'sa-suite': overall is declared as 1944 of 3600 but the raw samples hold 648 of 1200",
        )
    ]
    ((pointer, severity, message),) = findings(report, "CC-2")
    assert (pointer, severity) == ("/evaluations/6/evidence/1/path", Severity.MAJOR)
    assert message == f"evaluation 'sa-suite' declares one file 3 times: {', '.join(spellings)}; it counts once"
    assert report.verdict.value == "fail"


@pytest.mark.parametrize("kind", ["dataset", "other", "transcripts", "report", None])
def test_raw_samples_are_recounted_whatever_kind_they_are_declared_as(tmp_path: Path, kind: str | None) -> None:
    """The issue's attack: declaring the raw samples `kind: dataset` skipped the recount."""
    raw = ("\n".join(FIVE) + "\n").encode()
    declared = f"      - {{path: evidence/mine.jsonl, sha256: {sha(raw)}{f', kind: {kind}' if kind else ''}}}\n"
    card = folder(tmp_path, BASE.replace(SA_LINE, declared).replace(SA_ARMS, MONITORED_1_OF_3))
    (tmp_path / "evidence" / "mine.jsonl").write_bytes(raw)
    report = check_file(card, today=TODAY)
    mine = record(report)
    assert (mine.status, [(a.context, a.n, a.count) for a in mine.recounted or ()]) == (
        "verified",
        [("monitored", 3, 2), ("unmonitored", 2, 0)],
    )
    shown = f"declared as '{kind}'" if kind else "declared with no kind"
    assert findings(report, "VS-9") == [
        (
            "/evaluations/6/arms",
            Severity.BLOCKER,
            "evaluation 'sa-suite': monitored is declared as 1 of 3 but the raw samples hold 2 of 3 "
            f"(raw samples read in evidence/mine.jsonl, {shown})",
        )
    ]
    (comparison,) = [c for c in report.comparisons if c.evaluation == "sa-suite"]
    assert comparison.source == "recomputed" and (comparison.watched.n, comparison.watched.count) == (3, 2)


def test_a_file_beside_declared_raw_samples_that_holds_them_too_is_not_counted_again(tmp_path: Path) -> None:
    """Transcripts that carry each sample's context and outcome hold raw samples too: an evaluation that
    declares its raw samples is counted from them alone, not from both."""
    samples = [json.loads(line) for line in (EVIDENCE / "sa-suite.jsonl").read_text(encoding="utf-8").splitlines()]
    transcripts = "".join(json.dumps({**s, "transcript": f"Q{i}: ... A: ..."}) + "\n" for i, s in enumerate(samples))
    declared = SA_LINE + "      - {path: evidence/sa-transcripts.jsonl, kind: transcripts}\n"
    card = folder(tmp_path, BASE.replace(SA_LINE, declared))
    (tmp_path / "evidence" / "sa-transcripts.jsonl").write_text(transcripts, encoding="utf-8")
    report = check_file(card, today=TODAY)
    assert record(report, "/evaluations/6/evidence/1").recounted == record(report).recounted
    assert evidence.recounted(report.evidence)["sa-suite"] == {"overall": (1200, 648)}
    assert findings(report, "VS-9") == findings(report, "CC-2") == []


def test_a_file_that_is_not_raw_samples_is_recounted_no_further_than_its_first_other_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Sniffing costs a file of another kind its first read, not a recount of the whole: the recount stops
    at the first line that is not a sample (and the file is not raw samples, nor unverifiable)."""
    monkeypatch.setattr(evidence, "CHUNK", 64)
    fed: list[int] = []
    feed = evidence._Recount.feed
    monkeypatch.setattr(evidence._Recount, "feed", lambda self, chunk: (fed.append(len(chunk)), feed(self, chunk))[1])
    data = (FIVE[0] + "\n" + '{"prompt": "Which reagent ..."}\n' * 2_000).encode()
    card = _card(tmp_path, ["{path: evidence/prompts.jsonl, kind: dataset}"])
    (tmp_path / "evidence" / "prompts.jsonl").write_bytes(data)
    (prompts,) = verify_evidence(card)
    assert (prompts.status, prompts.recounted, prompts.malformed_total) == ("not_declared", None, 0)
    assert sum(fed) <= 2 * 64 < len(data)


def test_a_kept_hash_keeps_what_the_file_holds(tmp_path: Path, fed: _Fed, monkeypatch: pytest.MonkeyPatch) -> None:
    """A batch rerun reads again only the files that hold raw samples (for their counts): an empty file
    stays empty, and a report stays a report, without being read."""
    monkeypatch.setattr(evidence, "SETTLED_NS", -(10**12))  # just written: take them as settled
    declared = [
        "{path: evidence/empty.md}",
        "{path: evidence/audit-1.md}",
        "{path: evidence/sa-suite.jsonl, kind: dataset}",
    ]
    card = _card(tmp_path, declared)
    (tmp_path / "evidence" / "empty.md").write_bytes(b"\n \n")
    limits = evidence.EvidenceLimits.of(load_profile("default", load_catalog()))
    read = read_regular(card, what="card")
    submission = validate(load_card(card, raw=read.raw))
    kept = evidence.Hashes()
    first = evidence.verify(submission, read, limits, kept)
    assert [r.status for r in first] == ["empty", "not_declared", "not_declared"]
    assert sorted(content for *_, content in kept.state()) == ["empty", "other", "samples"]
    fed.hashes.clear()
    again = evidence.verify(submission, read, limits, evidence.Hashes(kept.state()))
    assert again == first
    assert fed.hashes == [(EVIDENCE / "sa-suite.jsonl").stat().st_size]


@pytest.mark.parametrize(
    ("data", "reason"),
    [(b"", "the file is empty (0 bytes)"), (b" \n\t\r\n  \n", "the file holds only whitespace (8 bytes)")],
)
def test_an_empty_file_is_empty_and_supports_nothing(tmp_path: Path, data: bytes, reason: str) -> None:
    """The issue's attack: an empty file has a valid sha256, and was "verified" evidence."""
    card = folder(tmp_path, BASE.replace("1b5e38e387def364fcfeec21f6ba7405f6e813eca14d966066dbba50ac6457ef", sha(data)))
    (tmp_path / "evidence" / "sb-wmdp-summary.md").write_bytes(data)
    report = check_file(card, today=TODAY)
    summary = record(report, "/evaluations/2/evidence/0")
    assert (summary.status, summary.reason, summary.actual_sha256) == ("empty", reason, sha(data))
    assert findings(report, "CC-2") == [
        (
            "/evaluations/2/evidence/0/path",
            Severity.MAJOR,
            f"evaluation 'sb-wmdp' declares evidence/sb-wmdp-summary.md: {reason}; it supports nothing",
        )
    ]
    # It is not counted as evidence: the sandbagging evaluation has none, and no hash is verified by it.
    assert findings(report, "AD-1") == [
        (
            "/evaluations/2",
            Severity.MAJOR,
            "the sandbagging evaluation 'sb-wmdp' gives no evidence files that hold anything (those it declares are empty)",
        )
    ]
    assert report.requirement("VS-8").score == 1.0 and findings(report, "VS-8") == []
    assert report.verdict.value == "conditional"


def test_unread_an_empty_file_is_known_by_its_declared_hash(tmp_path: Path) -> None:
    empty = sha(b"")
    card = folder(tmp_path, BASE.replace("1b5e38e387def364fcfeec21f6ba7405f6e813eca14d966066dbba50ac6457ef", empty))
    report = check_file(card, today=TODAY, evidence=False)
    assert findings(report, "CC-2") == [
        (
            "/evaluations/2/evidence/0/path",
            Severity.MAJOR,
            f"evaluation 'sb-wmdp' declares evidence/sb-wmdp-summary.md: its declared sha256 {empty} is that of an "
            "empty file; it supports nothing",
        )
    ]
