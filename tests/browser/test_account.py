"""The customer's own pages in a real browser (Debian's Chromium): answering a survey after a
repair, the inventory and its CSV, the shared documents, the profile; and the walls typed
into the address bar (dave, Madrid only: no Frankfurt service or document; bob, Globex: none
of Acme's documents). Each page is checked (axe-core, 390 px, a screenshot), also in German
and Spanish."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import Browser, Page, expect

from documents.models import Document
from documents.services import add_document
from feedback.models import Survey
from servicedesk.models import CustomerAccount, Site, Tenant, User
from servicedesk.tenancy import tenant_context
from tests.browser.conftest import check_page, new_page, sign_in
from tickets.services.intake import TicketDraft, open_ticket
from tickets.services.lifecycle import transition_ticket

pytestmark = pytest.mark.slow

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _northwind() -> Tenant:
    return Tenant.objects.get(slug="northwind")


def _resolved_ticket_of_alice() -> str:
    alice, agent = User.objects.get(email="alice@acme.example"), User.objects.get(email="agent@northwind.example")
    with tenant_context(_northwind()):
        ticket = open_ticket(
            actor=alice,
            draft=TicketDraft(
                kind="incident", service_id="NW-MPLS-1001", subject="Link down", description="Down since 08:55.",
                impact="outage", urgency="high", problem_started_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
                answers={"power_at_site": "yes", "symptom": "no_service"},
            ),
        )  # fmt: skip
        transition_ticket(ticket=ticket, actor=agent, action="acknowledge")
        transition_ticket(ticket=ticket, actor=agent, action="resolve", reason="Replaced the line card.")
    return ticket.number


def _document(who: str, site: str | None, name: str) -> Document:
    actor = User.objects.get(email=who)
    with tenant_context(_northwind()):
        account = CustomerAccount.objects.get(name="Acme Logistics GmbH")
        at = Site.objects.get(account=account, name=site) if site else None
        return add_document(account=account, actor=actor, upload=SimpleUploadedFile(name, PDF), site=at)


def _nav(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name=name).click()


def test_alice_answers_a_survey_after_her_ticket_is_resolved(browser: Browser, desk_url: str):
    number = _resolved_ticket_of_alice()
    alice = new_page(browser, desk_url)
    sign_in(alice, "alice@acme.example")
    waiting = alice.get_by_role("region", name="Surveys waiting")
    expect(waiting).to_contain_text(number)
    check_page(alice, "portal-home-surveys")
    waiting.get_by_role("link", name=f"Ticket {number}").click()
    expect(alice.get_by_role("heading", level=1)).to_have_text("How did we do?")
    check_page(alice, "portal-survey")

    # Sent without a score: the summary takes the focus and names the field; the comment stays.
    alice.get_by_label("Comment (optional)").fill("Quick, but nobody called back.")
    alice.get_by_role("button", name="Send my answer").click()
    expect(alice.locator("[data-error-summary]")).to_be_focused()
    expect(alice.locator("[data-error-summary]")).to_contain_text("Choose a score from 1")
    expect(alice.get_by_label("Comment (optional)")).to_have_value("Quick, but nobody called back.")
    check_page(alice, "portal-survey-errors")

    # By keyboard: the first radio button, then the arrow keys to 4.
    alice.get_by_label("1 – very dissatisfied").focus()
    for _ in range(3):
        alice.keyboard.press("ArrowRight")
    expect(alice.get_by_label("4 – satisfied")).to_be_checked()
    alice.get_by_role("button", name="Send my answer").click()
    expect(alice.get_by_role("status")).to_contain_text("Thank you for your answer.")
    expect(alice.get_by_role("region", name="Answered")).to_contain_text("Your score: 4 of 5")
    check_page(alice, "portal-surveys")
    with tenant_context(_northwind()):
        survey = Survey.objects.get()
    assert (survey.score, survey.comment) == (4, "Quick, but nobody called back.")

    phone = new_page(browser, desk_url, locale="de-DE", width=390)
    User.objects.filter(email="alice@acme.example").update(language="de")
    sign_in(phone, "alice@acme.example")
    phone.goto("/portal/surveys/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Umfragen")
    expect(phone.locator("main")).to_contain_text("Ihre Bewertung: 4 von 5")
    check_page(phone, "portal-surveys-de-390")


def test_alice_downloads_the_inventory_csv_of_the_rows_shown(browser: Browser, desk_url: str):
    alice = new_page(browser, desk_url)
    sign_in(alice, "alice@acme.example")
    _nav(alice, "Inventory")
    expect(alice.get_by_role("heading", level=1)).to_have_text("Your inventory")
    expect(alice.get_by_role("heading", name="Frankfurt")).to_be_visible()
    check_page(alice, "portal-inventory")

    alice.get_by_label("Site").select_option(label="Madrid")
    alice.get_by_label("Type").select_option(label="Voice")
    alice.get_by_role("button", name="Show services").click()
    rows = alice.locator("table.inventory tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("NW-VOICE-2003")
    expect(rows.first).to_contain_text("Not covered")
    with alice.expect_download() as download_info:
        alice.get_by_role("link", name="Download these services (CSV)").click()
    path = download_info.value.path()
    lines = list(csv.reader(io.StringIO(Path(path).read_text(encoding="utf-8"))))
    assert lines[0][:3] == ["Site", "Service ID", "Type"]
    assert [line[:4] for line in lines[1:]] == [["Madrid", "NW-VOICE-2003", "Voice", "Voice line bundle"]]
    assert lines[1][-1] == "no"

    alice.get_by_role("link", name="NW-VOICE-2003").click()
    expect(alice.get_by_role("heading", level=1)).to_have_text("NW-VOICE-2003")
    check_page(alice, "portal-service")

    phone = new_page(browser, desk_url, locale="es-ES", width=390)
    User.objects.filter(email="alice@acme.example").update(language="es")
    sign_in(phone, "alice@acme.example")
    phone.goto("/portal/inventory/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Su inventario")
    check_page(phone, "portal-inventory-es-390")


def test_dave_reaches_no_frankfurt_service_or_document_by_any_url(browser: Browser, desk_url: str):
    frankfurt = _document("agent@northwind.example", "Frankfurt", "frankfurt-plan.pdf")
    madrid = _document("agent@northwind.example", "Madrid", "madrid-plan.pdf")
    dave = new_page(browser, desk_url)
    sign_in(dave, "dave@acme.example")
    for url in (
        "/portal/inventory/NW-MPLS-1001/",
        "/portal/inventory/NW-CPE-1004/",
        f"/portal/documents/{frankfurt.pk}/download/",
    ):
        response = dave.goto(url)
        assert response is not None
        assert response.status == 404, url
    check_page(dave, "portal-not-found-dave")
    dave.goto("/portal/inventory/")
    expect(dave.locator("main")).not_to_contain_text("NW-MPLS-1001")
    expect(dave.locator("main")).to_contain_text("NW-MPLS-2001")
    dave.goto("/portal/documents/")
    expect(dave.locator("main")).to_contain_text("madrid-plan.pdf")
    expect(dave.locator("main")).not_to_contain_text("frankfurt-plan.pdf")
    with dave.expect_download() as download_info:
        dave.get_by_role("link", name="madrid-plan.pdf").click()
    assert Path(download_info.value.path()).read_bytes() == PDF
    assert madrid.pk != frankfurt.pk


def test_bob_reaches_none_of_acmes_documents(browser: Browser, desk_url: str):
    document = _document("alice@acme.example", None, "acme-contract.pdf")
    bob = new_page(browser, desk_url)
    sign_in(bob, "bob@globex.example")
    for url in (f"/portal/documents/{document.pk}/download/", f"/console/accounts/{document.account_id}/documents/"):
        response = bob.goto(url)
        assert response is not None
        assert response.status == 404, url
    bob.goto("/portal/documents/")
    expect(bob.locator("main")).not_to_contain_text("acme-contract.pdf")
    check_page(bob, "portal-documents-bob")


def test_alice_uploads_a_document_and_an_agent_sees_it(browser: Browser, desk_url: str, tmp_path: Path):
    upload = tmp_path / "rack-plan.pdf"
    upload.write_bytes(PDF)
    page = tmp_path / "page.html"
    page.write_bytes(b"<html><body><script>alert(1)</script></body></html>")
    alice = new_page(browser, desk_url)
    sign_in(alice, "alice@acme.example")
    _nav(alice, "Documents")
    check_page(alice, "portal-documents")

    alice.locator("#id_file").set_input_files(str(page))
    alice.get_by_label("Description (optional)").fill("Not a plan")
    alice.get_by_role("button", name="Add the file").click()
    expect(alice.locator("[data-error-summary]")).to_be_focused()
    expect(alice.locator("main")).to_contain_text("Web pages and markup are not accepted")
    expect(alice.get_by_label("Description (optional)")).to_have_value("Not a plan")
    check_page(alice, "portal-documents-errors")

    alice.locator("#id_file").set_input_files(str(upload))
    alice.get_by_label("Site").select_option(label="Frankfurt")
    alice.get_by_label("Description (optional)").fill("Rack 4")
    alice.get_by_role("button", name="Add the file").click()
    expect(alice.get_by_role("status")).to_contain_text("“rack-plan.pdf” is in the folder.")

    agent = new_page(browser, desk_url, width=390)
    sign_in(agent, "agent@northwind.example")
    _nav(agent, "Documents")
    check_page(agent, "console-documents-390")
    agent.get_by_label("Customer account").select_option(label="Acme Logistics GmbH")
    agent.get_by_role("button", name="Open the folder").click()
    expect(agent.locator("main")).to_contain_text("rack-plan.pdf")
    expect(agent.locator("main")).to_contain_text("Rack 4")
    check_page(agent, "console-account-documents-390")
    with agent.expect_download() as download_info:
        agent.get_by_role("link", name="rack-plan.pdf").click()
    assert Path(download_info.value.path()).read_bytes() == PDF


def test_alice_changes_her_language_and_time_zone(browser: Browser, desk_url: str):
    alice = new_page(browser, desk_url)
    sign_in(alice, "alice@acme.example")
    alice.locator(".user-menu summary").click()
    alice.get_by_role("link", name="Your profile").click()
    expect(alice.get_by_role("heading", level=1)).to_have_text("Your profile")
    check_page(alice, "portal-profile")

    alice.locator("main").get_by_label("Language").select_option("de")
    alice.get_by_label("Time zone").select_option("America/New_York")
    alice.get_by_label("Satisfaction surveys after a repair or a delivery").uncheck()
    alice.get_by_role("button", name="Save my profile").click()

    expect(alice.get_by_role("heading", level=1)).to_have_text("Ihr Profil")
    expect(alice.get_by_role("status")).to_contain_text("Ihr Profil ist gespeichert.")
    expect(alice.get_by_label("Zeitzone")).to_have_value("America/New_York")
    expect(alice.locator("#date-format-example time")).to_have_attribute("datetime", _offset_pattern())
    check_page(alice, "portal-profile-de")
    user = User.objects.get(email="alice@acme.example")
    assert (user.language, user.time_zone, user.mail_opt_outs) == ("de", "America/New_York", ["survey"])

    phone = new_page(browser, desk_url, locale="es-ES", width=390)
    sign_in(phone, "dave@acme.example")
    phone.goto("/portal/profile/")
    check_page(phone, "portal-profile-390")


def _offset_pattern():
    import re  # noqa: PLC0415

    return re.compile(r"-0[45]:00$")  # New York, in summer or in winter
