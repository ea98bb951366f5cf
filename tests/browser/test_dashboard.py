"""The service-level dashboard and the customers' reports in a real browser.

An Acme incident on the Frankfurt MPLS line is opened two hours ago and acknowledged an hour
later (its 15-minute response target breached); a Globex incident is answered in time. The
manager opens the dashboard, narrows it to the last three days and the Data/IP/ICT product
area, follows the response target's breached count to the queue of the late ticket, follows the
breach to its ticket and downloads the breaches as CSV; alice opens her
reports page and downloads it as PDF. Every page passes axe-core, also at 390 px.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import Browser, expect
from pypdf import PdfReader

from servicedesk.models import Tenant, User
from servicedesk.tenancy import tenant_context
from tests.browser.conftest import check_page, new_page, sign_in
from tickets.models import Ticket
from tickets.services.intake import TicketDraft, open_ticket
from tickets.services.lifecycle import transition_ticket

pytestmark = pytest.mark.slow

ANSWERS = {"power_at_site": "yes", "symptom": "no_service"}


def _incident(customer: str, service_id: str, opened: dt.datetime, answered: dt.datetime) -> Ticket:
    with time_machine.travel(opened, tick=False):
        ticket = open_ticket(
            actor=User.objects.get(email=customer),
            draft=TicketDraft(
                kind="incident", subject="Line down", description="No traffic since the morning.",
                service_id=service_id, impact="outage", urgency="high", problem_started_at=opened, answers=ANSWERS,
            ),
        )  # fmt: skip
    with time_machine.travel(answered, tick=False):
        return transition_ticket(ticket=ticket, actor=User.objects.get(email="agent@northwind.example"),
                                 action="acknowledge", reason="")  # fmt: skip


def test_the_manager_follows_a_breach_and_downloads_it_and_alice_reads_her_report(browser: Browser, desk_url: str):
    now = timezone.now().replace(microsecond=0)
    with tenant_context(Tenant.objects.get(slug="northwind")):
        late = _incident("alice@acme.example", "NW-MPLS-1001", now - dt.timedelta(hours=2), now - dt.timedelta(hours=1))
        other = _incident(
            "bob@globex.example", "NW-INET-3001", now - dt.timedelta(hours=2), now - dt.timedelta(hours=2)
        )

    manager = new_page(browser, desk_url)
    sign_in(manager, "manager@northwind.example")
    expect(manager.get_by_role("heading", level=1)).to_contain_text("Service levels")
    check_page(manager, "dashboard")

    today = now.astimezone(dt.timezone(dt.timedelta(hours=1))).date()  # Berlin's date, give or take an hour
    manager.get_by_label("Period", exact=True).select_option("custom")
    manager.get_by_label("From", exact=True).fill((today - dt.timedelta(days=3)).isoformat())
    manager.get_by_label("To", exact=True).fill((today + dt.timedelta(days=1)).isoformat())
    manager.get_by_label("Product area", exact=True).select_option(label="Data/IP/ICT")
    manager.get_by_role("button", name="Show the figures").click()
    breaches = manager.get_by_role("region", name="Breaches")
    expect(breaches.get_by_role("link", name=late.number)).to_be_visible()
    check_page(manager, "dashboard-filtered")

    with manager.expect_download() as download_info:
        manager.get_by_role("link", name="Download CSV — Breaches").click()
    download = download_info.value
    assert download.suggested_filename.startswith("breaches-")
    assert late.number in download.path().read_text()

    # The response target's breached count opens the queue of the tickets behind it: the late one.
    targets = manager.get_by_role("region", name="Attainment per target")
    targets.get_by_role("row", name=re.compile("^Response")).get_by_role("link").last.click()
    manager.wait_for_url(re.compile(r".*/console/tickets/\?.*dates=breached.*"))
    expect(manager.get_by_label("Dates of", exact=True)).to_have_value("breached")
    expect(manager.get_by_label("Service-level target", exact=True)).to_have_value("respond")
    expect(manager.get_by_role("link", name=late.number, exact=True)).to_be_visible()
    expect(manager.get_by_role("link", name=other.number, exact=True)).to_have_count(0)
    check_page(manager, "queue-behind-attainment")
    manager.go_back()
    # The orders list behind "orders on their committed date", a wrong day next to its field.
    manager.goto(f"{desk_url}/console/orders/?show=on_time&date_from={today.isoformat()}&date_to=someday")
    expect(manager.get_by_role("heading", name="Orders handed over on or before their committed date")).to_be_visible()
    check_page(manager, "orders-behind-figure")
    manager.go_back()

    breaches.get_by_role("link", name=late.number).click()
    manager.wait_for_url(f"{desk_url}/console/tickets/{late.number}/")
    expect(manager.locator(".ticket-number")).to_have_text(late.number)

    phone = new_page(browser, desk_url, width=390)
    sign_in(phone, "manager@northwind.example")
    check_page(phone, "dashboard-390")

    alice = new_page(browser, desk_url)
    sign_in(alice, "alice@acme.example")
    alice.get_by_role("navigation", name="Main").get_by_role("link", name="Reports").click()
    expect(alice.get_by_role("heading", level=1)).to_contain_text("Service report")
    expect(alice.get_by_role("region", name="Breaches").get_by_role("link", name=late.number)).to_be_visible()
    check_page(alice, "portal-reports")
    with alice.expect_download() as download_info:
        alice.get_by_role("link", name="Download PDF").click()
    download = download_info.value
    assert download.suggested_filename.startswith("service-report-")
    assert download.suggested_filename.endswith(".pdf")
    reader = PdfReader(download.path())
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Service report" in text
    assert late.number in text
    alice_phone = new_page(browser, desk_url, width=390)
    sign_in(alice_phone, "alice@acme.example")
    alice_phone.goto(f"{desk_url}/portal/reports/")
    check_page(alice_phone, "portal-reports-390")
