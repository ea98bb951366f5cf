"""The service-level dashboard and the customers' reports in a real browser.

An Acme incident on the Frankfurt MPLS line is opened two hours ago and acknowledged an hour
later (its 15-minute response target breached); a Globex incident is answered in time. The
manager opens the dashboard, narrows it to the last three days and the Data/IP/ICT product
area, follows the response target's breached count to the queue of the late ticket, follows the
breach to its ticket and downloads the breaches as CSV; alice opens her
reports page and downloads it as PDF. On a large tenant the manager finds an account and a
site by name, by keyboard alone, in English and in German. Every page passes axe-core, also at
390 px.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader

from servicedesk.models import CustomerAccount, Site, Tenant, User
from servicedesk.tenancy import tenant_context
from tests.browser.conftest import ARTEFACTS, PHONE_WIDTH, check_page, new_page, sign_in
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


def _filter_shot(page: Page, name: str) -> None:
    """The filter form alone, beside check_page's whole page, for a person to look at."""
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.locator("form.filters").screenshot(path=str(ARTEFACTS / f"{name}-filter.png"))


def test_a_large_tenants_account_and_site_filters_by_keyboard(
    browser: Browser, desk_url: str, monkeypatch: pytest.MonkeyPatch
):
    """More sites and accounts than the page lists (the limit lowered): the manager finds the
    account by typing part of its name, picks it by keyboard, the site filter then offers that
    account's sites; a site found by name is chosen, shows as chosen with its name on the page
    the filter leads to, and the CSV links carry it. The matches are announced in a status
    line. The same in German, and at 390 px."""
    from portal.forms import filter_choices  # noqa: PLC0415

    monkeypatch.setattr(filter_choices, "FULL_LIST_UP_TO", 0)
    northwind = Tenant.objects.get(slug="northwind")
    with tenant_context(northwind):
        frankfurt = Site.objects.get(name="Frankfurt")
        acme = CustomerAccount.objects.get(name="Acme Logistics GmbH")
        acme_sites = Site.objects.filter(account=acme).count()
    page = new_page(browser, desk_url)
    sign_in(page, "manager@northwind.example")
    site, account = page.get_by_label("Site", exact=True), page.get_by_label("Customer account")
    expect(site.locator("option")).to_have_count(1)  # "All sites": nothing else until asked
    expect(page.locator("#site-matches")).to_have_text("Pick an account, or find a site by name.")
    check_page(page, "dashboard-large-tenant")
    _filter_shot(page, "dashboard-large-tenant-1280-en")

    page.get_by_role("searchbox", name="Find an account").focus()
    page.keyboard.type("acme")
    expect(account.locator("option")).to_have_count(2)
    expect(page.locator("#account-matches")).to_have_text("1 match.")
    page.keyboard.press("Tab")
    expect(account).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(account).to_have_value(str(acme.pk))
    expect(site.locator("option")).to_have_count(1 + acme_sites)  # the account's sites, asked for on change
    expect(page.locator("#site-matches")).to_have_text(f"{acme_sites} sites of this account.")

    page.keyboard.press("Tab")
    expect(page.get_by_role("searchbox", name="Find a site")).to_be_focused()
    page.keyboard.type("frank")
    expect(site.locator("option")).to_have_count(2)
    expect(page.locator("#site-matches")).to_have_text("1 match.")
    page.keyboard.press("Tab")
    expect(site).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(site).to_have_value(str(frankfurt.pk))
    check_page(page, "dashboard-site-found")
    _filter_shot(page, "dashboard-site-found-1280-en")
    page.get_by_role("button", name="Show the figures").press("Enter")
    page.wait_for_url(re.compile(rf"site={frankfurt.pk}"))
    expect(site).to_have_value(str(frankfurt.pk))
    expect(site.locator("option:checked")).to_have_text("Frankfurt (Acme Logistics GmbH)")
    expect(account.locator("option:checked")).to_have_text("Acme Logistics GmbH")
    expect(page.locator(".form-errors")).to_have_count(0)
    csv_link = page.get_by_role("link", name="Download CSV — Breaches")
    expect(csv_link).to_have_attribute("href", re.compile(rf"account={acme.pk}.*site={frankfurt.pk}"))
    check_page(page, "dashboard-site-chosen")

    phone = new_page(browser, desk_url, width=PHONE_WIDTH)
    sign_in(phone, "manager@northwind.example")
    phone.goto(f"/dashboard/?account={acme.pk}&site={frankfurt.pk}")
    expect(phone.get_by_label("Site", exact=True)).to_have_value(str(frankfurt.pk))
    check_page(phone, "dashboard-site-filter-390")
    _filter_shot(phone, "dashboard-site-chosen-390-en")
    phone.get_by_role("searchbox", name="Find a site").fill("mad")
    expect(phone.locator("#site-matches")).to_have_text("1 match.")
    check_page(phone, "dashboard-site-search-390")

    manager = User.objects.get(email="manager@northwind.example")
    manager.language = "de"
    manager.save(update_fields=["language"])
    german = new_page(browser, desk_url, locale="de-DE")
    sign_in(german, "manager@northwind.example")
    expect(german.locator("#site-matches")).to_have_text(
        "Wählen Sie ein Konto oder suchen Sie einen Standort nach Namen."
    )
    german.get_by_role("searchbox", name="Konto suchen").focus()
    german.keyboard.type("glob")
    expect(german.locator("#account-matches")).to_have_text("1 Treffer.")
    german.keyboard.press("Tab")
    german.keyboard.press("ArrowDown")
    expect(german.locator("#site-matches")).to_contain_text("Standort")
    check_page(german, "dashboard-large-tenant-de")
    _filter_shot(german, "dashboard-account-found-1280-de")
    german_phone = new_page(browser, desk_url, locale="de-DE", width=PHONE_WIDTH)
    sign_in(german_phone, "manager@northwind.example")
    german_phone.goto(f"/dashboard/?site={frankfurt.pk}")
    german_phone.get_by_role("searchbox", name="Standort suchen").fill("frank")
    expect(german_phone.locator("#site-matches")).to_have_text("1 Treffer.")
    check_page(german_phone, "dashboard-site-search-de-390")
    _filter_shot(german_phone, "dashboard-site-search-390-de")
