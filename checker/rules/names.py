"""Names of organisations, compared as a reader compares them: case, punctuation and legal suffixes aside, whole words only.

A card's booleans say whether an auditor or a reviewer is independent; its names can say otherwise.
"Anthropic Safety Services" carries "Anthropic, PBC"; "Metaculus" does not carry "Meta"; "Open AI",
"OpenAI" and "Open-AI" are one name. An affiliation that names the organisation (other than to deny a
tie: "none", "no ties to Example Lab") or says it is owned by it ("wholly owned subsidiary of the
lab") ties the auditor to it.
"""

from __future__ import annotations

import re

LEGAL_SUFFIXES = frozenset(
    {
        "ab", "ag", "bv", "co", "company", "corp", "corporation", "gmbh", "inc", "incorporated", "kk", "limited",
        "llc", "llp", "lp", "ltd", "nv", "oy", "pbc", "plc", "pte", "pty", "sa", "sarl", "sas", "spa", "srl",
    }
)  # fmt: skip
"""Words that say what kind of company a name is, not which: left off the end of a name."""
SHORTEST = 3
"""Fewest letters of a name searched for inside others: a shorter one ('AI', 'X') is a word, not a name."""
NEAR = 40
"""Characters around an ownership phrase read for its negation and its owner: a few words, so that a long text
is read once, not once a phrase."""
_WORD = re.compile(r"[^\W_]+")
_LAST_WORD = re.compile(r"[^\W_]+$")
_DENIAL = re.compile(
    r"(?:none|no|not|n/a|nil|independent|unaffiliated|without"
    r"|(?:contracted|commissioned|engaged|hired|retained)\s+(?:by|for)\b(?!.*\b(?:stake|shares?|owns?|staff)\b))\b",
    re.IGNORECASE,
)
"""How an affiliation that denies a tie begins ('none', 'no ties to Example Lab', 'independent of it'), or one that
names the organisation only as the audit's client ('contracted by Example Lab for this audit': the fee, which
financial_ties speaks of), unless it goes on to a stake, shares or staff."""
_OWNED = re.compile(
    r"\b(?:subsidiary|affiliate|division|unit|department|branch|part|spin-?off|spin-?out|employees?|staff)\s+of\b"
    r"|\b(?:owned|controlled|funded|financed|operated|run|backed)\s+(?:\w+\s+)?by\b"
    r"|\bseconded\s+from\b",
    re.IGNORECASE,
)
"""Wording that puts one body under another: what follows names the owner."""
_THE_LAB = re.compile(r"(?:the|this|our)\s+(?:lab|laboratory|developer|provider|submitter|submitting\s+\w+)\b", re.I)
"""The organisation named without its name, after an ownership phrase ('a subsidiary of the lab')."""
_NEGATED = re.compile(r"\b(?:no|not|never|nor|neither)\s+(?:\w+\s+){0,2}$", re.IGNORECASE)
"""A negation just before an ownership phrase ('not a subsidiary of')."""


def words(name: str) -> tuple[str, ...]:
    """A name's words, case folded, punctuation dropped, a leading 'the' and trailing legal suffixes left off."""
    found = _WORD.findall(name.casefold())
    start = 1 if found[:1] == ["the"] and len(found) > 1 else 0
    end = len(found)
    while end > start + 1 and found[end - 1] in LEGAL_SUFFIXES:
        end -= 1
    return tuple(found[start:end])


def contains(text: str, name: str) -> bool:
    """Whether `text` carries `name` as whole words: some run of its words, written together, is the name
    written together ('Open AI Labs' carries 'OpenAI'; 'Metaculus' does not carry 'Meta')."""
    wanted = "".join(words(name))
    if len(wanted) < SHORTEST:
        return False
    found = _WORD.findall(text.casefold())
    for start in range(len(found)):
        joined = ""
        for j in range(start, len(found)):  # by index: a slice or islice from each start would be quadratic
            joined += found[j]
            if joined == wanted:
                return True
            if not wanted.startswith(joined):
                break
    return False


def same_body(first: str, second: str) -> bool:
    """Whether two names name one body: either carries the other ('Independent Evaluators Ltd' and
    'Independent Evaluators Review Board')."""
    return contains(first, second) or contains(second, first)


def ties(affiliation: str, organization: str) -> bool:
    """Whether an affiliation ties its holder to the organisation: it says it is owned, run or staffed by the
    organisation (or 'the lab'), not negated; or it names the organisation other than to deny a tie."""
    for phrase in _OWNED.finditer(affiliation):
        if _NEGATED.search(affiliation[max(0, phrase.start() - NEAR) : phrase.start()]):
            continue
        end = phrase.end() + NEAR + len(organization)
        owner = affiliation[phrase.end() : end].lstrip()
        if end < len(affiliation) and affiliation[end - 1 : end + 1].isalnum():  # a word cut in two: leave it out
            owner = _LAST_WORD.sub("", owner)
        if _THE_LAB.match(owner) or contains(owner, organization):
            return True
    return contains(affiliation, organization) and not _DENIAL.match(affiliation.strip())
