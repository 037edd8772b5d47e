"""The requirement catalog: `schema/requirements.yaml`, validated and read into frozen data."""

from __future__ import annotations

import hashlib
from functools import cache

import yaml
from pydantic import BaseModel, ConfigDict

from checker.model import Source
from checker.resources import describing_validator, read_bytes, surely_valid
from checker.severity import Severity


class Requirement(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    id: str
    area: str
    title: str
    statement: str
    rationale: str
    severity: Severity
    weight: float
    remediation: str
    sources: tuple[Source, ...]


class Area(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    id: str
    title: str
    statement: str


class Catalog(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    version: str
    sha256: str
    areas: tuple[Area, ...]
    requirements: tuple[Requirement, ...]

    def requirement(self, requirement_id: str) -> Requirement:
        for requirement in self.requirements:
            if requirement.id == requirement_id:
                return requirement
        raise KeyError(f"no requirement {requirement_id!r} in catalog {self.version}")

    def in_area(self, area_id: str) -> tuple[Requirement, ...]:
        return tuple(r for r in self.requirements if r.area == area_id)


@cache
def load_catalog() -> Catalog:
    """The bundled catalog. It is our own file, so a defect in it is a bug, not user error."""
    raw = read_bytes("schema", "requirements.yaml")
    # Our own file, not user input: the fast C loader is safe here (cards never take this path).
    data = yaml.load(raw, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    if not surely_valid("catalog", data):
        describing_validator("catalog").validate(data)  # raises, saying what is wrong
    ids = [r["id"] for r in data["requirements"]]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ValueError(f"duplicate requirement ids in the catalog: {duplicates}")
    area_ids = {a["id"] for a in data["areas"]}
    stray = sorted({r["area"] for r in data["requirements"]} - area_ids)
    if stray:
        raise ValueError(f"requirements name unknown areas: {stray}")
    return Catalog(
        version=data["catalog_version"],
        sha256=hashlib.sha256(raw).hexdigest(),
        areas=tuple(Area(**a) for a in data["areas"]),
        requirements=tuple(Requirement(**{k: v for k, v in r.items()}) for r in data["requirements"]),
    )
