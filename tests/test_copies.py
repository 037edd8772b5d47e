"""CC-2: evidence files that count once and hold something.

Each test edits cases/base.yaml (evidence from tests/test_evidence's folder) into a card a lab that
wants a pass might write, or into an honest card that must get no finding.
"""

from __future__ import annotations

from pathlib import Path

from conftest import BASE, TODAY

from checker.pipeline import check_file
from checker.severity import Severity
from tests.test_evidence import SA_LINE, findings, folder

AF_LINE = (
    "      - {path: evidence/af-helpful-only.jsonl, sha256: "
    "6e987a11908a2180dff506eb889034657ff4283e545346e6097f4575f80e7d59, kind: raw_samples}\n"
)
SA_SHA256 = "4b1e76bfbbfdbab16f565545016e4cab8a1324f180b942b03a0d2f2b172da58d"
AUDIT_REPORT = (
    "    report: {path: evidence/audit-1.md, sha256: "
    "8ef03d369e9f8aabcc59ca5b43b7273eef03e33c73cf68d3e6102830768710b2, kind: report}\n"
)


def edited(*replacements: tuple[str, str]) -> str:
    text = BASE
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    return text


# --- CC-2: one file, counted once ----------------------------------------------------------------


def test_one_runs_raw_samples_declared_as_two_evaluations_counts_are_a_finding(tmp_path: Path) -> None:
    """sa-suite declares af-helpful-only's raw samples as its own (a copy under another name, the same bytes)."""
    folder(tmp_path)
    (tmp_path / "evidence" / "sa-copy.jsonl").write_bytes(
        (tmp_path / "evidence" / "af-helpful-only.jsonl").read_bytes()
    )
    copied = AF_LINE.replace("af-helpful-only.jsonl", "sa-copy.jsonl")
    (tmp_path / "card.yaml").write_text(edited((SA_LINE, copied)), encoding="utf-8")
    report = check_file(tmp_path / "card.yaml", today=TODAY)
    assert findings(report, "CC-2") == [
        (
            "/evaluations/6/evidence/0/path",
            Severity.MAJOR,
            "the raw samples evidence/af-helpful-only.jsonl are the counts of 2 evaluations: "
            "'af-helpful-only' (evidence/af-helpful-only.jsonl), 'sa-suite' (evidence/sa-copy.jsonl) "
            "(the same bytes, sha256 6e987a11908a2180dff506eb889034657ff4283e545346e6097f4575f80e7d59); "
            "one run's samples are recounted as each evaluation's own, so they count once",
        )
    ]
    assert report.requirement("CC-2").score == 7 / 8  # the second evaluation's declaration of the file does not count


def test_unread_the_declared_paths_and_hashes_still_show_one_file(tmp_path: Path) -> None:
    """--no-evidence: `./x` and `x` are one path, and one declared sha256 is one file."""
    twice = SA_LINE + SA_LINE.replace("evidence/sa-suite", "./evidence/sa-suite")
    shared = AF_LINE.replace("af-helpful-only.jsonl", "sa-again.jsonl").replace(
        "6e987a11908a2180dff506eb889034657ff4283e545346e6097f4575f80e7d59", SA_SHA256
    )
    card = folder(tmp_path, edited((SA_LINE, twice), (AF_LINE, shared)))
    report = check_file(card, today=TODAY, evidence=False)
    messages = sorted(message for _, _, message in findings(report, "CC-2"))
    assert messages == [
        "evaluation 'sa-suite' declares one file twice: evidence/sa-suite.jsonl, ./evidence/sa-suite.jsonl; "
        "it counts once",
        "the raw samples evidence/sa-again.jsonl are the counts of 2 evaluations: 'af-helpful-only' "
        "(evidence/sa-again.jsonl), 'sa-suite' (evidence/sa-suite.jsonl) (the same bytes, sha256 "
        f"{SA_SHA256}); one run's samples are recounted as each evaluation's own, so they count once",
    ]


def _second_audit(auditor: str) -> str:
    audit = BASE[BASE.index("  - id: audit-1\n") : BASE.index("reasoning_evidence:")]
    return audit + audit.replace("id: audit-1", "id: audit-2").replace("Independent Evaluators Ltd", auditor)


def test_one_report_for_audits_of_two_auditors_is_a_finding(tmp_path: Path) -> None:
    audits = BASE[BASE.index("  - id: audit-1\n") : BASE.index("reasoning_evidence:")]
    card = folder(tmp_path, edited((audits, _second_audit("Second Opinion LLP"))))
    assert findings(check_file(card, today=TODAY), "CC-2") == [
        (
            "/independent_audits/1/report/path",
            Severity.MAJOR,
            "audits of 2 auditors cite one report, evidence/audit-1.md: 'audit-1' (Independent Evaluators Ltd), "
            "'audit-2' (Second Opinion LLP); one auditor's report cannot stand for another's, so it counts once",
        )
    ]


def test_honest_sharing_gets_no_finding(tmp_path: Path) -> None:
    """One auditor's report for its two audits; one technical report cited by two evaluations; an
    evaluation's raw samples read by another as its dataset."""
    audits = BASE[BASE.index("  - id: audit-1\n") : BASE.index("reasoning_evidence:")]
    summary = "      - {path: evidence/sb-wmdp-summary.md, kind: report}\n"
    dataset = AF_LINE.replace("kind: raw_samples", "kind: dataset")
    card = folder(
        tmp_path,
        edited(
            (audits, _second_audit("independent evaluators ltd")),
            (SA_LINE, SA_LINE + summary + dataset),
        ),
    )
    report = check_file(card, today=TODAY)
    assert findings(report, "CC-2") == []
    assert report.requirement("CC-2").score == 1.0


def test_another_evaluations_raw_samples_cited_as_a_dataset_are_read_not_counted(tmp_path: Path) -> None:
    """sb-wmdp, which declares no raw samples, cites af-helpful-only's as its dataset: they are af-helpful-only's
    counts alone, so neither VS-9 (sb-wmdp has no such arms) nor CC-2 has anything to say."""
    summary = "      - {path: evidence/sb-wmdp-summary.md, sha256: 1b5e38e387def364fcfeec21f6ba7405f6e813eca14d966066dbba50ac6457ef, kind: report}\n"
    dataset = "      - {path: ./evidence/af-helpful-only.jsonl, kind: dataset}\n"
    report = check_file(folder(tmp_path, edited((summary, summary + dataset))), today=TODAY)
    assert findings(report, "VS-9") == findings(report, "CC-2") == []
