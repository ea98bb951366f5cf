"""The console's ticket workspace and phone intake in a real browser (Debian's Chromium), as
Lena, an agent of Northwind: she takes Globex's open incident from the queue, assigns it to
herself, replies with a canned response, logs the call-back (the call-back target shows met)
and resolves it; she takes a ticket and writes and sends a whole reply by its letter keys alone; she logs a phone call from Bob of
Globex. Every page passes check_page, also at a phone's width.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect

from servicedesk.models import Tenant
from servicedesk.tenancy import tenant_context
from tests.browser.conftest import check_page, new_page, sign_in
from tests.factories.histories import open_tickets
from tickets.models import CannedResponse, SlaClock, Ticket

pytestmark = pytest.mark.slow

AGENT = "agent@northwind.example"
GLOBEX_INCIDENT = "INC-000004"  # Globex, London Internet, acknowledged (tests.factories.histories)
LINE_TEST = "We are testing your line now and will call you back within the hour."


@pytest.fixture
def tickets(desk_url: str) -> Tenant:
    northwind = Tenant.objects.get(slug="northwind")
    open_tickets(northwind)
    with tenant_context(northwind):
        for language, title, body in (
            ("en", "Line test", LINE_TEST),
            ("de", "Leitungstest", "Wir prüfen Ihre Leitung und rufen Sie innerhalb einer Stunde zurück."),
            ("es", "Prueba de línea", "Estamos probando su línea y le llamaremos en menos de una hora."),
        ):
            CannedResponse.objects.create(tenant=northwind, language=language, title=title, body=body)
    return northwind


def test_an_agent_takes_replies_with_a_canned_response_logs_the_call_back_and_resolves(
    browser: Browser, desk_url: str, tickets: Tenant
):
    page = new_page(browser, desk_url)
    sign_in(page, AGENT)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Ticket queue").click()
    page.get_by_role("link", name=GLOBEX_INCIDENT).click()
    expect(page.locator(".ticket-number")).to_have_text(GLOBEX_INCIDENT)
    sidebar = page.locator("#customer")
    expect(sidebar).to_contain_text("Globex Retail Ltd")
    expect(sidebar).to_contain_text("NW-INET-3001")
    check_page(page, "console-workspace")

    page.get_by_role("button", name="Assign to me").click()
    expect(page.get_by_role("status")).to_contain_text(f"{GLOBEX_INCIDENT} is assigned to you.")
    expect(page.locator("#assignment")).to_contain_text("Lena Fischer (you)")

    page.get_by_label("Canned response").select_option(label="Line test")
    page.get_by_role("button", name="Insert into the reply").click()
    expect(page.get_by_label("Reply to the customer")).to_have_value(LINE_TEST)
    page.get_by_role("button", name="Send the reply").click()
    expect(page.get_by_role("status")).to_contain_text("Your reply was added.")
    expect(page.locator("#conversation")).to_contain_text(LINE_TEST)

    page.locator("#callback_note").fill("Bob confirmed the outage; engineer booked.")
    page.get_by_role("button", name="Log the call-back").click()
    expect(page.get_by_role("status")).to_contain_text("The call-back is logged.")
    callback_row = page.locator("#service-levels li", has_text="Call-back by a specialist")
    expect(callback_row).to_contain_text("Met")
    check_page(page, "console-workspace-called-back")

    page.locator("#actions summary", has_text="Resolve").click()
    page.locator("#reason-resolve").fill("The access line was repaired by the carrier.")
    page.get_by_role("button", name="Confirm: Resolve").click()
    expect(page.get_by_role("status")).to_contain_text(f"{GLOBEX_INCIDENT} is now Resolved.")
    with tenant_context(tickets):
        resolved = Ticket.objects.get(number=GLOBEX_INCIDENT)
        assert resolved.status == Ticket.Status.RESOLVED
        assert resolved.assignee.email == AGENT
        assert SlaClock.objects.get(ticket=resolved, target="callback").state == SlaClock.State.MET


def test_the_whole_reply_flow_by_keyboard_alone(browser: Browser, desk_url: str, tickets: Tenant):
    """By the workspace's letter keys (static/js/shortcuts.js): "?" lists them, "a" takes the
    ticket, "c" reaches the canned responses, Ctrl+Enter sends the reply, and the focus lands
    on the conversation, where "r" starts the next reply."""
    page = new_page(browser, desk_url)
    sign_in(page, AGENT)
    page.goto(f"/console/tickets/{GLOBEX_INCIDENT}/")
    status = page.get_by_role("status")

    page.keyboard.press("?")
    shortcuts = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(shortcuts).to_be_visible()
    for key, label in (
        ("r", "Reply"), ("n", "Internal note"), ("c", "Choose a canned response"), ("a", "Assign to me"),
        ("s", "Resolve"),
    ):  # fmt: skip
        entry = shortcuts.locator("[data-page-shortcut]", has=page.locator("kbd", has_text=re.compile(f"^{key}$")))
        expect(entry).to_contain_text(label)
    expect(shortcuts).to_contain_text("Send the reply or note you are writing")
    check_page(page, "console-workspace-shortcuts")
    page.keyboard.press("Escape")
    expect(shortcuts).to_be_hidden()

    page.keyboard.press("a")  # assign to me
    expect(status).to_contain_text(f"{GLOBEX_INCIDENT} is assigned to you.")

    page.keyboard.press("c")  # the canned responses
    expect(page.locator("#canned-select")).to_be_focused()
    page.keyboard.press("ArrowDown")  # to the German "Leitungstest"…
    page.keyboard.press("ArrowUp")  # …and back to "Line test", first: Bob reads English
    expect(page.locator("#canned-select option:checked")).to_have_text("Line test")
    page.keyboard.press("Tab")  # to "Insert into the reply"
    page.keyboard.press("Enter")
    reply = page.get_by_label("Reply to the customer")
    expect(reply).to_be_focused()
    expect(reply).to_have_value(LINE_TEST)
    page.keyboard.type(" Kind regards, Lena")
    page.keyboard.press("Control+Enter")  # send, from the reply box

    expect(status).to_contain_text("Your reply was added.")
    conversation = page.locator("#conversation")
    expect(conversation).to_contain_text(f"{LINE_TEST} Kind regards, Lena")
    expect(conversation).to_be_focused()  # where the reply now is
    page.keyboard.press("r")  # and straight into the next one
    expect(reply).to_be_focused()
    expect(reply).to_have_value("")
    with tenant_context(tickets):
        replied = Ticket.objects.get(number=GLOBEX_INCIDENT)
        assert replied.assignee.email == AGENT


def test_an_agent_logs_a_phone_call_for_globex(browser: Browser, desk_url: str, tickets: Tenant):
    page = new_page(browser, desk_url)
    sign_in(page, AGENT)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Log a call").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log a call")
    check_page(page, "console-phone-intake")

    page.get_by_role("button", name="Open the ticket").click()  # nothing filled in
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(page.locator(".field.has-error", has=page.locator("#id_account"))).to_contain_text(
        "Name the customer account, site or service this ticket is for."
    )
    expect(page.locator(".field.has-error", has=page.locator("#id_caller_name"))).to_contain_text("Who called?")
    check_page(page, "console-phone-intake-errors")

    page.get_by_label("Customer account").select_option(label="Globex Retail Ltd")
    page.get_by_label("Customer user calling").select_option(label="Bob Taylor (bob@globex.example)")
    page.get_by_label("Service", exact=True).select_option("NW-INET-3001")
    expect(page.get_by_label("What do you observe?")).to_be_visible()  # the Internet questionnaire
    page.get_by_label("Short description").fill("London store: internet down")
    page.locator("#id_description").fill("Bob reports no internet in the store since 10:00.")
    page.get_by_label("Impact").select_option("outage")
    page.get_by_label("Urgency").select_option("high")
    page.get_by_label("Problem started").fill("2026-12-01T10:00")
    page.locator("#id_answer_power_at_site_0").check()
    page.get_by_label("What do you observe?").select_option("no_service")
    page.get_by_role("button", name="Open the ticket").click()

    expect(page.get_by_role("status")).to_contain_text("Give the caller this number.")
    expect(page.locator("#details")).to_contain_text("Bob Taylor, Globex Retail Ltd")
    expect(page.locator("#details")).to_contain_text("Phone")
    # Bob reads English: the English canned responses come first on his ticket.
    expect(page.locator("#canned-select option:checked")).to_have_text("Line test")
    check_page(page, "console-phone-ticket")
    with tenant_context(tickets):
        logged = Ticket.objects.get(subject="London store: internet down")
        assert logged.channel == Ticket.Channel.PHONE
        assert logged.account.name == "Globex Retail Ltd"
        assert logged.priority == "P1"


def test_the_workspace_and_the_call_form_fit_a_phone(browser: Browser, desk_url: str, tickets: Tenant):
    page = new_page(browser, desk_url, width=390)
    sign_in(page, AGENT)
    page.goto(f"/console/tickets/{GLOBEX_INCIDENT}/")
    expect(page.locator(".ticket-number")).to_have_text(GLOBEX_INCIDENT)
    check_page(page, "console-workspace-390")
    page.goto("/console/tickets/new/")
    page.get_by_role("button", name="Open the ticket").click()
    expect(page.locator("#error-summary")).to_be_focused()
    check_page(page, "console-phone-intake-errors-390")


def test_two_agents_see_each_other_on_a_ticket_and_who_is_typing(browser: Browser, desk_url: str, tickets: Tenant):
    lena = new_page(browser, desk_url)
    sign_in(lena, AGENT)
    lena.goto(f"/console/tickets/{GLOBEX_INCIDENT}/")
    markus = new_page(browser, desk_url)
    sign_in(markus, "manager@northwind.example")
    markus.goto(f"/console/tickets/{GLOBEX_INCIDENT}/")

    expect(markus.locator("#presence")).to_contain_text("Lena Fischer has this ticket open")
    lena.get_by_label("Reply to the customer").type("Checking the line now")
    # Lena's page says so on its next poll (every 10 s), Markus's page on the one after.
    expect(markus.locator("#presence")).to_contain_text("Lena Fischer is typing a reply", timeout=30_000)
    check_page(markus, "console-workspace-presence")
