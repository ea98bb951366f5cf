"""Opening an incident in a real browser (Debian's Chromium) and working it in the console.

Alice types most of the form with the keyboard; choosing "Slowness" brings in the source and
destination IP questions (htmx reloads the questionnaire); she submits and lands on the new
ticket's page. Then the agent acknowledges it from the queue. The outsider: bob, of another
customer account, gets the 404 page for the same ticket.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from servicedesk.models import Tenant
from servicedesk.tenancy import tenant_context
from tests.browser.conftest import check_page, new_page, sign_in
from tickets.models import Ticket

pytestmark = pytest.mark.slow


def test_alice_opens_an_incident_by_keyboard_and_the_agent_acknowledges_it(browser: Browser, desk_url: str):
    alice = new_page(browser, desk_url)
    sign_in(alice, "alice@acme.example")
    alice.get_by_role("navigation", name="Main").get_by_role("link", name="Open a ticket").click()
    expect(alice.get_by_role("heading", level=1)).to_have_text("Open a ticket")
    check_page(alice, "portal-ticket-new")

    # The kind stays "Incident"; the service is chosen from the keyboard: focus, then type-ahead.
    alice.get_by_label("Service").focus()
    alice.get_by_label("Service").select_option("NW-INET-1002")
    symptom = alice.get_by_label("What do you observe?")
    expect(symptom).to_be_visible()  # the Internet questionnaire arrived
    expect(alice.get_by_label("Source IP address")).to_have_count(0)

    alice.get_by_label("Short description").focus()
    alice.keyboard.type("Slow uplink in the warehouse")
    alice.keyboard.press("Tab")
    alice.keyboard.type("Uploads crawl since this morning.")
    alice.keyboard.press("Tab")  # to impact
    alice.get_by_label("Impact").select_option("degradation")
    alice.get_by_label("Problem started").fill("2025-03-10T09:30")
    alice.locator("#id_answer_power_at_site_0").focus()
    alice.keyboard.press("Space")  # "Yes"
    symptom.select_option("slowness")

    source = alice.get_by_label("Source IP address")
    expect(source).to_be_visible()  # the conditional questions appear after "Slowness"
    expect(alice.get_by_label("Destination IP address")).to_be_visible()
    source.focus()
    alice.keyboard.type("10.20.1.15")
    alice.keyboard.press("Tab")
    alice.keyboard.type("198.51.100.20")
    alice.keyboard.press("Enter")  # submits the form

    alice.wait_for_url(f"{desk_url}/portal/tickets/INC-000001/")
    expect(alice.locator(".ticket-number")).to_have_text("INC-000001")
    expect(alice.get_by_role("status")).to_contain_text("Ticket INC-000001 is open.")
    expect(alice.locator("#description")).to_contain_text("198.51.100.20")
    check_page(alice, "portal-ticket")
    northwind = Tenant.objects.get(slug="northwind")
    with tenant_context(northwind):
        assert Ticket.objects.get().answers["symptom"] == "slowness"

    agent = new_page(browser, desk_url)
    sign_in(agent, "agent@northwind.example")
    agent.get_by_role("navigation", name="Main").get_by_role("link", name="Ticket queue").click()
    check_page(agent, "console-queue")
    agent.get_by_role("link", name="INC-000001", exact=True).click()
    check_page(agent, "console-ticket")
    agent.get_by_role("button", name="Acknowledge").click()

    expect(agent.get_by_role("status")).to_contain_text("INC-000001 is now Acknowledged.")
    expect(agent.locator(".ticket-head .badges")).to_contain_text("Acknowledged")
    with tenant_context(northwind):
        assert Ticket.objects.get().status == Ticket.Status.ACKNOWLEDGED

    bob = new_page(browser, desk_url)
    sign_in(bob, "bob@globex.example")
    response = bob.goto("/portal/tickets/INC-000001/")
    assert response is not None
    assert response.status == 404
    expect(bob.locator("body")).not_to_contain_text("Slow uplink")
    check_page(bob, "not-found")
