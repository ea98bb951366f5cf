"""The documents folder as a list: newest first, 25 a page with links to the next and
previous pages, a search by file name and description, an empty state for a search that
finds nothing, and a query count that does not grow with the number of files."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from documents.models import Document
from portal.views.documents import PAGE_SIZE
from servicedesk.tenancy import tenant_context

START = dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC)


def _client(demo, email="alice@acme.example"):
    client = Client()
    client.force_login(demo.user(email))
    return client


def _files(demo, count, *, start=0, who="alice@acme.example", description=""):
    """``count`` files named file-NNN.pdf, one a minute (file-000 the oldest)."""
    user = demo.user(who)
    with tenant_context(demo.northwind):
        Document.objects.bulk_create(
            Document(
                tenant_id=demo.northwind.pk, account=demo.acme, file=f"documents/test/file-{n:03}.pdf",
                name=f"file-{n:03}.pdf", description=description, content_type="application/pdf", size=100,
                sha256="0" * 64, uploaded_by=user, created_at=START + dt.timedelta(minutes=n),
            )
            for n in range(start, start + count)
        )  # fmt: skip


def _names(response) -> list[str]:
    return re.findall(r"download>(file-\d{3}\.pdf)</a>", response.content.decode())


def _link(response, rel: str) -> str | None:
    found = re.search(rf'<a href="([^"]+)" rel="{rel}">', response.content.decode())
    return unescape(found.group(1)) if found else None


@pytest.mark.django_db
def test_the_folder_pages_newest_first(demo):
    _files(demo, PAGE_SIZE + 5)
    alice = _client(demo)
    first = alice.get("/portal/documents/")
    assert _names(first) == [f"file-{n:03}.pdf" for n in range(PAGE_SIZE + 4, 4, -1)]
    assert f"{PAGE_SIZE + 5} files, newest first." in first.content.decode()
    second = alice.get("/portal/documents/" + _link(first, "next"))
    assert _names(second) == ["file-004.pdf", "file-003.pdf", "file-002.pdf", "file-001.pdf", "file-000.pdf"]
    assert _link(second, "next") is None
    back = alice.get("/portal/documents/" + _link(second, "prev"))
    assert _names(back) == _names(first)


@pytest.mark.django_db
def test_the_search_finds_names_and_descriptions_and_says_when_nothing_matches(demo):
    _files(demo, 3)
    _files(demo, 2, start=10, description="Rack room plan")
    alice = _client(demo)
    assert _names(alice.get("/portal/documents/", {"q": "file-001"})) == ["file-001.pdf"]
    assert _names(alice.get("/portal/documents/", {"q": "rack ROOM"})) == ["file-011.pdf", "file-010.pdf"]
    nothing = alice.get("/portal/documents/", {"q": "invoice"})
    assert _names(nothing) == []
    assert "No file matches this search." in nothing.content.decode()
    empty = _client(demo, "bob@globex.example").get("/portal/documents/")
    assert "No files in this folder yet." in empty.content.decode()


@pytest.mark.django_db
def test_the_search_stays_inside_the_walls(demo):
    _files(demo, 2)
    for email in ("bob@globex.example", "dave@acme.example"):  # another account; Madrid only (files for no site)
        response = _client(demo, email).get("/portal/documents/", {"q": "file-"})
        assert _names(response) == [], email


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/portal/documents/", "console"])
def test_the_query_count_does_not_grow_with_the_folder(demo, url):
    email = "alice@acme.example" if url.startswith("/portal") else "agent@northwind.example"
    path = url if url.startswith("/portal") else f"/console/accounts/{demo.acme.pk}/documents/"
    client = _client(demo, email)
    _files(demo, 2)
    client.get(path)  # warm the session and the caches
    with CaptureQueriesContext(connection) as few:
        assert len(_names(client.get(path))) == 2
    _files(demo, 60, start=2)
    with CaptureQueriesContext(connection) as many:
        assert len(_names(client.get(path))) == PAGE_SIZE
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
