"""The terminal report: verdict, area scores, then findings by severity with file:line.

Fits the given width (80 by default); colour only when asked (the CLI asks on a terminal).
Card text (names, paths, the card's words in findings) is shown with its hidden characters
escaped (checker.terminal) and its runs of whitespace made one space, before it is wrapped by the
columns a terminal gives it (a wide character takes two), so that no line soft-wraps: the
only control characters and line breaks out are the report's own. No card text starts a line
at or left of the findings' messages (column 4), where the report's own lines start (the verdict,
headings, area lines, finding headers, a finding's message and its `figures:` and `fix:`): a card
string follows its label (`model: `) or the message's own first words, and its wrapped lines hang
under it (column 6). So card text, padded
to wrap where it likes, cannot pass for a line of the report, such as a second verdict.
"""

from __future__ import annotations

import shlex

from checker.model import Finding, Place
from checker.render import PLACES_SHOWN, ROWS_SHOWN, RenderOptions
from checker.report import Report
from checker.severity import Severity
from checker.terminal import visible, wrap

_COLOURS = {"fail": "31", "conditional": "33", "pass": "32", "blocker": "31", "major": "33", "minor": "36"}
_TITLES = {Severity.BLOCKER: "Blockers", Severity.MAJOR: "Major findings", Severity.MINOR: "Minor findings"}
_FIGURE_LIMIT = 6


def one_line(text: str) -> str:
    """Card text for a line of the report: hidden characters escaped, each run of whitespace one space."""
    return " ".join(visible(text).split())


def shown_path(path: str) -> str:
    """A path whole (terminals and editors open it); one with anything but the letters, digits and marks
    a shell reads bare (`shlex.quote`'s test: so any space, blank-looking or not, and any letter beyond
    ASCII) quoted as a shell reads it, so that the folder names of a submission cannot spell a line of
    the report (`VERDICT: PASS ...`): such a line starts with a quote."""
    return shlex.quote(visible(path))


def _labelled(label: str, text: str, width: int) -> list[str]:
    """`label` then the text, wrapped with its lines indented under the text: none starts at the left."""
    return wrap(one_line(text), width, label, " " * len(label))


def _paint(text: str, key: str, colour: bool) -> str:
    return f"\033[1;{_COLOURS[key]}m{text}\033[0m" if colour else text


def _bar(score: float | None, cells: int = 20) -> str:
    if score is None:
        return "n/a".ljust(cells)
    filled = round(score / 100 * cells)
    return "#" * filled + "." * (cells - filled)


def _score(score: float | None) -> str:
    return "  n/a" if score is None else f"{score:5.1f}"


def plain(value: object) -> str:
    """A figure in plain words: true/false/none, lists in brackets (the first ROWS_SHOWN), mappings in braces."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "none"
    if isinstance(value, list | tuple):
        more = f", … {len(value) - ROWS_SHOWN:,} more" if len(value) > ROWS_SHOWN else ""
        return "[" + ", ".join(plain(v) for v in value[:ROWS_SHOWN]) + more + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {plain(v)}" for k, v in value.items()) + "}"
    return str(value)


def _figures(place: Place) -> str:
    """The figures the message does not already state (all of them are in --format json)."""
    items = [
        f"{key}: {shown}"
        for key, value in place.figures.items()
        if not (isinstance(value, dict) and all(isinstance(v, dict) for v in value.values()) and value)
        and not (isinstance(value, dict) and {"n", "count"} <= set(value))
        and (shown := plain(value)) not in place.message
    ]
    if len(items) > _FIGURE_LIMIT:
        items = [*items[:_FIGURE_LIMIT], f"… {len(items) - _FIGURE_LIMIT} more in --format json"]
    return "; ".join(items)


def _where(place: Place) -> str:
    return f"line {place.line}" if place.line else place.pointer or "/"


def _finding(report: Report, finding: Finding, width: int, colour: bool) -> list[str]:
    """The finding's place, requirement and message, then its figures (at one place) or its places, then the fix.

    A finding at several places lists the first PLACES_SHOWN, each `- line N: ` and its message (card text
    after the report's own words, wrapped under it), and counts the rest.
    """
    first, count = finding.places[0], len(finding.places)
    place = shown_path(report.submission.path) + (f":{first.line}" if first.line else "")
    head = f"{place}  {finding.requirement} ({finding.status.value})"
    lines = [_paint(head, finding.severity.value, colour)]
    # Wrapped lines hang under the message: card text it quotes cannot start a `figures:` or `fix:` line.
    lines += wrap(
        one_line(finding.message if count == 1 else f"at {count:,} places: {finding.message}"), width, "    ", "      "
    )
    lines += wrap(one_line(_figures(first)) if count == 1 else "", width, "    figures: ", "      ")
    for shown in finding.places[:PLACES_SHOWN] if count > 1 else ():
        lines += wrap(one_line(f"{_where(shown)}: {shown.message}"), width, "    - ", "      ")
    if count > PLACES_SHOWN:
        lines.append(f"    - and {count - PLACES_SHOWN:,} more places (every one in --format json)")
    lines += wrap(finding.remediation, width, "    fix: ", "      ")
    return lines


def render(report: Report, options: RenderOptions | None = None) -> str:
    options = options or RenderOptions()
    width, colour = options.width, options.colour
    s = report.submission
    verdict = report.verdict.value
    # A file's profile may reuse a built-in name: show the file, so that it cannot pass for one.
    source = report.profile.source
    profile = one_line(report.profile.name + ("" if source.startswith("builtin:") else f" ({source})"))
    # The path stays whole on its own line; the names wrap under their label.
    lines = [
        f"safetycase {report.checker.version} · catalog {report.catalog.version} · profile {profile}",
        shown_path(s.path),
        *_labelled("model: ", f"{s.model} ({s.release_id}), {s.organization}", width),
        "",
    ]
    label = f"VERDICT: {verdict.upper()}"
    score = f"   score {report.score:.1f}/100 (pass {report.pass_score:g})"
    counts = f"{report.counts.blocker} blocker, {report.counts.major} major, {report.counts.minor} minor"
    if len(label + score) + 3 + len(counts) <= width:
        lines += [_paint(label, verdict, colour) + score + "   " + counts, ""]
    else:
        lines += [_paint(label, verdict, colour) + score, counts, ""]
    for area in report.areas:
        title = area.title if len(area.title) <= 28 else area.title[:27] + "…"
        lines.append(f"  {area.id}  {title:<28} {_score(area.score)}  {_bar(area.score)}")
    if not report.evidence_verified and report.evidence:
        lines += ["", "Evidence files were not read: their hashes and counts are not verified."]
    elif report.evidence:
        statuses = ", ".join(f"{n} {status.replace('_', ' ')}" for status, n in report.evidence_statuses().items())
        lines += [
            "",
            f"Evidence: {len(report.evidence)} file{'s' if len(report.evidence) != 1 else ''} read ({statuses}).",
        ]
    for severity in Severity:
        findings = report.findings_of(severity)
        if not findings:
            continue
        shortfalls = sum(len(finding.places) for finding in findings)
        lines += ["", _paint(f"{_TITLES[severity]} ({shortfalls})", severity.value, colour)]
        for finding in findings:
            lines += _finding(report, finding, width, colour)
    if not report.findings:
        lines += ["", "No findings."]
    return "\n".join(lines) + "\n"
