"""The requirement catalog as text, JSON or Markdown (`safetycase requirements`)."""

from __future__ import annotations

import json
import textwrap

from checker.catalog import Catalog, Requirement


def render_json(catalog: Catalog) -> str:
    return json.dumps(catalog.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"


def _sources(requirement: Requirement) -> list[str]:
    return [s.document + (f" — {s.section}" if s.section else "") for s in requirement.sources]


def render_text(catalog: Catalog, width: int = 80) -> str:
    wrap = textwrap.TextWrapper(width=width, initial_indent="    ", subsequent_indent="    ")
    lines = [f"safetycase requirement catalog {catalog.version} ({len(catalog.requirements)} requirements)"]
    for area in catalog.areas:
        lines += ["", f"{area.id}  {area.title}"]
        for r in catalog.in_area(area.id):
            lines.append(f"  {r.id}  {r.title}  [{r.severity.value}, weight {r.weight:g}]")
            lines += wrap.wrap(r.statement)
    return "\n".join(lines) + "\n"


def render_markdown(catalog: Catalog) -> str:
    lines = [f"# safetycase requirement catalog {catalog.version}", ""]
    for area in catalog.areas:
        lines += [f"## {area.id} — {area.title}", "", area.statement, ""]
        for r in catalog.in_area(area.id):
            lines += [
                f"### {r.id} {r.title}",
                "",
                f"*Severity when unmet: {r.severity.value} · weight {r.weight:g}*",
                "",
                r.statement,
                "",
                f"**Why.** {r.rationale}",
                "",
                f"**Remediation.** {r.remediation}",
                "",
                "**Sources.**",
                "",
                *[f"- {s}" for s in _sources(r)],
                "",
            ]
    return "\n".join(lines)
