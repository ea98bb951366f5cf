"""Signing in, switching language and signing out in a real browser (Debian's Chromium).

The desk runs in pytest-django's live server on a transactional database, seeded per test.
Outsiders: dave (Madrid only), bob (another customer account) and carol (the other tenant)
sign in through the same page and see only their own sites.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from servicedesk.models import User
from tests.browser.conftest import check_page, new_context, sign_in

pytestmark = pytest.mark.slow


@pytest.fixture
def page(browser: Browser, desk_url: str) -> Iterator[Page]:
    context = new_context(browser, desk_url)
    page = context.new_page()
    yield page
    context.close()


def site_names(page: Page) -> list[str]:
    return page.locator("main table tbody tr td:first-child").all_inner_texts()


def test_alice_signs_in_by_keyboard_and_lands_on_her_portal(page: Page, desk_url: str):
    sign_in(page, "alice@acme.example")

    page.wait_for_url(f"{desk_url}/portal/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Acme Logistics GmbH")
    expect(page.locator("main table tbody tr")).to_have_count(2)
    assert site_names(page) == ["Frankfurt", "Madrid"]
    expect(page.locator("main")).not_to_contain_text("Your access is limited")
    expect(page.locator("main")).not_to_contain_text("London")
    check_page(page, "portal-home")


@pytest.mark.parametrize(
    ("email", "account", "sites", "hidden"),
    [
        ("dave@acme.example", "Acme Logistics GmbH", ["Madrid"], ["Frankfurt", "Hafenstraße"]),
        ("bob@globex.example", "Globex Retail Ltd", ["London"], ["Acme", "Frankfurt", "Madrid"]),
        ("carol@initech.example", "Initech S.A.", ["Barcelona"], ["Northwind", "Acme", "Globex", "Frankfurt"]),
    ],
    ids=["dave-madrid-only", "bob-other-account", "carol-other-tenant"],
)
def test_an_outsider_signs_in_and_sees_only_their_own_sites(page: Page, desk_url, email, account, sites, hidden):
    sign_in(page, email)

    page.wait_for_url(f"{desk_url}/portal/")
    expect(page.get_by_role("heading", level=1)).to_have_text(account)
    expect(page.locator("main table tbody tr")).to_have_count(len(sites))
    assert site_names(page) == sites
    body = page.locator("body")
    for text in hidden:
        expect(body).not_to_contain_text(text)


def test_a_wrong_password_shows_the_error_and_stays_on_the_sign_in_page(page: Page, desk_url: str):
    sign_in(page, "alice@acme.example", "not-the-password", wait=False)

    expect(page.get_by_role("alert")).to_have_text("That e-mail address and password do not match an active account.")
    assert page.url == f"{desk_url}/accounts/login/"
    expect(page.get_by_label("E-mail address")).to_have_value("alice@acme.example")
    expect(page.get_by_label("Password")).to_have_value("")
    expect(page.locator(".user-menu")).to_have_count(0)  # nobody signed in
    check_page(page, "sign-in-error")


def test_choosing_deutsch_re_renders_the_page_in_german(page: Page, desk_url: str):
    sign_in(page, "alice@acme.example")
    page.wait_for_url(f"{desk_url}/portal/")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.get_by_label("Language").select_option(label="Deutsch")
    # Choosing does not switch by itself (WCAG 3.2.2, on input): the button applies it.
    expect(page.locator("html")).to_have_attribute("lang", "en")
    with page.expect_navigation():
        page.get_by_role("button", name="Switch").click()

    assert page.url == f"{desk_url}/portal/"
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.locator("#language-select")).to_have_value("de")
    expect(page.get_by_role("heading", level=1)).to_have_text("Acme Logistics GmbH")
    assert User.objects.get(email="alice@acme.example").language == "de"
    assert User.objects.get(email="dave@acme.example").language == "es"  # nobody else's


def test_signing_out_from_the_user_menu_returns_to_the_sign_in_page(page: Page, desk_url: str):
    sign_in(page, "alice@acme.example")
    page.wait_for_url(f"{desk_url}/portal/")

    page.locator(".user-menu summary").click()
    page.get_by_role("button", name="Sign out").click()

    page.wait_for_url(f"{desk_url}/accounts/login/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    page.goto("/portal/")
    assert re.fullmatch(rf"{re.escape(desk_url)}/accounts/login/\?next=(/|%2F)portal(/|%2F)", page.url)
    expect(page.locator(".user-menu")).to_have_count(0)
