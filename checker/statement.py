"""The auditor's own statement: a small YAML or JSON file the auditor writes, read whole and checked against its schema.

An audit's `statement` (format 1.1) names the file and its sha256. It is opened as every evidence
file is (evidence.read_whole: the card's folder, no link), refused when over MAX_BYTES, hashed,
parsed as a card is (safely, within the loader's limits) and validated against
`schema/auditor-statement.schema.json`. This module says what each file holds, or why nothing in it
can be used; the IA checks compare what it says with what the card declares.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, replace
from pathlib import PurePosixPath
from typing import Literal

import pydantic
from pydantic import BaseModel, ConfigDict

from checker.evidence import Unread, read_whole
from checker.load import CardSyntax, FileRead, locate, parse_card
from checker.load.limits import MIB
from checker.model import Access, Independence, Measurement, Recommendation, Submission
from checker.problems import CardError, Problem
from checker.validate import json_pointer, schema_problems, without_extensions

MAX_BYTES = MIB
"""The largest statement read: a statement is a page of YAML, not a data set."""
SCHEMA = "auditor-statement"


class AuditorStatement(BaseModel):
    """What the auditor says of its audit, as schema/auditor-statement.schema.json describes it."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    statement_version: Literal["1.0"]
    auditor: str
    audit: str
    organization: str | None = None
    release_id: str
    configuration: str
    independence: Independence
    access: Access
    recommendation: Recommendation
    measurements: tuple[Measurement, ...] | None = None
    signed_on: dt.date
    signed_by: str | None = None


@dataclass(frozen=True, kw_only=True)
class StatementReading:
    """What one audit's declared statement file gave: the statement, or the problem that leaves nothing to use."""

    audit: str
    """The id of the audit that cites it."""
    pointer: str
    """The card's `statement` entry: /independent_audits/<i>/statement."""
    path: str
    declared_sha256: str | None
    statement: AuditorStatement | None = None
    problem: str = ""
    """Why nothing in the file can be used ('' when `statement` is set), naming the place in the file."""

    @property
    def hashed(self) -> bool:
        """Whether the card pins the file by its sha256: an unhashed file could be any the lab writes."""
        return self.declared_sha256 is not None


def _declared(submission: Submission) -> list[StatementReading]:
    """A reading, so far of the card alone, for each audit that cites a statement, by audit id."""
    return [
        StatementReading(
            audit=audit.id,
            pointer=f"/independent_audits/{i}/statement",
            path=audit.statement.path,
            declared_sha256=audit.statement.sha256.lower() if audit.statement.sha256 else None,
        )
        for i, audit in enumerate(submission.independent_audits or ())
        if audit.statement is not None
    ]


def read_statements(submission: Submission, card: FileRead) -> dict[str, StatementReading]:
    """Audit id -> what its statement file gave, read from the folder of `card` (the file the card was read from)."""
    return {start.audit: _read(start, read_whole(card, start.path, MAX_BYTES)) for start in _declared(submission)}


def unread_statements(submission: Submission, reason: str) -> dict[str, StatementReading]:
    """Audit id -> its statement, unread for `reason` (a card with no folder of its own)."""
    return {start.audit: replace(start, problem=f"it was not read: {reason}") for start in _declared(submission)}


def _read(start: StatementReading, raw: bytes | Unread) -> StatementReading:
    if isinstance(raw, Unread):
        missing = raw.status == "missing"
        return replace(
            start, problem="it is not in the card's folder (missing)" if missing else f"it was refused: {raw.reason}"
        )
    actual = hashlib.sha256(raw).hexdigest()
    if start.declared_sha256 is not None and actual != start.declared_sha256:
        return replace(
            start,
            problem=f"it is not the declared file: its sha256 is {actual}, the card declares {start.declared_sha256}",
        )
    parsed = parse(raw, start.path)
    if isinstance(parsed, Problem):
        return replace(start, problem=f"it is not an auditor's statement: {_place(parsed)}{parsed.message}")
    return replace(start, statement=parsed)


def _place(problem: Problem) -> str:
    """'line 4, /access/level: ' — where in the statement file a problem is, for a message that quotes it."""
    parts = ([f"line {problem.line}"] if problem.line else []) + ([problem.pointer] if problem.pointer else [])
    return f"{', '.join(parts)}: " if parts else ""


def parse(raw: bytes, path: str) -> AuditorStatement | Problem:
    """A statement file's bytes as a statement (YAML, or JSON for a `.json` name), or its first problem, placed."""
    fmt: CardSyntax = "json" if PurePosixPath(path).suffix.lower() == ".json" else "yaml"
    try:
        parsed = parse_card(raw, path, fmt)
    except CardError as failure:
        first = failure.problems[0]
        return Problem(
            file=path,
            message=first.message.replace("the card must", "a statement must"),
            line=first.line,
            column=first.column,
            pointer=first.pointer,
        )
    found = schema_problems(SCHEMA, parsed.data)
    if found:
        pointer, message = found[0]
        more = f" (and {len(found) - 1:,} more problems)" if len(found) > 1 else ""
        position = locate(parsed.positions, pointer)  # or its nearest ancestor's: a missing key's mapping
        return Problem(file=path, message=message + more, pointer=pointer, line=position.line if position else None)
    try:
        return AuditorStatement.model_validate(without_extensions(parsed.data))
    except pydantic.ValidationError as error:  # what the schema takes and Python's types do not (the date 0000-01-01)
        first_error = error.errors()[0]
        return Problem(file=path, message=first_error["msg"], pointer=json_pointer(first_error["loc"]))
