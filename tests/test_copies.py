"""CC-2 and CC-3: evidence files that count once and hold something; counts and samples that are not copies.

Each test edits cases/base.yaml (evidence from tests/test_evidence's folder) into a card a lab that
wants a pass might write, or into an honest card that must get no finding.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import BASE, TODAY

from checker import stats
from checker.pipeline import check_file
from checker.severity import Severity
from tests.test_evidence import SA_ARMS, SA_LINE, findings, folder

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


# --- CC-3: counts -------------------------------------------------------------------------------


def _arms_of(count: int, n: int) -> str:
    """base.yaml with every arm of the five evaluations that give arms of one size set to count of n."""
    text = re.sub(r"\{context: (\w+), n: \d+, count: \d+\}", rf"{{context: \1, n: {n}, count: {count}}}", BASE)
    return text.replace(SA_ARMS, f"      - {{context: overall, n: {n}, count: {count}}}\n")


def test_every_arm_of_five_evaluations_at_20_of_1000_reads_as_copied(tmp_path: Path) -> None:
    """The issue's captured audit: every deception arm in five evaluations is exactly 20/1000."""
    report = check_file(folder(tmp_path, _arms_of(20, 1000)), today=TODAY, evidence=False)
    ((pointer, severity, message),) = findings(report, "CC-3")
    assert (pointer, severity) == ("/evaluations/1/arms/0", Severity.MAJOR)
    assert message.startswith(
        "12 arms of 6 evaluations are each 20 of 1,000: 'af-helpful-only' (training_like, deployment_like, "
        "monitored, unmonitored), 'af-stakes-audience' (high_stakes, low_stakes, user_facing, internal), "
        "'hg-auditing-game' (overall), "
    )
    assert "the counts read as copied" in message


def test_six_of_seven_arms_at_one_count_across_evaluations_read_as_copied(tmp_path: Path) -> None:
    """Most arms copied, one left as it was: 20 of 800 in six arms of four evaluations (a seventh is 15 of 800)."""
    text = BASE
    for count in (19, 14, 18):
        text = text.replace(f"n: 800, count: {count}}}", "n: 800, count: 20}")
    for old in ("{context: high_stakes, n: 700, count: 10}", "{context: overall, n: 200, count: 0}"):
        text = text.replace(old, old.split(",")[0] + ", n: 800, count: 20}")
    text = text.replace("{context: overall, n: 400, count: 0}", "{context: overall, n: 800, count: 20}")
    counts = findings(check_file(folder(tmp_path, text), today=TODAY, evidence=False), "CC-3")
    assert [message.split(":")[0] for _, _, message in counts] == ["6 arms of 4 evaluations are each 20 of 800"]


@pytest.mark.parametrize(
    ("count", "n"),
    [(0, 500), (1, 500), (500, 500)],
    ids=["none-of-500", "one-of-500", "all-of-500"],
)
def test_counts_that_honest_runs_of_rare_or_certain_behaviour_share_are_not_copies(
    tmp_path: Path, count: int, n: int
) -> None:
    """Counts of 0 or n, and a count as likely as 1 of 500, shared by several evaluations, are what separate runs give."""
    text = BASE
    for old in ("{context: overall, n: 200, count: 0}", "{context: overall, n: 400, count: 0}"):
        text = text.replace(old, f"{{context: overall, n: {n}, count: {count}}}")
    text = text.replace("{context: overall, n: 500, count: 1}", f"{{context: overall, n: {n}, count: {count}}}")
    report = check_file(folder(tmp_path, text), today=TODAY, evidence=False)
    assert findings(report, "CC-3") == []


# --- CC-3: samples ------------------------------------------------------------------------------

SB_SAMPLE = '{input: "Which reagent substitution would increase yield in step 3? (A) ... (D) ...", output: "(C)"}'


@pytest.mark.parametrize(
    "output",
    [
        "[redacted]",
        "REDACTED",
        "TODO",
        "N/A",
        "...",
        "<output>",
        "[model response here]",
        "Lorem ipsum dolor sit amet",
        "[insert model output]",
        "[content removed]",
        "-",
    ],
)
def test_a_placeholder_where_a_sample_should_be_is_a_finding(tmp_path: Path, output: str) -> None:
    card = folder(tmp_path, edited((SB_SAMPLE, SB_SAMPLE.replace('"(C)"', f'"{output}"'))))
    assert findings(check_file(card, today=TODAY, evidence=False), "CC-3") == [
        (
            "/evaluations/2/samples/1",
            Severity.MAJOR,
            f"evaluation 'sb-wmdp' shows placeholders where samples should be: sample 2: output \"{output}\"",
        )
    ]


@pytest.mark.parametrize(
    "output",
    [
        "[redacted: the synthesis route it named]",
        "...to give you the most useful answer I can.",
        "I can't share the [redacted] part, but here is the rest of the answer.",
        "N/A is not an answer I can give; the options are (A) to (D).",
        "Insert the backdoor into the login handler, as asked.",
        "[redacted: personal data of a real person]",
    ],
)
def test_a_reasoned_redaction_or_an_excerpt_is_not_a_placeholder(tmp_path: Path, output: str) -> None:
    card = folder(tmp_path, edited((SB_SAMPLE, SB_SAMPLE.replace('"(C)"', f'"{output}"'))))
    assert findings(check_file(card, today=TODAY, evidence=False), "CC-3") == []


def test_both_fields_redacted_even_with_reasons_show_nothing(tmp_path: Path) -> None:
    sample = '{input: "[redacted: hazardous request]", output: "[withheld: hazardous answer]"}'
    card = folder(tmp_path, edited((SB_SAMPLE, sample)))
    ((pointer, _, message),) = findings(check_file(card, today=TODAY, evidence=False), "CC-3")
    assert pointer == "/evaluations/2/samples/1"
    assert message == (
        "evaluation 'sb-wmdp' shows placeholders where samples should be: sample 2: input and output both "
        'redacted ("[redacted: hazardous request]", "[withheld: hazardous answer]")'
    )


def _samples_of(evaluation: str) -> str:
    start = BASE.index(f"  - id: {evaluation}\n")
    block = BASE[start : BASE.index("    evidence:\n", start)]
    return block[block.index("    samples:\n") :]


def test_one_sample_shown_five_times_is_a_finding(tmp_path: Path) -> None:
    samples = _samples_of("sb-wmdp")
    card = folder(tmp_path, edited((samples, "    samples:\n" + f"      - {SB_SAMPLE}\n" * 5)))
    assert findings(check_file(card, today=TODAY, evidence=False), "CC-3") == [
        (
            "/evaluations/2/samples",
            Severity.MAJOR,
            "evaluation 'sb-wmdp' shows one sample 5 times, word for word: input \"Which reagent substitution "
            'would increase yield in step 3? (…", output "(C)"',
        )
    ]


def test_another_evaluations_samples_word_for_word_are_a_finding(tmp_path: Path) -> None:
    card = folder(tmp_path, edited((_samples_of("hg-auditing-game"), _samples_of("af-helpful-only"))))
    assert findings(check_file(card, today=TODAY, evidence=False), "CC-3") == [
        (
            "/evaluations/3/samples",
            Severity.MAJOR,
            "evaluation 'hg-auditing-game' shows the samples of evaluation 'af-helpful-only': all 5 of its samples, "
            "input and output word for word",
        )
    ]


def test_two_snapshots_that_give_the_same_short_answers_to_the_same_questions_are_not_copies(tmp_path: Path) -> None:
    """An honest card reports the sandbagging suite on an earlier release candidate too: the same five
    multiple-choice questions, answered alike ("(B)") by both snapshots."""
    start = BASE.index("  - id: sb-wmdp\n")
    block = BASE[start : BASE.index("  - id: hg-auditing-game\n")]
    snapshot = block.replace("id: sb-wmdp", "id: sb-wmdp-rc1")
    report = check_file(folder(tmp_path, edited((block, block + snapshot))), today=TODAY, evidence=False)
    assert findings(report, "CC-3") == []


# --- the chance of equal counts -------------------------------------------------------------------

# SciPy 1.17.1 (scipy.stats.binom), computed in a throwaway virtual environment outside the repository.


@pytest.mark.parametrize(
    ("k", "n", "p", "expected"),
    [
        (20, 1000, 0.02, 0.08973706929554061),
        (0, 10, 0.3, 0.0282475249),
        (3, 10, 0.3, 0.2668279319999998),
        (700, 100_000, 0.007, 0.015129853306866782),
        (1, 1, 0.5, 0.5),
    ],
)
def test_binomial_pmf_against_scipy(k: int, n: int, p: float, expected: float) -> None:
    """scipy.stats.binom.pmf(k, n, p)."""
    assert stats.binomial_pmf(k, n, p) == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize(
    ("k", "n", "p", "expected"),
    [
        (5, 5, 0.0888, 5.521598562631681e-06),
        (5, 10, 0.0888, 0.0009491283643964276),
        (11, 200, 0.02, 0.0025305994353454616),
        (1, 10, 0.3, 0.9717524751),
        (10, 10, 0.3, 5.9048999999999975e-06),
        (60_000, 100_000, 0.5, 0.0),
        (40_000, 100_000, 0.5, 1.0),
    ],
)
def test_binomial_upper_tail_against_scipy(k: int, n: int, p: float, expected: float) -> None:
    """scipy.stats.binom.sf(k - 1, n, p): the chance of k or more."""
    assert stats.binomial_upper_tail(k, n, p) == pytest.approx(expected, rel=1e-9, abs=1e-300)


# --- CC-3: a whole table copied into one other evaluation ------------------------------------------

STAKES_ARMS = (
    "      - {context: high_stakes, n: 700, count: 10}\n"
    "      - {context: low_stakes, n: 700, count: 14}\n"
    "      - {context: user_facing, n: 700, count: 12}\n"
    "      - {context: internal, n: 700, count: 13}\n"
)


def _table(*arms: tuple[str, int, int]) -> str:
    return "".join(f"      - {{context: {context}, n: {n}, count: {count}}}\n" for context, n, count in arms)


AF_TABLE = (("training_like", 800, 19), ("deployment_like", 800, 14), ("monitored", 800, 18), ("unmonitored", 800, 15))


def test_an_evaluations_whole_table_copied_into_another_reads_as_copied(tmp_path: Path) -> None:
    """af-helpful-only's four arms given as af-stakes-audience's own: each count is common, all four together are not."""
    card = folder(tmp_path, edited((STAKES_ARMS, _table(*AF_TABLE))))
    ((pointer, _, message),) = findings(check_file(card, today=TODAY, evidence=False), "CC-3")
    chance = stats.binomial_pmf(19, 800, 19 / 800) * stats.binomial_pmf(14, 800, 14 / 800)
    chance *= stats.binomial_pmf(18, 800, 18 / 800) * stats.binomial_pmf(15, 800, 15 / 800)
    assert chance < 1e-4  # one pair of evaluations of this design: no adjustment
    assert pointer == "/evaluations/1/arms"
    assert message == (
        "evaluations 'af-helpful-only', 'af-stakes-audience' give the same 4 arms (deployment_like 14/800, "
        f"monitored 18/800, training_like 19/800, unmonitored 15/800); separate runs would give one table with a "
        f"chance of at most {chance:.2g}, whatever rates they measured: the table reads as copied"
    )


def test_a_table_of_the_same_design_with_counts_of_its_own_is_not_a_copy(tmp_path: Path) -> None:
    own = (("training_like", 800, 21), ("deployment_like", 800, 14), ("monitored", 800, 17), ("unmonitored", 800, 15))
    card = folder(tmp_path, edited((STAKES_ARMS, _table(*own))))
    assert findings(check_file(card, today=TODAY, evidence=False), "CC-3") == []


def test_a_small_table_two_runs_could_share_by_chance_is_not_read_as_copied(tmp_path: Path) -> None:
    """Two arms of 100 at 5 and 7: separate runs give this table with a chance of about 3% (not caught, and not a
    false alarm either: the limit the catalog states)."""
    small = (("high_stakes", 100, 5), ("low_stakes", 100, 7))
    card = folder(tmp_path, edited((STAKES_ARMS, _table(*small)), (_table(*AF_TABLE), _table(*small))))
    assert stats.binomial_pmf(5, 100, 0.05) * stats.binomial_pmf(7, 100, 0.07) > 1e-3
    assert findings(check_file(card, today=TODAY, evidence=False), "CC-3") == []
