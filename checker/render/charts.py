"""Inline SVG charts for the HTML and PDF reports: area scores, and context gaps with intervals.

Drawing only: every number plotted is one the report holds; this module computes positions.
Text from the card (evaluation ids) is escaped, and long labels are shortened with the full
text kept in a <title>.
"""

from __future__ import annotations

import math
from html import escape

from markupsafe import Markup

from checker.render import ROWS_SHOWN
from checker.report import Comparison, Report

_FONT = "font-family=\"'DejaVu Sans', 'Liberation Sans', Arial, sans-serif\""
_VERDICT_FILL = {"pass": "#1b7f3b", "conditional": "#b26a00", "fail": "#b3261e"}
_AREA_FILL = "#2f4b7c"
_MUTED = "#6b7280"
_GRID = "#d1d5db"


def _label(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _number(value: float) -> str:
    """Coordinates with two decimals at most, so the SVG text is stable and short."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def score_chart(report: Report) -> Markup:
    """Horizontal bars: the overall score in the verdict's colour, then each area; the pass score as a line."""
    label_width, bar_width, row, value_width = 230, 330, 24, 50
    width = label_width + bar_width + value_width
    rows: list[tuple[str, float | None, str]] = [("Overall", report.score, _VERDICT_FILL[report.verdict.value])]
    rows += [(f"{a.id}  {a.title}", a.score, _AREA_FILL) for a in report.areas]
    height = row * len(rows) + 26
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" {_FONT} font-size="12">',
        f"<title>Scores out of 100: overall {report.score:.1f}, pass score {report.pass_score:g}</title>",
    ]
    for i, (label, score, fill) in enumerate(rows):
        y = i * row + 4
        weight = ' font-weight="bold"' if i == 0 else ""
        parts.append(f'<text x="0" y="{y + 15}"{weight}>{escape(_label(label, 34))}</text>')
        parts.append(f'<rect x="{label_width}" y="{y + 3}" width="{bar_width}" height="{row - 8}" fill="#eef0f4"/>')
        if score is None:
            parts.append(f'<text x="{label_width + 6}" y="{y + 15}" fill="{_MUTED}">not applicable</text>')
            continue
        parts.append(
            f'<rect x="{label_width}" y="{y + 3}" width="{_number(bar_width * score / 100)}" '
            f'height="{row - 8}" fill="{fill}"/>'
        )
        parts.append(f'<text x="{width}" y="{y + 15}" text-anchor="end"{weight}>{score:.1f}</text>')
    x = _number(label_width + bar_width * report.pass_score / 100)
    bottom = row * len(rows) + 4
    parts.append(f'<line x1="{x}" y1="2" x2="{x}" y2="{bottom}" stroke="#111" stroke-dasharray="4 3"/>')
    parts.append(f'<text x="{x}" y="{bottom + 14}" text-anchor="middle" fill="#111">pass {report.pass_score:g}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _step(span: float) -> float:
    """A readable tick step (1, 2, 2.5 or 5 times a power of ten) giving about five ticks."""
    raw = span / 5
    power = 10 ** math.floor(math.log10(raw))
    return float(next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw))


def comparison_chart(report: Report) -> Markup:
    """Each comparison's difference (watched minus unwatched) with its 95% interval, against the tolerance.

    The band between minus and plus the tolerance is shaded; significant differences (after
    Holm's adjustment) are drawn filled, the others hollow. Only the first ROWS_SHOWN comparisons
    are drawn, as the table beside the chart shows only those.
    """
    comparisons: tuple[Comparison, ...] = report.comparisons[:ROWS_SHOWN]
    tolerance = float(report.profile.settings["gap_tolerance_pp"])  # type: ignore[arg-type]
    label_width, plot_width, row, top = 250, 380, 22, 8
    width = label_width + plot_width + 10
    extent = max([tolerance * 1.5] + [abs(v) * 100 for c in comparisons for v in c.interval])
    step = _step(2 * extent)
    limit = math.ceil(extent / step) * step
    height = top + row * len(comparisons) + 40

    def x(pp: float) -> str:
        return _number(label_width + (pp + limit) / (2 * limit) * plot_width)

    bottom = top + row * len(comparisons)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" {_FONT} font-size="11">',
        f"<title>Context gaps in percentage points with 95% intervals; tolerance {tolerance:g} pp</title>",
        f'<rect x="{x(-tolerance)}" y="{top}" width="{_number(plot_width * tolerance / limit)}" '
        f'height="{row * len(comparisons)}" fill="#e8f3ec"/>',
    ]
    ticks = round(2 * limit / step)
    for i in range(ticks + 1):
        pp = -limit + i * step
        colour = "#111" if abs(pp) < step / 1000 else _GRID
        parts.append(f'<line x1="{x(pp)}" y1="{top}" x2="{x(pp)}" y2="{bottom}" stroke="{colour}"/>')
        label = "0" if colour == "#111" else f"{pp:+g}".replace("-", "−")
        parts.append(f'<text x="{x(pp)}" y="{bottom + 14}" text-anchor="middle" fill="{_MUTED}">{label}</text>')
    for pp in (-tolerance, tolerance):
        parts.append(
            f'<line x1="{x(pp)}" y1="{top}" x2="{x(pp)}" y2="{bottom}" stroke="#1b7f3b" stroke-dasharray="4 3"/>'
        )
    parts.append(
        f'<text x="{label_width + plot_width / 2}" y="{bottom + 30}" text-anchor="middle" fill="{_MUTED}">'
        f"watched minus unwatched, percentage points (shaded: within ±{tolerance:g} pp)</text>"
    )
    for i, comparison in enumerate(comparisons):
        y = top + i * row + row / 2
        label = f"{comparison.evaluation} · {comparison.pair}"
        parts.append(
            f'<text x="0" y="{_number(y + 4)}"><title>{escape(label)}</title>{escape(_label(label, 42))}</text>'
        )
        low, high = (v * 100 for v in comparison.interval)
        colour = "#b3261e" if comparison.significant else _AREA_FILL
        fill = colour if comparison.significant else "#fff"
        parts.append(
            f'<line x1="{x(low)}" y1="{_number(y)}" x2="{x(high)}" y2="{_number(y)}" stroke="{colour}" stroke-width="2"/>'
        )
        for end in (low, high):
            parts.append(
                f'<line x1="{x(end)}" y1="{_number(y - 4)}" x2="{x(end)}" y2="{_number(y + 4)}" stroke="{colour}" stroke-width="2"/>'
            )
        parts.append(
            f'<circle cx="{x(comparison.difference * 100)}" cy="{_number(y)}" r="4" fill="{fill}" '
            f'stroke="{colour}" stroke-width="2"/>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
