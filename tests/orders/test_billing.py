"""The monthly SSR billing report: the requests completed in a month (in the desk's time
zone), per account, with totals, as CSV; staff see every account, customers their own."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest

from orders.services.ssr import SsrDraft, cancel_ssr, complete_ssr, submit_ssr
from servicedesk.tenancy import tenant_context
from tests.orders.conftest import AGENT, ALICE, BLUEPEAK_AGENT, BOB, CAROL, DAVE, MANAGER, api

HEADER = "account,ssr_id,completed_at,site,item_code,item,price,currency"
ANSWERS = {
    "port-config": {"port": "ge-0/0/3"},
    "firewall-rule": {"source": "10.40.0.0/24", "destination": "203.0.113.45", "rule_action": "allow"},
}


def _utc(text):
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def _completed(desk, time_machine, who, site, item, completed_at, price=None, note=""):
    """A request asked ten days before ``completed_at``, due two hours before it, completed then."""
    done = _utc(completed_at)
    user, staff = desk.user(who), desk.user(BLUEPEAK_AGENT if who == CAROL else AGENT)
    time_machine.move_to(done - dt.timedelta(days=10), tick=False)
    with tenant_context(user.tenant_id):
        draft = SsrDraft(
            item=item, site_id=site.pk, requested_start=done - dt.timedelta(hours=2), answers=ANSWERS.get(item, {})
        )
        ssr = submit_ssr(actor=user, draft=draft)
        time_machine.move_to(done, tick=False)
        return complete_ssr(ssr=ssr, actor=staff, price=price, note=note).number


@pytest.fixture
def month(desk, time_machine):
    """Northwind's November 2026 (Europe/Berlin): completed requests in and around it."""
    _completed(desk, time_machine, ALICE, desk.frankfurt, "cpe-reboot", "2026-11-02T10:00:00Z")
    _completed(
        desk, time_machine, ALICE, desk.madrid, "port-config", "2026-11-30T22:30:00Z", Decimal("120.00"), "Two ports."
    )
    _completed(desk, time_machine, ALICE, desk.frankfurt, "cpe-reboot", "2026-11-30T23:30:00Z")  # 1 December in Berlin
    _completed(desk, time_machine, ALICE, desk.frankfurt, "cpe-reboot", "2026-10-31T22:30:00Z")  # 31 October in Berlin
    _completed(desk, time_machine, BOB, desk.london, "firewall-rule", "2026-11-16T15:00:00Z")
    _completed(desk, time_machine, CAROL, desk.barcelona, "remote-reboot", "2026-11-10T09:00:00Z")
    # Asked in November but not completed: not billed.
    time_machine.move_to("2026-11-05T09:00:00Z", tick=False)
    alice = desk.user(ALICE)
    with tenant_context(desk.northwind):
        submit_ssr(actor=alice, draft=SsrDraft(item="cpe-reboot", site_id=desk.frankfurt.pk,
                                               requested_start=_utc("2026-11-20T09:00:00Z")))  # fmt: skip
        cancelled = submit_ssr(actor=alice, draft=SsrDraft(item="cpe-reboot", site_id=desk.frankfurt.pk,
                                                           requested_start=_utc("2026-11-20T09:00:00Z")))  # fmt: skip
        cancel_ssr(ssr=cancelled, actor=alice, reason="Not needed after all.")
    time_machine.move_to("2026-12-02T09:00:00Z", tick=False)


def _report(desk, who, query="?month=2026-11"):
    response = api(desk, who).get(f"/api/v1/billing/ssr/{query}")
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="ssr-billing-{query[7:14]}.csv"'
    return response.content.decode().splitlines()


@pytest.mark.django_db
def test_the_desk_sees_every_accounts_completed_requests_with_totals(desk, month):
    assert _report(desk, MANAGER) == [
        HEADER,
        "Acme Logistics GmbH,SSR-000001,2026-11-02T10:00:00Z,Frankfurt,cpe-reboot,Supervised CPE restart,40.00,EUR",
        "Acme Logistics GmbH,SSR-000002,2026-11-30T22:30:00Z,Madrid,port-config,Port configuration change,120.00,EUR",
        "Acme Logistics GmbH,TOTAL,,,,,160.00,EUR",
        "Globex Retail Ltd,SSR-000005,2026-11-16T15:00:00Z,London,firewall-rule,Firewall rule change,75.00,EUR",
        "Globex Retail Ltd,TOTAL,,,,,75.00,EUR",
        "ALL ACCOUNTS,TOTAL,,,,,235.00,EUR",
    ]
    rows = list(csv.DictReader(io.StringIO("\n".join(_report(desk, AGENT)))))
    assert sum(Decimal(r["price"]) for r in rows if r["ssr_id"] not in ("TOTAL",)) == Decimal("235.00")


@pytest.mark.django_db
def test_months_run_in_the_desks_time_zone(desk, month):
    october = _report(desk, AGENT, "?month=2026-10")
    december = _report(desk, AGENT, "?month=2026-12")
    assert [line.split(",")[1:3] for line in october[1:-2]] == [["SSR-000004", "2026-10-31T22:30:00Z"]]
    assert [line.split(",")[1:3] for line in december[1:-2]] == [["SSR-000003", "2026-11-30T23:30:00Z"]]


@pytest.mark.django_db
def test_the_desk_may_ask_for_one_account(desk, month):
    assert _report(desk, AGENT, f"?month=2026-11&account={desk.globex.pk}")[1:] == [
        "Globex Retail Ltd,SSR-000005,2026-11-16T15:00:00Z,London,firewall-rule,Firewall rule change,75.00,EUR",
        "Globex Retail Ltd,TOTAL,,,,,75.00,EUR",
        "ALL ACCOUNTS,TOTAL,,,,,75.00,EUR",
    ]


@pytest.mark.django_db
def test_customers_see_only_their_own_account_and_sites(desk, month):
    assert _report(desk, ALICE)[-2:] == [
        "Acme Logistics GmbH,TOTAL,,,,,160.00,EUR",
        "ALL ACCOUNTS,TOTAL,,,,,160.00,EUR",
    ]
    assert _report(desk, DAVE)[1:] == [  # Madrid only
        "Acme Logistics GmbH,SSR-000002,2026-11-30T22:30:00Z,Madrid,port-config,Port configuration change,120.00,EUR",
        "Acme Logistics GmbH,TOTAL,,,,,120.00,EUR",
        "ALL ACCOUNTS,TOTAL,,,,,120.00,EUR",
    ]
    assert [line.split(",")[0] for line in _report(desk, BOB)[1:]] == ["Globex Retail Ltd"] * 2 + ["ALL ACCOUNTS"]
    assert _report(desk, CAROL)[1:] == [
        "Initech S.A.,SSR-000001,2026-11-10T09:00:00Z,Barcelona,remote-reboot,Reinicio remoto supervisado,30.00,EUR",
        "Initech S.A.,TOTAL,,,,,30.00,EUR",
        "ALL ACCOUNTS,TOTAL,,,,,30.00,EUR",
    ]


@pytest.mark.django_db
def test_another_account_or_tenant_is_not_there(desk, month):
    for who, account in ((ALICE, desk.globex), (BOB, desk.acme), (BLUEPEAK_AGENT, desk.acme), (CAROL, desk.acme)):
        response = api(desk, who).get(f"/api/v1/billing/ssr/?month=2026-11&account={account.pk}")
        assert response.status_code == 404, who


@pytest.mark.django_db
def test_an_empty_month_has_the_header_only(desk):
    assert _report(desk, AGENT, "?month=2027-02") == [HEADER]


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["", "?month=2026-13", "?month=November"])
def test_the_month_is_required_as_yyyy_mm(desk, query):
    response = api(desk, AGENT).get(f"/api/v1/billing/ssr/{query}")
    assert response.status_code == 400
    assert list(response.json()) == ["month"]


@pytest.mark.django_db
def test_cells_that_a_spreadsheet_would_run_are_defused(desk, time_machine):
    with tenant_context(desk.northwind):
        desk.globex.name = "=HYPERLINK(evil)"
        desk.globex.save(update_fields=["name"])
    _completed(desk, time_machine, BOB, desk.london, "cpe-reboot", "2026-11-16T15:00:00Z")
    assert _report(desk, AGENT)[1].startswith("'=HYPERLINK(evil),SSR-000001,")
