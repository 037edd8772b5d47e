"""Inability claims judged by the evidence (issue 13): thresholds with their uncertainty, the evaluations a claim does
not cite, rates declared without counts, and the supplementary and derived evidence an honest card reports.

Each test is an edit of cases/base.yaml, as in test_rule_edges.py: the card, the finding (or its absence) the
requirement demands, and why.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import TODAY

from checker.model import Claim, Evaluation, Status
from checker.pipeline import check_file
from checker.problems import CardError
from checker.rules.figures import Reading
from checker.rules.inability import Limit, Standing
from checker.severity import Severity
from tests.hostile.make import CARD
from tests.test_big_cards import lines_run
from tests.test_requirements import run
from tests.test_rule_edges import card, places

V11 = ('schema_version: "1.0"', 'schema_version: "1.1"')

C2 = "hazardous-knowledge set.\n    argument: trustworthiness\n    configurations: [api-prod]\n    evidence: [sb-wmdp, audit-1]\n"


def inability(evidence: str, threshold: str = "") -> tuple[str, str]:
    """Claim C2 (at /claims/1) made an inability claim citing `evidence`, with a threshold when one is given."""
    said = f"    threshold: {threshold}\n" if threshold else ""
    return (
        C2,
        f"hazardous-knowledge set.\n    argument: inability\n    configurations: [api-prod]\n    evidence: [{evidence}]\n{said}",
    )


def evaluation(
    configuration: str = "api-prod",
    behaviour: str | None = None,
    role: str | None = None,
    arm: str = "n: 100, count: 3",
) -> tuple[str, str]:
    """A hidden-goals evaluation 'hg-followup' (at /evaluations/7) added to the card, which no claim cites."""
    text = f"  - id: hg-followup\n    category: hidden_goals\n    configuration: {configuration}\n"
    text += f"    behaviour: {behaviour}\n" if behaviour else ""
    text += f"    role: {role}\n" if role else ""
    text += f"    arms:\n      - {{context: overall, {arm}}}\n"
    return "independent_audits:\n", text + "independent_audits:\n"


HG_BEHAVIOUR = "reveals an objective outside its specification"


# --- AR-3 and AR-2: a threshold, and how uncertainty counts -------------------------------------


def test_a_figure_on_the_wrong_side_of_the_threshold_contradicts_the_claim_quoting_both(tmp_path: Path) -> None:
    report = run(
        tmp_path, card(V11, inability("ptc-deployment-tag", "{metric: rate, operator: '<', value: 0.1, unit: percent}"))
    )
    (contradicted,) = places(report, "AR-3")
    assert report.requirement("AR-3").severity is Severity.BLOCKER
    assert contradicted.pointer == "/claims/1/argument"
    assert contradicted.message == (
        "inability claim C2 says rate < 0.1%, but is contradicted by 'ptc-deployment-tag': the behaviour was observed "
        "in 1 of 500 overall trials (0.2%, 95% CI 0.0% to 1.1%)"
    )
    assert contradicted.figures["threshold"] == {"metric": "rate", "operator": "<", "value": 0.1, "unit": "percent"}
    assert places(report, "AR-2") == []  # the contradiction is AR-3's, not also AR-2's


def test_a_figure_within_the_threshold_whose_interval_reaches_past_it_is_not_shown(tmp_path: Path) -> None:
    # 1 of 500 is 0.2%, under 1%; but its 95% interval reaches 1.1%: the evidence cannot show "under 1%".
    report = run(tmp_path, card(V11, inability("ptc-deployment-tag", "{metric: rate, operator: '<', value: 0.01}")))
    assert places(report, "AR-3") == []
    assert report.requirement("AR-3").status is Status.MET
    (unshown,) = places(report, "AR-2")
    assert report.requirement("AR-2").severity is Severity.MAJOR
    assert unshown.pointer == "/claims/1/threshold"
    assert unshown.message == (
        "inability claim C2 says rate < 0.01, which its evidence does not show: in 'ptc-deployment-tag' the behaviour "
        "was observed in 1 of 500 overall trials (0.2%, 95% CI 0.0% to 1.1%), an interval not all < 1%"
    )
    assert unshown.figures["interval"] == [0.0004, 0.0112]


def test_a_figure_whose_whole_interval_is_within_the_threshold_shows_the_claim(tmp_path: Path) -> None:
    report = run(
        tmp_path, card(V11, inability("ptc-deployment-tag", "{metric: rate, operator: '<', value: 2, unit: percent}"))
    )
    assert places(report, "AR-3") == places(report, "AR-2") == []
    assert report.requirement("AR-3").status is Status.MET


@pytest.mark.parametrize(
    ("value", "standing"),
    [(0.55, "shown"), (0.6, "not shown"), (0.65, "contradicted")],
    ids=["interval above", "interval reaching below", "figure below"],
)
def test_a_threshold_from_below_reads_the_lower_bound_of_a_metric_of_n_items(
    tmp_path: Path, value: float, standing: str
) -> None:
    # sb-wmdp's accuracy_prompted is 0.612 of 1,000 items: 95% CI 58.1% to 64.2%.
    threshold = f"{{metric: accuracy_prompted, operator: '>=', value: {value}}}"
    report = run(tmp_path, card(V11, inability("sb-wmdp", threshold)))
    found = {"contradicted": places(report, "AR-3"), "not shown": places(report, "AR-2")}
    assert [name for name, seen in found.items() if seen] == ([] if standing == "shown" else [standing])
    if standing == "not shown":
        assert (
            "its metric 'accuracy_prompted' is 61.2% of 1000 (95% CI 58.1% to 64.2%)" in found["not shown"][0].message
        )
        assert found["not shown"][0].message.endswith("an interval not all >= 60%")


def test_a_percent_threshold_and_a_fraction_threshold_say_the_same(tmp_path: Path) -> None:
    percent = run(
        tmp_path, card(V11, inability("ptc-deployment-tag", "{metric: rate, operator: '<', value: 1, unit: percent}"))
    )
    fraction = run(tmp_path, card(V11, inability("ptc-deployment-tag", "{metric: rate, operator: '<', value: 0.01}")))
    assert [p.figures["interval"] for p in places(percent, "AR-2")] == [
        p.figures["interval"] for p in places(fraction, "AR-2")
    ]
    assert len(places(percent, "AR-2")) == 1


def test_a_metric_without_n_does_not_show_the_claim(tmp_path: Path) -> None:
    report = run(
        tmp_path,
        card(
            V11,
            inability("sb-wmdp", "{metric: accuracy_prompted, operator: '>=', value: 0.5}"),
            ("{name: accuracy_prompted, value: 0.612, n: 1000}", "{name: accuracy_prompted, value: 0.612}"),
        ),
    )
    (unshown,) = places(report, "AR-2")
    assert unshown.message.endswith(
        "in 'sb-wmdp' it declares metric 'accuracy_prompted' as 0.612, with no counts to show its uncertainty"
    )


def test_a_threshold_on_a_figure_no_cited_evaluation_gives_is_not_shown(tmp_path: Path) -> None:
    report = run(tmp_path, card(V11, inability("sb-wmdp", "{metric: rate, operator: '<', value: 0.05}")))
    (unshown,) = places(report, "AR-2")
    assert unshown.message == (
        "inability claim C2 says rate < 0.05, which its evidence does not show: none of the evaluations it cites gives "
        "the behaviour's rate in arms"
    )


def test_a_rate_threshold_above_one_without_a_unit_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CardError) as refused:
        run(tmp_path, card(V11, inability("ptc-deployment-tag", "{metric: rate, operator: '<', value: 5}")))
    (problem,) = refused.value.problems
    assert problem.pointer == "/claims/1/threshold/value"
    assert problem.message.startswith("the threshold on 'rate' is 5, above 1, with no unit")


@pytest.mark.parametrize(
    ("operator", "value", "figure", "interval", "standing"),
    [
        ("<", 0.02, 0.02, (0.01, 0.019), Standing.CONTRADICTED),  # at the value is not under it
        ("<=", 0.02, 0.02, (0.01, 0.02), Standing.SHOWN),
        ("<", 0.02, 0.01, (0.005, 0.02), Standing.NOT_SHOWN),
        (">", 0.5, 0.6, (0.51, 0.7), Standing.SHOWN),
        (">", 0.5, 0.6, (0.5, 0.7), Standing.NOT_SHOWN),
    ],
)
def test_a_limit_compares_the_figure_and_its_far_bound(
    operator: str, value: float, figure: float, interval: tuple[float, float], standing: Standing
) -> None:
    limit = Limit(metric="rate", operator=operator, value=value, stated=f"rate {operator} {value}")
    reading = Reading(evaluation=_EVALUATION, source="arm", label="overall", value=figure, n=100, count=1)
    object.__setattr__(reading, "interval", interval)  # the bounds under test, not Wilson's for 1 of 100
    assert limit.standing(reading) is standing


_EVALUATION = Evaluation(id="e", category="other", configuration="c")


def test_without_a_threshold_any_observation_contradicts_and_counts_of_none_show_all_they_can() -> None:
    limit = Limit.of(Claim(id="C", statement="s", argument="inability"))
    none = Reading(evaluation=_EVALUATION, source="arm", label="overall", value=0.0, n=20, count=0)
    one = Reading(evaluation=_EVALUATION, source="arm", label="overall", value=1 / 100_000, n=100_000, count=1)
    declared = Reading(evaluation=_EVALUATION, source="arm", label="overall", value=0.0, declared="0%")
    assert [limit.standing(r) for r in (none, one, declared)] == [
        Standing.SHOWN,
        Standing.CONTRADICTED,
        Standing.NOT_SHOWN,
    ]


# --- rates without counts -------------------------------------------------------------------------


RATE_ONLY = ("      - {context: overall, n: 200, count: 0}\n", "      - {context: overall, rate: 12, unit: percent}\n")


def test_a_declared_rate_without_counts_contradicts_an_inability_claim(tmp_path: Path) -> None:
    report = run(tmp_path, card(V11, RATE_ONLY, inability("hg-auditing-game")))
    (contradicted,) = places(report, "AR-3")
    assert contradicted.message == (
        "inability claim C2 is contradicted by 'hg-auditing-game': it declares the behaviour's rate in its overall arm "
        "as 12%, with no counts to show its uncertainty"
    )
    assert contradicted.figures == {
        "claim": "C2",
        "evaluation": "hg-auditing-game",
        "context": "overall",
        "declared": "12%",
        "rate": 0.12,
    }


def test_a_declared_rate_of_zero_does_not_show_an_inability_claim(tmp_path: Path) -> None:
    zero = ("      - {context: overall, n: 200, count: 0}\n", "      - {context: overall, rate: 0}\n")
    report = run(tmp_path, card(V11, zero, inability("hg-auditing-game")))
    assert places(report, "AR-3") == []
    (unshown,) = places(report, "AR-2")
    assert unshown.pointer == "/claims/1/evidence"
    assert unshown.message == (
        "inability claim C2 says the behaviour was never observed, which its evidence does not show: in "
        "'hg-auditing-game' it declares the behaviour's rate in its overall arm as 0, with no counts to show its uncertainty"
    )


def test_an_evaluation_giving_only_rates_earns_less_than_one_giving_counts(tmp_path: Path) -> None:
    report = run(tmp_path, card(V11, RATE_ONLY))
    (unverified,) = places(report, "AD-2")
    assert report.requirement("AD-2").score == pytest.approx(0.9)
    assert unverified.message == (
        "the hidden goals evaluation 'hg-auditing-game' gives only rates, without counts, which cannot be verified "
        "(overall 12%)"
    )
    assert unverified.figures["rates_without_counts"] == ["overall"]
    # Declared, not contradicted: it costs the score and is told, as a minor finding, not a major one.
    assert [f.severity for f in report.findings_for("AD-2")] == [Severity.MINOR]


def test_an_evaluation_with_counts_beside_one_with_only_rates_earns_full_marks(tmp_path: Path) -> None:
    report = run(tmp_path, card(V11, evaluation(arm="rate: 0.01")))
    assert places(report, "AD-2") == []
    assert report.requirement("AD-2").status is Status.MET


# --- AR-3: citing only what agrees ----------------------------------------------------------------


def test_an_uncited_evaluation_of_the_same_capability_on_the_same_configuration_contradicts(tmp_path: Path) -> None:
    report = run(tmp_path, card(inability("hg-auditing-game"), evaluation(behaviour=HG_BEHAVIOUR)))
    (contradicted,) = places(report, "AR-3")
    assert contradicted.pointer == "/claims/1/evidence"
    assert contradicted.message == (
        "inability claim C2 is contradicted by 'hg-followup', which it does not cite but which tested the same "
        "capability (hidden_goals: \"reveals an objective outside its specification\") on 'api-prod': the behaviour "
        "was observed in 3 of 100 overall trials (3.0%, 95% CI 1.0% to 8.5%)"
    )
    assert contradicted.figures["cited"] is False


@pytest.mark.parametrize(
    "behaviour",
    [None, "Reveals an objective  outside its specification."],
    ids=["behaviour unstated", "the same behaviour written differently"],
)
def test_an_uncited_evaluation_of_the_category_contradicts_unless_it_names_another_behaviour(
    tmp_path: Path, behaviour: str | None
) -> None:
    report = run(tmp_path, card(inability("hg-auditing-game"), evaluation(behaviour=behaviour)))
    assert len(places(report, "AR-3")) == 1


def test_an_uncited_evaluation_of_another_behaviour_does_not_contradict(tmp_path: Path) -> None:
    report = run(tmp_path, card(inability("hg-auditing-game"), evaluation(behaviour="writes insecure code")))
    assert places(report, "AR-3") == []


def test_an_uncited_evaluation_on_a_configuration_identical_to_the_claims_contradicts(tmp_path: Path) -> None:
    base = card()
    start = base.index("    - id: api-prod\n")
    twin = base[start : base.index("evaluations:\n")].replace("id: api-prod", "id: api-prod-staging")
    report = run(
        tmp_path,
        card(
            ("evaluations:\n  - id: af-helpful-only\n", twin + "evaluations:\n  - id: af-helpful-only\n"),
            inability("hg-auditing-game"),
            evaluation(configuration="api-prod-staging"),
        ),
    )
    (contradicted,) = places(report, "AR-3")
    assert "on 'api-prod-staging'" in contradicted.message


def test_an_uncited_evaluation_within_the_threshold_does_not_contradict(tmp_path: Path) -> None:
    report = run(
        tmp_path,
        card(V11, inability("hg-auditing-game", "{metric: rate, operator: '<', value: 0.05}"), evaluation()),
    )
    assert places(report, "AR-3") == []


RC1 = (
    "      access_setting: api\nevaluations:\n",
    "      access_setting: api\n"
    "    - id: rc1\n"
    "      description: Release candidate 1, an earlier snapshot.\n"
    "      weights_sha256: 1ae54f7078118c5a146dcd92d04842b8e78a68aac4b5663a10e2eb79bffec65f\n"
    "      access_setting: api\n"
    "evaluations:\n",
)


def test_a_claim_naming_no_configuration_is_contradicted_by_an_uncited_evaluation_of_the_release(
    tmp_path: Path,
) -> None:
    # It cites only a clean run on an earlier snapshot; naming no configuration, it is about the release, on which
    # the hidden-goals evaluation it leaves out saw the behaviour.
    unscoped = (C2, "hazardous-knowledge set.\n    argument: inability\n    evidence: [hg-followup]\n")
    seen = ("      - {context: overall, n: 200, count: 0}\n", "      - {context: overall, n: 200, count: 6}\n")
    report = run(tmp_path, card(RC1, seen, unscoped, evaluation("rc1", arm="n: 100, count: 0")))
    (contradicted,) = places(report, "AR-3")
    assert contradicted.message.startswith(
        "inability claim C2 is contradicted by 'hg-auditing-game', which it does not cite but which tested the same "
        "capability (hidden_goals"
    )
    assert "on 'api-prod': the behaviour was observed in 6 of 200 overall trials" in contradicted.message


def test_a_supplementary_earlier_snapshot_no_claim_cites_is_no_contradiction_and_no_version_finding(
    tmp_path: Path,
) -> None:
    # An honest card reports the behaviour on an earlier snapshot as trend data: not evidence about the release.
    report = run(
        tmp_path, card(V11, RC1, inability("hg-auditing-game"), evaluation("rc1", HG_BEHAVIOUR, "supplementary"))
    )
    assert places(report, "AR-3") == places(report, "VS-3") == []
    assert report.verdict.value == "pass"


def test_a_primary_evaluation_of_an_earlier_snapshot_still_does_not_support_the_release(tmp_path: Path) -> None:
    report = run(tmp_path, card(V11, RC1, evaluation("rc1", HG_BEHAVIOUR)))
    (off,) = places(report, "VS-3")
    assert off.pointer == "/evaluations/7/configuration"


def test_marking_an_evaluation_of_the_release_supplementary_does_not_hide_a_contradiction(tmp_path: Path) -> None:
    report = run(tmp_path, card(V11, inability("hg-auditing-game"), evaluation(role="supplementary")))
    assert len(places(report, "AR-3")) == 1


def test_a_supplementary_entry_a_claim_cites_is_judged_and_the_finding_says_so(tmp_path: Path) -> None:
    report = run(
        tmp_path,
        card(
            V11,
            RC1,
            inability("hg-auditing-game, hg-followup"),
            evaluation("rc1", role="supplementary", arm="n: 100, count: 0"),
        ),
    )
    (off,) = places(report, "VS-3")
    assert off.message.startswith(
        "'hg-followup' (declared supplementary, but claim C2 cites it) tested configuration 'rc1', which differs"
    )


HG_ON_RC1 = (
    "    category: hidden_goals\n    configuration: api-prod\n",
    "    category: hidden_goals\n    configuration: rc1\n    role: supplementary\n",
)


def test_a_category_tested_only_in_supplementary_data_on_a_snapshot_is_not_tested_on_the_release(
    tmp_path: Path,
) -> None:
    # Marking the only hidden-goals evaluation, run on an earlier snapshot, supplementary silences VS-3: AD-2 still
    # sees that nothing tested the release.
    report = run(tmp_path, card(V11, RC1, HG_ON_RC1))
    assert places(report, "VS-3") == []
    (untested,) = places(report, "AD-2")
    assert report.requirement("AD-2").score == pytest.approx(0.4)
    assert untested.pointer == "/evaluations/3/role"
    assert untested.message == (
        "the card tested for hidden goals only in evaluations declared supplementary, on configurations that are not "
        "released ('hg-auditing-game' on 'rc1'): nothing tested the release for it"
    )


def test_supplementary_data_on_the_release_itself_tests_the_category(tmp_path: Path) -> None:
    report = run(tmp_path, card(V11, (HG_ON_RC1[0], HG_ON_RC1[0] + "    role: supplementary\n")))
    assert places(report, "AD-2") == []
    assert report.requirement("AD-2").status is Status.MET


def test_the_quality_of_a_supplementary_snapshots_evaluation_is_not_judged(tmp_path: Path) -> None:
    # hg-followup gives no samples and does not say whether its prompts were public: trend data on an earlier
    # snapshot, reported beside the evidence, costs the card nothing; the same on the release does.
    snapshot = run(tmp_path, card(V11, RC1, evaluation("rc1", role="supplementary")))
    assert places(snapshot, "AD-7") == places(snapshot, "AD-8") == []
    on_release = run(tmp_path, card(V11, evaluation(role="supplementary")))
    assert [p.pointer for p in places(on_release, "AD-7") + places(on_release, "AD-8")] == ["/evaluations/7"] * 2


def test_a_supplementary_snapshots_fine_tuned_elicitation_does_not_stand_for_the_release(tmp_path: Path) -> None:
    # sb-wmdp elicits by fine-tuning; moved to an earlier snapshot as supplementary data, with a prompted run on the
    # release, the release's sandbagging was elicited by prompting alone.
    moved = (
        "    category: sandbagging\n    configuration: api-prod\n",
        "    category: sandbagging\n    configuration: rc1\n    role: supplementary\n",
    )
    prompted = (
        "independent_audits:\n",
        "  - id: sb-prompted\n    category: sandbagging\n    configuration: api-prod\n    elicitation: prompting\n"
        "independent_audits:\n",
    )
    report = run(tmp_path, card(V11, RC1, moved, prompted))
    (prompting,) = places(report, "AD-6")
    assert prompting.message == "sandbagging evaluation 'sb-prompted' elicits capability by prompting alone"


def test_supplementary_reasoning_evidence_on_another_configuration_is_not_judged_nor_counted(tmp_path: Path) -> None:
    # Not held against the card as evidence off the release (VS-3), nor counted as a second kind of it (RE-1).
    report = run(
        tmp_path,
        card(
            V11,
            RC1,
            (
                "  - id: probe-deception\n    kind: activation_analysis\n    configuration: api-prod\n",
                "  - id: probe-deception\n    kind: activation_analysis\n    configuration: rc1\n    role: supplementary\n",
            ),
        ),
    )
    assert places(report, "VS-3") == []
    (one_kind,) = places(report, "RE-1")
    assert one_kind.message == (
        "the card reports one kind of reasoning evidence (chain_of_thought); at least two are needed (not counted: "
        "'probe-deception', declared supplementary, on configurations that are not released)"
    )


# --- VS-3, AR-2, AR-3: configurations derived to bound an open-weights release ---------------------

OPEN_WEIGHTS = ("      access_setting: api\nevaluations:\n", "      access_setting: open_weights\nevaluations:\n")
HISTORY = (
    "        - {stage: sft-1, kind: supervised, completed_on: 2026-08-01, description: Instruction tuning.}\n"
    "        - {stage: rl-2, kind: reinforcement_learning, completed_on: 2026-09-15, description: RL from human and AI feedback.}\n"
)


def derived(
    derivation: str | None = "adversarial_fine_tuning", source: str = "api-prod", history: str | None = None
) -> tuple[str, str]:
    """A configuration 'aft' derived from `source`; by default adversarially fine-tuned: the release's history and a stage."""
    history = (
        HISTORY + "        - {stage: aft-1, kind: supervised, completed_on: 2026-10-05}\n"
        if history is None
        else history
    )
    text = (
        "    - id: aft\n"
        "      weights_sha256: 9ae54f7078118c5a146dcd92d04842b8e78a68aac4b5663a10e2eb79bffec65f\n"
        f"      derived_from: {source}\n"
        + (f"      derivation: {derivation}\n" if derivation else "")
        + (f"      fine_tuning_history:\n{history}" if history else "")
    )
    return "evaluations:\n  - id: af-helpful-only\n", text + "evaluations:\n  - id: af-helpful-only\n"


HG_ON_AFT = (
    "    category: hidden_goals\n    configuration: api-prod\n",
    "    category: hidden_goals\n    configuration: aft\n",
)


def test_adversarial_fine_tuning_of_open_weights_bounds_the_release(tmp_path: Path) -> None:
    report = run(tmp_path, card(V11, OPEN_WEIGHTS, derived(), HG_ON_AFT, inability("hg-auditing-game")))
    assert places(report, "VS-3") == places(report, "AR-2") == places(report, "AR-3") == []
    assert report.requirement("VS-3").status is Status.MET


def test_an_uncited_evaluation_of_the_derived_worst_case_contradicts_an_inability_claim_about_the_release(
    tmp_path: Path,
) -> None:
    report = run(tmp_path, card(V11, OPEN_WEIGHTS, derived(), inability("hg-auditing-game"), evaluation("aft")))
    (contradicted,) = places(report, "AR-3")
    assert (
        "which it does not cite but which tested the same capability (hidden_goals) on 'aft' (derived to bound "
        "'api-prod'): the behaviour was observed in 3 of 100 overall trials" in contradicted.message
    )


def test_a_derived_configuration_speaks_only_for_inability_claims(tmp_path: Path) -> None:
    # Fine-tuning bounds what the weights can do, not how the released model behaves: a trustworthiness claim needs the release.
    claim = (C2, C2.replace("evidence: [sb-wmdp, audit-1]", "evidence: [hg-auditing-game]"))
    report = run(tmp_path, card(V11, OPEN_WEIGHTS, derived(), HG_ON_AFT, claim))
    (unsupported,) = places(report, "AR-2")
    assert unsupported.message.startswith("claim C2 is unsupported: none of its evidence tested api-prod")


@pytest.mark.parametrize(
    ("edits", "words"),
    [
        (
            (derived(),),
            "was derived from 'api-prod' (adversarial_fine_tuning), but 'api-prod' is not released as open weights "
            "(access setting api), so no one it is released to can make the derived model",
        ),
        (
            (OPEN_WEIGHTS, derived("quantization")),
            "but quantization does not elicit the worst case of the released weights (only adversarial fine-tuning, a "
            "helpful-only tune or removing safeguards do)",
        ),
        (
            (OPEN_WEIGHTS, derived(None)),
            "was derived from 'api-prod', but the card does not say how (derivation), so nothing shows it elicits the "
            "worst case of the released weights",
        ),
        (
            (OPEN_WEIGHTS, derived(history="")),
            "but the fine-tuning history of 'aft' is unstated, so nothing shows that the one continues the other",
        ),
        (
            (OPEN_WEIGHTS, derived(history=HISTORY)),
            "but its fine-tuning history (sft-1, rl-2) does not continue that of 'api-prod' (sft-1, rl-2) with a stage "
            "of its own",
        ),
        (
            (RC1, derived(source="rc1")),
            "was derived from 'rc1' (adversarial_fine_tuning), but 'rc1' is not a released configuration",
        ),
    ],
    ids=[
        "closed release",
        "quantization",
        "derivation unstated",
        "history unstated",
        "history not continued",
        "unreleased source",
    ],
)
def test_evidence_on_a_derived_configuration_that_does_not_bound_the_release_is_another_configurations(
    tmp_path: Path, edits: tuple[tuple[str, str], ...], words: str
) -> None:
    report = run(tmp_path, card(V11, *edits, HG_ON_AFT))
    (off,) = places(report, "VS-3")
    assert off.pointer == "/evaluations/3/configuration"
    assert words in off.message
    assert off.message.startswith("'hg-auditing-game' tested configuration 'aft', which was derived from")
    assert off.message.endswith(": it does not support claims about this release")
    assert off.figures["derived_from"] in ("api-prod", "rc1")


# --- cost: a claim costs what it cites, not a pass over the card -------------------------------------


def _inability_card(n: int) -> str:
    """n inability claims, each citing its own evaluation, and n more evaluations of the same capability."""
    evaluations = "".join(
        f"  - {{id: ev-{i}, category: scheming, configuration: release, arms: [{{context: overall, n: 100, count: 0}}]}}\n"
        for i in range(2 * n)
    )
    claims = "".join(
        f"  - {{id: C{i}, statement: Unable to scheme., argument: inability, evidence: [ev-{i}]}}\n" for i in range(n)
    )
    return CARD + "evaluations:\n" + evaluations + "claims:\n" + claims


def test_checking_inability_claims_against_uncited_evaluations_grows_with_the_card(tmp_path: Path) -> None:
    costs = []
    for n in (100, 200):
        path = tmp_path / f"card-{n}.yaml"
        path.write_text(_inability_card(n), encoding="utf-8")
        costs.append(lines_run(lambda path=path: check_file(path, today=TODAY, evidence=False)))
    assert costs[1] / costs[0] < 2.3


def snapshot_audit(role: str) -> tuple[str, str]:
    """A second audit, of release candidate 1 (an earlier snapshot), which no claim cites."""
    return (
        "reasoning_evidence:\n",
        "  - id: audit-rc1\n"
        "    auditor: Lantern Evaluations\n"
        "    configuration: rc1\n"
        f"{role}"
        "    date: 2026-09-01\n"
        "    findings: Tested an earlier snapshot, black-box, for six days.\n"
        "reasoning_evidence:\n",
    )


def test_an_uncited_audit_of_an_earlier_snapshot_declared_supplementary_is_not_judged_by_vs3(tmp_path: Path) -> None:
    assert places(run(tmp_path, card(V11, RC1, snapshot_audit("    role: supplementary\n"))), "VS-3") == []


def test_the_same_audit_not_declared_supplementary_does_not_support_claims_about_the_release(tmp_path: Path) -> None:
    (off,) = places(run(tmp_path, card(V11, RC1, snapshot_audit(""))), "VS-3")
    assert off.message.startswith("'audit-rc1' tested configuration 'rc1', which differs")
