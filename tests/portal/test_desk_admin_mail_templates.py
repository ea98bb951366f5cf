"""Mail templates per language: the administrator writes the desk's opening and closing around
a kind of notification mail, and the next mail of that kind in that language carries them;
another language, or a deactivated template, leaves the mail as the desk's message alone."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from config.celery import app as celery_app
from servicedesk.models import AuditEntry, MailTemplate, User
from servicedesk.tenancy import tenant_context
from tests.escalation.conftest import incident
from tickets.services.conversation import add_comment

pytestmark = pytest.mark.django_db

ADMIN = "admin@northwind.example"
NEW = reverse("portal:desk-admin-notification-template-new")


@pytest.fixture
def eager_tasks():
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before


def _reply_mail(demo, capture) -> str:
    """The body of the mail Alice gets for an agent's reply on her ticket."""
    ticket = incident(demo)
    agent = demo.user("agent@northwind.example")
    mail.outbox.clear()
    with capture(execute=True), tenant_context(agent.tenant_id):
        add_comment(ticket=ticket, actor=agent, body="We replaced the line card.", internal=False)
    assert len(mail.outbox) == 1
    return mail.outbox[0].body


def test_a_template_wraps_the_next_mail_of_its_kind_in_its_language(
    client, demo, eager_tasks, django_capture_on_commit_callbacks
):
    client.force_login(demo.user(ADMIN))

    created = client.post(NEW, {"kind": "ticket_reply", "language": "en", "opening": "Dear customer,",
                                "closing": "Northwind Networks, hotline +49 69 5550 0000"})  # fmt: skip
    body = _reply_mail(demo, django_capture_on_commit_callbacks)

    assert created.status_code == 302
    assert body.startswith("Dear customer,\n\n")
    assert "We replaced the line card." in body
    assert "Northwind Networks, hotline +49 69 5550 0000" in body
    with tenant_context(demo.northwind):
        entry = AuditEntry.objects.get()
    assert (entry.action, entry.object_type) == ("create", "mail template")


def test_another_language_or_a_deactivated_template_leaves_the_mail_alone(
    client, demo, eager_tasks, django_capture_on_commit_callbacks
):
    client.force_login(demo.user(ADMIN))
    client.post(NEW, {"kind": "ticket_reply", "language": "de", "opening": "Sehr geehrte Damen und Herren,"})
    client.post(NEW, {"kind": "sla_alert", "language": "en", "opening": "Attention, agent:"})
    german_only = _reply_mail(demo, django_capture_on_commit_callbacks)
    english = client.post(NEW, {"kind": "ticket_reply", "language": "en", "opening": "Dear customer,"})
    with tenant_context(demo.northwind):
        template = MailTemplate.objects.get(kind="ticket_reply", language="en")
    client.post(reverse("portal:desk-admin-notification-template-status", args=[template.pk]), {"action": "deactivate"})
    deactivated = _reply_mail(demo, django_capture_on_commit_callbacks)

    assert english.status_code == 302
    assert "Sehr geehrte" not in german_only
    assert "Attention, agent:" not in german_only
    assert german_only.startswith(User.objects.get(email="agent@northwind.example").full_name)
    assert "Dear customer," not in deactivated


def test_one_template_per_kind_and_language_and_not_an_empty_one(client, demo):
    client.force_login(demo.user(ADMIN))
    client.post(NEW, {"kind": "survey", "language": "es", "opening": "Estimado cliente:"})

    twice = client.post(NEW, {"kind": "survey", "language": "es", "closing": "Gracias."})
    empty = client.post(NEW, {"kind": "survey", "language": "en", "opening": " ", "closing": ""})

    assert twice.status_code == 400
    assert "already exists" in twice.content.decode()
    assert empty.status_code == 400
    assert re.search(
        r'id="id_opening".*?<p class="error" role="alert">Write an opening, a closing or both.</p>',
        empty.content.decode(),
        re.S,
    )
    with tenant_context(demo.northwind):
        assert MailTemplate.objects.count() == 1


def test_the_list_filters_by_kind_and_language(client, demo):
    client.force_login(demo.user(ADMIN))
    client.post(NEW, {"kind": "survey", "language": "es", "opening": "Estimado cliente:"})
    client.post(NEW, {"kind": "planned_work", "language": "en", "opening": "Planned work ahead."})
    url = reverse("portal:desk-admin-notification-templates")

    surveys = client.get(url, {"kind": "survey"}).content.decode()
    english = client.get(url, {"language": "en"}).content.decode()

    assert "Estimado cliente:" in surveys
    assert "Planned work ahead." not in surveys
    assert "Planned work ahead." in english
    assert "Estimado cliente:" not in english
