"""Faults: the database out of reach for a moment, the upload folder's disk full. Each is a
clean answer (a 503 to retry, a refusal naming the file), nothing half-written, and the desk
carries on by itself once the fault is gone."""

from __future__ import annotations

import errno
import socket
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.core.files.storage import FileSystemStorage
from django.db import connections
from django.test import Client

from servicedesk.auth import DEMO_PASSWORD
from servicedesk.db.aliases import SYSTEM_DB
from servicedesk.models import Tenant, User
from servicedesk.tenancy import tenant_context
from tests.conftest import seed_world
from tests.tickets.conftest import INCIDENT
from tickets.models import Attachment, Ticket

ALICE = "alice@acme.example"


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # nobody listens once the probe is closed


@contextmanager
def database_out_of_reach() -> Iterator[None]:
    """Both aliases pointed at a port nobody listens on (the database gone, for the requests
    inside), and back afterwards."""
    aliases = [connections.settings["default"], connections.settings[SYSTEM_DB]]
    before = [(alias["HOST"], alias["PORT"]) for alias in aliases]
    port = str(_closed_port())
    connections.close_all()
    for alias in aliases:
        alias["HOST"], alias["PORT"] = "127.0.0.1", port
    try:
        yield
    finally:
        connections.close_all()
        for alias, (host, old_port) in zip(aliases, before, strict=True):
            alias["HOST"], alias["PORT"] = host, old_port


def _tickets() -> int:
    with tenant_context(Tenant.objects.get(slug="northwind")):
        return Ticket.objects.count()


def _api_headers(client: Client) -> dict[str, str]:
    answer = client.post(
        "/api/v1/auth/token/", {"username": ALICE, "password": DEMO_PASSWORD}, content_type="application/json"
    )
    return {"HTTP_AUTHORIZATION": f"Token {answer.json()['token']}"}


@pytest.mark.django_db(transaction=True, databases=["default", SYSTEM_DB])
def test_without_the_database_requests_get_a_clean_503_and_the_desk_recovers_by_itself():
    seed_world()
    api = Client(raise_request_exception=False)
    headers = _api_headers(api)
    browser = Client(raise_request_exception=False)
    browser.force_login(User.objects.get(email=ALICE))

    with database_out_of_reach():
        created = api.post("/api/v1/tickets/", INCIDENT, content_type="application/json", **headers)
        listed = api.get("/api/v1/tickets/", **headers)
        page = browser.get("/portal/tickets/")

    for response in (created, listed):
        assert response.status_code == 503
        assert response["Content-Type"] == "application/json"
        assert response["Retry-After"] == "30"
        assert response.json()["code"] == "unavailable"
    assert page.status_code == 503
    assert page["Retry-After"] == "30"
    assert b"briefly unavailable" in page.content
    assert _tickets() == 0  # nothing half-written

    # Back: the same requests succeed on the same clients, with no restart.
    again = api.post("/api/v1/tickets/", INCIDENT, content_type="application/json", **headers)
    assert again.status_code == 201, again.json()
    assert browser.get("/portal/tickets/").status_code == 200
    assert _tickets() == 1


class _FullDisk(FileSystemStorage):
    def _save(self, name, content):
        raise OSError(errno.ENOSPC, "No space left on device")


@pytest.mark.django_db
def test_a_full_upload_disk_is_a_clean_refusal_and_leaves_no_row(demo, settings):
    client = demo.api(ALICE)
    number = client.post("/api/v1/tickets/", INCIDENT, format="json").json()["number"]
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": f"{__name__}._FullDisk"}}

    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("trace.txt", b"ping 10.0.0.1\n", content_type="text/plain")
    response = client.post(f"/api/v1/tickets/{number}/attachments/", {"file": upload}, format="multipart")

    assert response.status_code == 507
    assert response.json()["code"] == "storage_full"
    with tenant_context(demo.northwind):
        assert Attachment.objects.count() == 0
