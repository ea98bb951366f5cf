"""The German and Spanish catalogues: complete, compiled and used by the pages."""

import re
from pathlib import Path

import pytest
from django.utils import translation

LOCALE = Path(__file__).resolve().parents[2] / "locale"


@pytest.mark.parametrize("language", ["de", "es"])
def test_every_message_is_translated(language):
    catalogue = (LOCALE / language / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    entries = re.findall(r'^msgid "(.+)"\nmsgstr "(.*)"$', catalogue, flags=re.MULTILINE)
    assert len(entries) > 100
    assert [msgid for msgid, msgstr in entries if not msgstr] == []
    assert "#, fuzzy" not in catalogue


@pytest.mark.parametrize(
    ("language", "expected"), [("de", "Ihre Standorte"), ("es", "Sus sedes"), ("en", "Your sites")]
)
def test_the_compiled_catalogue_is_in_use(language, expected):
    with translation.override(language):
        assert translation.gettext("Your sites") == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("email", "heading"), [("dave@acme.example", "Sus sedes"), ("voice.agent@northwind.example", "Ihre Teams")]
)
def test_users_see_pages_in_their_own_language(client, demo, email, heading):
    client.force_login(demo.user(email))
    page = client.get("/", follow=True).content.decode()
    assert heading in page
