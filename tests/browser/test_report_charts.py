"""The report pages' charts in a real browser: Chart.js (vendored) draws each chart of the
manager's dashboard and of the customer's reports page from the figures the server put beside
it, in English and in German, at 1280 and at 390 px; each chart holds exactly the figures of the
table after it; nothing is refused by the Content-Security-Policy and nothing is logged as an
error; axe-core finds nothing serious. Without script the tables alone show.

Two incidents opened two hours ago: Acme's answered after an hour (its 15-minute response target
breached), Globex's at once (met): the response target stands at 50 %, the backlog at two P1s.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from servicedesk.models import Tenant, User
from servicedesk.tenancy import tenant_context
from tests.browser.conftest import check_page, new_page, sign_in
from tests.browser.test_dashboard import _incident

pytestmark = pytest.mark.slow

MANAGER = "manager@northwind.example"

#: Per chart on the page: the Chart.js instance's labels and values, whether its canvas has a
#: size and drawn pixels, and the table of its section (row header and cell texts).
CHARTS_AND_TABLES = """
() => [...document.querySelectorAll("[data-chart]")].map((box) => {
  const canvas = box.querySelector("canvas");
  const chart = Chart.getChart(canvas);
  const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let drawn = 0;
  for (let i = 3; i < pixels.length; i += 4) { if (pixels[i] > 0) drawn++; }
  const table = box.closest("section").querySelector("table");
  return {
    id: box.querySelector("script").id,
    label: canvas.getAttribute("aria-label"),
    role: canvas.getAttribute("role"),
    hidden: box.hidden,
    width: canvas.getBoundingClientRect().width,
    height: canvas.getBoundingClientRect().height,
    drawn: drawn,
    chart: chart === undefined ? null : {
      type: chart.config.type,
      animated: chart.options.animation !== false,
      labels: chart.data.labels,
      datasets: chart.data.datasets.map((d) => ({label: d.label, data: d.data, dash: d.borderDash || []})),
    },
    rows: [...table.querySelectorAll("tbody tr")].map((row) =>
      [...row.querySelectorAll("th, td")].map((cell) => cell.textContent.trim().replace(/\\s+/g, " "))),
  };
})
"""


def _number(text: str) -> float | None:
    """A table's percentage as a number: 66.67 from "66.67 %", "66,67 %"; 66.7 from "66,7 % (2/3)";
    None from "—"."""
    figure = text.split(" %")[0].split(" (")[0].strip()
    return None if figure == "—" else float(figure.replace(",", "."))


def _record_errors(page: Page) -> list[str]:
    """Every error the page logs or throws from now on (the browser's own request for
    /favicon.ico, which the desk does not have, aside)."""
    errors: list[str] = []

    def logged(message: ConsoleMessage) -> None:
        if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico"):
            errors.append(f"{message.text} ({message.location.get('url')})")

    page.on("console", logged)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def _check_charts(page: Page, expected_ids: list[str], name: str) -> dict[str, dict]:
    charts = {chart["id"]: chart for chart in page.evaluate(CHARTS_AND_TABLES)}
    assert list(charts) == expected_ids
    for key, chart in charts.items():
        assert chart["chart"] is not None, f"Chart.js drew no chart in {key} on {name}"
        assert not chart["chart"]["animated"], key  # drawn once, as it is (and reduced motion)
        assert chart["role"] == "img", key
        assert chart["label"], key
        assert not chart["hidden"], key
        assert chart["width"] > 200, (key, chart["width"])
        assert chart["height"] > 100, (key, chart["height"])
        assert chart["drawn"] > 500, f"{key} on {name} is blank"
    # The attainment bars: one per target, as long as the table's attainment (2 places there, 1 here).
    bars = charts["chart-attainment"]
    assert bars["chart"]["type"] == "bar"
    assert len(bars["chart"]["labels"]) == len(bars["rows"]) == 4
    table = [_number(row[3]) for row in bars["rows"]]
    assert bars["chart"]["datasets"][0]["data"] == [None if v is None else round(v, 1) for v in table]
    return charts


def _check_dashboard(page: Page, name: str) -> None:
    charts = _check_charts(page, ["chart-attainment", "chart-trend", "chart-backlog"], name)
    assert charts["chart-attainment"]["chart"]["datasets"][0]["data"][0] == 50.0  # respond: 1 of 2
    # The trend: one line per target, each dashed its own way, the table's days and figures.
    trend = charts["chart-trend"]
    assert trend["chart"]["type"] == "line"
    assert trend["chart"]["labels"] == [row[0] for row in trend["rows"]]
    assert [d["dash"] for d in trend["chart"]["datasets"]] == [[], [6, 4], [2, 3], [10, 3, 2, 3]]
    for column, dataset in enumerate(trend["chart"]["datasets"], start=1):
        assert dataset["data"] == [_number(row[column]) for row in trend["rows"]], dataset["label"]
    assert 50.0 in trend["chart"]["datasets"][0]["data"]
    # The backlog: open tickets per priority, the table's totals.
    backlog = charts["chart-backlog"]
    assert backlog["chart"]["labels"] == [row[0] for row in backlog["rows"]] == ["P1", "P2", "P3", "P4"]
    assert backlog["chart"]["datasets"][0]["data"] == [int(row[-1]) for row in backlog["rows"]]
    assert backlog["chart"]["datasets"][0]["data"][0] == 2


def test_the_dashboard_and_the_report_draw_their_charts_in_english_and_german(browser: Browser, desk_url: str):
    now = timezone.now().replace(microsecond=0)
    with tenant_context(Tenant.objects.get(slug="northwind")):
        _incident("alice@acme.example", "NW-MPLS-1001", now - dt.timedelta(hours=2), now - dt.timedelta(hours=1))
        _incident("bob@globex.example", "NW-INET-3001", now - dt.timedelta(hours=2), now - dt.timedelta(hours=2))

    for language, heading in (("en", "Service levels"), ("de", "Service-Level")):
        User.objects.filter(email=MANAGER).update(language=language)
        for width in (1280, 390):
            name = f"charts-dashboard-{language}-{width}"
            page = new_page(browser, desk_url, locale="de-DE" if language == "de" else "en-GB", width=width)
            errors = _record_errors(page)
            sign_in(page, MANAGER)
            expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
            _check_dashboard(page, name)
            check_page(page, name)
            assert errors == [], f"{name}: {errors}"
            page.context.close()

    alice = new_page(browser, desk_url, width=390)
    errors = _record_errors(alice)
    sign_in(alice, "alice@acme.example")
    alice.goto(f"{desk_url}/portal/reports/")
    expect(alice.get_by_role("heading", level=1)).to_contain_text("Service report")
    charts = _check_charts(alice, ["chart-attainment"], "portal-reports")
    assert charts["chart-attainment"]["chart"]["datasets"][0]["data"][0] == 0.0  # her one response, late
    check_page(alice, "charts-portal-reports-390")
    assert errors == []


def test_without_script_the_tables_alone_show(browser: Browser, desk_url: str):
    context = browser.new_context(base_url=desk_url, java_script_enabled=False, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in(page, MANAGER)
    assert page.locator("[data-chart]").count() == 3
    for box in page.locator("[data-chart]").all():
        expect(box).to_be_hidden()
    targets = page.get_by_role("region", name="Attainment per target")
    expect(targets.get_by_role("row", name=re.compile("^Response"))).to_be_visible()
    backlog = page.get_by_role("region", name="Open tickets by age and priority").get_by_role("table")
    expect(backlog.get_by_role("row", name=re.compile("^P1"))).to_be_visible()
    context.close()
