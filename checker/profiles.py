"""Profiles: the thresholds, weights and severity overrides a check runs under.

A profile is YAML data validated by `schema/profile.schema.json`, whose bounds keep every number
where the statistics and the scoring work. It may `extends:` a built-in profile by name or another
file by path (relative to itself), but only a file under the folder of the first profile, at most
MAX_EXTENDS deep and without a loop; settings merge key by key, nested tables (area weights, audit
access, severities) too. An unknown option is an error that names itself, in the file the user
named; a file reached through `extends:` is never quoted (it may not be a profile at all).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from checker.catalog import Catalog
from checker.load import Position, parse_card, read_regular
from checker.model import AccessLevel
from checker.problems import CardError, Problem
from checker.resources import describing_validator, read_bytes, schema, surely_valid
from checker.severity import Severity

if TYPE_CHECKING:
    import jsonschema

BUILTIN = ("default", "regulator")
_MERGED_TABLES = ("area_weights", "audit_access", "severities")
_FILE_SUFFIXES = (".yaml", ".yml")
MAX_EXTENDS = 16
"""How many profiles one may extend, one through another: a longer chain is a mistake, not a design."""
_NOT_SHOWN = "(a file reached through extends is not quoted; pass it to --profile to see more)"
_UNREADABLE = f"cannot be read as a profile {_NOT_SHOWN}"
_BOUNDS = {
    "minimum": "at least",
    "exclusiveMinimum": "more than",
    "maximum": "at most",
    "exclusiveMaximum": "less than",
}


class AuditAccess(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    level: AccessLevel
    chain_of_thought: bool
    activations: bool
    helpful_only_model: bool
    days: int


class Profile(BaseModel):
    """A resolved profile: every setting present, `extends:` applied."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    name: str
    description: str = ""
    source: str
    """`builtin:NAME` or the path of the user's file."""
    files: tuple[str, ...] = Field(default=(), exclude=True)
    """The files it was read from: the user's, then those it extends. Inputs no report may be written
    over; not a setting, so never dumped."""
    area_weights: dict[str, float]
    pass_score: float
    gap_tolerance_pp: float
    significance_level: float
    power: float
    min_arm_size: int
    min_samples: int
    situational_awareness_high: float
    evaluation_awareness_threshold: float
    audit_access: AuditAccess
    severities: dict[str, Severity]
    max_evidence_file_mib: int
    """An evidence file larger than this is refused unread."""
    max_evidence_card_mib: int
    """A card's evidence files, in all: a file that would take the total past this is refused unread."""
    require_auditor_statement: bool = False
    """Whether an audit needs the auditor's own statement (IA-7) for full marks. A setting added after
    profiles were first written has a default, so that a complete profile of before keeps loading."""

    def severity(self, requirement_id: str, default: Severity) -> Severity:
        return self.severities.get(requirement_id, default)

    @model_validator(mode="after")
    def _within_the_schema(self) -> Profile:
        """The profile schema's bounds hold for a resolved profile too, however it was made: they are
        where the statistics and the scoring work, and the schema is the one place they are written."""
        settings = self.model_dump(mode="json", exclude={"source"})
        if not surely_valid("profile", settings):
            errors = describing_validator("profile").iter_errors(settings)
            raise ValueError("; ".join(_plain_message(e, _pointer(e)) for e in errors))
        return self


def _known_options() -> list[str]:
    return sorted(schema("profile")["properties"])


def _required(option: str) -> bool:
    """Whether a resolved profile must set `option`: not `extends` or `description`, nor a setting added later
    with a default (a profile written before it came keeps loading, and means what it meant)."""
    field = Profile.model_fields.get(option)
    return field is not None and field.is_required()


def _shown(value: Any, limit: int = 60) -> str:
    """A value as the user wrote it in YAML (true, not Python's True), cut to `limit` characters (a
    number of 4,000 digits is not worth a screenful)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    shown = f"'{value}'" if isinstance(value, str) else str(value)
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def _pointer(error: jsonschema.ValidationError) -> str:
    return "".join(f"/{p}" for p in error.absolute_path)


def _plain_message(error: jsonschema.ValidationError, pointer: str) -> str:
    """Say a number out of range in the profile's words, with the whole range it may take ("from 1e-10
    to 0.2"), not JSON Schema's ("minimum")."""
    option = pointer.lstrip("/").replace("/", ".")
    if option and error.validator in (*_BOUNDS, "anyOf"):
        return f"{option} must be {_allowed(error.schema)}, found {_shown(error.instance)}"
    return error.message


def _allowed(node: Any) -> str:
    """The values a number setting may take, from its schema: "from 1 to 1,000,000,000", "0, or from 0.001
    to 1,000"."""
    if "anyOf" in node:
        return ", or ".join(_allowed(branch) for branch in node["anyOf"])
    if "const" in node:
        return _number(node["const"])
    if "minimum" in node and "maximum" in node:
        return f"from {_number(node['minimum'])} to {_number(node['maximum'])}"
    return " and ".join(f"{words} {_number(node[bound])}" for bound, words in _BOUNDS.items() if bound in node)


def _number(value: float) -> str:
    """A bound as a reader writes it: 1,000,000,000 and 1e-10."""
    return f"{value:,}" if isinstance(value, int) else f"{value:g}"


def _read(raw: bytes, name: str, *, quoted: bool) -> tuple[dict[str, Any], Position | None]:
    """A profile file's settings and the place of its `extends:` value.

    Problems quote the file (its unknown keys, its values) only when `quoted`: a file reached
    through `extends:` may not be a profile at all, and an error must not be a way to read it.
    """
    try:
        parsed = parse_card(raw, name, "yaml")
    except CardError as failure:
        # The parser is shared with cards and names the document a card; here it is a profile.
        raise CardError(
            [
                replace(p, message=p.message.replace("the card must", "the profile must") if quoted else _UNREADABLE)
                for p in failure.problems
            ]
        ) from None
    if surely_valid("profile", parsed.data):
        return parsed.data, parsed.positions.get("/extends")
    found: list[tuple[str, str, Position | None]] = []  # (pointer, message, where)
    validator = describing_validator("profile")
    for error in sorted(validator.iter_errors(parsed.data), key=lambda e: [str(p) for p in e.absolute_path]):
        pointer = _pointer(error)
        if error.validator != "additionalProperties":
            message = _plain_message(error, pointer) if quoted else _unquoted_message(pointer)
            found.append((pointer, message, parsed.positions.get(pointer)))
            continue
        known: Any = error.schema.get("properties", {})
        hint = ", ".join(sorted(known)) if pointer else ", ".join(_known_options())
        instance: Any = error.instance
        for key in sorted(set(instance) - set(known)):
            # An unknown option is shown at its name, like an unknown key in a card.
            where = parsed.key_positions.get(f"{pointer}/{key}")
            message = (
                f"unknown profile option '{key}' (known: {hint})"
                if quoted
                else f"a key that is no profile option {_NOT_SHOWN}"
            )
            found.append((f"{pointer}/{key}" if quoted else pointer, message, where))
    problems = [
        Problem(
            file=name,
            pointer=pointer,
            line=where.line if where else None,
            column=where.column if where else None,
            message=message,
        )
        for pointer, message, where in found
    ]
    raise CardError(sorted(problems, key=lambda p: (p.line or 0, p.column or 0)))


def _unquoted_message(pointer: str) -> str:
    """A schema error in an extended file, said without its text: only what the schema says of the place,
    when it is a known option's (its name, and its range or its choices)."""
    profile = schema("profile")
    node: Any = profile
    for key in pointer.split("/")[1:]:
        node = node.get("properties", {}).get(key)
        if node is None:
            return f"a setting a profile does not allow {_NOT_SHOWN}"
    if "$ref" in node:
        node = profile["$defs"][node["$ref"].rsplit("/", 1)[1]]
    option = pointer.lstrip("/").replace("/", ".")
    if node.get("type") in ("number", "integer") or "anyOf" in node:
        return f"{option} must be {_allowed(node)} {_NOT_SHOWN}"
    if "enum" in node:
        return f"{option} must be one of {', '.join(node['enum'])} {_NOT_SHOWN}"
    return f"{option} must be {_article(node.get('type'))} {_NOT_SHOWN}"


def _article(kind: str) -> str:
    return {"string": "a string", "boolean": "true or false", "object": "a mapping"}.get(kind, kind)


def _read_file(path: Path, spec: str) -> bytes:
    """A profile file's bytes, refusing what is not a regular file of a sane size.

    A spec that looks like a path (a folder separator or a YAML suffix) is reported as a
    missing file; a bare word is more likely a misspelt built-in profile name.
    """
    if "/" in spec or os.sep in spec or Path(spec).suffix.lower() in _FILE_SUFFIXES:
        missing = "no such profile file"
    else:
        missing = f"no such profile (built-in profiles: {', '.join(BUILTIN)})"
    return read_regular(path, what="profile", missing=missing).raw


def _merge(base: dict[str, Any], child: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in child.items():
        if key in _MERGED_TABLES and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return merged


@dataclass(frozen=True)
class _Link:
    """One profile of an `extends:` chain."""

    source: str
    """`builtin:NAME`, or the file's path as shown in messages."""
    identity: str
    """`builtin:NAME`, or the file's real path: the same file however a chain spells it."""
    folder: str
    """The real folder its `extends:` is relative to (of the path that named it, not of a link's target)."""
    data: dict[str, Any]
    """Its settings, `extends` taken out."""
    extends: str | None
    extends_at: Position | None

    @property
    def is_file(self) -> bool:
        """Whether it was read from a file, not built in (a file's identity is its absolute real path)."""
        return not self.identity.startswith("builtin:")

    def refuse(self, message: str) -> CardError:
        """The error of this profile's `extends:`, placed at its value."""
        at = self.extends_at
        line, column = (at.line, at.column) if at else (None, None)
        return CardError([Problem(file=self.source, pointer="/extends", line=line, column=column, message=message)])


def _link(raw: bytes, source: str, identity: str, folder: str, *, quoted: bool) -> _Link:
    data, extends_at = _read(raw, source, quoted=quoted)
    extends = data.pop("extends", None)
    return _Link(source=source, identity=identity, folder=folder, data=data, extends=extends, extends_at=extends_at)


def _builtin(name: str) -> _Link:
    source = f"builtin:{name}"
    return _link(read_bytes("schema", "profiles", f"{name}.yaml"), source, source, "", quoted=True)


def _chain(spec: str) -> list[_Link]:
    """Profile `spec` and the profiles it extends, nearest first: built-in profiles by name, files as
    `_extended` allows them. Only the first file is quoted in errors: it is the one the user named."""
    if spec in BUILTIN:
        return _builtins(_builtin(spec))
    path = Path(spec)
    folder = os.path.realpath(path.parent)
    chain = [_link(_read_file(path, spec), str(path), os.path.realpath(path), folder, quoted=True)]
    while (extends := chain[-1].extends) is not None:
        if extends in BUILTIN:
            return chain + _builtins(_builtin(extends))
        chain.append(_extended(chain, path.parent, folder))
    return chain


def _extended(chain: list[_Link], shown: Path, folder: str) -> _Link:
    """The profile file the last of `chain` extends, if it may: under `folder` (the first profile's, `shown`
    as given) as the system resolves it, so that no absolute path, `..` or link leads out; not already in
    the chain (a loop); and at most MAX_EXTENDS after the first."""
    extender = chain[-1]
    spec = str(extender.extends)
    if "\0" in spec:
        raise extender.refuse(f"extends {_shown(spec)}, which holds a NUL character: no file is named so")
    named = os.path.join(extender.folder, spec)
    real = os.path.realpath(named)
    if os.path.commonpath([real, folder]) != folder:
        raise extender.refuse(
            f"extends {_shown(spec, 200)}, which is not under {shown}/: a profile may extend only a built-in "
            f"profile ({', '.join(BUILTIN)}) or a file under the folder of the first profile"
        )
    source = str(shown / os.path.relpath(real, folder))
    trail = " -> ".join([*(link.source for link in chain), source])
    if any(link.identity == real for link in chain):
        raise extender.refuse(f"profiles extend each other in a loop: {trail}")
    if len(chain) > MAX_EXTENDS:
        raise extender.refuse(f"profiles extend each other more than {MAX_EXTENDS} deep (the limit): {trail}")
    here = os.path.realpath(os.path.dirname(named))
    return _link(_read_file(Path(source), spec), source, real, here, quoted=False)


def _builtins(first: _Link) -> list[_Link]:
    """A built-in profile and the built-in profiles it extends (ours: they extend only each other, once)."""
    chain = [first]
    while chain[-1].extends is not None:
        chain.append(_builtin(str(chain[-1].extends)))
    return chain


def _resolve(spec: str) -> tuple[dict[str, Any], str, tuple[str, ...]]:
    """The settings of profile `spec` with those it extends merged in (the nearer wins), its source, and the
    files of its chain."""
    chain = _chain(spec)
    merged: dict[str, Any] = {}
    for link in reversed(chain):
        merged = _merge(merged, link.data)
    return merged, chain[0].source, tuple(link.source for link in chain if link.is_file)


def load_profile(spec: str, catalog: Catalog) -> Profile:
    """A built-in profile by name (`default`, `regulator`) or a profile file by path."""
    data, source, files = _resolve(spec)
    missing = [k for k in _known_options() if k not in data and _required(k)]
    if missing:
        raise CardError(
            [
                Problem(
                    file=source,
                    message="the profile leaves out "
                    + ", ".join(missing)
                    + " (set them, or extend a built-in profile: extends: default)",
                )
            ]
        )
    requirement_ids = {r.id for r in catalog.requirements}
    unknown = sorted(set(data["severities"]) - requirement_ids)
    if unknown:
        raise CardError(
            [
                Problem(
                    file=source,
                    pointer="/severities",
                    message=f"severities name unknown requirements: {', '.join(unknown)}",
                )
            ]
        )
    weights = {area.id: float(data["area_weights"].get(area.id, 0.0)) for area in catalog.areas}
    if not any(weights.values()):
        raise CardError([Problem(file=source, pointer="/area_weights", message="every area weight is 0")])
    # Each file passed the schema, so the merged settings pass the model's check of the same bounds.
    return Profile(**{**data, "area_weights": weights, "source": source, "files": files})
