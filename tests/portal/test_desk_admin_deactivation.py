"""Canned responses administered under /desk-admin/, and deactivation (instead of only a refused
deletion) of intake questions, SLA policies and suppliers: what is deactivated is offered for
nothing new, and what already uses it keeps it. Every change has its audit entry."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from config.celery import app as celery_app
from orders.models import Supplier
from orders.services.editing import InvalidSupplier, choose_supplier
from orders.services.ordering import LineDraft, OrderDraft, place_order
from portal.forms.desk_admin import LeadTimeForm
from servicedesk.errors import InvalidInput
from servicedesk.models import AuditEntry, Site
from servicedesk.tenancy import tenant_context
from tests.escalation.conftest import at, incident
from tickets.models import CannedResponse, QuestionnaireField, SlaClock, SlaPolicy
from tickets.selectors import canned_responses_for
from tickets.services.intake import TicketDraft, open_ticket

pytestmark = pytest.mark.django_db

ADMIN = "admin@northwind.example"


def _seen(page) -> str:
    return re.search(r'name="seen" value="([^"]+)"', page.content.decode())[1]


# --- canned responses ---------------------------------------------------------------------------


def test_a_canned_response_is_created_edited_and_audited(client, demo):
    client.force_login(demo.user(ADMIN))

    created = client.post(
        reverse("portal:desk-admin-canned-response-new"),
        {"language": "de", "title": "Techniker unterwegs", "body": "Ein Techniker ist auf dem Weg zu Ihnen."},
    )
    with tenant_context(demo.northwind):
        response = CannedResponse.objects.get(title="Techniker unterwegs")
    url = reverse("portal:desk-admin-canned-response", args=[response.pk])
    edited = client.post(
        url, {"seen": _seen(client.get(url)), "language": "de", "title": "Techniker unterwegs", "body": "Neu."}
    )

    assert created.status_code == 302
    assert edited.status_code == 302
    with tenant_context(demo.northwind):
        response.refresh_from_db()
        entries = list(AuditEntry.objects.order_by("at", "id").values_list("action", "object_type", "changes"))
    assert response.body == "Neu."
    assert [(action, kind) for action, kind, _changes in entries] == [
        ("create", "canned response"),
        ("update", "canned response"),
    ]
    assert entries[1][2] == [
        {"field": "body", "label": "text", "before": "Ein Techniker ist auf dem Weg zu Ihnen.", "after": "Neu."}
    ]


def test_a_title_taken_in_that_language_is_refused_next_to_the_field(client, demo):
    client.force_login(demo.user(ADMIN))
    with tenant_context(demo.northwind):
        taken = CannedResponse.objects.create(tenant=demo.northwind, language="en", title="On it", body="We are.")
        before = CannedResponse.objects.count()

    refused = client.post(
        reverse("portal:desk-admin-canned-response-new"), {"language": "en", "title": taken.title, "body": "x"}
    )
    empty = client.post(reverse("portal:desk-admin-canned-response-new"), {"language": "en", "title": "T", "body": " "})
    other_language = client.post(
        reverse("portal:desk-admin-canned-response-new"), {"language": "es", "title": taken.title, "body": "Hola."}
    )

    assert refused.status_code == 400
    assert 'id="id_title"' in refused.content.decode()
    assert "already exists" in refused.content.decode()
    assert empty.status_code == 400
    assert re.search(
        r'id="id_body".*?<p class="error" role="alert">This field is required.</p>', empty.content.decode(), re.S
    )
    assert other_language.status_code == 302
    with tenant_context(demo.northwind):
        assert CannedResponse.objects.count() == before + 1


def test_the_list_is_searched_and_filtered_by_language(client, demo):
    client.force_login(demo.user(ADMIN))
    with tenant_context(demo.northwind):
        CannedResponse.objects.create(tenant=demo.northwind, language="es", title="Zebra única", body="Texto.")
        CannedResponse.objects.create(tenant=demo.northwind, language="en", title="Zebra unique", body="Text.")
    url = reverse("portal:desk-admin-canned-responses")

    spanish = client.get(url, {"q": "zebra", "language": "es"}).content.decode()
    every = client.get(url, {"q": "zebra"}).content.decode()

    assert "Zebra única" in spanish
    assert "Zebra unique" not in spanish
    assert "Zebra única" in every
    assert "Zebra unique" in every


def test_a_deactivated_canned_response_is_not_offered_to_agents(client, demo):
    client.force_login(demo.user(ADMIN))
    agent = demo.user("agent@northwind.example")
    with tenant_context(demo.northwind):
        response = CannedResponse.objects.create(tenant=demo.northwind, language="en", title="On it", body="We are.")
        assert response in canned_responses_for(actor=agent)
    url = reverse("portal:desk-admin-canned-response-status", args=[response.pk])

    client.post(url, {"action": "deactivate"})
    with tenant_context(demo.northwind):
        offered_while_inactive = list(canned_responses_for(actor=agent))
    client.post(url, {"action": "activate"})

    with tenant_context(demo.northwind):
        assert response not in offered_while_inactive
        assert response in canned_responses_for(actor=agent)
        assert list(AuditEntry.objects.order_by("at", "id").values_list("action", flat=True)) == [
            "deactivate",
            "activate",
        ]


# --- intake questions ---------------------------------------------------------------------------


def _questionnaire(who: str, demo, service: str) -> list[str]:
    client = demo.api(who)
    return [q["name"] for q in client.get(f"/api/v1/services/{service}/questionnaire/").json()]


def test_a_deactivated_question_is_not_asked_in_new_forms(client, demo):
    client.force_login(demo.user(ADMIN))
    with tenant_context(demo.northwind):
        source = QuestionnaireField.objects.get(service_type__code="internet", name="source_ip")
    assert "source_ip" in _questionnaire("bob@globex.example", demo, "NW-INET-3001")

    bob = Client()
    bob.force_login(demo.user("bob@globex.example"))
    slow = {"service": "NW-INET-3001", "answer_symptom": "slowness"}
    asked_before = bob.get("/portal/tickets/new/questions/", slow).content.decode()

    response = client.post(reverse("portal:desk-admin-question-status", args=[source.pk]), {"action": "deactivate"})
    asked_after = bob.get("/portal/tickets/new/questions/", slow).content.decode()

    assert response.status_code == 302
    assert "source_ip" not in _questionnaire("bob@globex.example", demo, "NW-INET-3001")
    assert 'name="answer_source_ip"' in asked_before
    assert 'name="answer_source_ip"' not in asked_after
    assert 'name="answer_destination_ip"' in asked_after
    preview = client.get(reverse("portal:desk-admin-questionnaire", args=[source.service_type_id])).content.decode()
    assert "Inactive" in preview
    with tenant_context(demo.northwind):
        source.refresh_from_db()
        assert source.is_active is False
        assert list(AuditEntry.objects.values_list("action", "object_name")) == [("deactivate", "source_ip")]


def _slow_internet(bob, answers):
    return open_ticket(
        actor=bob,
        draft=TicketDraft(
            kind="incident", service_id="NW-INET-3001", subject="Slow", description="Slow since 08:55.",
            impact="degradation", urgency="high", problem_started_at=at("2026-01-01 00:00"),
            answers={"power_at_site": "yes", "symptom": "slowness", "destination_ip": "10.0.0.2", **answers},
        ),
    )  # fmt: skip


def test_a_deactivated_required_question_is_neither_required_nor_taken(demo):
    bob = demo.user("bob@globex.example")
    with tenant_context(demo.northwind):
        with pytest.raises(InvalidInput) as required_while_active:
            _slow_internet(bob, {})
        question = QuestionnaireField.objects.get(service_type__code="internet", name="source_ip")
        question.is_active = False
        question.save()
        opened = _slow_internet(bob, {})
        with pytest.raises(InvalidInput) as refused:
            _slow_internet(bob, {"source_ip": "10.0.0.1"})

    assert "answers.source_ip" in required_while_active.value.errors
    assert "source_ip" not in opened.answers
    assert refused.value.errors["answers.source_ip"] == ["There is no such question for this service."]


def test_a_question_others_are_asked_after_is_not_deactivated(client, demo):
    client.force_login(demo.user(ADMIN))
    with tenant_context(demo.northwind):
        symptom = QuestionnaireField.objects.get(service_type__code="internet", name="symptom")

    refused = client.post(
        reverse("portal:desk-admin-question-status", args=[symptom.pk]), {"action": "deactivate"}, follow=True
    )

    assert "Not deactivated: asked only after an answer to it:" in refused.content.decode()
    with tenant_context(demo.northwind):
        symptom.refresh_from_db()
        assert symptom.is_active is True
        assert AuditEntry.objects.count() == 0


# --- SLA policies -------------------------------------------------------------------------------


@pytest.fixture
def eager_tasks():
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before


def test_a_deactivated_policy_is_not_chosen_for_new_tickets_but_running_clocks_keep_it(
    client, demo, time_machine, eager_tasks, django_capture_on_commit_callbacks
):
    time_machine.move_to("2026-11-18T09:00:00Z", tick=False)
    running = incident(demo)  # Acme, Premium 24×7: respond within 15 minutes
    with tenant_context(demo.northwind):
        premium = SlaPolicy.objects.get(name="Premium 24×7")
        assert SlaClock.objects.get(ticket_id=running.pk, target="respond").policy_id == premium.pk
    client.force_login(demo.user(ADMIN))

    client.post(reverse("portal:desk-admin-sla-policy-status", args=[premium.pk]), {"action": "deactivate"})
    fresh = incident(demo)
    # A change of the deactivated policy still moves the clocks that run under it.
    url = reverse("portal:desk-admin-sla-policy", args=[premium.pk])
    with django_capture_on_commit_callbacks(execute=True):
        saved = client.post(
            url,
            {"seen": _seen(client.get(url)), "name": premium.name, "contract_tier": premium.contract_tier,
             "ticket_kind": "", "calendar": str(premium.calendar_id), "respond_minutes": "30", "callback_minutes": "120",
             "restore_minutes_p1": "240", "restore_minutes_p2": "480", "restore_minutes_p3": "1440",
             "restore_minutes_p4": "4320", "warning_percent": "80", "defer_outside_hours": "on"},
        )  # fmt: skip

    assert saved.status_code == 302
    with tenant_context(demo.northwind):
        kept = SlaClock.objects.select_related("policy").get(ticket_id=running.pk, target="respond")
        other = SlaClock.objects.select_related("policy").get(ticket_id=fresh.pk, target="respond")
        assert list(AuditEntry.objects.order_by("at", "id").values_list("action", flat=True))[0] == "deactivate"
    assert kept.policy.name == "Premium 24×7"
    assert kept.due_at == at("2026-11-18 09:30")
    assert other.policy.name == "Standard"


# --- suppliers ----------------------------------------------------------------------------------


def _order(demo, supplier_id: int | None):
    manager = demo.user("manager@northwind.example")
    with tenant_context(demo.northwind):
        site = Site.objects.get(name="Frankfurt")
        return place_order(
            actor=manager,
            draft=OrderDraft(
                title="Second line", site_id=site.pk, account_id=site.account_id, supplier_id=supplier_id,
                lines=[LineDraft(service_type="internet", product="Dedicated Internet Access", bandwidth_mbps=100)],
            ),
        )  # fmt: skip


def test_a_deactivated_supplier_is_offered_for_no_new_order(client, demo):
    with tenant_context(demo.northwind):
        carrier = Supplier.objects.create(tenant=demo.northwind, name="Carrier One")
    kept_order = _order(demo, carrier.pk)
    client.force_login(demo.user(ADMIN))

    response = client.post(reverse("portal:desk-admin-supplier-status", args=[carrier.pk]), {"action": "deactivate"})
    plain = _order(demo, None)

    assert response.status_code == 302
    with pytest.raises(InvalidInput) as refused:
        _order(demo, carrier.pk)
    assert "deactivated" in str(refused.value.errors["supplier"][0])
    manager = demo.user("manager@northwind.example")
    with tenant_context(demo.northwind), pytest.raises(InvalidSupplier):
        choose_supplier(order=plain, actor=manager, version=plain.version, supplier_id=carrier.pk)
    with tenant_context(demo.northwind):
        assert carrier not in LeadTimeForm().fields["supplier"].queryset
        kept_order.refresh_from_db()
        assert kept_order.supplier_id == carrier.pk
        assert list(AuditEntry.objects.values_list("action", "object_name")) == [("deactivate", "Carrier One")]
