"""Names of organisations as the independence checks read them: whole words, case, punctuation and legal suffixes aside."""

from __future__ import annotations

import pytest

from checker.rules.names import contains, same_body, ties, words


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Anthropic Safety Services", "Anthropic, PBC"),
        ("EXAMPLE LAB red team", "Example Lab Inc."),
        ("Example-Lab Assurance GmbH", "Example Lab"),
        ("ExampleLab Evaluations", "Example Lab"),  # written together
        ("Open AI Labs", "OpenAI"),  # written apart
        ("Anthropic's own auditors", "Anthropic"),
        ("The Example Lab", "Example Lab Ltd"),
    ],
)
def test_a_name_carried_in_whole_words_is_found(text: str, name: str) -> None:
    assert contains(text, name)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Metaculus", "Meta"),  # a word that begins with the name is not the name
        ("Independent Evaluators Ltd", "Example Lab"),
        ("Examples Laboratory", "Example Lab"),
        ("AI Safety Institute", "AI"),  # too short to tell a name from a word
        ("Inc.", "Ltd"),
    ],
)
def test_a_name_is_not_found_inside_other_words(text: str, name: str) -> None:
    assert not contains(text, name)


def test_words_leave_off_legal_suffixes_and_a_leading_the() -> None:
    assert words("The Example Lab, Inc.") == ("example", "lab")
    assert words("Partner Assurance LLP") == ("partner", "assurance")
    assert words("Ltd") == ("ltd",)  # a name that is only a suffix keeps it


def test_same_body_reads_either_name_inside_the_other() -> None:
    assert same_body("Independent Evaluators", "Independent Evaluators Ltd")
    assert same_body("Independent Evaluators Review Board", "independent evaluators ltd.")
    assert not same_body("External Review Panel", "Independent Evaluators Ltd")


@pytest.mark.parametrize(
    "affiliation",
    [
        "wholly owned subsidiary of Example Lab, Inc.",
        "a subsidiary of the lab",
        "Example Lab holds a 40% stake",
        "division of Example Lab",
        "staffed by engineers seconded from Example Lab",
        "funded solely by the developer",
        "commissioned by Example Lab, which holds a stake in it",
    ],
)
def test_an_affiliation_that_puts_the_auditor_under_the_organisation_ties_it(affiliation: str) -> None:
    assert ties(affiliation, "Example Lab")


@pytest.mark.parametrize(
    "affiliation",
    [
        "none",
        "No ties to Example Lab beyond the audit fee",
        "Independent of Example Lab",
        "not a subsidiary of Example Lab",
        "preferred vendor",
        "a subsidiary of Acme Holdings",
        "member of the Frontier Model Forum",
        "contracted by Example Lab for this audit",  # the client named: the fee, which financial_ties speaks of
    ],
)
def test_an_affiliation_that_denies_a_tie_or_names_another_body_does_not_tie(affiliation: str) -> None:
    assert not ties(affiliation, "Example Lab")


def test_an_owner_cut_at_the_window_is_not_read_as_a_shorter_name() -> None:
    """Only a few words after 'subsidiary of' are read for the owner: a word cut there is not a name."""
    assert not ties("subsidiary of " + "x" * 40 + " Metaculus", "Meta")
    assert ties("subsidiary of " + "x" * 30 + " Meta", "Meta")


def test_a_long_affiliation_is_read_in_time_linear_in_its_length() -> None:
    """Each ownership phrase reads only the words around it: 200,000 phrases are one pass, not 200,000."""
    assert not ties("part of " * 200_000, "Example Lab")
