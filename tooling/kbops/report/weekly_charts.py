"""The weekly report's own SVG charts (the eval report's primitives are in `charts.py`):
volume per category as small columns against its rolling average, and a day-by-day strip
for an emerging issue. Same rules: inline SVG, no script, a `<title>` on every mark."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .charts import FONT, LABEL_WIDTH, WIDTH, escape

ROW_HEIGHT = 56
COLUMN = 22
PAST = "#b0bec5"
NOW = "#1565c0"
RISING = "#c62828"
AVERAGE = "#455a64"


@dataclass(frozen=True)
class VolumeSeries:
    name: str
    counts: Sequence[int]
    """Per period, oldest first; the last is this period."""
    average: float | None
    flagged: bool
    note: str


def volume_rows(series: Sequence[VolumeSeries], labels: Sequence[str]) -> str:
    """One row per category: a column per period (this one coloured, red when rising) and a
    dashed line at the rolling average, all rows on one scale so sizes compare."""
    peak = max((max(s.counts, default=0) for s in series), default=0) or 1
    periods = max((len(s.counts) for s in series), default=1)
    bars_width = periods * (COLUMN + 6)
    marks: list[str] = []
    for i, s in enumerate(series):
        top = 8 + i * ROW_HEIGHT
        base = top + ROW_HEIGHT - 12
        plot = ROW_HEIGHT - 16
        marks.append(f'<text x="{LABEL_WIDTH - 8}" y="{base - 6}" text-anchor="end" {FONT}>{escape(s.name)}</text>')
        marks.append(f'<line x1="{LABEL_WIDTH}" y1="{base}" x2="{LABEL_WIDTH + bars_width}" y2="{base}" stroke="#ccc"/>')
        for n, count in enumerate(s.counts):
            current = n == len(s.counts) - 1
            colour = (RISING if s.flagged else NOW) if current else PAST
            height = count / peak * plot
            x = LABEL_WIDTH + n * (COLUMN + 6)
            label = labels[n] if n < len(labels) else ""
            marks.append(
                f'<rect class="mark" x="{x}" y="{base - height:.1f}" width="{COLUMN}" height="{max(height, 1):.1f}" '
                f'fill="{colour}"><title>{escape(s.name)}, {escape(label)}: {count} tickets</title></rect>'
            )
        if s.average is not None:
            y = base - s.average / peak * plot
            marks.append(
                f'<line class="average" x1="{LABEL_WIDTH - 3}" y1="{y:.1f}" x2="{LABEL_WIDTH + bars_width - 3}" '
                f'y2="{y:.1f}" stroke="{AVERAGE}" stroke-width="1.5" stroke-dasharray="4 3">'
                f"<title>{escape(s.name)}: rolling average {s.average:.1f}</title></line>"
            )
        weight = ' font-weight="bold"' if s.flagged else ""
        fill = f' fill="{RISING}"' if s.flagged else ""
        marks.append(f'<text x="{LABEL_WIDTH + bars_width + 10}" y="{base - 6}"{weight}{fill} {FONT}>'
                     f"{escape(s.note)}</text>")
    height = 8 + len(series) * ROW_HEIGHT + 4
    return svg(height, marks, f"ticket volume of {len(series)} rows over {periods} periods")


def daily_strip(counts: Sequence[int], labels: Sequence[str], colour: str) -> str:
    """Tickets per day as small columns (an emerging issue's first days)."""
    peak = max(counts, default=0) or 1
    width, height, column = 240, 56, max(6, min(26, 220 // max(len(counts), 1) - 4))
    marks = [f'<line x1="0" y1="{height - 14}" x2="{width}" y2="{height - 14}" stroke="#ccc"/>']
    for n, count in enumerate(counts):
        h = count / peak * (height - 22)
        x = 4 + n * (column + 4)
        label = labels[n] if n < len(labels) else ""
        marks.append(f'<rect class="mark" x="{x}" y="{height - 14 - h:.1f}" width="{column}" height="{max(h, 0.5):.1f}" '
                     f'fill="{colour}"><title>{escape(label)}: {count} tickets</title></rect>')
        if len(counts) <= 7:
            marks.append(f'<text x="{x + column / 2:.1f}" y="{height - 2}" text-anchor="middle" '
                         f'font-family="system-ui, sans-serif" font-size="10">{escape(label[:3])}</text>')
    return (f'<svg role="img" aria-label="tickets per day" viewBox="0 0 {width} {height}" width="{width}" '
            f'height="{height}" xmlns="http://www.w3.org/2000/svg">' + "".join(marks) + "</svg>")


def svg(height: int, marks: Sequence[str], description: str) -> str:
    return (
        f'<svg role="img" aria-label="{escape(description)}" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">'
        + "".join(marks) + "</svg>"
    )
