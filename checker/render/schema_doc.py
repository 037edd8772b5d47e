"""A JSON Schema as a Markdown reference: one section per object, one table row per field.

Pure: a schema dict in, Markdown out (docs/format.md, docs/report-format.md). Every keyword the
schema uses must be one this module knows how to show; an unknown one is an error rather than a
silent gap in the reference.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

Schema = Mapping[str, Any]

SHOWN_KEYWORDS = frozenset(
    {
        "$ref",
        "additionalProperties",
        "anyOf",
        "const",
        "default",
        "description",
        "enum",
        "exclusiveMaximum",
        "exclusiveMinimum",
        "format",
        "items",
        "maxItems",
        "maxLength",
        "maximum",
        "minItems",
        "minLength",
        "minimum",
        "oneOf",
        "pattern",
        "patternProperties",
        "prefixItems",
        "properties",
        "propertyNames",
        "required",
        "type",
        "uniqueItems",
    }
)
"""Keywords the reference shows, field by field."""

IGNORED_KEYWORDS = frozenset({"$schema", "$id", "$defs", "title"})
"""Keywords it leaves out on purpose: identifiers, and titles that only repeat a field's name."""

_YAML_NON_STRING = re.compile(r"[-+]?(\d[\d_]*\.?\d*|\.\d+)([eE][-+]?\d+)?|true|false|null|~|yes|no|on|off|", re.I)
"""Strings a YAML reader could take for a number, boolean or null: shown quoted."""


@dataclass
class _Section:
    """One object (or, under "Value types", one named non-object definition) of the reference."""

    name: str
    anchor: str
    node: Schema
    used_in: dict[str, list[str]] = field(default_factory=dict)
    """Anchor of the section that refers to this one -> the fields that do."""


@dataclass
class _Reference:
    """The sections of one schema, in the order a reader meets them from the top."""

    schema: Schema
    objects: list[_Section] = field(default_factory=list)
    values: list[_Section] = field(default_factory=list)
    by_def: dict[str, _Section] = field(default_factory=dict)
    by_node: dict[int, _Section] = field(default_factory=dict)
    def_names: dict[str, str] = field(default_factory=dict)

    def anchor(self, name: str) -> str:
        """A new anchor for `name`: lower case, words joined by '-', unique in the document."""
        base = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "section"
        taken = {s.anchor for s in (*self.objects, *self.values)}
        anchor, number = base, 2
        while anchor in taken:
            anchor, number = f"{base}-{number}", number + 1
        return anchor

    def add(self, name: str, node: Schema, key: str | None) -> _Section:
        section = _Section(name=name, anchor=self.anchor(name), node=node)
        (self.objects if _is_object(node) else self.values).append(section)
        if key is not None:
            self.by_def[key] = section
        self.by_node[id(node)] = section
        return section


def _is_object(node: Schema) -> bool:
    return "properties" in node


def _def_key(ref: str) -> str:
    if not ref.startswith("#/$defs/"):
        raise ValueError(f"only local references into $defs are supported, found {ref!r}")
    return ref.removeprefix("#/$defs/")


def _def_names(defs: Mapping[str, Any]) -> dict[str, str]:
    """Readable names: a module-qualified 'checker__model__Source' (pydantic qualifies names two models share)
    becomes 'Source', with its module in brackets only when another definition has the same short name."""
    short = {key: key.split("__")[-1] for key in defs}
    names = {}
    for key, name in short.items():
        clash = list(short.values()).count(name) > 1
        names[key] = f"{name} ({'.'.join(key.split('__')[:-1])})" if clash and "__" in key else name
    return names


def _children(node: Schema) -> Iterator[tuple[str, str, Schema]]:
    """The subschemas of a node that describe values: (field name, or '' for the same field; pointer step; schema)."""
    for name, sub in node.get("properties", {}).items():
        yield name, f"properties/{name}", sub
    for keyword in ("anyOf", "oneOf", "prefixItems"):
        for index, sub in enumerate(node.get(keyword, [])):
            yield "", f"{keyword}/{index}", sub
    for keyword in ("items", "additionalProperties"):
        if isinstance(node.get(keyword), Mapping):
            yield "", keyword, node[keyword]
    for pattern, sub in node.get("patternProperties", {}).items():
        yield "", f"patternProperties/{pattern}", sub


def _check_keywords(node: Schema, pointer: str) -> None:
    unknown = sorted(set(node) - SHOWN_KEYWORDS - IGNORED_KEYWORDS)
    if unknown:
        raise ValueError(f"{pointer or '/'}: the reference cannot show the keyword(s) {', '.join(unknown)} yet")


def _collect(ref: _Reference, node: Schema, pointer: str, path: str, owner: _Section, name: str) -> None:
    """Register the sections under `node`, depth first, noting which field of which section uses each.

    `path` names an object nested inline (`audit.independence`); `owner` is the section whose
    field `name` holds `node`.
    """
    _check_keywords(node, pointer)
    if "$ref" in node:
        key = _def_key(node["$ref"])
        target = ref.by_def.get(key)
        if target is None:
            target = _add_definition(ref, key)
        _used_by(target, owner, name)
        return
    if _is_object(node):
        target = ref.add(path, node, None)
        _used_by(target, owner, name)
        owner, name = target, ""
    for field_name, step, sub in _children(node):
        child_path = f"{path}.{field_name}" if field_name else path
        _collect(ref, sub, f"{pointer}/{step}", child_path, owner, field_name or name)


def _add_definition(ref: _Reference, key: str) -> _Section:
    definition = ref.schema["$defs"][key]
    pointer = f"/$defs/{key}"
    _check_keywords(definition, pointer)
    section = ref.add(ref.def_names[key], definition, key)
    for field_name, step, sub in _children(definition):
        child_path = f"{section.name}.{field_name}" if field_name else section.name
        _collect(ref, sub, f"{pointer}/{step}", child_path, section, field_name)
    return section


def _used_by(target: _Section, owner: _Section, name: str) -> None:
    if owner is not target and name:
        fields = target.used_in.setdefault(owner.anchor, [])
        if name not in fields:
            fields.append(name)


def _reference(schema: Schema, root_name: str) -> _Reference:
    _check_keywords(schema, "")
    defs = schema.get("$defs", {})
    ref = _Reference(schema=schema, def_names=_def_names(defs))
    root = ref.add(root_name, schema, None)
    for field_name, step, sub in _children(schema):
        _collect(ref, sub, f"/{step}", field_name or root_name, root, field_name)
    for key in defs:  # definitions nothing refers to are still part of the format
        if key not in ref.by_def:
            _add_definition(ref, key)
    return ref


def _literal(value: Any) -> str:
    """A value as a reader would write it in YAML or JSON: plain words bare, look-alikes quoted."""
    if isinstance(value, str) and not _YAML_NON_STRING.fullmatch(value):
        return f"`{value}`"
    return f"`{json.dumps(value, ensure_ascii=False)}`"


def _number(value: float) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return json.dumps(value)


def _plural(count: int, word: str) -> str:
    return f"{_number(count)} {word}{'' if count == 1 else 's'}"


def _link(section: _Section) -> str:
    return f"[{section.name}](#{section.anchor})"


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _type(ref: _Reference, node: Schema) -> str:
    """What kind of value a field holds, linking to the section of a named or nested type."""
    if "$ref" in node:
        return _link(ref.by_def[_def_key(node["$ref"])])
    if "anyOf" in node or "oneOf" in node:
        return " or ".join(dict.fromkeys(_type(ref, member) for member in node.get("anyOf", node.get("oneOf", []))))
    if _is_object(node):
        return _link(ref.by_node[id(node)])
    declared = node.get("type")
    if declared is None:
        values = [node["const"]] if "const" in node else node.get("enum", [])
        kinds = list(dict.fromkeys(_json_type(v) for v in values))
        return " or ".join(kinds) if kinds else "any"
    if isinstance(declared, list):
        return " or ".join(declared)
    if declared == "array":
        if "prefixItems" in node:
            return "array [" + ", ".join(_type(ref, item) for item in node["prefixItems"]) + "]"
        return f"array of {_type(ref, node['items'])}" if "items" in node else "array"
    if declared == "object":
        extra = node.get("additionalProperties", True)
        if isinstance(extra, Mapping):
            return f"object of {_type(ref, extra)}"
        return "object (any keys)" if extra else "object (no keys)"
    return str(declared)


def _bounds(low: Any, high: Any, unit: str) -> str | None:
    if low is not None and high is not None:
        if low == high:
            return f"Exactly {_plural(low, unit)}."
        return f"{_number(low)} to {_plural(high, unit)}."
    if low is not None:
        return f"At least {_plural(low, unit)}."
    if high is not None:
        return f"At most {_plural(high, unit)}."
    return None


def _constraints(ref: _Reference, node: Schema) -> list[str]:
    """The rules a value must follow, as short sentences."""
    rules: list[str] = []
    if "const" in node:
        rules.append(f"Always {_literal(node['const'])}.")
    if "enum" in node:
        rules.append("One of " + ", ".join(_literal(v) for v in node["enum"]) + ".")
    if "pattern" in node:
        rules.append(f"Matches the pattern `{node['pattern']}`.")
    if "format" in node:
        rules.append(f"Format `{node['format']}`.")
    for rule in (
        _bounds(node.get("minLength"), node.get("maxLength"), "character"),
        _bounds(node.get("minItems"), node.get("maxItems"), "item"),
    ):
        if rule is not None:
            rules.append(rule)
    if "minimum" in node and "maximum" in node:
        rules.append(f"From {_number(node['minimum'])} to {_number(node['maximum'])}.")
    elif "minimum" in node:
        rules.append(f"At least {_number(node['minimum'])}.")
    elif "maximum" in node:
        rules.append(f"At most {_number(node['maximum'])}.")
    if "exclusiveMinimum" in node:
        rules.append(f"Greater than {_number(node['exclusiveMinimum'])}.")
    if "exclusiveMaximum" in node:
        rules.append(f"Less than {_number(node['exclusiveMaximum'])}.")
    if node.get("uniqueItems"):
        rules.append("No item twice.")
    if isinstance(node.get("propertyNames"), Mapping):
        rules += [f"Each key: {rule[0].lower()}{rule[1:]}" for rule in _constraints(ref, node["propertyNames"])]
    if isinstance(node.get("items"), Mapping) and "$ref" not in node["items"] and not _is_object(node["items"]):
        rules += [f"Each item: {rule[0].lower()}{rule[1:]}" for rule in _constraints(ref, node["items"])]
    alternatives = [
        " ".join(member_rules)
        for member in node.get("anyOf", node.get("oneOf", []))
        if "$ref" not in member and not _is_object(member) and (member_rules := _constraints(ref, member))
    ]
    if len(alternatives) > 1:
        # "Either always `0`. Or from 0.001 to 1,000.": said as one rule, two would contradict each other.
        words = ["Either", *["Or"] * (len(alternatives) - 1)]
        rules += [f"{word} {text[0].lower()}{text[1:]}" for word, text in zip(words, alternatives, strict=True)]
    else:
        rules += alternatives
    if "default" in node:
        rules.append(f"Default {_literal(node['default'])}.")
    return rules


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    if not text:
        return text
    first = text.split(" ", 1)[0]
    if first.isalpha() and first.islower():  # not a name such as sha256 or `count`
        text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def prose(text: str) -> str:
    """Text for one line of Markdown: whitespace collapsed, and '<' outside code spans escaped, so that a
    placeholder such as <ext> is shown rather than taken for an HTML tag."""
    parts = re.split(r"(`+[^`]*`+)", " ".join(text.split()))
    return "".join(part if part.startswith("`") else part.replace("<", "&lt;") for part in parts)


def table_cell(text: str) -> str:
    """Text for one cell of a Markdown table: `prose`, with pipes escaped (inside code spans too, as GFM asks)."""
    return prose(text).replace("|", "\\|")


def _details(ref: _Reference, node: Schema) -> str:
    parts = [_sentence(node["description"])] if node.get("description") else []
    return " ".join(parts + _constraints(ref, node))


def _used_in(ref: _Reference, section: _Section) -> list[str]:
    if not section.used_in:
        return []
    owners = {s.anchor: s for s in ref.objects}
    uses = [
        f"{_link(owners[anchor])} ({', '.join(f'`{name}`' for name in names)})"
        for anchor, names in section.used_in.items()
    ]
    return ["Used in: " + "; ".join(uses) + ".", ""]


def _extra_keys(ref: _Reference, node: Schema) -> str:
    sentences = []
    for pattern, sub in node.get("patternProperties", {}).items():
        kind = f", each {_type(ref, sub)}" if sub else ", with any value"
        sentences.append(f"Keys matching `{pattern}` are allowed too{kind}.")
    extra = node.get("additionalProperties", True)
    if extra is False:
        sentences.append("Any other key is an error.")
    elif isinstance(extra, Mapping):
        sentences.append(f"Other keys are allowed, each {_type(ref, extra)}.")
    else:
        sentences.append("Other keys are allowed.")
    return " ".join(sentences)


def _heading(section: _Section, level: int) -> list[str]:
    return [f'<a id="{section.anchor}"></a>', "", f"{'#' * level} {section.name}", ""]


def _object_section(ref: _Reference, section: _Section) -> list[str]:
    node = section.node
    lines = _heading(section, 2)
    if node.get("description"):
        lines += [prose(_sentence(node["description"])), ""]
    lines += _used_in(ref, section)
    required = set(node.get("required", []))
    lines += ["| Field | Type | Required | Details |", "|---|---|---|---|"]
    for name, sub in node["properties"].items():
        need = "required" if name in required else "optional"
        lines.append(f"| `{name}` | {table_cell(_type(ref, sub))} | {need} | {table_cell(_details(ref, sub))} |")
    return [*lines, "", _extra_keys(ref, node), ""]


def _value_section(ref: _Reference, section: _Section) -> list[str]:
    node = section.node
    lines = _heading(section, 3)
    if node.get("description"):
        lines += [prose(_sentence(node["description"])), ""]
    lines += [f"Type: {_type(ref, node)}. " + " ".join(_constraints(ref, node)), ""]
    return lines + _used_in(ref, section)


def render_schema_reference(schema: Schema, *, title: str, intro: str, root_name: str) -> str:
    """The Markdown reference of `schema`: `title`, the `intro` paragraphs, a contents list, then a
    section per object (the top level is called `root_name`) and one per named value type."""
    ref = _reference(schema, root_name)
    lines = [f"# {title}", "", intro.strip(), "", "## Contents", ""]
    lines.append("Objects: " + " · ".join(_link(s) for s in ref.objects))
    if ref.values:
        lines += ["", "Value types: " + " · ".join(_link(s) for s in ref.values)]
    lines.append("")
    for section in ref.objects:
        lines += _object_section(ref, section)
    if ref.values:
        lines += ["## Value types", ""]
        for section in ref.values:
            lines += _value_section(ref, section)
    while lines[-1] == "":
        lines.pop()
    return "\n".join(lines) + "\n"


__all__ = ["IGNORED_KEYWORDS", "SHOWN_KEYWORDS", "prose", "render_schema_reference", "table_cell"]
