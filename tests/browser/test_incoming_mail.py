"""The tenant administrator's incoming-mail page in a real browser: a message that failed to
process is shown with its error, retried by keyboard, and then listed as a new ticket."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from mailroom.models import Mailbox
from mailroom.services import inbound
from servicedesk.models import Tenant
from servicedesk.tenancy import tenant_context
from tests.browser.conftest import check_page, new_page, sign_in
from tests.mailroom.conftest import corpus

pytestmark = pytest.mark.slow


def test_the_administrator_retries_a_failed_message(browser: Browser, desk_url: str, monkeypatch):
    northwind = Tenant.objects.get(slug="northwind")
    Tenant.objects.filter(pk=northwind.pk).update(desk_address="desk@northwind.example")
    with tenant_context(northwind):
        mailbox = Mailbox.objects.create(tenant=northwind)
        mailbox.tenant.refresh_from_db()
        monkeypatch.setattr(inbound, "_apply", lambda **kwargs: 1 / 0)
        inbound.receive_message(mailbox=mailbox, raw=corpus("plain_incident.eml"), source="maildir")
        monkeypatch.undo()

    page = new_page(browser, desk_url)
    sign_in(page, "admin@northwind.example")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Incoming mail").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Incoming mail")
    expect(page.get_by_text("ZeroDivisionError: division by zero")).to_be_visible()
    check_page(page, "desk-admin-mail-failed")

    retry = page.get_by_role("button", name="Retry")
    retry.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("The message was processed: New ticket.")
    expect(page.get_by_text("No message is waiting: every message was dealt with.")).to_be_visible()
    expect(page.get_by_role("region", name="Latest mail")).to_contain_text("New ticket (INC-")
    check_page(page, "desk-admin-mail")

    phone = new_page(browser, desk_url, width=390)
    sign_in(phone, "admin@northwind.example")
    phone.goto("/desk-admin/mail/")
    check_page(phone, "desk-admin-mail-390")
