"""The agents' queue in a real browser (Debian's Chromium): the agent opens "Breaching soon",
sees the ticket due first on top, bulk-assigns three tickets to themself (reviewed, confirmed,
reported per ticket), and works the queue by keyboard alone (j/k, Enter, ?). Every page is
checked with axe-core and at phone width (390 px: the queue becomes cards, nothing scrolls
sideways)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Browser, expect

from servicedesk.models import CustomerAccount, Site, Tenant, User
from servicedesk.tenancy import tenant_context
from tests.browser.conftest import PHONE_WIDTH, check_page, new_page, sign_in
from tickets.models import Ticket
from tickets.services.intake import TicketDraft, open_ticket

pytestmark = pytest.mark.slow

AGENT = "agent@northwind.example"


def _open_incidents(count: int) -> list[str]:
    """``count`` Acme incidents, one after the other: each must be answered within 15 minutes,
    so all are breaching soon, the first opened due first."""
    northwind = Tenant.objects.get(slug="northwind")
    alice = User.objects.get(email="alice@acme.example")
    numbers = []
    with tenant_context(northwind):
        for n in range(count):
            draft = TicketDraft(
                kind="incident", service_id="NW-MPLS-1001", subject=f"Link down at gate {n + 1}", description="Down.",
                impact="outage", urgency="high", problem_started_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1),
                answers={"power_at_site": "yes", "symptom": "no_service"},
            )  # fmt: skip
            numbers.append(open_ticket(actor=alice, draft=draft).number)
    return numbers


def test_the_agent_takes_the_top_of_breaching_soon_and_bulk_assigns_three_to_themself(browser: Browser, desk_url: str):
    numbers = _open_incidents(4)
    page = new_page(browser, desk_url)
    sign_in(page, AGENT)
    page.goto("/console/")
    queues = page.get_by_role("navigation", name="Your queues")
    expect(queues.get_by_role("link", name="Breaching soon 4")).to_be_visible()
    check_page(page, "console-home")

    queues.get_by_role("link", name="Breaching soon 4").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ticket queue: Breaching soon")
    rows = page.locator("[data-queue-row]")
    expect(rows).to_have_count(4)
    expect(rows.first.get_by_role("link", name=numbers[0])).to_be_visible()  # due first, on top
    expect(rows.first).to_contain_text("Response")
    expect(rows.first.locator("time.countdown")).to_contain_text("in 1")  # "in 14 minutes", counting down
    expect(
        page.get_by_role("navigation", name="Queues").get_by_role("link", name="Breaching soon 4")
    ).to_have_attribute("aria-current", "page")  # the counts arrived by htmx
    check_page(page, "console-queue-breaching")

    for number in numbers[:3]:
        page.get_by_role("checkbox", name=f"Choose {number}").check()
    page.get_by_label("Action").select_option("assign_me")
    page.get_by_role("button", name="Review the change").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm the change")
    expect(page.locator(".lead")).to_have_text("3 tickets will change: Assign to me")
    check_page(page, "console-bulk-confirm")
    page.get_by_role("button", name="Confirm and apply").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Result of the change")
    expect(page.get_by_role("status")).to_contain_text("3 of 3 tickets changed.")
    expect(page.locator(".outcome-done")).to_have_count(3)
    check_page(page, "console-bulk-result")
    northwind = Tenant.objects.get(slug="northwind")
    with tenant_context(northwind):
        assigned = dict(Ticket.objects.values_list("number", "assignee__email"))
    assert assigned == {numbers[0]: AGENT, numbers[1]: AGENT, numbers[2]: AGENT, numbers[3]: None}

    page.get_by_role("link", name="Back to the queue").click()
    page.goto("/console/tickets/?queue=mine")
    expect(page.locator("[data-queue-row]")).to_have_count(3)


def test_bulk_without_a_choice_shows_the_errors_focused(browser: Browser, desk_url: str):
    _open_incidents(1)
    page = new_page(browser, desk_url)
    sign_in(page, AGENT)
    page.goto("/console/tickets/")
    page.get_by_label("Action").select_option("assign_team")
    page.get_by_role("button", name="Review the change").click()

    errors = page.locator(".form-errors")
    expect(errors).to_contain_text("Choose at least one ticket.")
    expect(errors).to_contain_text("Choose a team.")
    expect(errors).to_be_focused()
    check_page(page, "console-bulk-errors")


def test_the_queue_by_keyboard_alone(browser: Browser, desk_url: str):
    numbers = _open_incidents(3)
    page = new_page(browser, desk_url)
    sign_in(page, AGENT)
    page.goto("/console/tickets/")
    page.locator("body").click(position={"x": 5, "y": 300})  # focus on the page, in no field

    page.keyboard.press("j")
    expect(page.get_by_role("link", name=numbers[0], exact=True)).to_be_focused()
    page.keyboard.press("j")
    expect(page.get_by_role("link", name=numbers[1], exact=True)).to_be_focused()
    page.keyboard.press("k")
    expect(page.get_by_role("link", name=numbers[0], exact=True)).to_be_focused()
    page.keyboard.press("x")
    expect(page.get_by_role("checkbox", name=f"Choose {numbers[0]}")).to_be_checked()

    page.keyboard.press("?")
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Next row")
    expect(dialog).to_contain_text("Open the ticket due next")  # a [data-shortcut] of the page, with its label
    expect(dialog).to_contain_text("Focus the search")
    check_page(page, "console-queue-shortcuts")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()

    page.keyboard.press("/")
    expect(page.get_by_role("searchbox", name="Search")).to_be_focused()
    page.keyboard.type("j")  # typed into the field, not a shortcut
    expect(page.get_by_role("searchbox", name="Search")).to_have_value("j")
    page.locator("body").click(position={"x": 5, "y": 300})

    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{desk_url}/console/tickets/{numbers[1]}/")
    page.go_back()
    page.locator("body").click(position={"x": 5, "y": 300})
    page.keyboard.press("t")  # the ticket due next
    page.wait_for_url(f"{desk_url}/console/tickets/{numbers[0]}/")


def test_at_phone_width_the_queue_is_cards_with_the_same_information(browser: Browser, desk_url: str):
    numbers = _open_incidents(2)
    page = new_page(browser, desk_url, width=PHONE_WIDTH)
    sign_in(page, AGENT)
    page.goto("/console/")
    check_page(page, "console-home-phone")
    page.goto("/console/tickets/")
    first = page.locator("[data-queue-row]").first
    expect(first).to_contain_text(numbers[0])
    # Each cell says what it is (the column's heading, written before it on a card).
    expect(first.get_by_role("cell", name=re.compile(r"^Next target: Response in \d+ minutes"))).to_be_visible()
    expect(first.get_by_role("cell", name="Customer and site: Acme Logistics GmbH Frankfurt")).to_be_visible()
    expect(first.get_by_role("cell", name="Escalation: —")).to_be_visible()
    expect(first.get_by_role("cell", name="Team and assignee: Data/IP/ICT desk Unassigned")).to_be_visible()
    box = first.bounding_box()
    assert box is not None
    assert box["width"] <= PHONE_WIDTH
    check_page(page, "console-queue-phone")
    # A view saved without a name: the error next to the field, at phone width too.
    page.get_by_role("button", name="Save this view").click()
    expect(page.get_by_text("Give the view a name.").first).to_be_visible()
    check_page(page, "console-queue-view-error-phone")


def test_a_large_tenants_site_and_account_filters_by_keyboard(
    browser: Browser, desk_url: str, monkeypatch: pytest.MonkeyPatch
):
    """More sites and accounts than the page lists (the limit lowered): the agent finds the
    account by typing part of its name, picks it in the list by keyboard, and the site filter
    then offers that account's sites; a site found by name is chosen and shows as chosen, with
    its name, on the page the filter leads to. The matches are announced in a status line."""
    from portal.forms import filter_choices  # noqa: PLC0415

    monkeypatch.setattr(filter_choices, "FULL_LIST_UP_TO", 0)
    _open_incidents(1)
    northwind = Tenant.objects.get(slug="northwind")
    with tenant_context(northwind):
        frankfurt = Site.objects.get(name="Frankfurt")
        acme = CustomerAccount.objects.get(name="Acme Logistics GmbH")
        acme_sites = Site.objects.filter(account=acme).count()
    page = new_page(browser, desk_url)
    sign_in(page, AGENT)
    page.goto("/console/tickets/")
    site, account = page.get_by_label("Site", exact=True), page.get_by_label("Customer account")
    expect(site.locator("option")).to_have_count(1)  # "All sites": nothing else until asked
    expect(page.locator("#site-matches")).to_have_text("Pick an account, or find a site by name.")
    check_page(page, "console-queue-large-tenant")

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

    page.get_by_role("searchbox", name="Find a site").focus()
    page.keyboard.type("frank")
    expect(site.locator("option")).to_have_count(2)
    expect(page.locator("#site-matches")).to_have_text("1 match.")
    page.keyboard.press("Tab")
    expect(site).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(site).to_have_value(str(frankfurt.pk))
    check_page(page, "console-queue-site-found")
    page.get_by_role("button", name="Show tickets").press("Enter")
    page.wait_for_url(re.compile(rf"site={frankfurt.pk}"))
    expect(site).to_have_value(str(frankfurt.pk))
    expect(site.locator("option:checked")).to_have_text("Frankfurt (Acme Logistics GmbH)")
    expect(page.locator("[data-queue-row]")).to_have_count(1)

    phone = new_page(browser, desk_url, width=PHONE_WIDTH)
    sign_in(phone, AGENT)
    phone.goto(f"/console/tickets/?site={frankfurt.pk}")
    expect(phone.get_by_label("Site", exact=True)).to_have_value(str(frankfurt.pk))
    check_page(phone, "console-queue-site-filter-phone")


def test_the_escalated_queue_counts_and_shows_the_escalated_ticket_in_english_and_in_german_on_a_phone(
    browser: Browser, desk_url: str
):
    from escalation.services.manual import escalate_ticket  # noqa: PLC0415

    numbers = _open_incidents(2)
    northwind = Tenant.objects.get(slug="northwind")
    with tenant_context(northwind):
        escalate_ticket(
            ticket=Ticket.objects.get(number=numbers[1]), by=User.objects.get(email="alice@acme.example"),
            reason="progress", comment="Nobody has called back.",
        )  # fmt: skip
    page = new_page(browser, desk_url)
    sign_in(page, AGENT)
    page.goto("/console/")
    escalated = page.get_by_role("navigation", name="Your queues").get_by_role("link", name="Escalated 1")
    expect(escalated).to_be_visible()
    escalated.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ticket queue: Escalated")
    rows = page.locator("[data-queue-row]")
    expect(rows).to_have_count(1)
    expect(rows.first.get_by_role("link", name=numbers[1])).to_be_visible()
    expect(rows.first).to_contain_text("Level 1")
    tabs = page.get_by_role("navigation", name="Queues")
    expect(tabs.get_by_role("link", name="Escalated 1")).to_have_attribute("aria-current", "page")  # by htmx
    check_page(page, "console-queue-escalated")

    agent = User.objects.get(email=AGENT)
    agent.language = "de"
    agent.save(update_fields=["language"])
    phone = new_page(browser, desk_url, locale="de-DE", width=PHONE_WIDTH)
    sign_in(phone, AGENT)
    phone.goto("/console/tickets/?queue=escalated")
    expect(
        phone.get_by_role("navigation", name="Warteschlangen").get_by_role("link", name="Eskaliert 1")
    ).to_have_attribute("aria-current", "page")
    expect(phone.locator("[data-queue-row]")).to_have_count(1)
    expect(phone.locator("[data-queue-row]").first).to_contain_text("Stufe 1")
    check_page(phone, "console-queue-escalated-de-phone")
