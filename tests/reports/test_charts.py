"""The charts' figures (portal.charts): what the dashboard and the reports page hand to
static/js/charts.js, against the hand-computed history of tests/reports/conftest.py (period
25–31 October 2026 in Berlin), in English, German and Spanish: every label, date and percentage
written by the server in the reader's language, the values the table after each chart holds.
(That Chart.js draws them: tests/browser/test_report_charts.py.)"""

from __future__ import annotations

import json
import re

import pytest

from tests.reports.conftest import ALICE

pytestmark = pytest.mark.django_db

MANAGER = "manager@northwind.example"
OCTOBER_END = {"period": "custom", "start": "2026-10-25", "end": "2026-10-31"}
DAYS = [f"{day}/10/2026" for day in range(25, 32)]

NAMES = {
    "en": ["Response", "Call-back", "Restoration", "RFO"],
    "de": ["Reaktion", "Rückruf", "Entstörung", "RFO"],
    "es": ["Respuesta", "Devolución de llamada", "Restablecimiento", "RFO"],
}
DATES = {"en": DAYS, "de": [f"{day}.10.2026" for day in range(25, 32)], "es": DAYS}
POINT = {"en": "."}  # decimal separator; German and Spanish write a comma


def _dashboard(client, demo, language, who=MANAGER, path="/dashboard/", params=OCTOBER_END):
    user = demo.user(who)
    user.language = language
    user.save(update_fields=["language"])
    client.force_login(user)
    response = client.get(path, params)
    assert response.status_code == 200
    return response


def _share(text: str, language: str) -> str:
    return text.replace(".", POINT.get(language, ","))


def _payload(page: str, element_id: str) -> dict:
    """The figures as the page carries them (json_script), read back as the script reads them."""
    found = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', page, re.S)
    assert found, element_id
    return json.loads(found.group(1))


@pytest.mark.parametrize("language", ["en", "de", "es"])
def test_the_attainment_bars_are_the_targets_shares_in_the_readers_language(client, demo, history, language):
    response = _dashboard(client, demo, language)
    # respond 3 met, 2 breached; callback 1, 1; restore 2, 1; rfo nothing decided: no bar, "—".
    assert response.context["attainment_chart"] == {
        "kind": "bars",
        "labels": NAMES[language],
        "values": [60.0, 50.0, 66.7, None],
        "texts": [_share(text, language) for text in ("60.0 %", "50.0 %", "66.7 %")] + ["—"],
        "max": 100,
    }
    assert _payload(response.content.decode(), "chart-attainment") == response.context["attainment_chart"]


@pytest.mark.parametrize("language", ["en", "de", "es"])
def test_the_trend_is_a_line_per_target_per_day_broken_where_nothing_was_decided(client, demo, history, language):
    chart = _dashboard(client, demo, language).context["trend_chart"]
    assert chart["kind"] == "lines"
    assert chart["labels"] == DATES[language]
    assert chart["ticks"] == {"0": "0 %", "25": "25 %", "50": "50 %", "75": "75 %", "100": "100 %"}
    assert chart["max"] == 100
    series = {line["key"]: line for line in chart["series"]}
    assert [line["label"] for line in chart["series"]] == NAMES[language]
    # Each its own colour and dash pattern (WCAG 1.4.1: not by colour alone).
    assert [(line["colour"], line["dash"]) for line in chart["series"]] == [
        ("#1d4ed8", []), ("#7c3aed", [6, 4]), ("#b45309", [2, 3]), ("#047857", [10, 3, 2, 3]),
    ]  # fmt: skip
    # Response: A met on the 25th, F on the 26th, E on the 27th; H breached on the 28th, C on the
    # 31st; nothing decided on the 29th and 30th. Call-back: A met and B breached on the 25th.
    # Restoration: B met and A breached on the 25th, F met on the 26th. RFO: never.
    assert series["respond"]["values"] == [100.0, 100.0, 100.0, 0.0, None, None, 0.0]
    assert series["callback"]["values"] == [50.0, None, None, None, None, None, None]
    assert series["restore"]["values"] == [50.0, 100.0, None, None, None, None, None]
    assert series["rfo"]["values"] == [None] * 7
    # The texts as the table writes them.
    assert series["respond"]["texts"][0] == _share("100.0 % (1/1)", language)
    assert series["respond"]["texts"][4] == "— (0/0)"
    assert series["restore"]["texts"][0] == _share("50.0 % (1/2)", language)


def test_the_trend_per_week_labels_each_week_by_its_monday(client, demo, history):
    chart = _dashboard(client, demo, "de", params={**OCTOBER_END, "trend": "week"}).context["trend_chart"]
    assert chart["labels"] == ["19.10.2026", "26.10.2026"]
    respond = chart["series"][0]
    assert respond["values"] == [100.0, 50.0]
    assert respond["texts"] == ["100,0 % (1/1)", "50,0 % (2/4)"]


@pytest.mark.parametrize("language", ["en", "de", "es"])
def test_the_backlog_bars_are_the_open_tickets_per_priority(client, demo, history, language):
    response = _dashboard(client, demo, language)
    # Now 2 November: C, D and E (P1) and H (P4) are open.
    assert response.context["backlog_chart"] == {
        "kind": "bars",
        "labels": ["P1", "P2", "P3", "P4"],
        "values": [3, 0, 0, 1],
        "texts": ["3", "0", "0", "1"],
        "max": 3,
    }


@pytest.mark.parametrize(
    ("language", "label"),
    [
        ("en", "Share of targets met on time, per target"),
        ("de", "Anteil der pünktlich eingehaltenen Ziele, je Ziel"),
        ("es", "Proporción de objetivos cumplidos a tiempo, por objetivo"),
    ],
)
def test_each_chart_is_a_canvas_with_a_text_alternative_and_its_figures_beside_it(
    client, demo, history, language, label
):
    page = _dashboard(client, demo, language).content.decode()
    boxes = re.findall(r'<div class="chart-box chart-(\w+)" data-chart hidden><script id="([\w-]+)"', page)
    assert boxes == [("bars", "chart-attainment"), ("lines", "chart-trend"), ("bars", "chart-backlog")]
    assert page.count('<canvas role="img" aria-label="') == 3
    assert f'<canvas role="img" aria-label="{label}">' in page
    assert "/static/vendor/chartjs/chart-4.6.1.umd.min.js" in page
    assert "/static/js/charts.js" in page
    assert "<svg" not in page


def test_alices_report_carries_her_accounts_attainment_bars(client, demo, history):
    response = _dashboard(client, demo, "de", who=ALICE, path="/portal/reports/", params={"month": "2026-10"})
    # Acme's October (tests/reports/test_customer_reports.py): respond 2 met, 3 breached.
    chart = _payload(response.content.decode(), "chart-attainment")
    assert chart["labels"] == NAMES["de"]
    assert chart["values"][0] == 40.0
    assert chart["texts"][0] == "40,0 %"
