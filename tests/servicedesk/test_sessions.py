"""Sessions are kept in the database and read through the cache: a signed-in page reads no
session row, and signing out ends the session wherever it is kept."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext


@pytest.mark.django_db
def test_a_signed_in_page_reads_its_session_from_the_cache(demo):
    client = Client()
    client.force_login(demo.user("agent@northwind.example"))
    key = client.session.session_key
    assert Session.objects.filter(session_key=key).exists()  # kept in the database too

    with CaptureQueriesContext(connection) as queries:
        assert client.get("/console/tickets/").status_code == 200
    assert not [q for q in queries.captured_queries if "django_session" in q["sql"]]


@pytest.mark.django_db
def test_signing_out_ends_the_session_in_the_cache_and_the_database(demo):
    client = Client()
    client.force_login(demo.user("agent@northwind.example"))
    key = client.session.session_key
    stolen = Client()
    stolen.cookies["sessionid"] = key
    assert stolen.get("/console/tickets/").status_code == 200

    client.post("/accounts/logout/")

    assert not Session.objects.filter(session_key=key).exists()
    assert stolen.get("/console/tickets/").status_code == 302  # to the sign-in page
