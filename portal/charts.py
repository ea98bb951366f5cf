"""Charts drawn on the server as inline SVG: no script, no canvas, the same in print and PDF.
Each chart is decorative beside its table (which carries the figures); the SVG is an image
with a text alternative. Series differ by line pattern as well as colour (WCAG 1.4.1)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.formats import date_format, number_format

#: Per target: colour and dash pattern of its line.
SERIES_STYLE = {
    "respond": ("#1d4ed8", ""),
    "callback": ("#7c3aed", "6 4"),
    "restore": ("#b45309", "2 3"),
    "rfo": ("#047857", "10 3 2 3"),
}

WIDTH, HEIGHT = 600, 200
LEFT, RIGHT, TOP, BOTTOM = 64, 570, 12, 170  # LEFT leaves room for "100 %" in large type
#: Bar charts are narrower, so their words stay legible on a phone.
BARS_WIDTH, BARS_LEFT, BARS_SPAN = 400, 110, 230


@dataclass(frozen=True)
class Bar:
    key: str
    label: str
    y: int
    width: float
    text: str


def attainment_bars(targets: dict[str, Any], labels: dict[str, str]) -> dict[str, Any]:
    """Horizontal bars, one per target, as wide as its attainment (none: no bar)."""
    bars = []
    for index, (key, figures) in enumerate(targets.items()):
        share = figures.attainment
        width = 0.0 if share is None else round(share * BARS_SPAN, 1)
        text = "—" if share is None else f"{number_format(round(share * 100, 1), 1)} %"
        bars.append(Bar(key, labels[key], 8 + index * 30, width, text))
    return {"bars": bars, "height": 8 + len(bars) * 30, "left": BARS_LEFT, "width": BARS_WIDTH}


def trend_lines(trend: list[dict[str, Any]], by: str) -> dict[str, Any]:
    """One line per target of its attainment per bucket (0–100 %), broken where nothing was
    decided; ticks on the first, middle and last bucket."""
    count = len(trend)
    step = (RIGHT - LEFT) / max(1, count - 1)

    def x(index: int) -> float:
        return round(LEFT + (index * step if count > 1 else (RIGHT - LEFT) / 2), 1)

    def y(share: float) -> float:
        return round(BOTTOM - share * (BOTTOM - TOP), 1)

    series = []
    for key, (colour, dash) in SERIES_STYLE.items():
        segments: list[list[str]] = [[]]
        dots = []
        for index, bucket in enumerate(trend):
            share = bucket["targets"][key].attainment
            if share is None:
                if segments[-1]:
                    segments.append([])
                continue
            segments[-1].append(f"{x(index)},{y(share)}")
            dots.append((x(index), y(share)))
        series.append(
            {
                "key": key,
                "colour": colour,
                "dash": dash,
                "segments": [" ".join(points) for points in segments if len(points) > 1],
                "dots": dots,
            }
        )
    ticks = sorted({0, count // 2, count - 1}) if count else []
    fmt = "SHORT_DATE_FORMAT"
    return {
        "series": series,
        "ticks": [
            {"x": x(i), "label": date_format(trend[i]["bucket"], fmt), "anchor": _anchor(i, count)} for i in ticks
        ],
        "grid": [{"y": y(share), "label": f"{int(share * 100)} %"} for share in (0, 0.5, 1)],
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": RIGHT,
        "bottom": BOTTOM,
        "by": by,
    }


def backlog_bars(backlog: dict[str, dict[str, int]]) -> dict[str, Any]:
    """Horizontal bars of open tickets per priority, scaled to the largest."""
    totals = {priority: sum(buckets.values()) for priority, buckets in backlog.items()}
    largest = max(totals.values(), default=0) or 1
    bars = [
        Bar(priority, priority, 8 + index * 30, round(total / largest * BARS_SPAN, 1), str(total))
        for index, (priority, total) in enumerate(totals.items())
    ]
    return {"bars": bars, "height": 8 + len(bars) * 30, "left": 40, "width": BARS_WIDTH}


def _anchor(index: int, count: int) -> str:
    """The first tick's label starts at it, the last one's ends at it: none leaves the chart."""
    if index == 0 and count > 1:
        return "start"
    return "end" if index == count - 1 and count > 1 else "middle"
