"""Inline SVG charts: no JavaScript, no fonts, no network, so the HTML report is one file
that opens anywhere (a CI artifact, an email attachment) and shows the same picture.

Every chart is a `<figure data-chart=NAME>` whose `<svg>` has a text alternative and
`<title>` tooltips on each mark; callers pass plain numbers, this module only draws.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def escape(value: str) -> str:
    """Text for HTML: escaped, and without control characters (not valid in HTML, and an
    ANSI sequence would still run when the file is printed in a terminal)."""
    return html.escape(_CONTROL.sub("", value))


WIDTH = 640
BAR_HEIGHT = 22
LABEL_WIDTH = 170
FONT = 'font-family="system-ui, sans-serif" font-size="12"'


@dataclass(frozen=True)
class Series:
    """One coloured part of a stacked bar (a verdict), with its values per row."""

    label: str
    colour: str
    values: Sequence[float]


def figure(name: str, title: str, svg: str, caption: str = "") -> str:
    note = f"<figcaption>{escape(caption)}</figcaption>" if caption else ""
    return f'<figure class="chart" data-chart="{escape(name)}"><h3>{escape(title)}</h3>{svg}{note}</figure>'


def legend(series: Sequence[Series]) -> str:
    items = "".join(
        f'<li><span class="swatch" style="background:{s.colour}"></span>{escape(s.label)}</li>' for s in series
    )
    return f'<ul class="legend">{items}</ul>'


def stacked_rows(rows: Sequence[str], series: Sequence[Series], annotations: Sequence[str] = ()) -> str:
    """Horizontal stacked bars, one per row label, scaled to the largest row total."""
    totals = [sum(s.values[i] for s in series) for i in range(len(rows))]
    scale = (WIDTH - LABEL_WIDTH - 100) / max(max(totals, default=0), 1)  # room for the note
    height = len(rows) * (BAR_HEIGHT + 8) + 8
    marks: list[str] = []
    for i, row in enumerate(rows):
        y = 8 + i * (BAR_HEIGHT + 8)
        marks.append(f'<text x="{LABEL_WIDTH - 8}" y="{y + 15}" text-anchor="end" {FONT}>{escape(row)}</text>')
        x = float(LABEL_WIDTH)
        for s in series:
            value = s.values[i]
            if value <= 0:
                continue
            width = value * scale
            marks.append(
                f'<rect class="mark" x="{x:.1f}" y="{y}" width="{width:.1f}" height="{BAR_HEIGHT}" fill="{s.colour}">'
                f"<title>{escape(row)}: {_number(value)} {escape(s.label)}</title></rect>"
            )
            x += width
        note = annotations[i] if i < len(annotations) else _number(totals[i])
        marks.append(f'<text x="{x + 6:.1f}" y="{y + 15}" {FONT}>{escape(note)}</text>')
    return _svg(height, marks, f"{len(rows)} rows")


def stacked_columns(columns: Sequence[str], series: Sequence[Series], axis_label: str) -> str:
    """Vertical stacked columns (a histogram when the columns are bins)."""
    height, top, bottom, left = 240, 12, 40, 40
    totals = [sum(s.values[i] for s in series) for i in range(len(columns))]
    peak = max(max(totals, default=0), 1)
    plot_h = height - top - bottom
    step = (WIDTH - left - 10) / max(len(columns), 1)
    marks = [
        f'<line x1="{left}" y1="{height - bottom}" x2="{WIDTH - 10}" y2="{height - bottom}" stroke="#888"/>',
        f'<text x="{left - 6}" y="{top + 8}" text-anchor="end" {FONT}>{_number(peak)}</text>',
        f'<text x="{left - 6}" y="{height - bottom}" text-anchor="end" {FONT}>0</text>',
        f'<text x="{(WIDTH + left) / 2:.0f}" y="{height - 4}" text-anchor="middle" {FONT}>{escape(axis_label)}</text>',
    ]
    for i, column in enumerate(columns):
        x = left + i * step + 2
        y = float(height - bottom)
        for s in series:
            value = s.values[i]
            if value <= 0:
                continue
            h = value / peak * plot_h
            y -= h
            marks.append(
                f'<rect class="mark" x="{x:.1f}" y="{y:.1f}" width="{step - 4:.1f}" height="{h:.1f}" fill="{s.colour}">'
                f"<title>{escape(column)}: {_number(value)} {escape(s.label)}</title></rect>"
            )
        marks.append(
            f'<text x="{x + (step - 4) / 2:.1f}" y="{height - bottom + 14}" text-anchor="middle" {FONT}>{escape(column)}</text>'
        )
    return _svg(height, marks, f"{len(columns)} columns")


def line(points: Sequence[tuple[str, float]], colour: str, value_label: str) -> str:
    """Rates in [0, 1] over labelled points (oldest first), with a dot and value per point."""
    height, top, bottom, left = 220, 14, 40, 46
    plot_h = height - top - bottom
    step = (WIDTH - left - 30) / max(len(points) - 1, 1)
    marks = [
        f'<line x1="{left}" y1="{height - bottom}" x2="{WIDTH - 10}" y2="{height - bottom}" stroke="#888"/>',
        f'<text x="{left - 6}" y="{top + 4}" text-anchor="end" {FONT}>100%</text>',
        f'<text x="{left - 6}" y="{height - bottom}" text-anchor="end" {FONT}>0%</text>',
    ]
    coords = [(left + 10 + i * step, top + (1 - min(max(v, 0.0), 1.0)) * plot_h) for i, (_, v) in enumerate(points)]
    if len(coords) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
        marks.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
    every = max(1, len(points) // 10)  # keep x labels readable on long histories
    for i, ((label, value), (x, y)) in enumerate(zip(points, coords, strict=True)):
        marks.append(
            f'<circle class="mark" cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}">'
            f"<title>{escape(label)}: {value * 100:.1f}% {escape(value_label)}</title></circle>"
        )
        if i % every == 0 or i == len(points) - 1:
            marks.append(f'<text x="{x:.1f}" y="{height - bottom + 14}" text-anchor="middle" {FONT}>{escape(label)}</text>')
            marks.append(f'<text x="{x:.1f}" y="{y - 8:.1f}" text-anchor="middle" {FONT}>{value * 100:.0f}%</text>')
    return _svg(height, marks, f"{len(points)} points")


def rate_lines(xs: Sequence[float], series: Sequence[Series], marker: float, marker_label: str,
               axis_label: str) -> str:
    """Rates in [0, 1] (one line per series) over x values in [0, 1], with a dashed vertical
    marker at `marker` (the operating point) whose values are labelled."""
    height, top, bottom, left, right = 240, 22, 40, 46, 20
    plot_w, plot_h = WIDTH - left - right, height - top - bottom

    def at(x: float, v: float) -> tuple[float, float]:
        return left + min(max(x, 0.0), 1.0) * plot_w, top + (1 - min(max(v, 0.0), 1.0)) * plot_h

    marks = [
        f'<line x1="{left}" y1="{height - bottom}" x2="{WIDTH - right}" y2="{height - bottom}" stroke="#888"/>',
        f'<text x="{left - 6}" y="{top + 4}" text-anchor="end" {FONT}>100%</text>',
        f'<text x="{left - 6}" y="{height - bottom}" text-anchor="end" {FONT}>0%</text>',
        f'<text x="{left + plot_w / 2:.0f}" y="{height - 4}" text-anchor="middle" {FONT}>{escape(axis_label)}</text>',
    ]
    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        x, _ = at(tick, 0.0)
        marks.append(f'<text x="{x:.1f}" y="{height - bottom + 14}" text-anchor="middle" {FONT}>{tick:g}</text>')
    mx, _ = at(marker, 0.0)
    operating = [
        f'<line x1="{mx:.1f}" y1="{top - 8}" x2="{mx:.1f}" y2="{height - bottom}" stroke="#555" stroke-dasharray="4 3"/>',
        f'<text x="{mx + 4:.1f}" y="{top - 10}" {FONT}>{escape(marker_label)}</text>',
    ]
    for n, s in enumerate(series):
        coords = [at(x, v) for x, v in zip(xs, s.values, strict=True)]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
        marks.append(f'<polyline points="{path}" fill="none" stroke="{s.colour}" stroke-width="2"/>')
        for x_value, value, (x, y) in zip(xs, s.values, coords, strict=True):
            title = f"<title>{escape(s.label)} at {x_value:.2f}: {value * 100:.1f}%</title>"
            if x_value == marker:
                operating.append(f'<circle class="mark" cx="{x:.1f}" cy="{y:.1f}" r="5" fill="{s.colour}" '
                                 f'stroke="#222">{title}</circle>')
                side = f'x="{x - 8:.1f}" text-anchor="end"' if n % 2 == 0 else f'x="{x + 8:.1f}"'  # apart when close
                operating.append(f'<text {side} y="{y - 6:.1f}" fill="{s.colour}" {FONT}>{value * 100:.0f}%</text>')
            else:
                marks.append(f'<circle class="mark" cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{s.colour}">{title}</circle>')
    marks.append('<g class="operating">' + "".join(operating) + "</g>")
    return _svg(height, marks, f"{len(series)} rates over {len(xs)} thresholds, marked at {marker:.2f}")


def _svg(height: int, marks: Sequence[str], description: str) -> str:
    return (
        f'<svg role="img" aria-label="{escape(description)}" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">'
        + "".join(marks) + "</svg>"
    )


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}"
