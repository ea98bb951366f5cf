"""The console's problem and order workspaces in a real browser (Debian's Chromium).

Alice asks for the reason for outage of her resolved major incident; the agent records the
problem behind it from the incident (after a refused first try: the error summary takes the
focus), writes and publishes the report, and alice reads it on her ticket. Then the agent
takes alice's order from received to handed over, and alice finds the new service among the
order's delivered services. Every page passes the page checks, also at a phone's width.
"""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Browser, Page, expect

from orders.models import ChangeRequest, Order, Service, SimpleServiceRequest
from orders.services.changes import ChangeDraft, open_change_request
from orders.services.ordering import LineDraft, OrderDraft, place_order
from orders.services.ssr import SsrDraft, submit_ssr
from servicedesk.models import Site, Tenant, User
from servicedesk.tenancy import tenant_context
from tests.browser.conftest import PHONE_WIDTH, check_page, new_page, sign_in
from tests.factories.world import build_order_rules
from tickets.models import Rfo, SlaClock, SlaTarget
from tickets.services.intake import TicketDraft, open_ticket
from tickets.services.lifecycle import transition_ticket

pytestmark = pytest.mark.slow


def _resolved_major_incident() -> str:
    alice, agent = User.objects.get(email="alice@acme.example"), User.objects.get(email="agent@northwind.example")
    with tenant_context(Tenant.objects.get(slug="northwind")):
        ticket = open_ticket(
            actor=alice,
            draft=TicketDraft(
                kind="incident", service_id="NW-MPLS-1001", subject="MPLS line down in Frankfurt",
                description="No traffic since 08:00.", impact="outage", urgency="high",
                problem_started_at=dt.datetime(2026, 11, 30, 8, tzinfo=dt.UTC),
                answers={"power_at_site": "yes", "symptom": "no_service"},
            ),
        )  # fmt: skip
        transition_ticket(ticket=ticket, actor=agent, action="acknowledge")
        transition_ticket(ticket=ticket, actor=agent, action="resolve", reason="Line card replaced.")
    return ticket.number


def _focused_error_summary(page: Page) -> bool:
    return bool(page.evaluate("() => document.activeElement?.hasAttribute('data-error-summary') ?? false"))


def test_the_agent_writes_and_publishes_the_rfo_alice_asked_for(browser: Browser, desk_url: str):
    number = _resolved_major_incident()
    alice = new_page(browser, desk_url)
    sign_in(alice, "alice@acme.example")
    alice.goto(f"/portal/tickets/{number}/")
    alice.get_by_role("button", name="Ask for the reason for outage").click()
    expect(alice.get_by_role("status")).to_contain_text("within 5 business days")

    agent = new_page(browser, desk_url)
    sign_in(agent, "agent@northwind.example")
    agent.get_by_role("navigation", name="Main").get_by_role("link", name="Problems").click()
    expect(agent.get_by_role("heading", level=1)).to_have_text("Problems")
    check_page(agent, "console-problems")

    agent.get_by_role("link", name="New problem").click()
    agent.get_by_label("Other incidents").fill("INC-999999")
    agent.get_by_role("button", name="Record the problem").click()
    expect(agent.locator("[data-error-summary]")).to_contain_text("There is no incident INC-999999.")
    assert _focused_error_summary(agent)
    expect(agent.get_by_label("Other incidents")).to_have_value("INC-999999")
    check_page(agent, "console-problem-new-errors")

    agent.get_by_label("Title").fill("Line cards fail in the summer heat")
    agent.get_by_label("Other incidents").fill("")
    agent.get_by_role("checkbox", name=number, exact=False).check()
    agent.get_by_role("button", name="Record the problem").click()
    expect(agent.get_by_role("status")).to_contain_text("is recorded")
    agent.get_by_role("textbox", name="Root cause").fill("The fans of the line cards fail above 40 °C.")
    agent.get_by_label("Preventive measures").fill("Fans with a wider temperature range in every PoP.")
    agent.get_by_role("button", name="Save the problem").click()
    expect(agent.get_by_role("status")).to_contain_text("The problem is saved.")
    expect(agent.locator(".timeline-lines")).to_contain_text("Root cause: The fans of the line cards fail above 40 °C.")
    check_page(agent, "console-problem")

    agent.get_by_role("link", name=f"Reason for outage of {number}").click()
    expect(agent.get_by_label("Preventive measures")).to_have_value("Fans with a wider temperature range in every PoP.")
    agent.get_by_role("button", name="Publish to the customer").click()
    expect(agent.locator("[data-error-summary]")).to_contain_text("Say what happened and why.")
    assert _focused_error_summary(agent)
    check_page(agent, "console-rfo-errors")
    agent.get_by_label("What happened and why").fill("A **line card** overheated when its fan failed.")
    agent.get_by_role("button", name="Publish to the customer").click()
    expect(agent.get_by_role("status")).to_contain_text("The reason for outage is published")
    expect(agent.locator(".facts")).to_contain_text("target met")
    check_page(agent, "console-rfo")

    with tenant_context(Tenant.objects.get(slug="northwind")):
        rfo = Rfo.objects.get(ticket__number=number)
        clock = SlaClock.objects.get(ticket__number=number, target=SlaTarget.RFO)
        assert rfo.status == Rfo.Status.PUBLISHED
        assert clock.met_at == rfo.published_at
        problem = rfo.problem.number  # the problem the incident is linked to, offered first

    alice.goto(f"/portal/tickets/{number}/")
    expect(alice.locator("#reason-for-outage")).to_contain_text("overheated when its fan failed")
    expect(alice.locator("#reason-for-outage strong")).to_have_text("line card")

    phone = new_page(browser, desk_url, width=PHONE_WIDTH)
    sign_in(phone, "agent@northwind.example")
    for url, name in (
        ("/console/problems/?status=all", "console-problems-phone"),
        ("/console/problems/new/", "console-problem-new-phone"),
        (f"/console/problems/{problem}/", "console-problem-phone"),
        ("/console/problems/rfos/?show=published", "console-rfos-phone"),
        (f"/console/problems/rfos/{number}/", "console-rfo-phone"),
    ):
        phone.goto(url)
        check_page(phone, name)

    outsider = new_page(browser, desk_url)
    sign_in(outsider, "agent@bluepeak.example")
    assert outsider.goto(f"/console/problems/rfos/{number}/").status == 404


def test_the_agent_hands_an_order_over_and_alice_sees_the_new_service(browser: Browser, desk_url: str):
    build_order_rules()
    northwind = Tenant.objects.get(slug="northwind")
    alice = User.objects.get(email="alice@acme.example")
    with tenant_context(northwind):
        frankfurt = Site.objects.get(name="Frankfurt")
        order = place_order(
            actor=alice,
            draft=OrderDraft(
                title="Second internet line", site_id=frankfurt.pk,
                lines=[LineDraft(service_type="internet", product="Dedicated Internet Access", bandwidth_mbps=500)],
            ),
        )  # fmt: skip

    agent = new_page(browser, desk_url)
    sign_in(agent, "agent@northwind.example")
    agent.get_by_role("navigation", name="Main").get_by_role("link", name="Orders").click()
    agent.get_by_role("link", name=order.number).click()
    check_page(agent, "console-order")

    def take(step: str, *, done: bool = True) -> None:
        agent.get_by_role("combobox", name="Next step").select_option(label=step)
        agent.get_by_role("button", name="Take the step").click()
        if done:
            expect(agent.get_by_role("status")).to_be_visible()

    take("Validate the order (the dates are computed)")
    take("Start customer coordination")
    # Delivery waits for the confirmed date: not offered yet.
    expect(agent.get_by_role("combobox", name="Next step").locator("option")).not_to_contain_text(["Start delivery"])
    take("Put on hold", done=False)  # refused: holding says why
    expect(agent.locator("[data-error-summary]")).to_contain_text("Say why; the customer sees it.")
    assert _focused_error_summary(agent)
    check_page(agent, "console-order-errors")

    agent.locator("#committed_date").fill("2027-01-12")
    agent.get_by_role("button", name="Confirm the date").click()
    expect(agent.get_by_role("status")).to_contain_text("The delivery date is confirmed")
    agent.locator("#plan_planned_delivery").fill("2027-01-05")
    agent.get_by_role("button", name="Save the plan").click()
    expect(agent.get_by_role("status")).to_contain_text("The plan is saved.")
    for step in ("Start delivery", "Start configuration", "Start commissioning"):
        take(step)
    take("Hand over (the services go into the customer's inventory)")
    expect(agent.get_by_role("status")).to_contain_text("In the customer's inventory now:")
    check_page(agent, "console-order-handed-over")

    with tenant_context(northwind):
        handed_over = Order.objects.get(pk=order.pk)
        service = Service.objects.get(order_lines__order=handed_over)
        assert handed_over.status == Order.Status.HANDED_OVER
        assert service.account_id == alice.customer_account_id

    customer = new_page(browser, desk_url)
    sign_in(customer, "alice@acme.example")
    customer.goto(f"/portal/orders/{order.number}/")
    expect(customer.get_by_role("region", name="What is delivered")).to_contain_text(service.service_id)

    phone = new_page(browser, desk_url, width=PHONE_WIDTH)
    sign_in(phone, "agent@northwind.example")
    for url, name in (
        (f"/console/orders/{order.number}/", "console-order-phone"),
        ("/console/orders/ssrs/?show=all", "console-ssrs-phone"),
        ("/console/orders/changes/?show=all", "console-changes-phone"),
    ):
        phone.goto(url)
        check_page(phone, name)

    outsider = new_page(browser, desk_url)
    sign_in(outsider, "agent@bluepeak.example")
    assert outsider.goto(f"/console/orders/{order.number}/").status == 404


def test_the_agent_completes_a_service_request_and_quotes_a_change(browser: Browser, desk_url: str):
    build_order_rules()
    northwind = Tenant.objects.get(slug="northwind")
    alice = User.objects.get(email="alice@acme.example")
    with tenant_context(northwind):
        frankfurt = Site.objects.get(name="Frankfurt")
        start = dt.datetime.now(dt.UTC).replace(hour=9, minute=0, second=0, microsecond=0) + dt.timedelta(days=14)
        start += dt.timedelta(days=(1 - start.weekday()) % 7)  # a Tuesday, well ahead
        ssr = submit_ssr(actor=alice, draft=SsrDraft(item="cpe-reboot", requested_start=start, site_id=frankfurt.pk))
        # The work was due this morning (set-up: a request cannot be placed in the past).
        SimpleServiceRequest.objects.filter(pk=ssr.pk).update(requested_start=dt.datetime.now(dt.UTC))
        change = open_change_request(
            actor=alice,
            draft=ChangeDraft(
                title="Move the VSAT antenna", description="The roof is renovated.", service="NW-SAT-2002"
            ),
        )

    agent = new_page(browser, desk_url)
    sign_in(agent, "agent@northwind.example")
    agent.goto("/console/orders/")
    agent.get_by_role("link", name="Simple service requests").click()
    agent.get_by_role("link", name=ssr.number).click()
    agent.get_by_label("Price to bill").fill("60.00")
    agent.get_by_role("button", name="Record as done").click()
    expect(agent.locator("[data-error-summary]")).to_contain_text("Say why the price differs from the quote.")
    assert _focused_error_summary(agent)
    check_page(agent, "console-ssr-errors")
    agent.get_by_label("Note to the customer").fill("Two routers restarted.")
    agent.get_by_role("button", name="Record as done").click()
    expect(agent.get_by_role("status")).to_contain_text("The request is completed")
    check_page(agent, "console-ssr")

    agent.goto("/console/orders/changes/")
    check_page(agent, "console-changes")
    agent.get_by_role("link", name=change.number).click()
    agent.get_by_label("Cost").fill("1450.00")
    agent.get_by_label("Planned start").fill("2027-01-20T08:00")
    agent.get_by_label("Planned end").fill("2027-01-20T12:00")
    agent.get_by_label("Note to the customer").fill("Crane and two technicians.")
    agent.get_by_role("button", name="Send the quote").click()
    expect(agent.get_by_role("status")).to_contain_text("The quote is sent")
    check_page(agent, "console-change")
    with tenant_context(northwind):
        quoted = ChangeRequest.objects.get(pk=change.pk)
        assert (quoted.status, str(quoted.quoted_cost), quoted.currency) == ("quoted", "1450.00", "EUR")
        assert SimpleServiceRequest.objects.get(pk=ssr.pk).status == "completed"

    phone = new_page(browser, desk_url, width=PHONE_WIDTH)
    sign_in(phone, "agent@northwind.example")
    for url, name in (
        (f"/console/orders/ssrs/{ssr.number}/", "console-ssr-phone"),
        (f"/console/orders/changes/{change.number}/", "console-change-phone"),
    ):
        phone.goto(url)
        check_page(phone, name)
