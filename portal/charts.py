"""The figures of the report pages' charts, as the payload `static/js/charts.js` draws with the
vendored Chart.js (`static/vendor/chartjs`). The page carries each payload with Django's
``json_script`` beside a ``<canvas role="img">`` and the table that holds the same figures (the
table is the accessible form; without script only the table shows).

Every word and number the chart shows is written here, in the reader's language: target names,
dates in the locale's short format (the buckets are days in the tenant's zone already),
percentages and counts in the locale's number format. The script formats nothing itself. Values
are numbers for the library to place (percentages 0–100, one decimal; ``None`` where there is
nothing to show: no bar, a break in a line). Series differ by dash pattern as well as colour
(WCAG 1.4.1)."""

from __future__ import annotations

from typing import Any

from django.utils.formats import date_format, number_format

from reports.formatting import percent, short_target

#: Per target: colour and dash pattern (Chart.js ``borderDash``, in pixels) of its line.
SERIES_STYLE: dict[str, tuple[str, list[int]]] = {
    "respond": ("#1d4ed8", []),
    "callback": ("#7c3aed", [6, 4]),
    "restore": ("#b45309", [2, 3]),
    "rfo": ("#047857", [10, 3, 2, 3]),
}

#: The percentage axis: a grid line every quarter.
PERCENT_TICKS = (0, 25, 50, 75, 100)


def _share(share: float | None) -> float | None:
    """0.6667 → 66.7 (the chart's scale is 0–100); None stays None."""
    return None if share is None else round(share * 100, 1)


def attainment_payload(targets: dict[str, Any]) -> dict[str, Any]:
    """One horizontal bar per target, as long as its attainment (none: no bar, "—" beside it)."""
    return {
        "kind": "bars",
        "labels": [short_target(key) for key in targets],
        "values": [_share(figures.attainment) for figures in targets.values()],
        "texts": [percent(figures.attainment) for figures in targets.values()],
        "max": 100,
    }


def trend_payload(trend: list[dict[str, Any]]) -> dict[str, Any]:
    """One line per target of its attainment per bucket (day or week), broken where nothing
    was decided; each point's text as the table has it ("50.0 % (1/2)")."""
    series = []
    for key, (colour, dash) in SERIES_STYLE.items():
        figures = [bucket["targets"][key] for bucket in trend]
        series.append(
            {
                "key": key,
                "label": short_target(key),
                "colour": colour,
                "dash": dash,
                "values": [_share(f.attainment) for f in figures],
                "texts": [f"{percent(f.attainment)} ({f.met}/{f.decided})" for f in figures],
            }
        )
    return {
        "kind": "lines",
        "labels": [date_format(bucket["bucket"], "SHORT_DATE_FORMAT") for bucket in trend],
        "series": series,
        "ticks": {str(tick): f"{number_format(tick)} %" for tick in PERCENT_TICKS},
        "max": 100,
    }


def backlog_payload(backlog: dict[str, dict[str, int]]) -> dict[str, Any]:
    """One horizontal bar per priority of its open tickets, scaled to the largest."""
    totals = [sum(buckets.values()) for buckets in backlog.values()]
    return {
        "kind": "bars",
        "labels": list(backlog),
        "values": totals,
        "texts": [number_format(total) for total in totals],
        "max": max(totals, default=0) or 1,
    }
