"""The desk's logo: uploaded on the desk settings page, checked by its content (PNG, JPEG or
WebP; never SVG), limited in bytes and pixels, stored under the tenant, shown in the page
header with the desk's name as its alternative text, and served only to the desk's own users."""

from __future__ import annotations

import io
import re
from html import unescape

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from servicedesk.models import AuditEntry, Tenant
from servicedesk.tenancy import tenant_context

pytestmark = pytest.mark.django_db

ADMIN = "admin@northwind.example"
UPLOAD = reverse("portal:desk-admin-logo")


def image_bytes(fmt: str, size: tuple[int, int] = (120, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (11, 92, 173)).save(buffer, fmt)
    return buffer.getvalue()


def upload(client, name: str, data: bytes, content_type: str = "image/png", **extra):
    return client.post(
        UPLOAD,
        {"branding-logo": SimpleUploadedFile(name, data, content_type=content_type), "action": "upload", **extra},
    )


def _logo_name(tenant: Tenant) -> str:
    return Tenant.objects.get(pk=tenant.pk).logo.name or ""


def _error(response) -> str:
    body = unescape(response.content.decode())
    found = re.search(r'id="id_branding-logo".*?<p class="error" role="alert">(.*?)</p>', body, re.S)
    return found[1] if found else ""


@pytest.mark.parametrize(("fmt", "extension", "content_type"), [("PNG", "png", "image/png"),
                         ("JPEG", "jpg", "image/jpeg"), ("WEBP", "webp", "image/webp")])  # fmt: skip
def test_a_logo_is_stored_under_the_tenant_and_shown_in_the_header(client, demo, fmt, extension, content_type):
    client.force_login(demo.user(ADMIN))
    data = image_bytes(fmt)

    response = upload(client, f"logo.{extension}", data, content_type)
    page = client.get("/desk-admin/").content.decode()
    name = _logo_name(demo.northwind)
    served = client.get(reverse("portal:tenant-logo", args=[demo.northwind.pk]))

    assert response.status_code == 302
    assert name.startswith(f"tenants/{demo.northwind.pk}/branding/logo-")
    assert name.endswith(f".{extension}")
    assert re.search(
        rf'<img class="brand-logo" src="/branding/{demo.northwind.pk}/logo/\?v=[\w-]+" alt="Northwind', page
    )
    assert served.status_code == 200
    assert served["Content-Type"] == content_type
    assert served["X-Content-Type-Options"] == "nosniff"
    assert b"".join(served.streaming_content) == data
    with tenant_context(demo.northwind):
        entry = AuditEntry.objects.get()
    assert (entry.action, entry.object_type, entry.changes[0]["field"]) == ("update", "tenant", "logo")


def test_the_content_decides_not_the_name(client, demo):
    client.force_login(demo.user(ADMIN))
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'

    disguised_svg = upload(client, "logo.png", svg)
    png_named_svg = upload(client, "logo.svg", image_bytes("PNG"), "image/svg+xml")

    assert disguised_svg.status_code == 400
    assert _error(disguised_svg) == "Upload a PNG, JPEG or WebP image. SVG and other kinds of file are not accepted."
    assert png_named_svg.status_code == 302
    assert _logo_name(demo.northwind).endswith(".png")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (image_bytes("GIF"), "Upload a PNG, JPEG or WebP image"),
        (image_bytes("PNG", (2100, 20)), "The logo is 2100 × 20 pixels"),
        (image_bytes("PNG", (1500, 1500)), "The logo is 1500 × 1500 pixels"),
        (image_bytes("PNG", (8, 8)), "at least 16 pixels a side"),
        (image_bytes("PNG")[:60], "The image could not be read"),
        (image_bytes("PNG") + b"\0" * (512 * 1024), "The logo may be at most 512"),
        (b"", "The submitted file is empty."),
    ],
    ids=["gif", "too-wide", "too-many-pixels", "too-small", "truncated", "too-large", "empty"],
)
def test_a_bad_logo_is_refused_next_to_the_field_and_nothing_is_stored(client, demo, data, message):
    client.force_login(demo.user(ADMIN))

    response = upload(client, "logo.png", data)

    assert response.status_code == 400
    assert message in _error(response)
    assert _logo_name(demo.northwind) == ""
    assert not default_storage.exists(f"tenants/{demo.northwind.pk}/branding")
    with tenant_context(demo.northwind):
        assert AuditEntry.objects.count() == 0


def test_no_file_chosen_is_said_at_the_field(client, demo):
    client.force_login(demo.user(ADMIN))

    response = client.post(UPLOAD, {"action": "upload"})

    assert response.status_code == 400
    assert _error(response) == "Choose an image file to upload."


def test_the_logo_is_served_only_to_the_desks_own_users(client, demo):
    client.force_login(demo.user(ADMIN))
    upload(client, "logo.png", image_bytes("PNG"))
    url = reverse("portal:tenant-logo", args=[demo.northwind.pk])

    for email in ("agent@northwind.example", "alice@acme.example"):
        client.force_login(demo.user(email))
        assert client.get(url).status_code == 200, email
    client.force_login(demo.user("carol@initech.example"))  # Bluepeak's customer
    across_the_wall = client.get(url)
    own_desk_without_logo = client.get(reverse("portal:tenant-logo", args=[demo.bluepeak.pk]))
    client.logout()
    anonymous = client.get(url)

    assert across_the_wall.status_code == 404
    assert own_desk_without_logo.status_code == 404
    assert anonymous.status_code == 302


def test_removing_the_logo_deletes_the_file_and_the_header_shows_the_name(
    client, demo, django_capture_on_commit_callbacks
):
    client.force_login(demo.user(ADMIN))
    upload(client, "logo.png", image_bytes("PNG"))
    stored = _logo_name(demo.northwind)
    assert default_storage.exists(stored)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(UPLOAD, {"action": "remove"})

    assert response.status_code == 302
    assert _logo_name(demo.northwind) == ""
    assert not default_storage.exists(stored)
    assert 'class="brand-logo"' not in client.get("/desk-admin/").content.decode()
    assert client.get(reverse("portal:tenant-logo", args=[demo.northwind.pk])).status_code == 404


def test_other_roles_cannot_upload_a_logo(client, demo):
    for email in ("manager@northwind.example", "agent@northwind.example", "alice@acme.example"):
        client.force_login(demo.user(email))
        assert upload(client, "logo.png", image_bytes("PNG")).status_code == 403
    assert _logo_name(demo.northwind) == ""
