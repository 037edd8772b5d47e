"""Validation: the card against the submission schema, then its cross-references.

Every problem is collected (not just the first), given its JSON pointer and its line and
column in the file, and ranked by place, so the user fixes them in one pass.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, TypeGuard, get_args

import pydantic

from checker.load import LoadedCard
from checker.model import RATE_NAME, Pair, Submission
from checker.problems import CardError, Problem
from checker.resources import describing_validator, schema, surely_valid

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError

_EVIDENCE_LISTS = ("evaluations", "independent_audits", "reasoning_evidence")
_PAIRS = get_args(Pair)


def schema_name(data: Any) -> str:
    """The schema a card is read against: the frozen 1.0 schema for a 1.0 card, else the current one."""
    version = data.get("schema_version") if isinstance(data, dict) else None
    return "submission-1.0" if version == "1.0" else "submission"


def json_pointer(parts: Any) -> str:
    """The JSON pointer of a path of keys and indexes, '~' and '/' escaped."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def _describe(error: ValidationError) -> Iterator[tuple[str, str]]:
    """(pointer, message) pairs in plain words for one schema error."""
    pointer = json_pointer(error.absolute_path)
    instance: Any = error.instance
    value: Any = error.validator_value
    schema_here: Any = error.schema
    match error.validator:
        case "additionalProperties":
            allowed = schema_here.get("properties", {})
            added = _added_in_1_1(schema_here)
            for key in sorted(k for k in instance if k not in allowed and not k.startswith("x-")):
                known = ", ".join(sorted(allowed))
                # Escaped, or a key such as '~' or 'a/b' would not find its own place in the file.
                where = pointer + json_pointer([key])
                if key in added:
                    yield where, f"unknown key '{key}' in format 1.0: it is new in format 1.1 (schema_version: \"1.1\")"
                else:
                    yield where, f"unknown key '{key}' (allowed here: {known}; 'x-' keys are free)"
        case "required":
            yield pointer, f"missing required key '{_missing(error)}'"
        case "type":
            expected = value
            expected = " or ".join(expected) if isinstance(expected, list) else expected
            yield pointer, f"expected {_article(expected)}, found {_kind(instance)}"
        case "enum":
            options = ", ".join(str(v) for v in value)
            yield pointer, f"'{instance}' is not one of: {options}"
        case "const":
            yield pointer, f"must be {value!r}, found {instance!r}"
        case "pattern":
            if "0-9a-fA-F]{64}" in str(value):
                yield pointer, f"'{_clip(instance)}' is not a sha256 hash (64 hex digits)"
            else:
                yield pointer, f"'{_clip(instance)}' is not a valid id (letters, digits, '.', '_', '-'; at most 64)"
        case "format":
            yield pointer, f"'{_clip(instance)}' is not a valid ISO 8601 date (YYYY-MM-DD)"
        case "minimum":
            yield pointer, f"must be at least {_number(value)}, found {_clip(instance)}"
        case "maximum":
            yield pointer, f"must be at most {_number(value)}, found {_clip(instance)}"
        case "minLength":
            yield pointer, "must not be empty"
        case "maxLength":
            yield pointer, f"is {len(instance):,} characters long; the limit is {value:,}"
        case "anyOf" | "oneOf" if error.context:
            # "Not valid under any of the given schemas" says nothing. When the value is of the
            # type of exactly one branch (a mapping where a mapping or null is allowed), that
            # branch is what the author meant: report its own errors. Otherwise the type is wrong.
            branch = _branch_of_its_type(error)
            if branch:
                for cause in branch:
                    yield from _describe(cause)
            else:
                yield pointer, f"expected {_anyof_expected(error)}, found {_kind(instance)}"
        case _:
            yield pointer, error.message


def _added_in_1_1(node: dict[str, Any]) -> set[str]:
    """The keys format 1.1 adds to the 1.0 schema's object `node` (empty for a node of the 1.1 schema)."""
    old = schema("submission-1.0")
    if node is old:
        return set(schema("submission")["properties"]) - set(node["properties"])
    for name, definition in old["$defs"].items():
        if definition is node:
            return set(schema("submission")["$defs"][name].get("properties", {})) - set(node.get("properties", {}))
    return set()


def _missing(error: ValidationError) -> str:
    value: Any = error.validator_value
    instance: Any = error.instance
    return str(next(k for k in value if k not in instance))


def _branch_of_its_type(error: ValidationError) -> list[ValidationError]:
    """The errors of the one branch whose type the value has; [] if none or several have it."""
    causes: dict[int, list[ValidationError]] = {}
    for cause in error.context or []:
        causes.setdefault(int(cause.relative_schema_path[0]), []).append(cause)
    # A branch refuses the value's type with a "type" error at the value itself (not deeper).
    fitting = [
        branch
        for branch in causes.values()
        if not any(cause.validator == "type" and not cause.relative_path for cause in branch)
    ]
    return fitting[0] if len(fitting) == 1 else []


def _anyof_expected(error: ValidationError) -> str:
    branches: Any = error.validator_value
    return " or ".join(_expected(_resolve(branch)) for branch in branches)


def _resolve(branch: dict[str, Any]) -> dict[str, Any]:
    """A branch with its local `$ref` (the schema uses only `#/$defs/...`) looked up."""
    while "$ref" in branch:
        branch = schema("submission")["$defs"][branch["$ref"].rsplit("/", 1)[1]]
    return branch


def _expected(branch: dict[str, Any]) -> str:
    if "0-9a-fA-F]{64}" in str(branch.get("pattern", "")):
        return "a sha256 hash (64 hex digits)"
    kind = branch.get("type")
    return " or ".join(_article(k) for k in kind) if isinstance(kind, list) else _article(str(kind))


def _number(value: Any) -> str:
    """A schema bound as a reader writes it: 1,000,000,000 and 1e+300, not 1000000000 and 1e300."""
    return f"{value:,}" if isinstance(value, int) else f"{value:g}"


def _article(kind: str) -> str:
    words = {
        "object": "a mapping",
        "array": "a list",
        "string": "a string",
        "integer": "a whole number",
        "number": "a number",
        "boolean": "true or false",
        "null": "null",
    }
    return words.get(kind, kind)


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a boolean)"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, int | float):
        return f"{_clip(value)} (a number)"
    return f"'{_clip(str(value))}' (a string)"


def _clip(text: Any, limit: int = 60) -> str:
    shown = str(text)
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def schema_problems(name: str, data: Any, *, thorough: bool = False) -> list[tuple[str, str]]:
    """(pointer, message) in plain words for each error of `data` against schema `name` (a card's, an auditor's
    statement's); `thorough` asks the describing validator without the fast path's say-so first."""
    if not thorough and surely_valid(name, data):
        return []
    return [found for error in describing_validator(name).iter_errors(data) for found in _describe(error)]


def _cross_reference_problems(data: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """Ids unique, references resolved, count <= n.

    Runs beside the schema, on a card that may have failed it: every value is read through
    `_mapping`, `_list` and `_entries`, so that one of the wrong type (a number where a list
    belongs, a mapping for an id) is left to the schema's message instead of crashing this walk.
    """
    model = _mapping(data.get("model"))
    configurations = _entries(model.get("configurations"))
    yield from _unique(
        ((f"/model/configurations/{i}", c.get("id")) for i, c in enumerate(configurations)), "configuration"
    )
    config_ids = _known_ids(model.get("configurations", []))

    evidence_entries = [
        (f"/{key}/{i}", entry) for key in _EVIDENCE_LISTS for i, entry in enumerate(_entries(data.get(key)))
    ]
    yield from _unique(((p, e.get("id")) for p, e in evidence_entries), "evaluation, audit or reasoning-evidence")
    evidence_ids = _known_ids(*(data.get(key, []) for key in _EVIDENCE_LISTS))
    evaluation_ids = _known_ids(data.get("evaluations", []))
    claims = _entries(data.get("claims"))
    yield from _unique(((f"/claims/{i}", c.get("id")) for i, c in enumerate(claims)), "claim")

    def refs(pointer: str, values: Any, known: set[str] | None, what: str) -> Iterator[tuple[str, str]]:
        for j, value in enumerate(_list(values)):
            if _unresolved(value, known):
                yield f"{pointer}/{j}", f"'{value}' names no {what} in this card"

    yield from refs("/model/released_configurations", model.get("released_configurations"), config_ids, "configuration")
    for pointer, entry in evidence_entries:
        value = entry.get("configuration")
        if _unresolved(value, config_ids):
            yield f"{pointer}/configuration", f"'{value}' names no configuration in this card"
        for k, arm in enumerate(_entries(entry.get("arms"))):
            yield from _count_within_n(f"{pointer}/arms/{k}", arm)
            if "rate" not in arm and ("n" not in arm or "count" not in arm):
                missing = " and ".join(key for key in ("n", "count") if key not in arm)
                yield f"{pointer}/arms/{k}", f"missing required key {missing} (or, format 1.1, a rate)"
            elif "count" in arm and "n" not in arm:
                yield f"{pointer}/arms/{k}", "a count without n: give the arm's n, or only its rate"
            yield from _scale(f"{pointer}/arms/{k}/rate", "rate", arm.get("rate"), arm.get("unit"))
        for key in ("metrics", "measurements"):  # a measurement is always a rate; a metric when its name says so
            for k, metric in enumerate(_entries(entry.get(key))):
                name = metric.get("name")
                if key == "measurements" or (isinstance(name, str) and RATE_NAME.search(name)):
                    yield from _scale(
                        f"{pointer}/{key}/{k}/value", f"'{_clip(name)}'", metric.get("value"), metric.get("unit")
                    )
                yield from _count_within_n(f"{pointer}/{key}/{k}", metric)
        for k, pair in enumerate(_entries(entry.get("paired"))):
            yield from _paired(f"{pointer}/paired/{k}", pair)
        for k, period in enumerate(_entries(_mapping(entry.get("access")).get("periods"))):
            where = f"{pointer}/access/periods/{k}"
            if _unresolved(period.get("configuration"), config_ids):
                yield f"{where}/configuration", f"'{period.get('configuration')}' names no configuration in this card"
            start, end = period.get("from"), period.get("to")
            if isinstance(start, str) and isinstance(end, str) and len(start) == len(end) == 10 and end < start:
                yield f"{where}/to", f"the period ends ({end}) before it starts ({start})"
    for i, configuration in enumerate(configurations):
        if _unresolved(configuration.get("derived_from"), config_ids):
            yield (
                f"/model/configurations/{i}/derived_from",
                f"'{configuration.get('derived_from')}' names no configuration in this card",
            )
    for i, claim in enumerate(claims):
        yield from refs(f"/claims/{i}/configurations", claim.get("configurations"), config_ids, "configuration")
        threshold = _mapping(claim.get("threshold"))
        if isinstance(name := threshold.get("metric"), str) and RATE_NAME.search(name):  # a rate, as metrics above
            where, what = f"/claims/{i}/threshold/value", f"the threshold on '{_clip(name)}'"
            yield from _scale(where, what, threshold.get("value"), threshold.get("unit"))
        yield from refs(
            f"/claims/{i}/evidence", claim.get("evidence"), evidence_ids, "evaluation, audit or reasoning evidence"
        )
    gate = _mapping(data.get("release_gate"))
    for i, criterion in enumerate(_entries(gate.get("criteria"))):
        reads = _mapping(criterion.get("reads"))
        if _unresolved(reads.get("evaluation"), evaluation_ids):
            yield (
                f"/release_gate/criteria/{i}/reads/evaluation",
                f"'{reads.get('evaluation')}' names no evaluation in this card",
            )
        if "pair" in reads and "metric" in reads:
            yield (
                f"/release_gate/criteria/{i}/reads",
                "reads names both a pair and a metric: a criterion reads one figure",
            )
        yield from refs(
            f"/release_gate/criteria/{i}/evidence",
            criterion.get("evidence"),
            evidence_ids,
            "evaluation, audit or reasoning evidence",
        )
    awareness = _mapping(gate.get("situational_awareness"))
    yield from refs("/release_gate/situational_awareness/basis", awareness.get("basis"), evaluation_ids, "evaluation")


def _count_within_n(pointer: str, counted: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """An arm's or a measurement's count is at most its n."""
    n, count = counted.get("n"), counted.get("count")
    if _whole(n) and _whole(count) and count > n:
        yield f"{pointer}/count", f"count {_clip(count)} is larger than n {_clip(n)}"


def _scale(pointer: str, what: str, value: Any, unit: Any) -> Iterator[tuple[str, str]]:
    """A rate above 1 with no unit: on which scale it is cannot be known, and read as a fraction it is impossible."""
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 1 and unit is None:
        yield (
            pointer,
            (
                f"{what} is {_clip(value)}, above 1, with no unit: a rate is a fraction from 0 to 1 unless "
                "'unit: percent' says it is a percentage (format 1.1)"
            ),
        )
    elif isinstance(value, int | float) and not isinstance(value, bool) and unit == "fraction" and value > 1:
        yield pointer, f"{what} is {_clip(value)}, above 1, but its unit says it is a fraction (0 to 1)"
    elif isinstance(value, int | float) and not isinstance(value, bool) and unit == "percent" and value > 100:
        yield pointer, f"{what} is {_clip(value)}, above 100, but its unit says it is a percentage (0 to 100)"


def _paired(pointer: str, pair: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """A paired design's contexts are the two sides of one pair, and its three counts add up to at most its pairs."""
    contexts = _list(pair.get("contexts"))
    if len(contexts) == 2 and contexts[0] == contexts[1]:
        yield f"{pointer}/contexts", f"both contexts are '{_clip(contexts[0])}': a paired design compares two"
    elif (
        len(contexts) == 2
        and f"{contexts[0]}/{contexts[1]}" not in _PAIRS
        and f"{contexts[1]}/{contexts[0]}" not in _PAIRS
    ):
        yield (
            f"{pointer}/contexts",
            f"'{_clip(contexts[0])}' and '{_clip(contexts[1])}' are not the two sides of one context pair "
            f"({', '.join(_PAIRS)})",
        )
    n, parts = pair.get("n"), [pair.get(k) for k in ("a_only", "b_only", "both")]
    whole = [p for p in parts if _whole(p)]
    if _whole(n) and len(whole) == 3 and sum(whole) > n:
        yield f"{pointer}/n", f"a_only + b_only + both is {_clip(sum(whole))}, more than the {_clip(n)} pairs"


def _mapping(value: Any) -> dict[str, Any]:
    """`value` if it is a mapping, else an empty one: a value of another type is the schema's to report."""
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    """`value` if it is a list, else an empty one (a string or mapping is not walked as if it were one)."""
    return value if isinstance(value, list) else []


def _entries(value: Any) -> list[dict[str, Any]]:
    """The items of a list of entries, each in its place (the pointers count on it); an item that
    is not a mapping stands as an empty one, which names and references nothing."""
    return [_mapping(item) for item in _list(value)]


def _known_ids(*lists: Any) -> set[str] | None:
    """The ids the entries of these lists declare; None if one of them is malformed (not a list, an
    entry not a mapping, an id missing or not a string). A reference that resolves to none of the
    ids may then have meant the malformed one: only the schema's message about it is sure."""
    ids: set[str] = set()
    for entries in lists:
        if not isinstance(entries, list):
            return None
        for entry in entries:
            value = entry.get("id") if isinstance(entry, dict) else None
            if not isinstance(value, str):
                return None
            ids.add(value)
    return ids


def _unresolved(reference: Any, known: set[str] | None) -> bool:
    """A reference (a string: any other type is the schema's) to none of the ids, when they are known."""
    return isinstance(reference, str) and known is not None and reference not in known


def _whole(value: Any) -> TypeGuard[int | float]:
    """A whole number as JSON Schema sees one: 8 and 8.0 alike, never a boolean."""
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())


def _unique(entries: Iterator[tuple[str, Any]], what: str) -> Iterator[tuple[str, str]]:
    first: dict[str, str] = {}
    for pointer, value in entries:
        if not isinstance(value, str):
            continue
        if value in first:
            yield f"{pointer}/id", f"duplicate {what} id '{value}' (first at {first[value]})"
        else:
            first[value] = pointer


def problems(card: LoadedCard, *, thorough: bool = False) -> list[Problem]:
    """Every schema and cross-reference problem of a loaded card, in file order.

    The describing validator runs when the compiled one does not show the card valid, or always
    when `thorough`.
    """
    found: dict[tuple[str, str], None] = {}
    for pointer, message in (
        *schema_problems(schema_name(card.data), card.data, thorough=thorough),
        *_cross_reference_problems(card.data),
    ):
        found[(pointer, message)] = None
    return _placed(card, found)


def _placed(card: LoadedCard, found: Iterable[tuple[str, str]]) -> list[Problem]:
    result = []
    for pointer, message in found:
        # An unknown key is best shown at the key itself, everything else at its value.
        position = card.locate_key(pointer) if message.startswith("unknown key") else card.locate(pointer)
        result.append(
            Problem(
                file=str(card.path),
                pointer=pointer,
                line=position.line if position else None,
                column=position.column if position else None,
                message=message,
            )
        )
    return sorted(result, key=lambda p: (p.line or 0, p.column or 0, p.pointer, p.message))


def without_extensions(value: Any) -> Any:
    """A document's data with its `x-` keys (the author's own, free of the schema) left out, for the typed models."""
    if isinstance(value, dict):
        return {k: without_extensions(v) for k, v in value.items() if not k.startswith("x-")}
    if isinstance(value, list):
        return [without_extensions(v) for v in value]
    return value


def validate(card: LoadedCard) -> Submission:
    """The card as typed data; raises CardError with every problem if it is invalid."""
    found = problems(card)
    if found:
        raise CardError(found)
    try:
        return Submission.model_validate(without_extensions(card.data))
    except pydantic.ValidationError as error:
        # The compiled validator passed what the typed model refuses (e.g. the date 0000-01-01, which
        # RFC 3339 allows and Python's dates do not): the describing validator says what is wrong,
        # and failing that the model does.
        found = problems(card, thorough=True) or _placed(
            card, ((json_pointer(e["loc"]), f"{e['msg'][:1].lower()}{e['msg'][1:]}") for e in error.errors())
        )
        raise CardError(found) from None
