"""Outgoing mail threads per ticket, says it is automatic, names the desk for replies, and
carries a Message-ID the desk recognises as its own."""

from __future__ import annotations

from django.core import mail

from servicedesk.mailing import (
    is_own_message_id,
    new_message_id,
    public_url,
    send_notification,
    thread_id,
    ticket_of_thread_id,
)


def test_a_notification_is_threaded_on_its_ticket_with_text_and_html(demo):
    demo.northwind.desk_address = "desk@northwind.example"
    send_notification(
        tenant=demo.northwind, to=["alice@acme.example"], subject="SLA warning: INC-000042 Restoration",
        body="INC-000042 “MPLS down”: due at 10:00 UTC.\nSee https://desk.example/", language="de",
        number="INC-000042",
    )  # fmt: skip
    sent = mail.outbox[0]
    root = thread_id(tenant_id=demo.northwind.pk, number="INC-000042", domain="northwind.example")
    headers = sent.extra_headers
    assert sent.subject == "SLA warning: INC-000042 Restoration"  # the number is there once
    assert sent.reply_to == ["desk@northwind.example"]
    assert (headers["In-Reply-To"], headers["References"]) == (root, root)
    assert headers["Auto-Submitted"] == "auto-generated"
    assert is_own_message_id(headers["Message-ID"])
    assert sent.body.startswith("INC-000042 “MPLS down”: due at 10:00 UTC.")
    html, kind = sent.alternatives[0]
    assert kind == "text/html"
    assert '<html lang="de">' in html
    assert '<a href="https://desk.example/"' in html


def test_a_notification_without_the_number_in_its_subject_gets_it(demo):
    demo.northwind.desk_address = ""
    send_notification(
        tenant=demo.northwind,
        to=["x@acme.example"],
        subject="Planned work",
        body="…",
        language="en",
        number="CR-000001",
    )
    sent = mail.outbox[0]
    assert sent.subject == "[CR-000001] Planned work"
    assert sent.reply_to == []


def test_only_the_desks_own_signed_ids_are_recognised():
    own = new_message_id(domain="northwind.example")
    assert is_own_message_id(own)
    local, domain = own.strip("<>").split("@")
    tampered = f"<{local[:-1]}{'0' if local[-1] != '0' else '1'}@{domain}>"
    assert not is_own_message_id(tampered)
    assert not is_own_message_id("<CAplain-0001@mail.gmail.example>")
    assert not is_own_message_id("")


def test_a_thread_root_names_its_ticket_only_in_its_own_tenant():
    root = thread_id(tenant_id=7, number="INC-000042", domain="northwind.example")
    assert ticket_of_thread_id(root, tenant_id=7) == "INC-000042"
    assert ticket_of_thread_id(root, tenant_id=8) is None
    forged = root.replace("INC-000042", "INC-000043")
    assert ticket_of_thread_id(forged, tenant_id=7) is None


def test_links_in_mails_start_with_the_public_base_url_port_included(settings):
    settings.PUBLIC_BASE_URL = "http://127.0.0.1:8016"
    assert public_url("/portal/tickets/INC-000042/") == "http://127.0.0.1:8016/portal/tickets/INC-000042/"
    # Unset: the first allowed host stands in (over https outside DEBUG).
    settings.PUBLIC_BASE_URL = ""
    settings.ALLOWED_HOSTS = [".example.com", "desk.example.com", "localhost"]
    assert public_url("/x/") == "https://desk.example.com/x/"
