"""The batch summary as data: a row per card, the totals, and what `summary.json` holds.

Made by `checker.batch` from the cards it checked; `summary.csv` and `index.html`
(`checker.render.batch`) show the same rows.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict

from checker.severity import FailOn, Severity, gate_fails


class Row(BaseModel):
    """One card's line in the summary."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    card: str
    status: Literal["checked", "unchanged", "error"]
    error: str | None = None
    organization: str | None = None
    model: str | None = None
    release_id: str | None = None
    verdict: str | None = None
    score: float | None = None
    pass_score: float | None = None
    areas: dict[str, float | None] = {}
    blocker: int = 0
    major: int = 0
    minor: int = 0
    evidence: str = ""
    reports: dict[str, str] = {}
    """format -> report file, relative to the output folder."""

    def fails_gate(self, fail_on: FailOn | str) -> bool:
        """Whether the card fails the gate at `fail_on` (blocker, major, minor or never); a broken card does."""
        if self.status == "error":
            return True
        counts = {Severity.BLOCKER: self.blocker, Severity.MAJOR: self.major, Severity.MINOR: self.minor}
        return gate_fails(fail_on, (severity for severity, n in counts.items() if n))


class SummaryRow(Row):
    gate: Literal["pass", "fail"]


class Totals(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    cards: int
    verdicts: dict[str, int]
    """pass, conditional, fail: cards checked now or unchanged since the last run."""
    errors: int
    gate_failed: int
    checked: int
    unchanged: int


class Summary(BaseModel):
    """What `summary.json` holds; `summary.csv` and `index.html` show the same rows."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    checker: dict[str, str]
    catalog: dict[str, str]
    profile: dict[str, str]
    generated_on: dt.date
    root: str
    formats: tuple[str, ...]
    fail_on: str
    areas: dict[str, str]
    """area id -> title, in catalog order: the per-area score columns."""
    totals: Totals
    cards: tuple[SummaryRow, ...]


__all__ = ["Row", "Summary", "SummaryRow", "Totals"]
