"""The customer portal in a real browser, as issue 12 asks: alice replies to her incident with
a file from the reply form, escalates it from the ticket page and reads the agent's answer;
she orders a simple service request from the catalogue (the earliest allowed date shown
first) and accepts a change request's quote. Every page passes check_page, also at 390 px and
with form errors shown; the same pages in German and Spanish show no English words of the
interface."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from orders.models import ChangeRequest, SimpleServiceRequest
from orders.services.changes import ChangeDraft, open_change_request, quote_change_request
from servicedesk.models import Site, Tenant, User
from servicedesk.tenancy import tenant_context
from tests.browser.conftest import check_page, new_page, sign_in
from tests.factories.world import build_order_rules
from tickets.models import Attachment, Ticket
from tickets.services.conversation import add_comment
from tickets.services.intake import TicketDraft, open_ticket

pytestmark = pytest.mark.slow

PHONE = 390
# Words of the portal's interface on these pages, in English: none may remain on the German
# or Spanish pages (the data, such as subjects and catalogue names, is the customer's own).
ENGLISH = [
    "About this page", "Service levels", "History", "Escalation", "Your reply", "Send the reply", "Files",
    "Conversation", "Price", "Lead time", "Earliest start", "Your requests", "Quote", "Planned start",
    "Orders in progress", "Planned work", "Your sites",
]  # fmt: skip


def northwind() -> Tenant:
    return Tenant.objects.get(slug="northwind")


def alices_incident() -> Ticket:
    alice = User.objects.get(email="alice@acme.example")
    with tenant_context(northwind()):
        return open_ticket(
            actor=alice,
            draft=TicketDraft(
                kind="incident", service_id="NW-INET-1002", subject="Slow uplink in the warehouse",
                description="Uploads crawl since this morning.", impact="degradation",
                problem_started_at=timezone.now() - dt.timedelta(hours=2),
                answers={"power_at_site": "yes", "symptom": "no_service"},
            ),
        )  # fmt: skip


def quoted_change() -> ChangeRequest:
    alice = User.objects.get(email="alice@acme.example")
    agent = User.objects.get(email="agent@northwind.example")
    start = (timezone.now() + dt.timedelta(days=14)).replace(hour=7, minute=0, second=0, microsecond=0)
    with tenant_context(northwind()):
        site = Site.objects.get(name="Frankfurt")
        change = open_change_request(
            actor=alice, draft=ChangeDraft(title="Move the rack to room 2", description="Room 2.", site_id=site.pk)
        )
        return quote_change_request(
            change_request=change, actor=agent, cost=Decimal("1200"), currency="EUR",
            planned_start=start, planned_end=start + dt.timedelta(hours=4), note="Two engineers, half a day.",
        )  # fmt: skip


def english_left(page: Page) -> list[str]:
    shown = page.locator("main").inner_text()
    return [word for word in ENGLISH if re.search(rf"\b{re.escape(word)}\b", shown)]


def test_alice_replies_with_a_file_escalates_and_reads_the_agents_answer(browser: Browser, desk_url: str, tmp_path):
    ticket = alices_incident()
    alice = new_page(browser, desk_url)
    sign_in(alice, "alice@acme.example")
    alice.goto(f"/portal/tickets/{ticket.number}/")
    expect(alice.locator(".ticket-number")).to_have_text(ticket.number)
    check_page(alice, "portal-ticket-detail")

    # A reply and its file in the same form.
    trace = tmp_path / "traceroute.txt"
    trace.write_text("traceroute to 198.51.100.20\n 1 10.20.1.1 0.4 ms\n")
    alice.get_by_label("Your reply").fill("Traceroute attached.")
    alice.get_by_label("Files for this reply").set_input_files(str(trace))
    alice.get_by_role("button", name="Send the reply").click()
    expect(alice.get_by_role("status")).to_contain_text("Your reply was added. Files attached: 1.")
    expect(alice.locator("#attachments")).to_contain_text("traceroute.txt")
    with tenant_context(northwind()):
        assert Attachment.objects.filter(ticket=ticket, name="traceroute.txt").count() == 1

    # Escalate from the ticket page: refused without a comment for "Other", then done.
    alice.get_by_role("link", name="Escalate…").click()
    expect(alice.get_by_role("heading", level=1)).to_have_text(f"Escalate {ticket.number}")
    check_page(alice, "portal-escalate")
    alice.get_by_label("Other").check()
    alice.get_by_role("button", name="Escalate").click()
    expect(alice.locator(".form-errors")).to_be_focused()
    expect(alice.get_by_label("Comment")).to_have_attribute("aria-describedby", "id_comment_errors")
    check_page(alice, "portal-escalate-errors")
    alice.get_by_label("Not happy with the progress").check()
    alice.get_by_role("button", name="Escalate").click()
    expect(alice.get_by_role("status")).to_contain_text("The escalation level was changed.")
    expect(alice.locator("#escalation")).to_contain_text("Raised to level 1")
    expect(alice.locator("#timeline")).to_contain_text("The ticket was escalated from level 0 to level 1.")
    expect(alice.get_by_role("link", name="Escalate…")).to_have_count(0)  # not again so soon

    # The agent answers; alice reads it.
    agent = User.objects.get(email="agent@northwind.example")
    with tenant_context(northwind()):
        add_comment(ticket=ticket, actor=agent, body="We see congestion on the uplink and are rerouting.")
    alice.reload()
    expect(alice.locator("#conversation")).to_contain_text("We see congestion on the uplink")
    expect(alice.locator("#timeline")).to_contain_text("A reply was added.")

    phone = new_page(browser, desk_url, width=PHONE)
    sign_in(phone, "alice@acme.example")
    phone.goto(f"/portal/tickets/{ticket.number}/")
    check_page(phone, "portal-ticket-detail-390")


def test_alice_orders_an_ssr_from_the_catalogue(browser: Browser, desk_url: str):
    build_order_rules()
    alice = new_page(browser, desk_url)
    sign_in(alice, "alice@acme.example")
    alice.get_by_role("navigation", name="Main").get_by_role("link", name="Requests").click()
    check_page(alice, "portal-requests")
    alice.get_by_role("link", name="Order from the catalogue").click()
    expect(alice.get_by_role("heading", level=1)).to_have_text("Service catalogue")
    check_page(alice, "portal-catalogue")

    alice.get_by_role("link", name="Order: Supervised CPE restart").click()
    earliest = alice.locator(".earliest li").first.locator("time.when").first
    expect(earliest).to_be_visible()
    allowed = dt.datetime.fromisoformat(earliest.get_attribute("datetime") or "")
    check_page(alice, "portal-ssr-new")

    # Too early: refused next to the field, with the earliest allowed start.
    alice.get_by_label("Site").select_option(label="Frankfurt")
    alice.get_by_label("Start of the work").fill(timezone.localtime(timezone.now()).strftime("%Y-%m-%dT%H:%M"))
    alice.get_by_role("button", name="Send the request").click()
    expect(alice.locator(".form-errors")).to_be_focused()
    expect(alice.locator(".field.has-error")).to_contain_text("The earliest allowed start is")
    check_page(alice, "portal-ssr-new-errors")

    alice.get_by_label("Start of the work").fill((allowed + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"))
    alice.get_by_role("button", name="Send the request").click()
    expect(alice.get_by_role("status")).to_contain_text("Your request is confirmed with SSR ID")
    with tenant_context(northwind()):
        ssr = SimpleServiceRequest.objects.get()
    expect(alice.get_by_role("heading", level=1)).to_contain_text(ssr.number)
    check_page(alice, "portal-ssr")


def test_alice_accepts_a_change_request_quote(browser: Browser, desk_url: str):
    change = quoted_change()
    alice = new_page(browser, desk_url, width=PHONE)
    sign_in(alice, "alice@acme.example")
    alice.goto(f"/portal/requests/changes/{change.number}/")
    expect(alice.locator(".quote")).to_contain_text("1200.00 EUR")
    check_page(alice, "portal-change-quote-390")

    alice.get_by_role("button", name="Accept the quote").click()

    expect(alice.get_by_role("status")).to_contain_text("You accepted the quote.")
    expect(alice.locator(".page-head .badge")).to_have_text("Accepted")
    with tenant_context(northwind()):
        assert ChangeRequest.objects.get(pk=change.pk).status == ChangeRequest.Status.ACCEPTED


@pytest.mark.parametrize("language", ["de", "es"])
def test_the_portal_pages_have_no_english_left_in_german_and_spanish(browser: Browser, desk_url: str, language):
    build_order_rules()
    ticket = alices_incident()
    change = quoted_change()
    User.objects.filter(email="alice@acme.example").update(language=language)
    alice = new_page(browser, desk_url, locale=language)
    sign_in(alice, "alice@acme.example")

    for path, name in [
        ("/portal/", "home"),
        ("/portal/tickets/", "tickets"),
        (f"/portal/tickets/{ticket.number}/", "ticket"),
        (f"/portal/tickets/{ticket.number}/escalate/", "escalate"),
        ("/portal/requests/", "requests"),
        ("/portal/requests/catalogue/", "catalogue"),
        ("/portal/requests/catalogue/cpe-reboot/", "ssr-new"),
        (f"/portal/requests/changes/{change.number}/", "change"),
    ]:
        alice.goto(path)
        expect(alice.locator("html")).to_have_attribute("lang", language)
        assert english_left(alice) == [], f"{language} {path}"
        check_page(alice, f"portal-{name}-{language}")


def test_inventory_and_documents_are_cards_at_390px_in_german_and_reachable_by_keyboard(
    browser: Browser, desk_url: str
):
    """At a phone's width the inventory's and the folder's tables become cards: no scrolling
    region inside the page, every row's link reached with the Tab key."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from documents.services import add_document

    alice_user = User.objects.get(email="alice@acme.example")
    with tenant_context(northwind()):
        add_document(
            account=alice_user.customer_account, actor=alice_user,
            upload=SimpleUploadedFile("Lageplan Rechenzentrum.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf"),
            description="Raum 2.14, Rack B",
        )  # fmt: skip
    User.objects.filter(pk=alice_user.pk).update(language="de")
    alice = new_page(browser, desk_url, locale="de", width=PHONE)
    sign_in(alice, "alice@acme.example")

    for path, name, link in [
        ("/portal/inventory/", "inventory", alice.get_by_role("link", name="NW-MPLS-1001")),
        ("/portal/documents/", "documents", alice.get_by_role("link", name="Lageplan Rechenzentrum.pdf")),
    ]:
        alice.goto(path)
        expect(alice.locator("html")).to_have_attribute("lang", "de")
        table = alice.locator("main table.cards").first
        expect(table).to_be_visible()
        # Each row is a card: its cells stack, headed by their column's name.
        assert table.locator("tbody tr").first.evaluate("row => getComputedStyle(row).display") == "block"
        assert alice.locator("main [role=region][tabindex], main .table-scroll").count() == 0
        assert (
            alice.evaluate(
                "() => [...document.querySelectorAll('main *')].filter(e => e.scrollWidth > e.clientWidth + 1"
                " && ['auto', 'scroll'].includes(getComputedStyle(e).overflowX)).length"
            )
            == 0
        )
        for _ in range(40):
            alice.keyboard.press("Tab")
            if link.evaluate("element => element === document.activeElement"):
                break
        else:
            pytest.fail(f"{path}: the row's link is not reached by keyboard")
        check_page(alice, f"portal-{name}-cards-de-390")


def test_a_profile_saved_in_another_tab_is_not_overwritten_unseen(browser: Browser, desk_url: str):
    """Two tabs of alice's profile: the second saves a zone; the first's save is refused with
    what is stored now, per setting and next to the field, focus on that summary and the first
    tab's choice kept; saving again replaces it."""
    User.objects.filter(email="alice@acme.example").update(language="en", time_zone="Europe/Berlin")
    first = new_page(browser, desk_url, width=PHONE)
    sign_in(first, "alice@acme.example")
    second = first.context.new_page()
    first.goto("/portal/profile/")
    second.goto("/portal/profile/")
    second.get_by_label("Time zone").select_option("Europe/Madrid")
    second.get_by_role("button", name="Save my profile").click()
    expect(second.get_by_role("status")).to_contain_text("Your profile is saved.")

    first.get_by_label("Time zone").select_option("Europe/Lisbon")
    first.get_by_role("button", name="Save my profile").click()

    summary = first.locator(".form-errors.stale")
    expect(summary).to_contain_text("Time zone: you saw “Europe/Berlin”, it is now “Europe/Madrid”.")
    expect(summary).to_be_focused()
    expect(first.locator(".stale-now")).to_have_text("Stored now: Europe/Madrid")
    expect(first.get_by_label("Time zone")).to_have_value("Europe/Lisbon")
    check_page(first, "portal-profile-stale-390")
    first.get_by_role("button", name="Save my profile").click()
    expect(first.get_by_role("status")).to_contain_text("Your profile is saved.")
    assert User.objects.get(email="alice@acme.example").time_zone == "Europe/Lisbon"
