"""Profiles: the thresholds, weights and severity overrides a check runs under.

A profile is YAML data validated by `schema/profile.schema.json`, whose bounds keep every number
where the statistics and the scoring work. It may `extends:` a
built-in profile by name or another file by path (relative to itself); settings merge key by
key, nested tables (area weights, audit access, severities) too. An unknown option is an
error that names itself.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, model_validator

from checker.catalog import Catalog
from checker.load import Position, parse_card, read_regular_file
from checker.model import AccessLevel
from checker.problems import CardError, Problem
from checker.resources import describing_validator, read_bytes, schema, surely_valid
from checker.severity import Severity

if TYPE_CHECKING:
    import jsonschema

BUILTIN = ("default", "regulator")
_MERGED_TABLES = ("area_weights", "audit_access", "severities")
_FILE_SUFFIXES = (".yaml", ".yml")
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


def _read(raw: bytes, name: str) -> dict[str, Any]:
    try:
        parsed = parse_card(raw, name, "yaml")
    except CardError as failure:
        # The parser is shared with cards and names the document a card; here it is a profile.
        raise CardError(
            [replace(p, message=p.message.replace("the card must", "the profile must")) for p in failure.problems]
        ) from None
    if surely_valid("profile", parsed.data):
        return parsed.data
    found: list[tuple[str, str, Position | None]] = []  # (pointer, message, where)
    validator = describing_validator("profile")
    for error in sorted(validator.iter_errors(parsed.data), key=lambda e: [str(p) for p in e.absolute_path]):
        pointer = _pointer(error)
        if error.validator != "additionalProperties":
            found.append((pointer, _plain_message(error, pointer), parsed.positions.get(pointer)))
            continue
        known: Any = error.schema.get("properties", {})
        hint = ", ".join(sorted(known)) if pointer else ", ".join(_known_options())
        instance: Any = error.instance
        for key in sorted(set(instance) - set(known)):
            # An unknown option is shown at its name, like an unknown key in a card.
            where = parsed.key_positions.get(f"{pointer}/{key}")
            found.append((f"{pointer}/{key}", f"unknown profile option '{key}' (known: {hint})", where))
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
    if problems:
        raise CardError(problems)
    return parsed.data


def _read_file(path: Path, spec: str) -> bytes:
    """A profile file's bytes, refusing what is not a regular file of a sane size.

    A spec that looks like a path (a folder separator or a YAML suffix) is reported as a
    missing file; a bare word is more likely a misspelt built-in profile name.
    """
    if "/" in spec or os.sep in spec or Path(spec).suffix.lower() in _FILE_SUFFIXES:
        missing = "no such profile file"
    else:
        missing = f"no such profile (built-in profiles: {', '.join(BUILTIN)})"
    return read_regular_file(path, what="profile", missing=missing)


def _merge(base: dict[str, Any], child: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in child.items():
        if key in _MERGED_TABLES and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return merged


def _resolve(spec: str, relative_to: Path | None, seen: tuple[str, ...]) -> tuple[dict[str, Any], str]:
    if spec in BUILTIN:
        source = f"builtin:{spec}"
        raw = read_bytes("schema", "profiles", f"{spec}.yaml")
        here: Path | None = None
    else:
        path = Path(spec) if relative_to is None else relative_to / spec
        source = str(path)
        raw = _read_file(path, spec)
        here = path.parent
    if source in seen:
        chain = " -> ".join((*seen, source))
        raise CardError([Problem(file=source, message=f"profiles extend each other in a loop: {chain}")])
    data = _read(raw, source)
    parent_spec = data.pop("extends", None)
    if parent_spec is None:
        return data, source
    parent, _ = _resolve(parent_spec, here, (*seen, source))
    return _merge(parent, data), source


def load_profile(spec: str, catalog: Catalog) -> Profile:
    """A built-in profile by name (`default`, `regulator`) or a profile file by path."""
    data, source = _resolve(spec, None, ())
    missing = [k for k in _known_options() if k not in data and k not in ("extends", "description")]
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
    return Profile(**{**data, "area_weights": weights, "source": source})
