"""The tenant administrator sets the desk's mailbox in a real browser, by keyboard: from the
incoming-mail page to the mailbox page, an IMAP mailbox without its password refused next to
the field, then saved; the password is stored encrypted and the page says only that it is set;
the change is in the audit log. In German at phone width too. Every page is checked (axe-core,
no sideways scrolling at 390 px, a screenshot)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from mailroom.models import Mailbox
from mailroom.secrets import decrypt_secret
from servicedesk.models import Tenant, User
from servicedesk.tenancy import tenant_context
from tests.browser.conftest import check_page, new_page, sign_in

pytestmark = pytest.mark.slow

ADMIN = "admin@northwind.example"


def test_the_administrator_sets_the_imap_mailbox_by_keyboard(browser: Browser, desk_url: str):
    northwind = Tenant.objects.get(slug="northwind")
    page = new_page(browser, desk_url)
    sign_in(page, ADMIN)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Incoming mail").click()
    page.get_by_role("link", name="Mailbox settings").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mailbox")
    expect(page.locator(".password-state")).to_have_text("Password: not set")
    check_page(page, "desk-admin-mailbox")

    page.get_by_label("Desk address").fill("desk@northwind.example")
    page.get_by_label("Read from").select_option(label="IMAP mailbox")
    page.get_by_label("IMAP server").fill("imap.northwind.example")
    page.get_by_label("IMAP user name").fill("desk")
    page.get_by_label("IMAP user name").press("Enter")
    expect(page.locator(".form-errors")).to_be_focused()
    password = page.get_by_label("IMAP password")
    expect(page.locator(".field.has-error")).to_contain_text("Needed to read the mailbox over IMAP.")
    check_page(page, "desk-admin-mailbox-errors")

    password.fill("correct horse battery")
    page.get_by_label("Answer unknown senders once a day").check()
    password.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Mailbox settings saved.")
    expect(page.locator(".password-state")).to_have_text("Password: set")
    expect(page.get_by_label("IMAP password")).to_have_value("")
    assert "correct horse" not in page.content()
    with tenant_context(northwind):
        mailbox = Mailbox.objects.get()
    assert (mailbox.transport, mailbox.imap_host, mailbox.answer_unknown_senders) == (
        "imap",
        "imap.northwind.example",
        True,
    )
    assert decrypt_secret(mailbox.imap_password_encrypted) == "correct horse battery"

    page.get_by_role("navigation", name="Administration").get_by_role("link", name="Audit log").click()
    expect(page.locator(".audit-log")).to_contain_text("IMAP password")
    expect(page.locator(".audit-log")).to_contain_text("desk@northwind.example")

    User.objects.filter(email=ADMIN).update(language="de")
    phone = new_page(browser, desk_url, locale="de-DE", width=390)
    sign_in(phone, ADMIN)
    phone.goto("/desk-admin/mail/mailbox/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Postfach")
    expect(phone.locator(".password-state")).to_have_text("Passwort: gesetzt")
    check_page(phone, "desk-admin-mailbox-de-390")
