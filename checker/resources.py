"""Where the data the checker reads at run time lives: schemas, catalog, profiles, templates.

In a wheel they are packaged inside `checker/`; in a source checkout they are the top-level
folders beside it. Both are read through `importlib.resources`-style traversables.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jsonschema_rs

if TYPE_CHECKING:
    import jsonschema

_CHECKOUT = Path(__file__).resolve().parent.parent


def data_dir(name: str) -> Traversable:
    """The folder `schema` or `templates`, from the installed package or else the checkout."""
    packaged = files("checker") / name
    if packaged.is_dir():
        return packaged
    return _CHECKOUT / name


def read_bytes(folder: str, *parts: str) -> bytes:
    node = data_dir(folder)
    for part in parts:
        node = node / part
    return node.read_bytes()


@cache
def schema(name: str) -> dict[str, Any]:
    """A JSON Schema from `schema/`, e.g. `schema("submission")`."""
    data: dict[str, Any] = json.loads(read_bytes("schema", f"{name}.schema.json"))
    return data


@cache
def _fast_validator(name: str) -> jsonschema_rs.Validator:
    return jsonschema_rs.validator_for(schema(name), validate_formats=True)


def surely_valid(name: str, instance: Any) -> bool:
    """True when `instance` is valid against schema `name`, by the compiled validator (jsonschema-rs).

    False means only "not shown valid": the caller then runs the `jsonschema` validator, which
    finds and describes the problems (its errors are the ones users read). The two agree on valid
    and damaged cards (tests/test_properties.py) but for one known case, the date 0000-01-01, which
    only the compiled one takes (validate.validate catches it); a value the compiled one cannot
    take is "not shown valid".
    """
    try:
        return bool(_fast_validator(name).is_valid(instance))
    except (ValueError, TypeError, OverflowError, RecursionError):
        return False


def ecma_pattern(pattern: str) -> str:
    """`pattern` for Python's re with ECMA-262's meaning of `$` (JSON Schema's): the end of the text only.

    Python's `$` also matches before a final newline, so `^[a-z]+$` would take "aster\n".
    """
    out, escaped, in_class = [], False, False
    for character in pattern:
        if escaped:
            escaped = False
        elif character == "\\":
            escaped = True
        elif character == "[":
            in_class = True
        elif character == "]":
            in_class = False
        elif character == "$" and not in_class:
            out.append(r"\Z")
            continue
        out.append(character)
    return "".join(out)


@cache
def describing_validator(name: str) -> jsonschema.Draft202012Validator:
    """The `jsonschema` validator of schema `name`, whose errors are described to users.

    It checks formats, and reads `pattern` as JSON Schema means it (ECMA-262), as the compiled
    validator does, so that the two agree. Imported only when needed: it is slow to import.
    """
    import re

    import jsonschema
    from jsonschema import ValidationError

    def pattern(validator: Any, expected: str, instance: Any, _schema: Any) -> Iterator[ValidationError]:
        if isinstance(instance, str) and not re.search(ecma_pattern(expected), instance):
            yield ValidationError(f"{instance!r} does not match {expected!r}")

    base = jsonschema.Draft202012Validator
    cls = jsonschema.validators.extend(base, {"pattern": pattern})  # type: ignore[no-untyped-call]
    return cls(schema(name), format_checker=base.FORMAT_CHECKER)  # type: ignore[no-any-return]
