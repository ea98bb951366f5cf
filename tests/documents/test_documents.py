"""Shared documents: the account's folder in the portal and in the console, the attachment
rules (size, type from the content, download only), and the walls: another account's or
tenant's document, and another site's for a restricted user, is a 404 and stays as it was."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from documents.models import Document
from documents.services import add_document
from servicedesk.tenancy import tenant_context

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _client(demo, email):
    client = Client()
    client.force_login(demo.user(email))
    return client


def _pdf(name="plan.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def _document(demo, who, site=None, name="plan.pdf"):
    user = demo.user(who)
    with tenant_context(demo.northwind):
        account = demo.acme if user.is_desk_staff else user.customer_account
        return add_document(account=account, actor=user, upload=_pdf(name), site=site)


def _names(demo):
    with tenant_context(demo.northwind):
        return sorted(Document.objects.values_list("name", flat=True))


@pytest.mark.django_db
def test_a_customer_adds_a_file_and_the_desk_sees_it(demo):
    alice = _client(demo, "alice@acme.example")
    response = alice.post("/portal/documents/", {"file": _pdf("floor plan.pdf"), "description": "Rack room"})
    assert response.status_code == 302
    assert "floor plan.pdf" in alice.get("/portal/documents/").content.decode()
    agent = _client(demo, "agent@northwind.example")
    page = agent.get(f"/console/accounts/{demo.acme.pk}/documents/").content.decode()
    assert "floor plan.pdf" in page
    assert "Rack room" in page
    with tenant_context(demo.northwind):
        document = Document.objects.get()
    assert (document.account_id, document.site_id, document.from_desk) == (demo.acme.pk, None, False)
    download = agent.get(f"/console/accounts/{demo.acme.pk}/documents/{document.pk}/download/")
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == PDF


@pytest.mark.django_db
def test_the_desk_shares_a_file_into_an_accounts_folder(demo):
    agent = _client(demo, "agent@northwind.example")
    response = agent.post(
        f"/console/accounts/{demo.acme.pk}/documents/", {"file": _pdf("offer.pdf"), "site": demo.madrid.pk}
    )
    assert response.status_code == 302
    assert "offer.pdf" in _client(demo, "alice@acme.example").get("/portal/documents/").content.decode()
    assert "offer.pdf" in _client(demo, "dave@acme.example").get("/portal/documents/").content.decode()  # Madrid
    assert "offer.pdf" not in _client(demo, "bob@globex.example").get("/portal/documents/").content.decode()
    with tenant_context(demo.northwind):
        assert Document.objects.get().from_desk is True


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("page.pdf", b"<html><script>alert(1)</script></html>", "Web pages and markup are not accepted"),
        ("tool.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64, "not accepted"),
        ("empty.txt", b"", "file is empty."),
    ],
)
def test_the_attachment_rules_refuse_a_file_and_keep_the_form(demo, name, content, message):
    response = _client(demo, "alice@acme.example").post(
        "/portal/documents/", {"file": SimpleUploadedFile(name, content), "description": "Kept"}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert message in page
    assert 'value="Kept"' in page
    assert "data-error-summary" in page
    assert _names(demo) == []


@pytest.mark.django_db
def test_a_file_over_the_size_limit_is_refused(demo, settings):
    settings.ATTACHMENT_MAX_BYTES = 20
    response = _client(demo, "alice@acme.example").post("/portal/documents/", {"file": _pdf()})
    assert response.status_code == 400
    assert "Files may be at most" in response.content.decode()
    assert _names(demo) == []


@pytest.mark.django_db
def test_no_file_is_named_next_to_the_field(demo):
    response = _client(demo, "alice@acme.example").post("/portal/documents/", {"description": "x"})
    assert response.status_code == 400
    assert 'href="#id_file"' in response.content.decode()


@pytest.mark.django_db
def test_a_text_file_is_served_as_a_download_never_a_page(demo):
    _client(demo, "alice@acme.example").post("/portal/documents/", {"file": SimpleUploadedFile("notes", b"ping ok\n")})
    with tenant_context(demo.northwind):
        document = Document.objects.get()
    assert document.name == "notes.txt"
    response = _client(demo, "alice@acme.example").get(f"/portal/documents/{document.pk}/download/")
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


@pytest.mark.django_db
@pytest.mark.parametrize("outsider", ["bob@globex.example", "carol@initech.example"])
def test_another_accounts_or_tenants_customer_reaches_none_of_acmes_documents(demo, outsider):
    document = _document(demo, "alice@acme.example")
    client = _client(demo, outsider)
    assert client.get(f"/portal/documents/{document.pk}/download/").status_code == 404
    assert client.post(f"/portal/documents/{document.pk}/remove/").status_code == 404
    assert document.name not in client.get("/portal/documents/").content.decode()
    assert client.get(f"/console/accounts/{demo.acme.pk}/documents/").status_code == 404
    assert _names(demo) == ["plan.pdf"]


@pytest.mark.django_db
def test_another_tenants_desk_reaches_none_of_acmes_documents(demo):
    document = _document(demo, "alice@acme.example")
    client = _client(demo, "agent@bluepeak.example")
    assert client.get(f"/console/accounts/{demo.acme.pk}/documents/").status_code == 404
    assert client.get(f"/console/accounts/{demo.acme.pk}/documents/{document.pk}/download/").status_code == 404
    assert client.post(f"/console/accounts/{demo.acme.pk}/documents/", {"file": _pdf("x.pdf")}).status_code == 404
    assert client.get(f"/console/accounts/{demo.initech.pk}/documents/{document.pk}/download/").status_code == 404
    assert _names(demo) == ["plan.pdf"]


@pytest.mark.django_db
def test_a_document_is_reached_only_through_its_own_accounts_folder(demo):
    document = _document(demo, "alice@acme.example")
    agent = _client(demo, "agent@northwind.example")
    assert agent.get(f"/console/accounts/{demo.globex.pk}/documents/{document.pk}/download/").status_code == 404


@pytest.mark.django_db
def test_a_site_restricted_user_reaches_only_documents_of_their_sites(demo):
    frankfurt = _document(demo, "agent@northwind.example", site=demo.frankfurt, name="frankfurt.pdf")
    whole = _document(demo, "agent@northwind.example", name="account.pdf")
    madrid = _document(demo, "agent@northwind.example", site=demo.madrid, name="madrid.pdf")
    dave = _client(demo, "dave@acme.example")
    page = dave.get("/portal/documents/").content.decode()
    assert "madrid.pdf" in page
    assert "frankfurt.pdf" not in page
    assert "account.pdf" not in page
    assert dave.get(f"/portal/documents/{frankfurt.pk}/download/").status_code == 404
    assert dave.get(f"/portal/documents/{whole.pk}/download/").status_code == 404
    assert dave.get(f"/portal/documents/{madrid.pk}/download/").status_code == 200


@pytest.mark.django_db
def test_a_site_restricted_user_files_only_for_their_sites(demo):
    dave = _client(demo, "dave@acme.example")
    # Frankfurt is not among his choices: refused like any value that is not offered.
    assert dave.post("/portal/documents/", {"file": _pdf(), "site": demo.frankfurt.pk}).status_code == 400
    assert dave.post("/portal/documents/", {"file": _pdf()}).status_code == 400
    assert _names(demo) == []
    assert dave.post("/portal/documents/", {"file": _pdf("mine.pdf"), "site": demo.madrid.pk}).status_code == 302
    assert _names(demo) == ["mine.pdf"]


@pytest.mark.django_db
def test_a_site_of_another_account_is_refused(demo):
    response = _client(demo, "alice@acme.example").post("/portal/documents/", {"file": _pdf(), "site": demo.london.pk})
    assert response.status_code == 400
    agent = _client(demo, "agent@northwind.example")
    response = agent.post(f"/console/accounts/{demo.acme.pk}/documents/", {"file": _pdf(), "site": demo.london.pk})
    assert response.status_code == 400
    assert _names(demo) == []


@pytest.mark.django_db
def test_each_removes_only_their_own(demo):
    alices = _document(demo, "alice@acme.example", name="alices.pdf")
    desks = _document(demo, "agent@northwind.example", name="desks.pdf")
    alice = _client(demo, "alice@acme.example")
    agent = _client(demo, "manager@northwind.example")
    alice.post(f"/portal/documents/{desks.pk}/remove/")
    agent.post(f"/console/accounts/{demo.acme.pk}/documents/{alices.pk}/remove/")
    assert _names(demo) == ["alices.pdf", "desks.pdf"]
    alice.post(f"/portal/documents/{alices.pk}/remove/")
    agent.post(f"/console/accounts/{demo.acme.pk}/documents/{desks.pk}/remove/")
    assert _names(demo) == []


@pytest.mark.django_db
def test_the_console_folder_pages_are_the_desks_only(demo):
    assert _client(demo, "alice@acme.example").get("/console/documents/").status_code == 404
    agent = _client(demo, "agent@northwind.example")
    page = agent.get("/console/documents/").content.decode()
    assert "Acme Logistics GmbH" in page
    assert (
        agent.get(f"/console/documents/?account={demo.acme.pk}")["Location"]
        == f"/console/accounts/{demo.acme.pk}/documents/"
    )
    assert agent.get(f"/console/documents/?account={demo.initech.pk}").status_code == 404
