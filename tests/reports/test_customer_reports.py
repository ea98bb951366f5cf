"""The customers' reports page /portal/reports/ and the managers' monthly report of an account,
on the history of tests/reports/conftest.py (October 2026 in Berlin)."""

from __future__ import annotations

import re

import pytest

from tests.reports.conftest import ALICE

pytestmark = pytest.mark.django_db

OCTOBER = {"month": "2026-10"}


def _page(client, demo, who, path="/portal/reports/", **params):
    client.force_login(demo.user(who))
    response = client.get(path, {**OCTOBER, **params})
    assert response.status_code == 200
    return response.content.decode()


def _rows(page, heading_id):
    """The rows of the table in the section headed ``heading_id``, as lists of cell texts."""
    section = re.search(rf'<h2 id="{heading_id}">.*?</section>', page, re.S).group(0)
    rows = re.findall(r"<tr>(.*?)</tr>", re.search(r"<tbody>(.*?)</tbody>", section, re.S).group(1), re.S)
    return [
        [
            re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cell)).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        for row in rows
    ]


def test_alice_sees_her_accounts_month_with_the_apis_figures(client, demo, history):
    page = _page(client, demo, ALICE)
    # The whole of October (1–31): B's respond breach on the 24th and D's answer on 1 November
    # local (31 October UTC) are out; everything of tests/reports/test_sla_report.py's period is in.
    api = demo.api(ALICE).get("/api/v1/reports/sla/", {"from": "2026-10-01", "to": "2026-10-31"}).json()
    assert api["targets"]["respond"] == {"met": 2, "breached": 3, "attainment": 0.4}
    assert _rows(page, "targets")[0] == ["Response (ticket number confirmed)", "2", "3", "40.00 %"]
    assert [row[1:] for row in _rows(page, "targets")] == [
        [str(f["met"]), str(f["breached"]), "—" if f["attainment"] is None else f"{f['attainment'] * 100:.2f} %"]
        for f in api["targets"].values()
    ]
    availability = {row[0].split()[0]: row[-1] for row in _rows(page, "availability")}
    # Every service of Acme's two sites, Globex's none; October has 745 hours (the 25th has 25).
    assert sorted(availability) == [
        "NW-CPE-1004", "NW-INET-1002", "NW-MPLS-1001", "NW-MPLS-2001", "NW-SAT-2002", "NW-VOICE-1003", "NW-VOICE-2003",
    ]  # fmt: skip
    assert availability["NW-MPLS-2001"] == f"{(1 - 3600 / (745 * 3600)) * 100:.2f} %"
    assert availability["NW-SAT-2002"] == "100.00 %"
    breaches = [row[0].split()[0] for row in _rows(page, "breaches")]
    assert breaches == [history.numbers[t] for t in ("C", "H", "A", "B", "B")]
    assert f'href="/portal/tickets/{history.numbers["C"]}/"' in page


def test_dave_sees_madrid_only(client, demo, history):
    page = _page(client, demo, "dave@acme.example")
    assert sorted(row[0].split()[0] for row in _rows(page, "availability")) == [
        "NW-MPLS-2001", "NW-SAT-2002", "NW-VOICE-2003",
    ]  # fmt: skip
    assert _rows(page, "targets")[0][1:3] == ["1", "0"]
    assert "Frankfurt" not in page
    assert history.numbers["A"] not in page
    # A site he may not see is no choice: refused, and his own figures stay his.
    page = _page(client, demo, "dave@acme.example", site=str(demo.frankfurt.pk))
    assert "NW-MPLS-1001" not in page


def test_bob_sees_none_of_acmes_report(client, demo, history):
    page = _page(client, demo, "bob@globex.example")
    assert [row[0].split()[0] for row in _rows(page, "availability")] == [
        "NW-INET-3001",
        "NW-MPLS-3002",
        "NW-VOICE-3003",
    ]
    assert "Acme" not in page
    assert history.numbers["A"] not in page


@pytest.mark.parametrize("who", ["agent@northwind.example", "manager@northwind.example", "admin@northwind.example"])
def test_the_reports_page_is_the_customers(client, demo, who):
    client.force_login(demo.user(who))
    assert client.get("/portal/reports/").status_code == 404


def test_the_managers_monthly_report_of_an_account_is_what_its_users_see(client, demo, history):
    alice = _page(client, demo, ALICE)
    manager = _page(client, demo, "manager@northwind.example", path=f"/dashboard/accounts/{demo.acme.pk}/report/")
    for heading in ("targets", "availability", "times"):
        assert _rows(manager, heading) == _rows(alice, heading)
    assert f'href="/console/tickets/{history.numbers["C"]}/"' in manager


def test_a_month_outside_the_choices_shows_this_month(client, demo, time_machine):
    time_machine.move_to("2026-11-15T12:00:00Z", tick=False)
    page = _page(client, demo, ALICE, month="1999-01")
    assert "November 2026" in page
