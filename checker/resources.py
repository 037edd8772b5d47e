"""Where the data the checker reads at run time lives: schemas, catalog, profiles, templates.

In a wheel they are packaged inside `checker/`; in a source checkout they are the top-level
folders beside it. Both are read through `importlib.resources`-style traversables.
"""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import jsonschema_rs

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
    finds and describes the problems (its errors are the ones users read). The two agree on every
    valid card (tests/test_properties.py); a value the compiled one cannot take is "not shown valid".
    """
    try:
        return bool(_fast_validator(name).is_valid(instance))
    except (ValueError, TypeError, OverflowError, RecursionError):
        return False
