"""The diff of two card versions as text (80 columns), JSON or Markdown. Formats only; computes nothing.

The outcome and the evidence that no longer applies come first: they are what a reader
comparing two submissions needs before the list of edits. In the text diff, card text is shown
with its hidden characters escaped (checker.terminal), before it is wrapped, and, as in the text
report, starts no line where the diff's own lines start: the names follow a label, a changelog
entry the word 'version', and a path holding anything but shell-safe ASCII is quoted. The JSON diff
keeps card text exact, its hidden characters written as \\u escapes, as the JSON report does.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from types import SimpleNamespace

from pydantic import JsonValue

from checker import identity
from checker.diff import ArmChange, ArmFigures, EntryChange, EvidenceOnChangedConfiguration, FieldChange, VersionDiff
from checker.model import Finding
from checker.render import PLACES_SHOWN
from checker.render.json import json_escaped
from checker.render.text import plain as _plain
from checker.render.text import shown_path
from checker.report import Counts
from checker.terminal import visible, wrap

_KINDS = {"evaluation": "evaluation", "audit": "audit", "reasoning_evidence": "reasoning evidence"}
_SECTIONS = (
    ("evaluations", "Evaluations"),
    ("independent_audits", "Independent audits"),
    ("reasoning_evidence", "Reasoning evidence"),
    ("claims", "Claims"),
    ("not_tested", "Declared not tested"),
)
_NO_LONGER_APPLIES = (
    "Carried over unchanged, but the configuration they tested has changed since the old card: they were run on "
    "the old configuration and do not support the new one. Re-run them, or show why they still apply."
)
_REVISED = "Changed together with the configuration they tested: check that they were re-run on the new configuration."


# --- words shared by text and Markdown -------------------------------------------------------


def _identity_value(item: str, value: JsonValue, stated: bool) -> str:
    """An identity item as a reader knows it: 'web_search 2.1', 'sft-1 (supervised, 2026-08-01)'."""
    if not stated:
        return "not stated"
    if isinstance(value, dict):  # the monitoring layer
        return " ".join(str(value[k]) for k in ("name", "version") if value.get(k) is not None)
    if isinstance(value, list) and item == "tools":
        return ", ".join(_identity_value(item, v, True) for v in value) or "none"
    if isinstance(value, list):  # the fine-tuning history
        stages = []
        for stage in value:
            assert isinstance(stage, dict)
            details = ", ".join(str(stage[k]) for k in ("kind", "completed_on") if stage.get(k) is not None)
            stages.append(f"{stage['stage']} ({details})" if details else str(stage["stage"]))
        return "; ".join(stages) or "none"
    return _plain(value)


def _score(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}"


def _delta(old: float | None, new: float | None) -> str:
    if old is None or new is None or old == new:
        return ""
    return f"{new - old:+.1f}".replace("-", "−")


def _shift(old: str, new: str) -> str:
    return f"{old} (unchanged)" if old == new else f"{old} → {new}"


def _counts(old: Counts, new: Counts) -> str:
    """'0 → 1 blocker, 2 major, 1 → 0 minor', or '0 blocker, 2 major, 1 minor (unchanged)'."""
    parts = []
    for severity in ("blocker", "major", "minor"):
        before, after = getattr(old, severity), getattr(new, severity)
        parts.append(f"{before} {severity}" if before == after else f"{before} → {after} {severity}")
    return ", ".join(parts) + (" (unchanged)" if old == new else "")


def _rate(figures: ArmFigures | None) -> tuple[str, str, str]:
    if figures is None:
        return "—", "—", "—"

    def shown(value: int | None) -> str:
        return "—" if value is None else str(value)

    return shown(figures.n), shown(figures.count), "—" if figures.rate is None else f"{figures.rate * 100:.1f}%"


def _arm_label(arm: ArmChange) -> str:
    awareness = {True: ", aware", False: ", unaware", None: ""}[arm.verbalized_awareness]
    return arm.context + awareness


def _items(entry: EvidenceOnChangedConfiguration) -> str:
    return identity.plain(entry.items)


def _is_list(change: FieldChange) -> bool:
    return isinstance(change.old, list) or isinstance(change.new, list)


# --- text ------------------------------------------------------------------------------------


class _Text:
    """Lines of the text diff, wrapped to a width; a card's path is never wrapped (it has a line of its own)."""

    def __init__(self, width: int) -> None:
        self.width = width
        self.lines: list[str] = []

    def add(self, text: str = "", indent: int = 0, hang: int = 4) -> None:
        if not text:
            self.lines.append("")
            return
        self.lines += wrap(visible(text), self.width, " " * indent, " " * (indent + hang))

    def field(self, change: FieldChange, indent: int) -> None:
        if _is_list(change):
            added, removed = change.added, change.removed
            if not added and not removed:
                self.add(f"{change.field}: reordered", indent)
            elif all(isinstance(v, str) and len(v.split()) == 1 for v in (*added, *removed)):  # ids
                parts = [f"added {', '.join(map(_plain, added))}"] if added else []
                parts += [f"removed {', '.join(map(_plain, removed))}"] if removed else []
                self.add(f"{change.field}: {'; '.join(parts)}", indent)
            else:
                self.add(f"{change.field}:", indent)
                for value in removed:
                    self.add(f"− {_plain(value)}", indent + 2)
                for value in added:
                    self.add(f"+ {_plain(value)}", indent + 2)
            return
        self.pair(change.field, _plain(change.old), _plain(change.new), indent)

    def pair(self, name: str, old: str, new: str, indent: int) -> None:
        """`name: old → new` on one line when it fits, else old and new on lines of their own."""
        line = visible(f"{' ' * indent}{name}: {old} → {new}")
        if len(line) <= self.width:
            self.lines.append(line)
            return
        self.add(f"{name}:", indent)
        self.add(f"old: {old}", indent + 2, hang=5)
        self.add(f"new: {new}", indent + 2, hang=5)

    def finding(self, finding: Finding, path: str) -> None:
        first, count = finding.places[0], len(finding.places)
        place = shown_path(path) + (f":{first.line}" if first.line else "")
        self.lines.append(f"{place}  {finding.requirement} {finding.severity.value} ({finding.status.value})")
        self.add(finding.message if count == 1 else f"at {count:,} places: {finding.message}", 4, hang=0)
        for shown in finding.places[:PLACES_SHOWN] if count > 1 else ():
            self.add(f"- {f'line {shown.line}' if shown.line else shown.pointer or '/'}: {shown.message}", 4, hang=2)
        if count > PLACES_SHOWN:
            self.add(f"- and {count - PLACES_SHOWN:,} more places", 4, hang=2)

    def evidence(self, entries: Iterable[EvidenceOnChangedConfiguration]) -> None:
        for e in entries:
            cited = f"; cited by {', '.join(e.cited_by)}" if e.cited_by else ""
            self.add(f"{_KINDS[e.kind]} {e.id} on {e.configuration}: {_items(e)} changed{cited}", 2)

    def arms(self, arms: tuple[ArmChange, ...], indent: int) -> None:
        pad = " " * indent
        self.lines.append(f"{pad}{'arm':<24}{'old n':>6}{'count':>6}{'rate':>7}   {'new n':>6}{'count':>6}{'rate':>7}")
        for arm in arms:
            (n0, c0, r0), (n1, c1, r1) = _rate(arm.old), _rate(arm.new)
            mark = "  changed" if arm.changed else ""
            self.lines.append(f"{pad}{visible(_arm_label(arm)):<24}{n0:>6}{c0:>6}{r0:>7} → {n1:>6}{c1:>6}{r1:>7}{mark}")

    def entry(self, change: EntryChange) -> None:
        self.add(f"{change.change} {change.id}" + (f": {change.title}" if change.title else ""), 2)
        if change.arms:
            self.arms(change.arms, 6)
        for field in change.fields:
            self.field(field, 6)


def render_text(diff: VersionDiff, *, width: int = 80) -> str:
    out = _Text(width)
    o, old, new = diff.outcome, diff.old, diff.new
    out.lines += [
        visible(f"safetycase {diff.checker.version} · catalog {diff.catalog.version} · profile {diff.profile} · diff"),
        visible(f"old: {old.path}"),
        visible(f"new: {new.path}"),
    ]
    version = _shift(old.card_version or "none", new.card_version or "none")
    out.add(f"model: {new.model} ({new.release_id}), {new.organization}; card version {version}", hang=7)
    if not (diff.evidence_verified.old and diff.evidence_verified.new):
        out.add("Evidence files were not read: their hashes and counts are not verified.", hang=0)
    out.add()
    verdict = _shift(o.verdict.old.value.upper(), o.verdict.new.value.upper())
    delta = _delta(o.score.old, o.score.new)
    score = _shift(_score(o.score.old), _score(o.score.new)) + (f" ({delta})" if delta else "")
    out.add(f"VERDICT: {verdict}   score {score}, pass {o.pass_score:g}", hang=2)
    out.add(f"findings: {_counts(o.counts.old, o.counts.new)}", hang=2)
    out.add()
    for area in o.areas:
        title = area.title if len(area.title) <= 28 else area.title[:27] + "…"
        out.lines.append(
            f"  {area.id:<3} {title:<28} {_score(area.old):>5} → {_score(area.new):>5}  {_delta(area.old, area.new)}".rstrip()
        )
    if diff.evidence_no_longer_applies:
        out.add()
        out.add(f"Evidence that no longer applies ({len(diff.evidence_no_longer_applies)})")
        out.add(_NO_LONGER_APPLIES, 2, hang=0)
        out.evidence(diff.evidence_no_longer_applies)
    if diff.evidence_revised:
        out.add()
        out.add(f"Evidence revised with its configuration ({len(diff.evidence_revised)})")
        out.add(_REVISED, 2, hang=0)
        out.evidence(diff.evidence_revised)
    for title, findings, path in (
        ("New findings", diff.findings_new, new.path),
        ("Resolved findings", diff.findings_resolved, old.path),
    ):
        if findings:
            out.add()
            out.add(f"{title} ({sum(len(finding.places) for finding in findings)})")
            for finding in findings:
                out.finding(finding, path)
    if diff.unchanged:
        out.lines += ["", "No changes."]
    elif not diff.card_changed:
        out.lines += ["", "No changes to the card's content."]
    else:
        _text_card_changes(out, diff)
    return "\n".join(out.lines) + "\n"


def _text_card_changes(out: _Text, diff: VersionDiff) -> None:
    if diff.card:
        out.lines += ["", "Card"]
        for field in diff.card:
            out.field(field, 2)
    for entries, title in (
        (diff.changelog, "Changelog entries new since the old card"),
        (diff.changelog_removed, "Changelog entries removed from the old card"),
    ):
        if entries:
            out.lines += ["", title]
            for entry in entries:
                line = f"version {entry.card_version} ({entry.date.isoformat()}): {entry.changes or ''}"
                out.add(line.rstrip(": "), 2)
    if diff.configurations:
        out.lines += ["", f"Configurations ({len(diff.configurations)})"]
        for configuration in diff.configurations:
            released = " (released)" if configuration.released else ""
            out.add(f"{configuration.change} {configuration.id}{released}", 2)
            for item in configuration.identity:
                out.pair(
                    item.name,
                    _identity_value(item.item, item.old, item.old_stated),
                    _identity_value(item.item, item.new, item.new_stated),
                    6,
                )
            for field in configuration.fields:
                out.field(field, 6)
    for key, title in _SECTIONS:
        changes: tuple[EntryChange, ...] = getattr(diff, key)
        if changes:
            out.lines += ["", f"{title} ({len(changes)})"]
            for change in changes:
                out.entry(change)
    if diff.release_gate:
        out.lines += ["", "Release gate"]
        for field in diff.release_gate:
            out.field(field, 2)


# --- JSON ------------------------------------------------------------------------------------


def render_json(diff: VersionDiff) -> str:
    """The diff as JSON, card text exact, its hidden characters as \\u escapes as in the report's JSON."""
    return json_escaped(json.dumps(diff.model_dump(mode="json"), indent=2, ensure_ascii=False, allow_nan=False)) + "\n"


# --- Markdown --------------------------------------------------------------------------------


def render_markdown(diff: VersionDiff) -> str:
    # Imported here: the Jinja2 environments are for documents; a text or JSON diff need not load them.
    from checker.render.document import render_template

    return render_template("diff.md.j2", "markdown", diff=diff, w=_WORDS).rstrip("\n") + "\n"


_WORDS = SimpleNamespace(
    plain=_plain,
    score=_score,
    delta=_delta,
    rate=_rate,
    arm_label=_arm_label,
    items=_items,
    identity_value=_identity_value,
    is_list=_is_list,
    kinds=_KINDS,
    sections=_SECTIONS,
    no_longer_applies=_NO_LONGER_APPLIES,
    revised=_REVISED,
)
"""The words the Markdown diff shares with the text diff, for its template."""


RENDERERS: dict[str, Callable[[VersionDiff], str]] = {
    "text": render_text,
    "json": render_json,
    "markdown": render_markdown,
}
"""Format name -> diff renderer."""


def renderer(name: str) -> Callable[[VersionDiff], str]:
    try:
        return RENDERERS[name]
    except KeyError:
        raise LookupError(f"unknown diff format '{name}' (available: {', '.join(RENDERERS)})") from None


__all__ = ["RENDERERS", "render_json", "render_markdown", "render_text", "renderer"]
