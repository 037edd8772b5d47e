"""Issue 13's property: a valid card with one contradiction injected does not pass.

A card that passes under the default profile (tests/cases/base.yaml, the passing example, and
tests/cases/honest/paired-design.yaml, a format 1.1 card) is perturbed in ways that change nothing it
claims (evaluations, claims and criteria reordered, evaluation ids renamed everywhere they are cited,
YAML or JSON); the perturbed card must still pass. Then ONE contradiction is injected, its place and values drawn by hypothesis, and the
card must not pass, with a finding of a requirement that catches that kind of contradiction:

    a date after the submission, a decision before its evaluations, audit access longer than the
    model has existed (CC-1);
    a deeper review completed after the decision (CC-1, or RG-4/RG-5 where they apply);
    an empty evidence file beside the evidence (CC-2);
    one evaluation's nonzero arms copied onto another, placeholder samples (CC-3);
    a criterion declared met that its threshold and observed value contradict (CC-4);
    a result percentage far from the evaluation's own arms, a method that says an identity item
    (system prompt, tools, monitor, weights) differs on a configuration declared identical (CC-5);
    an auditor named like the organisation, or its wholly owned subsidiary (IA-2, or CC-5 from the words);
    the auditor's do_not_proceed with a release and no recorded response (IA-6);
    the deeper reviewer named like the auditor, where a review is required (RG-4/RG-5).

Arms changed by an injection get raw samples to match (written beside the card, their sha256
declared): a lab that copies numbers makes its files agree, and a recount must not be what catches it.
Cards are checked in process with evidence read, in one folder a start card (files never written into
the repository). Each kind runs a few examples in the quick loop and more when slow tests run.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from casecards import HONEST, CaseCard
from conftest import BASE_CARD, PASS_CARD, TODAY
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from checker.pipeline import check_file
from checker.report import Report
from examples.make_evidence import raw_samples
from tests.test_requirements import EVIDENCE

Card = dict[str, Any]
Draw = Callable[..., Any]

QUICK, LONG = 4, 40
"""Examples a kind of contradiction: in the quick loop, and among the slow tests."""

EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


# --- the cards a contradiction is injected into -----------------------------------------------------


@dataclass(frozen=True)
class Start:
    """A card that passes under the default profile, and the evidence folder it is checked beside."""

    name: str
    card: Card
    evidence: Path


def _starts() -> list[tuple[str, Path, Path]]:
    """(name, card file, its evidence folder) of every start card."""
    honest = CaseCard.read(HONEST / "paired-design.yaml")
    return [
        ("base", BASE_CARD, EVIDENCE),
        ("aster-2-pass", PASS_CARD, PASS_CARD.parent / "evidence"),
        ("paired-design", honest.path, Path()),
    ]


@pytest.fixture(scope="module")
def starts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Start]:
    """Each start card with a folder of its own evidence, made once for the module."""
    made = {}
    for name, path, evidence in _starts():
        folder = tmp_path_factory.mktemp(name)
        if name == "paired-design":
            CaseCard.read(path).folder(folder)
        else:
            shutil.copytree(evidence, folder / "evidence")
        made[name] = Start(name, yaml.safe_load(path.read_text(encoding="utf-8")), folder)
    return made


# --- checking a card --------------------------------------------------------------------------------


def check(card: Card, folder: Path, as_json: bool) -> Report:
    """The card written into its start's folder (as JSON or YAML) and checked with its evidence read."""
    for name in ("card.json", "card.yaml"):
        (folder / name).unlink(missing_ok=True)
    path = folder / ("card.json" if as_json else "card.yaml")
    if as_json:
        path.write_text(json.dumps(card, indent=1, default=str), encoding="utf-8")
    else:
        path.write_text(yaml.safe_dump(card, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return check_file(path, "default", today=TODAY)


def summary(report: Report) -> list[str]:
    return [f"{f.requirement} {f.severity.value}: {p.message}" for f in report.findings for p in f.places]


# --- harmless perturbations --------------------------------------------------------------------------


def _renamed(card: Card, names: dict[str, str]) -> None:
    """Evaluation ids renamed in the evaluations and everywhere the card cites them."""
    for evaluation in card.get("evaluations") or []:
        evaluation["id"] = names.get(evaluation["id"], evaluation["id"])
    for claim in card.get("claims") or []:
        claim["evidence"] = [names.get(e, e) for e in claim.get("evidence") or []]
    gate = card.get("release_gate") or {}
    for criterion in gate.get("criteria") or []:
        criterion["evidence"] = [names.get(e, e) for e in criterion.get("evidence") or []]
        reads = criterion.get("reads") or {}
        if "evaluation" in reads:
            reads["evaluation"] = names.get(reads["evaluation"], reads["evaluation"])
    awareness = gate.get("situational_awareness") or {}
    if "basis" in awareness:
        awareness["basis"] = [names.get(e, e) for e in awareness["basis"]]


@st.composite
def perturbed(draw: Draw, start: Start) -> Card:
    """The start card with its lists reordered and its evaluation ids renamed: nothing it claims changes."""
    card = copy.deepcopy(start.card)
    for key in ("evaluations", "claims"):
        card[key] = draw(st.permutations(card[key]))
    gate = card["release_gate"]
    gate["criteria"] = draw(st.permutations(gate["criteria"]))
    if draw(st.booleans()):
        _renamed(card, {e["id"]: f"{e['id']}-{i}" for i, e in enumerate(card["evaluations"])})
    return card


# --- what can be injected ----------------------------------------------------------------------------


def _date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _counted(evaluation: Card) -> bool:
    arms = evaluation.get("arms") or []
    return bool(arms) and all("n" in arm and "count" in arm for arm in arms)


def _sample_evidence(card: Card, folder: Path, evaluation: Card) -> None:
    """Raw samples that agree with the evaluation's (changed) arms, written and declared in place of its own."""
    files = [e for e in evaluation.get("evidence") or [] if e.get("kind") == "raw_samples"]
    for k, declared in enumerate(files):
        content = raw_samples({"id": evaluation["id"], "arms": evaluation["arms"]}) if k == 0 else b""
        name = f"evidence/injected-{hashlib.sha256(content).hexdigest()[:16]}.jsonl"
        (folder / name).write_bytes(content)
        declared.update(path=name, sha256=hashlib.sha256(content).hexdigest())
    evaluation["evidence"] = [e for e in evaluation.get("evidence") or [] if e not in files[1:]]


def date_after_submission(draw: Draw, card: Card, folder: Path) -> None:
    submitted = _date(card["submission"]["submitted_on"])
    late = submitted + dt.timedelta(days=draw(st.integers(1, 3650)))
    dated = [e for e in card["evaluations"] if "date" in e] + [a for a in card["independent_audits"] if "date" in a]
    draw(st.sampled_from(dated))["date"] = late.isoformat()


def decision_before_evaluations(draw: Draw, card: Card, folder: Path) -> None:
    first = min(_date(e["date"]) for e in card["evaluations"] if "date" in e)
    card["release_gate"]["decided_on"] = (first - dt.timedelta(days=draw(st.integers(1, 20000)))).isoformat()


def century_of_access(draw: Draw, card: Card, folder: Path) -> None:
    audit = draw(st.sampled_from(card["independent_audits"]))
    audit["access"].pop("periods", None)
    audit["access"]["days"] = draw(st.integers(400, 36500))


def review_after_decision(draw: Draw, card: Card, folder: Path) -> None:
    gate = card["release_gate"]
    gate["decision"] = draw(st.sampled_from(["release", "staged_release"]))
    gate["deeper_review"]["completed_on"] = (
        _date(gate["decided_on"]) + dt.timedelta(days=draw(st.integers(1, 60)))
    ).isoformat()


def empty_evidence_file(draw: Draw, card: Card, folder: Path) -> None:
    content = draw(st.sampled_from(["", "\n", "  \n\n"])).encode()
    name = f"evidence/extra-{draw(st.integers(0, 999))}.{draw(st.sampled_from(['jsonl', 'md', 'txt']))}"
    (folder / name).write_bytes(content)
    declared = {"path": name, "sha256": hashlib.sha256(content).hexdigest()}
    if draw(st.booleans()):
        draw(st.sampled_from(card["independent_audits"]))["report"] = {**declared, "kind": "report"}
    else:
        kind = draw(st.sampled_from(["transcripts", "report", "dataset", "other"]))
        draw(st.sampled_from(card["evaluations"])).setdefault("evidence", []).append({**declared, "kind": kind})


def _telling(evaluation: Card) -> bool:
    """Whether a copy of the evaluation's arms could not be chance: two arms or more with counts of at least 5 and
    at most n - 5 (separate runs of a rare behaviour often give equal counts of 0, 1 or 2)."""
    return sum(5 <= arm["count"] <= arm["n"] - 5 for arm in evaluation["arms"]) >= 2


def copied_arms(draw: Draw, card: Card, folder: Path) -> None:
    counted = [e for e in card["evaluations"] if _counted(e)]
    source = draw(st.sampled_from([e for e in counted if _telling(e)]))
    target = draw(st.sampled_from([e for e in counted if e is not source]))
    target["arms"] = copy.deepcopy(source["arms"])
    _sample_evidence(card, folder, target)


PLACEHOLDERS = ["[redacted]", "TODO", "lorem ipsum", "...", "N/A", "<output>"]


def placeholder_samples(draw: Draw, card: Card, folder: Path) -> None:
    evaluation = draw(st.sampled_from([e for e in card["evaluations"] if e.get("samples")]))
    text = draw(st.sampled_from(PLACEHOLDERS))
    keep_inputs = draw(st.booleans())
    evaluation["samples"] = [
        {"input": s["input"] if keep_inputs else text, "output": text} for s in evaluation["samples"]
    ]


def criterion_contradicted(draw: Draw, card: Card, folder: Path) -> None:
    """A criterion declared met whose observed figure is at least two steps of its last digit past its threshold:
    a figure one step past could be a rounding of one that meets it, which is no contradiction."""
    criterion = draw(st.sampled_from(card["release_gate"]["criteria"]))
    operator = draw(st.sampled_from(["<", "<="]))
    unit = draw(st.sampled_from(["pp", "%"]))
    limit = draw(st.integers(1, 10))
    observed = draw(st.integers(limit + 2, 60))
    spaced = " " if unit == "pp" else ""
    criterion.update(threshold=f"{operator} {limit}{spaced}{unit}", observed=f"{observed}{spaced}{unit}", met=True)


OTHER_FIGURE = re.compile(r"refus|aware|situational|correct|accura", re.IGNORECASE)
"""Words that make a percentage beside them read as another figure (a refusal rate, awareness, accuracy): a
sentence with them could be about something the arms do not count, which is no contradiction."""


def _plain_behaviour(evaluation: Card) -> str | None:
    """The behaviour the arms count, in words a result would use ('complies with a harmful request'), or None."""
    behaviour = str(evaluation.get("behaviour") or "").split(" it otherwise")[0]
    return behaviour if behaviour and not OTHER_FIGURE.search(behaviour) else None


def result_far_from_arms(draw: Draw, card: Card, folder: Path) -> None:
    evaluation = draw(st.sampled_from([e for e in card["evaluations"] if _counted(e) and _plain_behaviour(e)]))
    n = sum(arm["n"] for arm in evaluation["arms"])
    rates = [100 * sum(arm["count"] for arm in evaluation["arms"]) / n]
    rates += [100 * arm["count"] / arm["n"] for arm in evaluation["arms"]]
    # Far from the pooled rate and from every arm's: a percentage that is one arm's rate contradicts nothing.
    far = [p for p in range(0, 101) if all(abs(p - rate) >= 25 for rate in rates)]
    percentage = draw(st.sampled_from(far))
    template = draw(st.sampled_from(["The model {b} in {p}% of trials.", "In {p}% of the {n} trials the model {b}."]))
    evaluation["result"] = template.format(b=_plain_behaviour(evaluation), p=percentage, n=f"{n:,}")


IDENTITY_SENTENCES = [
    "For this evaluation the production system prompt was replaced by a test prompt.",
    "The system prompt was removed for these runs.",
    "Tools were disabled for this evaluation.",
    "The monitoring layer was switched off during the runs.",
    "This evaluation ran on an earlier checkpoint, not the release weights.",
]


def identity_said_to_differ(draw: Draw, card: Card, folder: Path) -> None:
    released = card["model"]["released_configurations"]
    evaluation = draw(st.sampled_from([e for e in card["evaluations"] if e["configuration"] in released]))
    if draw(st.booleans()):  # a twin of the released configuration, declared identical in all six items
        twin = copy.deepcopy(next(c for c in card["model"]["configurations"] if c["id"] == evaluation["configuration"]))
        twin.update(id="eval-harness", description="The evaluation harness, identical to the release.")
        card["model"]["configurations"].append(twin)
        evaluation["configuration"] = "eval-harness"
    evaluation["method"] = f"{evaluation.get('method', '').strip()} {draw(st.sampled_from(IDENTITY_SENTENCES))}".strip()


def _organization(card: Card) -> str:
    organization: str = card["submission"]["organization"]
    return organization


def auditor_named_like_organization(draw: Draw, card: Card, folder: Path) -> None:
    audit = draw(st.sampled_from(card["independent_audits"]))
    organization = _organization(card)
    if draw(st.booleans()):
        suffix = draw(
            st.sampled_from(["Assurance", "Safety Evaluations Ltd", "Audit Services, Inc.", "Evaluations GmbH"])
        )
        audit["auditor"] = draw(st.sampled_from([str.strip, str.upper, str.lower]))(f"{organization} {suffix}")
    else:
        audit["independence"]["affiliation"] = f"a wholly owned subsidiary of {organization}"


def released_against_do_not_proceed(draw: Draw, card: Card, folder: Path) -> None:
    card["schema_version"] = "1.1"
    audit = draw(st.sampled_from(card["independent_audits"]))
    audit["recommendation"] = "do_not_proceed"
    audit.pop("response", None)
    card["release_gate"]["decision"] = draw(st.sampled_from(["release", "staged_release"]))


def reviewer_is_auditor(draw: Draw, card: Card, folder: Path) -> None:
    auditor = draw(st.sampled_from(card["independent_audits"]))["auditor"]
    card["release_gate"]["deeper_review"]["reviewer"] = draw(st.sampled_from([str.strip, str.upper]))(auditor)


def _review_required(card: Card) -> bool:
    """Whether the card's awareness is declared high and its decision releases: RG-4 asks for a review."""
    gate = card["release_gate"]
    return gate["situational_awareness"]["level"] == "high" and gate["decision"] in ("release", "staged_release")


@dataclass(frozen=True)
class Injection:
    inject: Callable[[Draw, Card, Path], None]
    caught_by: frozenset[str]
    applies: Callable[[Card], bool] = lambda card: True


INJECTIONS = {
    "date-after-submission": Injection(date_after_submission, frozenset({"CC-1"})),
    "decision-before-evaluations": Injection(decision_before_evaluations, frozenset({"CC-1", "RG-4"})),
    "century-of-access": Injection(century_of_access, frozenset({"CC-1"})),
    "review-after-decision": Injection(review_after_decision, frozenset({"CC-1", "RG-4", "RG-5"})),
    "empty-evidence-file": Injection(empty_evidence_file, frozenset({"CC-2"})),
    "copied-arms": Injection(copied_arms, frozenset({"CC-3"})),
    "placeholder-samples": Injection(placeholder_samples, frozenset({"CC-3"})),
    "criterion-contradicted": Injection(criterion_contradicted, frozenset({"CC-4"})),
    "result-far-from-arms": Injection(result_far_from_arms, frozenset({"CC-5"})),
    "identity-said-to-differ": Injection(identity_said_to_differ, frozenset({"CC-5"})),
    "auditor-named-like-organization": Injection(auditor_named_like_organization, frozenset({"IA-2", "CC-5"})),
    "released-against-do-not-proceed": Injection(released_against_do_not_proceed, frozenset({"IA-6"})),
    "reviewer-is-auditor": Injection(reviewer_is_auditor, frozenset({"RG-4", "RG-5"}), _review_required),
}


# --- the properties ----------------------------------------------------------------------------------


def _runs() -> list[Any]:
    """The quick loop's few examples, and the slow tests' many."""
    return [pytest.param(n, id=f"{n}", marks=pytest.mark.slow if n == LONG else ()) for n in (QUICK, LONG)]


def _bounded(examples: int) -> settings:
    """Few, reproducible examples, and no shrinking: each is a whole check of a card (about a second), and
    the first failing card, with its findings in the message, already says what was missed."""
    return settings(
        max_examples=examples,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


@pytest.mark.parametrize("examples", _runs())
@pytest.mark.parametrize("name", [name for name, _, _ in _starts()])
def test_a_perturbed_start_card_still_passes(starts: dict[str, Start], name: str, examples: int) -> None:
    """The control: the perturbations change nothing a check reads, so every start card still passes."""
    start = starts[name]

    @_bounded(examples)
    @given(data=st.data(), as_json=st.booleans())
    def still_passes(data: st.DataObject, as_json: bool) -> None:
        report = check(data.draw(perturbed(start)), start.evidence, as_json)
        assert report.verdict.value == "pass", summary(report)

    still_passes()


@pytest.mark.parametrize("examples", _runs())
@pytest.mark.parametrize("kind", sorted(INJECTIONS))
def test_one_injected_contradiction_is_caught(starts: dict[str, Start], kind: str, examples: int) -> None:
    injection = INJECTIONS[kind]
    candidates = [s for s in starts.values() if injection.applies(s.card)]

    @_bounded(examples)
    @given(data=st.data(), as_json=st.booleans())
    def caught(data: st.DataObject, as_json: bool) -> None:
        start = data.draw(st.sampled_from(candidates))
        card = data.draw(perturbed(start))
        injection.inject(data.draw, card, start.evidence)
        report = check(card, start.evidence, as_json)
        assert report.verdict.value != "pass", f"{kind} in {start.name} passes: {summary(report)}"
        catching = sorted(injection.caught_by & {f.requirement for f in report.findings})
        assert catching, f"{kind} in {start.name}: none of {sorted(injection.caught_by)} caught it: {summary(report)}"

    caught()
