"""The inventory, surveys, documents and profile pages in German and Spanish: the page's own
words are translated (no English phrase of the English page is left)."""

from __future__ import annotations

import pytest
from django.test import Client

PAGES = {
    "/portal/inventory/": ["Your inventory", "Show services", "Download these services (CSV)", "Contract ends",
                           "Any contract state", "Covered by a contract", "All sites"],
    "/portal/surveys/": ["Waiting for your answer", "No survey is waiting for you.", "You have not answered"],
    "/portal/documents/": ["No files in this folder yet.", "Add a file", "The whole account", "Description (optional)"],
    "/portal/profile/": ["Your profile", "Language and time", "Save my profile", "Planned work at my sites",
                         "Satisfaction surveys after a repair or a delivery"],
}  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["de", "es"])
@pytest.mark.parametrize("url", list(PAGES))
def test_the_page_has_no_english_left(demo, language, url):
    english = Client()
    english.force_login(demo.user("alice@acme.example"))
    english_page = english.get(url).content.decode()
    assert all(phrase in english_page for phrase in PAGES[url])  # the phrases are the page's

    user = demo.user("alice@acme.example")
    user.language = language
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    page = client.get(url).content.decode()
    assert f'<html lang="{language}">' in page
    assert [phrase for phrase in PAGES[url] if phrase in page] == []
