"""The whole cards of tests/cases/gaming/ and tests/cases/honest/, and the folders they are checked in.

Each card there is a card as a lab would submit it, with two keys of the tests' own (`x-` keys, which
the checker reads past, so the card is checked as if they were not there):

    x-evidence:                  # the files to write beside the card before it is checked
      copy: aster-2-pass         # this example's evidence/ folder, copied whole (optional)
      files:
        evidence/af.jsonl: {raw_samples: [{context: monitored, n: 1000, count: 23}, ...]}
        evidence/empty.jsonl: {text: ""}
    x-test:
      verdict: {default: fail, regulator: fail}   # what the checker should conclude under each profile
      caught_by: [CC-4, IA-6]    # gaming cards: requirements that must each have a finding
      legitimate: [CV-4]         # honest cards: requirements whose major or blocker findings are true ones
      invalid: /evaluations/6/metrics/0/value   # a card the checker must refuse (exit 2), at this place

Raw samples are written as examples/make_evidence.py writes the examples' (one JSON line a sample,
`{"id", "context", "outcome"}`, in a fixed pseudo-random order named by the file), so a card can pin
their sha256. Files are written into a temporary folder, never into the repository: some are large,
and a hashed file must be byte for byte what the card declares.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from conftest import CASES, EXAMPLES

from examples.make_evidence import raw_samples

GAMING = CASES / "gaming"
HONEST = CASES / "honest"
PROFILES = ("default", "regulator")


def cards(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.yaml"))


@dataclass(frozen=True)
class CaseCard:
    """A card of tests/cases/gaming or honest: its text, its data and what the tests expect of it."""

    path: Path
    text: str
    data: dict[str, Any]

    @classmethod
    def read(cls, path: Path) -> CaseCard:
        text = path.read_text(encoding="utf-8")
        return cls(path, text, yaml.safe_load(text))

    @property
    def expected(self) -> dict[str, Any]:
        test: dict[str, Any] = self.data["x-test"]
        return test

    @property
    def header(self) -> str:
        """The comment block the card starts with: what it is, and why it should get its verdict."""
        lines = []
        for line in self.text.splitlines():
            if not line.startswith("#"):
                break
            lines.append(line.lstrip("# "))
        return "\n".join(lines)

    def files(self) -> dict[str, bytes]:
        """Relative path -> content of every file x-evidence asks for (the copied example's left out)."""
        built = {}
        for path, spec in ((self.data.get("x-evidence") or {}).get("files") or {}).items():
            if "raw_samples" in spec:
                built[path] = raw_samples({"id": Path(path).stem, "arms": spec["raw_samples"]})
            else:
                built[path] = spec["text"].encode("utf-8")
        return built

    def folder(self, where: Path, text: str | None = None) -> Path:
        """The card (or `text` in its place) written into `where` with its evidence; the card's path."""
        copy = (self.data.get("x-evidence") or {}).get("copy")
        if copy:
            shutil.copytree(EXAMPLES / copy / "evidence", where / "evidence", dirs_exist_ok=True)
        for relative, content in self.files().items():
            target = where / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        card = where / self.path.name
        card.write_text(self.text if text is None else text, encoding="utf-8")
        return card
