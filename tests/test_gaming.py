"""Issue 13: a verdict that cannot be bought by filling in fields, and no false alarm on an honest card.

The cards are whole cards, under tests/cases/gaming/ (how a lab that wants a pass would get around a
check) and tests/cases/honest/ (realistic cards with the imperfections of published system cards);
tests/cases/README.md and tests/casecards.py say how they are laid out. Each is checked by the command
line in this process (`check --format json`), under the default and the regulator profile, in a
temporary folder where its evidence files are written.

- A gaming card never passes, and each requirement it names as catching it has a finding.
- An honest card gets the verdict it expects, and every major or blocker finding it gets is one it
  declares legitimate (a true finding): anything else is a false alarm.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pytest
from casecards import GAMING, HONEST, PROFILES, CaseCard, cards
from conftest import safetycase

GAMING_CARDS = [CaseCard.read(p) for p in cards(GAMING)]
HONEST_CARDS = [CaseCard.read(p) for p in cards(HONEST)]
CHECKED_GAMING = [c for c in GAMING_CARDS if "invalid" not in c.expected]
INVALID_GAMING = [c for c in GAMING_CARDS if "invalid" in c.expected]
SERIOUS = ("major", "blocker")
"""Severities that keep a card from passing."""


def _ids(card: CaseCard) -> str:
    return card.path.stem


def each(cases: list[CaseCard]) -> list[Any]:
    """(card, profile) for every card and both profiles, named 'card-profile'."""
    return [pytest.param(c, p, id=f"{c.path.stem}-{p}") for c in cases for p in PROFILES]


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The JSON report of a card under a profile, checked once a module (a card's folder written once)."""
    folders: dict[Path, Path] = {}
    done: dict[tuple[Path, str], dict[str, Any]] = {}

    def report(card: CaseCard, profile: str) -> dict[str, Any]:
        if card.path not in folders:
            folders[card.path] = card.folder(tmp_path_factory.mktemp(card.path.stem))
        if (card.path, profile) not in done:
            path = folders[card.path]
            ran = safetycase("check", path.name, "--format", "json", "--profile", profile, cwd=path.parent)
            assert ran.returncode in (0, 1), ran.stderr
            done[card.path, profile] = json.loads(ran.stdout)
        return done[card.path, profile]

    return report


def found(report: dict[str, Any]) -> dict[str, list[str]]:
    """Requirement -> the severity and message of each of its findings' places, for assertion messages."""
    seen: dict[str, list[str]] = {}
    for finding in report["findings"]:
        for place in finding["places"]:
            seen.setdefault(finding["requirement"], []).append(f"{finding['severity']}: {place['message']}")
    return seen


def by_profile(value: Any, profile: str) -> Any:
    """An x-test value that may differ by profile: {default: ..., regulator: ...}, or one for both."""
    return value[profile] if isinstance(value, dict) else value


# --- gaming cards ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("card", "profile"), each(CHECKED_GAMING))
def test_gaming_card_does_not_pass(reports: Any, card: CaseCard, profile: str) -> None:
    report = reports(card, profile)
    assert report["verdict"] != "pass", f"{card.path.name} passes under {profile} at {report['score']}"


@pytest.mark.parametrize(("card", "profile"), each(CHECKED_GAMING))
def test_gaming_card_is_caught_by_the_requirements_it_names(reports: Any, card: CaseCard, profile: str) -> None:
    seen = found(reports(card, profile))
    named = card.expected["caught_by"] + card.expected.get(f"caught_by_{profile}", [])
    missed = [requirement for requirement in named if requirement not in seen]
    assert not missed, f"{card.path.name} under {profile}: no finding of {missed}; found {json.dumps(seen, indent=1)}"


@pytest.mark.parametrize(("card", "profile"), each(CHECKED_GAMING))
def test_gaming_card_verdict(reports: Any, card: CaseCard, profile: str) -> None:
    """The verdict its header reasons to: a blocker fails, a major alone is conditional."""
    report = reports(card, profile)
    expected = card.expected["verdict"][profile]
    assert report["verdict"] == expected, f"{card.path.name} under {profile}: {json.dumps(found(report), indent=1)}"


@pytest.mark.parametrize("card", INVALID_GAMING, ids=_ids)
def test_invalid_gaming_card_is_refused_at_its_place(tmp_path: Path, card: CaseCard) -> None:
    path = card.folder(tmp_path)
    pointer = card.expected["invalid"]
    for args in (("validate",), *(("check", "--profile", p) for p in PROFILES)):
        ran = safetycase(*args, path.name, cwd=tmp_path)
        assert ran.returncode == 2, (args, ran.stdout)
        assert f"(at {pointer})" in ran.stderr, ran.stderr


# --- honest cards ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("card", "profile"), each(HONEST_CARDS))
def test_honest_card_verdict(reports: Any, card: CaseCard, profile: str) -> None:
    report = reports(card, profile)
    expected = card.expected["verdict"][profile]
    assert report["verdict"] == expected, f"{card.path.name} under {profile}: {json.dumps(found(report), indent=1)}"


@pytest.mark.parametrize(("card", "profile"), each(HONEST_CARDS))
def test_honest_card_gets_no_false_alarm(reports: Any, card: CaseCard, profile: str) -> None:
    legitimate = set(by_profile(card.expected["legitimate"], profile))
    alarms = {
        requirement: messages
        for requirement, messages in found(reports(card, profile)).items()
        if requirement not in legitimate and any(m.split(":")[0] in SERIOUS for m in messages)
    }
    assert not alarms, f"{card.path.name} under {profile}: false alarms {json.dumps(alarms, indent=1)}"


# --- the cards themselves -------------------------------------------------------------------------


@pytest.mark.parametrize("card", GAMING_CARDS + HONEST_CARDS, ids=_ids)
def test_card_says_why_it_expects_what_it_expects(card: CaseCard) -> None:
    """The comment block it starts with names its kind, every requirement x-test names, and its verdicts."""
    header = card.header
    kind = "GAMING" if card.path.parent == GAMING else "HONEST"
    assert header.startswith(f"{kind}: "), header[:80]
    assert "Expected verdict:" in header
    named = {*card.expected.get("caught_by", []), *card.expected.get("caught_by_regulator", [])}
    legitimate = card.expected.get("legitimate", [])
    named |= {r for p in PROFILES for r in by_profile(legitimate, p)}
    unexplained = [r for r in sorted(named) if not re.search(rf"\b{re.escape(r)}\b", header)]
    assert not unexplained, f"{card.path.name}: the header does not explain {unexplained}"
    for verdict in set(card.expected.get("verdict", {}).values()) or {"invalid"}:
        assert verdict in header, f"{card.path.name}: the header does not give the verdict {verdict}"


@pytest.mark.parametrize("card", GAMING_CARDS + HONEST_CARDS, ids=_ids)
def test_card_pins_the_files_it_builds(card: CaseCard) -> None:
    """Every file a card has written beside it is declared with the sha256 it gets (the card is what was checked)."""
    for path, content in card.files().items():
        declared = re.findall(rf"path: (?:\./)?{re.escape(path)}, sha256: ([0-9a-f]{{64}})", card.text)
        assert declared, f"{card.path.name} builds {path} but declares no hash of it"
        assert set(declared) == {hashlib.sha256(content).hexdigest()}, f"{card.path.name}: {path}"


@pytest.mark.parametrize("profile", ["default", "regulator"])
def test_rates_without_counts_cannot_earn_full_marks(reports: Any, profile: str) -> None:
    (card,) = [c for c in HONEST_CARDS if c.path.stem == "rates-without-counts"]
    report = reports(card, profile)
    assert report["score"] < 100
    assert {f["severity"] for f in report["findings"]} == {"minor"}
    assert {f["requirement"] for f in report["findings"]} >= {"CV-1", "AD-5"}
