"""The tenant administrator configures the desk in a real browser (Debian's Chromium), and the
running desk follows: a lowered P2 threshold escalates at the next sweep, a closure day moves a
Globex ticket's respond target past it, a conditional question appears in the customer's form,
an invited user sets a password and signs in; and all of it is in the audit log. Every page is
checked (axe-core, no sideways scrolling at 390 px, a screenshot)."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

import pytest
from django.core import mail
from django.utils import timezone
from PIL import Image
from playwright.sync_api import Browser, expect

from config.celery import app as celery_app
from escalation.services.sweep import sweep_escalations
from servicedesk.models import BusinessCalendar, Tenant, User
from servicedesk.tenancy import tenant_context
from tests.browser.conftest import check_page, new_page, sign_in
from tests.escalation.conftest import DATA_ANSWERS, incident, level_of
from tickets.models import SlaClock, Ticket
from tickets.services.intake import TicketDraft, open_ticket

pytestmark = pytest.mark.slow

ADMIN = "admin@northwind.example"
LONDON = zoneinfo.ZoneInfo("Europe/London")


class _Desk:
    """What the escalation helpers need of a desk: its users."""

    def user(self, email: str) -> User:
        return User.objects.get(email=email)


def _respond_due(ticket: Ticket) -> dt.datetime:
    with tenant_context(ticket.tenant_id):
        return SlaClock.objects.get(ticket=ticket, target="respond").due_at


@pytest.fixture
def eager_tasks():
    """The desk's tasks run in the server's thread once the request commits (no broker here)."""
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before


def test_the_administrator_changes_the_running_desk_and_finds_it_in_the_audit_log(
    browser: Browser, desk_url: str, eager_tasks
):
    northwind = Tenant.objects.get(slug="northwind")
    admin = new_page(browser, desk_url)
    sign_in(admin, ADMIN)
    check_page(admin, "desk-admin-home")

    # --- a lowered P2 threshold: the next sweep escalates a ticket it would not have before
    p2 = incident(_Desk(), impact="degradation", urgency="high")
    assert p2.priority == "P2"
    sweep_escalations(now=timezone.now(), tenant_ids=[northwind.pk])
    assert level_of(p2) == 0
    admin.get_by_role("navigation", name="Administration").get_by_role("link", name="Escalation thresholds").click()
    check_page(admin, "desk-admin-thresholds")
    admin.get_by_role("link", name="Edit P2 – major").click()
    minutes = admin.get_by_label("Age per level (minutes)")
    expect(minutes).to_have_value("60, 120, 240, 480, 960")
    minutes.fill("60, 30")
    minutes.press("Enter")
    expect(admin.locator(".form-errors")).to_be_focused()
    expect(admin.locator(".field.has-error")).to_contain_text("Each level must come later than the one before.")
    check_page(admin, "desk-admin-threshold-errors")
    minutes.fill("1, 120, 240, 480, 960")
    admin.get_by_role("button", name="Save").click()
    expect(admin.get_by_role("status")).to_contain_text("Thresholds for P2 saved")
    sweep_escalations(now=timezone.now() + dt.timedelta(minutes=2), tenant_ids=[northwind.pk])
    assert level_of(p2) == 1

    # --- a closure day: a Globex ticket's respond target moves past it
    bob = _Desk().user("bob@globex.example")
    with tenant_context(northwind):
        globex_ticket = open_ticket(
            actor=bob,
            draft=TicketDraft(
                kind="incident", service_id="NW-INET-3001", subject="Slow line", description="Slow since noon.",
                impact="degradation", urgency="high", problem_started_at=timezone.now() - dt.timedelta(hours=1),
                answers=DATA_ANSWERS,
            ),
        )  # fmt: skip
        uk = BusinessCalendar.objects.get(name="UK business hours")
    due_before = _respond_due(globex_ticket)
    closed_day = due_before.astimezone(LONDON).date()
    admin.get_by_role("navigation", name="Administration").get_by_role("link", name="Business calendars").click()
    check_page(admin, "desk-admin-calendars")
    admin.get_by_role("link", name="UK business hours").click()
    expect(admin.get_by_role("heading", name=re.compile(r"Public holidays in \d{4}"))).to_be_visible()
    check_page(admin, "desk-admin-calendar")
    admin.get_by_label("Date").first.fill(closed_day.isoformat())
    admin.get_by_label("Reason").fill("Bridge day")
    admin.get_by_role("button", name="Add closure").click()
    expect(admin.get_by_role("status")).to_contain_text("Closure added")
    expect(admin.get_by_role("status")).to_contain_text("recompute of the running SLA clocks on it is queued")
    due_after = _respond_due(globex_ticket)
    assert due_after.astimezone(LONDON).date() > closed_day
    assert uk.pk  # the calendar the Globex clocks count on

    # --- a conditional question, seen in the customer's form after the answer it depends on
    admin.get_by_role("navigation", name="Administration").get_by_role("link", name="Intake questionnaires").click()
    check_page(admin, "desk-admin-questionnaires")
    admin.get_by_role("link", name="Internet").click()
    check_page(admin, "desk-admin-questionnaire")
    admin.get_by_role("link", name="Add a question").click()
    admin.get_by_label("Field name").fill("router_rebooted")
    admin.get_by_label("Question in English").fill("Did you restart the router?")
    admin.get_by_label("Question in German").fill("Haben Sie den Router neu gestartet?")
    admin.get_by_label("Question in Spanish").fill("¿Ha reiniciado el router?")
    admin.get_by_label("Type").select_option("yes_no")
    admin.get_by_label("Ask only when the question").select_option("symptom")
    admin.get_by_label("has one of the answers").fill("slowness")
    check_page(admin, "desk-admin-question")
    admin.get_by_role("button", name="Save").click()
    expect(admin.get_by_role("status")).to_contain_text("Question saved")
    expect(admin.locator("#preview")).to_contain_text("Did you restart the router?")
    expect(admin.locator(".form-errors")).to_have_count(0)
    admin.get_by_label("Language").last.select_option("de")
    expect(admin.locator("#preview")).to_contain_text("Haben Sie den Router neu gestartet?")

    alice = new_page(browser, desk_url)
    sign_in(alice, "alice@acme.example")
    alice.goto("/portal/tickets/new/")
    alice.get_by_label("Service").select_option("NW-INET-1002")
    symptom = alice.get_by_label("What do you observe?")
    expect(symptom).to_be_visible()
    expect(alice.get_by_text("Did you restart the router?")).to_have_count(0)
    symptom.select_option("slowness")
    expect(alice.get_by_text("Did you restart the router?")).to_be_visible()
    check_page(alice, "portal-ticket-new-with-admin-question")

    # --- an invited user sets a password and signs in
    admin.get_by_role("navigation", name="Administration").get_by_role("link", name="People").click()
    check_page(admin, "desk-admin-people")
    admin.get_by_role("link", name="Invite someone").click()
    admin.get_by_role("button", name="Send the invitation").click()
    expect(admin.locator(".form-errors")).to_be_focused()
    check_page(admin, "desk-admin-invite-errors")
    admin.get_by_label("Full name").fill("Nora Klein")
    admin.get_by_label("E-mail address").fill("nora@northwind.example")
    admin.get_by_label("Role").select_option("agent")
    admin.get_by_role("button", name="Send the invitation").click()
    expect(admin.get_by_role("status")).to_contain_text("nora@northwind.example is invited")
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/\S+)", mail.outbox[-1].body)[1]
    nora = new_page(browser, desk_url)
    nora.goto(link)
    nora.get_by_label("New password", exact=True).fill("Nora-sets-4-password!")
    nora.get_by_label("New password confirmation").fill("Nora-sets-4-password!")
    nora.get_by_label("New password confirmation").press("Enter")
    sign_in(nora, "nora@northwind.example", "Nora-sets-4-password!")
    expect(nora).to_have_url(re.compile(r"/console/$"))

    # --- all of it in the audit log
    admin.get_by_role("navigation", name="Administration").get_by_role("link", name="Audit log").click()
    log = admin.locator(".audit-log")
    expect(log).to_contain_text("1, 120, 240, 480, 960")
    expect(log).to_contain_text("Bridge day")
    expect(log).to_contain_text("router_rebooted")
    expect(log).to_contain_text("Invited")
    expect(log).to_contain_text("Nora Klein")
    check_page(admin, "desk-admin-audit")
    admin.get_by_label("Search").fill("Nora")
    admin.get_by_label("Search").press("Enter")
    expect(log.locator("> li")).to_have_count(2)  # created, invited


ADMIN_PAGES = [
    "/desk-admin/", "/desk-admin/escalation/thresholds/", "/desk-admin/escalation/matrices/",
    "/desk-admin/service-levels/", "/desk-admin/sla-policies/new/", "/desk-admin/calendars/",
    "/desk-admin/calendars/new/", "/desk-admin/people/", "/desk-admin/people/invite/", "/desk-admin/teams/",
    "/desk-admin/teams/new/", "/desk-admin/accounts/", "/desk-admin/accounts/new/", "/desk-admin/questionnaires/",
    "/desk-admin/catalogue/", "/desk-admin/catalogue/new/", "/desk-admin/lead-times/new/", "/desk-admin/settings/",
    "/desk-admin/audit/", "/desk-admin/canned-responses/", "/desk-admin/canned-responses/new/",
    "/desk-admin/notification-templates/", "/desk-admin/notification-templates/new/",
]  # fmt: skip


def test_administration_pages_fit_a_phone_in_german(browser: Browser, desk_url: str):
    """Every list and every new-object form, at 390 px and in German (the longer words)."""
    page = new_page(browser, desk_url, locale="de-DE", width=390)
    sign_in(page, ADMIN)  # Greta's language is English; the switch below makes it German
    page.get_by_label("Language").first.select_option("de")
    page.locator(".language-switch button[type=submit]").click()  # the choice applies with its button
    expect(page.locator("html")).to_have_attribute("lang", "de")
    for path in ADMIN_PAGES:
        page.goto(path)
        check_page(
            page, "desk-admin-phone-" + (path.removeprefix("/desk-admin").strip("/").replace("/", "-") or "home")
        )
    page.goto("/desk-admin/accounts/")
    page.get_by_role("link", name="Globex Retail Ltd").click()
    check_page(page, "desk-admin-phone-account")
    page.get_by_role("link", name="NW-INET-3001").click()
    check_page(page, "desk-admin-phone-service")
    page.goto("/desk-admin/escalation/matrices/")
    page.get_by_role("link", name="Northwind escalation matrix").click()
    check_page(page, "desk-admin-phone-matrix")
    page.goto("/desk-admin/sla-policies/new/")
    page.get_by_role("button", name="Speichern").click()
    expect(page.locator(".form-errors")).to_be_focused()
    check_page(page, "desk-admin-phone-sla-policy-errors")


def test_a_canned_response_is_written_and_deactivated_with_the_keyboard_in_spanish(browser: Browser, desk_url: str):
    page = new_page(browser, desk_url, locale="es-ES", width=390)
    sign_in(page, ADMIN)
    page.get_by_label("Language").first.select_option("es")
    page.locator(".language-switch button[type=submit]").click()
    page.goto("/desk-admin/canned-responses/")
    check_page(page, "desk-admin-canned-responses-es")
    page.get_by_role("link", name="Nueva respuesta predefinida").focus()
    page.keyboard.press("Enter")
    page.locator("#id_title").focus()
    page.keyboard.type("Técnico en camino")
    page.keyboard.press("Enter")  # submits without a language and a text

    expect(page.locator(".form-errors")).to_be_focused()
    expect(page.locator(".field.has-error")).to_have_count(2)  # next to the language and the text
    check_page(page, "desk-admin-canned-response-errors-es")
    page.locator("#id_language").select_option("es")
    page.locator("#id_body").fill("Un técnico va de camino a su sede.")
    page.get_by_role("button", name="Guardar").press("Enter")

    expect(page.get_by_role("link", name="Técnico en camino")).to_be_visible()
    page.get_by_role("link", name="Técnico en camino").press("Enter")
    page.get_by_role("button", name="Desactivar").press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Inactivo")
    check_page(page, "desk-admin-canned-response-inactive-es")


def test_the_logo_is_uploaded_refused_as_svg_and_shown_in_the_header(browser: Browser, desk_url: str, tmp_path):
    svg = tmp_path / "logo.png"  # named like a PNG, an SVG inside
    svg.write_bytes(b'<svg xmlns="http://www.w3.org/2000/svg"><rect width="10" height="10"/></svg>')
    png = tmp_path / "northwind.png"
    Image.new("RGB", (240, 60), (11, 92, 173)).save(png, "PNG")
    page = new_page(browser, desk_url, width=390)
    sign_in(page, ADMIN)
    page.goto("/desk-admin/settings/")

    page.get_by_label("New logo").set_input_files(str(svg))
    page.get_by_role("button", name="Upload logo").click()
    expect(page.locator(".field.has-error")).to_contain_text("SVG and other kinds of file are not accepted")
    check_page(page, "desk-admin-logo-refused")
    page.get_by_label("New logo").set_input_files(str(png))
    page.get_by_role("button", name="Upload logo").press("Enter")

    expect(page.get_by_role("status")).to_contain_text("Logo saved")
    header_logo = page.locator("header .brand-logo")
    expect(header_logo).to_have_attribute("alt", "Northwind Networks")
    # The image arrives after the page: wait until it has loaded and has the uploaded width
    # (a broken image completes with a natural width of 0, and the wait times out).
    page.wait_for_function(
        "() => { const img = document.querySelector('header .brand-logo');"
        " return img !== null && img.complete && img.naturalWidth === 240; }",
        timeout=10_000,
    )
    check_page(page, "desk-admin-logo")


def test_the_manager_is_refused_the_administration(browser: Browser, desk_url: str):
    page = new_page(browser, desk_url)
    sign_in(page, "manager@northwind.example")
    response = page.goto("/desk-admin/calendars/")
    assert response is not None
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Not allowed")
    check_page(page, "desk-admin-refused")
