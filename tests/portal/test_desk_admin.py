"""The tenant administration under /desk-admin/: only the tenant administrator, every change
with its audit entry, stale saves refused, in-use objects deactivated not deleted, and changes
that take effect on the running desk (thresholds, calendars, questions).

The outsiders: every URL with Bluepeak's ids is a 404 for Northwind's administrator; the
manager, the agent and a customer are refused (403) and change nothing."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.urls import URLPattern, get_resolver, reverse

from config.celery import app as celery_app
from escalation.models import EscalationContact, EscalationLevel, EscalationMatrix, EscalationPolicy
from escalation.services.sweep import sweep_escalations
from mailroom.models import InboundMessage, Mailbox
from mailroom.secrets import decrypt_secret
from orders.models import CatalogueItem, Contract, LeadTime, Service, ServiceType, Supplier
from servicedesk.models import (
    AuditEntry,
    BusinessCalendar,
    CalendarClosure,
    CalendarExtraDay,
    CustomerAccount,
    MailTemplate,
    ProductArea,
    Site,
    SiteRestriction,
    Team,
    TeamMembership,
    Tenant,
    User,
)
from servicedesk.tenancy import tenant_context
from tests.escalation.conftest import at, incident, level_of
from tickets.models import CannedResponse, PriorityRule, QuestionnaireField, SlaClock, SlaPolicy, Ticket
from tickets.tasks import recompute_clocks_task

ADMIN = "admin@northwind.example"


@pytest.fixture
def eager_tasks():
    """Tasks run in the sending thread (after the commit that sends them) instead of going to
    the broker."""
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before


def admin_paths() -> list[tuple[str, list[str]]]:
    """Every /desk-admin/ URL name with its arguments' names, from the URLconf (a new page is
    covered without touching this file)."""
    found = []
    for pattern in get_resolver("portal.urls").url_patterns:
        if isinstance(pattern, URLPattern) and str(pattern.pattern).startswith("desk-admin/"):
            found.append((f"portal:{pattern.name}", list(pattern.pattern.converters)))
    return found


def ids_of(tenant) -> dict[str, int]:
    """One object of each kind the admin URLs take, in ``tenant``."""
    with tenant_context(tenant):
        calendar = BusinessCalendar.objects.order_by("pk").first()
        closure = CalendarClosure.objects.create(tenant=tenant, calendar=calendar, date=dt.date(2031, 1, 2))
        extra = CalendarExtraDay.objects.create(
            tenant=tenant, calendar=calendar, date=dt.date(2031, 1, 4), intervals=[["09:00", "12:00"]]
        )
        supplier = Supplier.objects.create(tenant=tenant, name=f"Carrier of {tenant.slug}")
        item = CatalogueItem.objects.create(tenant=tenant, code="port-change", name="Port change", price=90)
        lead_time = LeadTime.objects.create(tenant=tenant, country="DE", supplier=supplier, business_days=30)
        canned = CannedResponse.objects.create(tenant=tenant, language="en", title="Walls", body="Hello.")
        template = MailTemplate.objects.create(tenant=tenant, kind="ticket_reply", language="en", opening="Hi.")
        mail = InboundMessage.objects.create(
            tenant=tenant, dedup_key=f"walls-{tenant.slug}", size=1, source="maildir", raw="mail/walls.eml",
            status=InboundMessage.Status.FAILED,
        )  # fmt: skip
        return {
            "mail": mail.pk,
            "canned-response": canned.pk,
            "notification-template": template.pk,
            "catalogue-item": item.pk,
            "supplier": supplier.pk,
            "lead-time": lead_time.pk,
            "threshold": EscalationPolicy.objects.order_by("pk").first().pk,
            "calendar": calendar.pk,
            "closure": closure.pk,
            "extra-day": extra.pk,
            "person": User.objects.filter(tenant=tenant, role=User.Role.AGENT).first().pk,
            "questionnaire": ServiceType.objects.order_by("pk").first().pk,
            "question": QuestionnaireField.objects.order_by("pk").first().pk,
            "sla-policy": SlaPolicy.objects.order_by("pk").first().pk,
            "team": Team.objects.order_by("pk").first().pk,
            "area": ProductArea.objects.order_by("pk").first().pk,
            "account": CustomerAccount.objects.order_by("pk").first().pk,
            "site": Site.objects.order_by("pk").first().pk,
            "matrix": EscalationMatrix.objects.order_by("pk").first().pk,
            "level": EscalationLevel.objects.order_by("pk").first().pk,
            "contact": EscalationContact.objects.order_by("pk").first().pk,
            "service": Service.objects.order_by("pk").first().pk,
            "contract": Contract.objects.order_by("pk").first().pk,
            "person-sites": User.objects.filter(tenant=tenant, role=User.Role.CUSTOMER).first().pk,
        }


def url_with(name: str, args: list[str], ids: dict[str, int]) -> str:
    if not args:
        return reverse(name)
    if name == "portal:desk-admin-mail-action":
        return reverse(name, args=[ids["mail"], "discard"])
    kind = name.removeprefix("portal:desk-admin-")
    for suffix in ("-status", "-add", "-remove", "-new"):
        kind = kind.removesuffix(suffix)
    kind = {"closure": "closure", "extra-day": "extra-day"}.get(kind, kind)
    if name.endswith(("closure-add", "extra-day-add")):
        kind = "calendar"
    if name.endswith("question-new"):
        kind = "questionnaire"
    if name.endswith(("site-new", "service-new")):
        kind = "account"
    if name.endswith("contract-new"):
        kind = "service"
    if name.endswith(("level-new", "contact-new")):
        kind = "matrix"
    return reverse(name, args=[ids[kind]])


def state(tenant) -> tuple:
    """Everything the administration can change, to show a refused request changed nothing."""
    with tenant_context(tenant):
        return (
            list(EscalationPolicy.objects.order_by("pk").values_list("level_minutes", "calendar_id", "breach_level")),
            list(BusinessCalendar.objects.order_by("pk").values_list("name", "weekly_hours", "is_active")),
            CalendarClosure.objects.count(),
            CalendarExtraDay.objects.count(),
            list(QuestionnaireField.objects.order_by("pk").values_list("name", "is_active")),
            list(
                SlaPolicy.objects.order_by("pk").values_list("name", "respond_minutes", "warning_percent", "is_active")
            ),
            list(PriorityRule.objects.order_by("pk").values_list("priority", flat=True)),
            list(Team.objects.order_by("pk").values_list("name", "product_area_id", "is_active")),
            list(ProductArea.objects.order_by("pk").values_list("name", "is_active")),
            list(CustomerAccount.objects.order_by("pk").values_list("name", "is_active")),
            list(Site.objects.order_by("pk").values_list("name", "country", "time_zone")),
            TeamMembership.objects.count(),
            list(Service.objects.order_by("pk").values_list("service_id", "site_id", "status")),
            list(Contract.objects.order_by("pk").values_list("tier", "valid_from", "valid_until")),
            list(CatalogueItem.objects.order_by("pk").values_list("name", "price", "is_active")),
            list(Supplier.objects.order_by("pk").values_list("name", "is_active")),
            list(CannedResponse.objects.order_by("pk").values_list("language", "title", "body", "is_active")),
            list(
                MailTemplate.objects.order_by("pk").values_list("kind", "language", "opening", "closing", "is_active")
            ),
            list(LeadTime.objects.order_by("pk").values_list("country", "business_days")),
            list(
                Tenant.objects.filter(pk=tenant.pk).values_list(
                    "name", "default_language", "business_calendar_id", "breaching_soon_minutes", "logo"
                )
            ),
            list(EscalationMatrix.objects.order_by("pk").values_list("name", "account_id")),
            list(EscalationLevel.objects.order_by("pk").values_list("number", "title")),
            list(EscalationContact.objects.order_by("pk").values_list("name", "level_id", "user_id")),
            SiteRestriction.objects.count(),
            AuditEntry.objects.count(),
            list(InboundMessage.objects.order_by("pk").values_list("status", flat=True)),
            list(
                Mailbox.objects.values_list(
                    "transport", "imap_host", "imap_password_encrypted", "answer_unknown_senders"
                )
            ),
            list(Tenant.objects.filter(pk=tenant.pk).values_list("desk_address", flat=True)),
            list(User.objects.filter(tenant=tenant).order_by("pk").values_list("email", "role", "is_active")),
        )


PATHS = admin_paths()


def test_the_url_list_covers_every_section():
    names = {name for name, _args in PATHS}
    assert {"portal:desk-admin-thresholds", "portal:desk-admin-calendar", "portal:desk-admin-audit-export",
            "portal:desk-admin-person-invite", "portal:desk-admin-question-new"} <= names  # fmt: skip
    assert len(PATHS) >= 21


@pytest.mark.parametrize(("name", "args"), [p for p in PATHS if p[1]], ids=[p[0] for p in PATHS if p[1]])
def test_another_tenants_ids_are_not_there(client, demo, name, args):
    url = url_with(name, args, ids_of(demo.bluepeak))
    before = state(demo.bluepeak)
    client.force_login(demo.user(ADMIN))

    assert client.get(url).status_code in (404, 405)
    response = client.post(url, {"action": "delete", "level_minutes": "1", "name": "x", "date": "2031-01-09"})

    assert response.status_code == 404
    assert state(demo.bluepeak) == before


@pytest.mark.parametrize(("name", "args"), PATHS, ids=[p[0] for p in PATHS])
def test_other_roles_are_refused_and_change_nothing(client, demo, name, args):
    url = url_with(name, args, ids_of(demo.northwind))
    before = state(demo.northwind)

    for email in ("manager@northwind.example", "agent@northwind.example", "alice@acme.example"):
        client.force_login(demo.user(email))
        got = client.get(url)
        posted = client.post(url, {"action": "delete", "level_minutes": "1", "name": "x", "date": "2031-01-09"})

        assert got.status_code == 403, email
        assert "errors/403.html" in [t.name for t in got.templates]
        assert posted.status_code == 403, email
    assert state(demo.northwind) == before


def test_the_platform_operator_finds_no_administration(client, demo):
    client.force_login(demo.user("operator@desk.example"))

    assert client.get("/desk-admin/escalation/thresholds/").status_code == 404


def _p2(tenant) -> EscalationPolicy:
    with tenant_context(tenant):
        return EscalationPolicy.objects.get(matrix__account__isnull=True, priority="P2")


@pytest.mark.django_db
def test_lowering_a_p2_threshold_makes_the_next_sweep_escalate_and_is_audited(client, demo, time_machine):
    time_machine.move_to("2026-11-18T09:00:00Z", tick=False)
    ticket = incident(demo, impact="degradation", urgency="high")
    assert ticket.priority == "P2"
    sweep_escalations(now=at("2026-11-18 09:00"), tenant_ids=[demo.northwind.pk])
    time_machine.move_to("2026-11-18T09:10:00Z", tick=False)
    sweep_escalations(now=at("2026-11-18 09:10"), tenant_ids=[demo.northwind.pk])
    assert level_of(ticket) == 0  # level 1 at 60 minutes
    client.force_login(demo.user(ADMIN))
    policy = _p2(demo.northwind)
    page = client.get(reverse("portal:desk-admin-threshold", args=[policy.pk]))
    seen = re.search(r'name="seen" value="([^"]+)"', page.content.decode())[1]

    response = client.post(
        reverse("portal:desk-admin-threshold", args=[policy.pk]),
        {"seen": seen, "level_minutes": "5, 120, 240, 480, 960", "calendar": "", "breach_level": "2"},
    )
    sweep_escalations(now=at("2026-11-18 09:10"), tenant_ids=[demo.northwind.pk])

    assert response.status_code == 302
    assert level_of(ticket) == 1
    with tenant_context(demo.northwind):
        entry = AuditEntry.objects.get()
    assert entry.action == "update"
    assert entry.actor_name == "Greta Hoffmann"
    assert entry.object_type == "escalation thresholds"
    assert entry.changes == [
        {"field": "level_minutes", "label": "age per level (minutes)", "before": "[60, 120, 240, 480, 960]",
         "after": "[5, 120, 240, 480, 960]"}
    ]  # fmt: skip


def test_a_stale_save_is_refused_and_shows_the_other_change(client, demo):
    client.force_login(demo.user(ADMIN))
    policy = _p2(demo.northwind)
    url = reverse("portal:desk-admin-threshold", args=[policy.pk])
    seen = re.search(r'name="seen" value="([^"]+)"', client.get(url).content.decode())[1]
    with tenant_context(demo.northwind):
        EscalationPolicy.objects.filter(pk=policy.pk).update(level_minutes=[45, 120, 240, 480, 960])

    response = client.post(url, {"seen": seen, "level_minutes": "10, 20", "calendar": "", "breach_level": "2"})

    assert response.status_code == 400
    body = response.content.decode()
    assert "somebody else changed this" in body
    assert "[45, 120, 240, 480, 960]" in body
    assert 'value="10, 20"' in body  # what was typed is kept
    with tenant_context(demo.northwind):
        policy.refresh_from_db()
        assert policy.level_minutes == [45, 120, 240, 480, 960]
        assert AuditEntry.objects.count() == 0


def test_a_threshold_form_refuses_falling_minutes_next_to_the_field(client, demo):
    client.force_login(demo.user(ADMIN))
    policy = _p2(demo.northwind)

    response = client.post(
        reverse("portal:desk-admin-threshold", args=[policy.pk]),
        {"level_minutes": "60, 30", "calendar": "", "breach_level": "2"},
    )

    assert response.status_code == 400
    assert "Each level must come later than the one before." in response.content.decode()


def test_another_tenants_calendar_cannot_be_chosen(client, demo):
    client.force_login(demo.user(ADMIN))
    policy = _p2(demo.northwind)
    with tenant_context(demo.bluepeak):
        foreign = BusinessCalendar.objects.first()

    response = client.post(
        reverse("portal:desk-admin-threshold", args=[policy.pk]),
        {"level_minutes": "60, 120", "calendar": str(foreign.pk), "breach_level": "2"},
    )

    assert response.status_code == 400
    with tenant_context(demo.northwind):
        policy.refresh_from_db()
    assert policy.calendar_id is None


def test_a_calendar_in_use_is_not_deleted_but_can_be_deactivated(client, demo):
    client.force_login(demo.user(ADMIN))
    with tenant_context(demo.northwind):
        office = BusinessCalendar.objects.get(name="Northwind office hours")
    url = reverse("portal:desk-admin-calendar-status", args=[office.pk])

    refused = client.post(url, {"action": "delete"}, follow=True)
    client.post(url, {"action": "deactivate"})

    assert "Not deleted" in refused.content.decode()
    assert "SLA policy uses it" in refused.content.decode()
    with tenant_context(demo.northwind):
        office.refresh_from_db()
        assert office.is_active is False
        assert list(AuditEntry.objects.values_list("action", flat=True)) == ["deactivate"]


def test_weekly_hours_are_edited_per_day_and_validated(client, demo):
    client.force_login(demo.user(ADMIN))
    with tenant_context(demo.northwind):
        office = BusinessCalendar.objects.get(name="Northwind office hours")
    url = reverse("portal:desk-admin-calendar", args=[office.pk])
    data = {"name": office.name, "time_zone": "Europe/Berlin", "country": "DE", "subdivision": "HE",
            **{f"day_{d}": "08:00-12:00, 13:00-17:00" for d in range(5)}, "day_5": "", "day_6": ""}  # fmt: skip

    bad = client.post(url, {**data, "day_2": "17:00-08:00", "subdivision": "XX"})
    good = client.post(url, data)

    assert bad.status_code == 400
    assert "Each interval must end after it starts" in bad.content.decode()
    assert "no subdivision with this code" in bad.content.decode()
    assert good.status_code == 302
    with tenant_context(demo.northwind):
        office.refresh_from_db()
    assert office.weekly_hours["2"] == [["08:00", "12:00"], ["13:00", "17:00"]]
    assert office.weekly_hours["6"] == []


def test_the_holiday_preview_lists_the_countrys_public_holidays(client, demo):
    client.force_login(demo.user(ADMIN))
    with tenant_context(demo.northwind):
        uk = BusinessCalendar.objects.get(name="UK business hours")

    response = client.get(reverse("portal:desk-admin-calendar", args=[uk.pk]), {"year": "2027"})

    assert "Public holidays in 2027" in response.content.decode()
    assert "Christmas Day" in response.content.decode()


def test_an_invited_user_gets_a_one_use_link_and_can_sign_in(client, demo, django_capture_on_commit_callbacks):
    client.force_login(demo.user(ADMIN))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("portal:desk-admin-person-invite"),
            {"full_name": "Nora Klein", "email": "Nora@Northwind.example", "role": "agent", "language": "en"},
        )

    assert response.status_code == 302
    nora = User.objects.get(email="nora@northwind.example")
    assert nora.tenant_id == demo.northwind.pk
    assert not nora.has_usable_password()
    assert len(mail.outbox) == 1
    # The link starts with the desk's public address (servicedesk.mailing.public_url).
    link = re.search(r"https://testserver(/accounts/password/reset/\S+)", mail.outbox[0].body)[1]
    client.logout()
    form_page = client.get(link, follow=True)
    set_url = form_page.redirect_chain[-1][0]
    client.post(set_url, {"new_password1": "a-Long-passw0rd!", "new_password2": "a-Long-passw0rd!"})
    assert client.login(username="nora@northwind.example", password="a-Long-passw0rd!")
    client.logout()
    used = client.get(link, follow=True)
    assert "new_password1" not in used.content.decode()  # the link worked once
    with tenant_context(demo.northwind):
        assert list(AuditEntry.objects.order_by("id").values_list("action", flat=True)) == ["create", "invite"]


def test_an_address_of_another_tenant_cannot_be_invited(client, demo):
    client.force_login(demo.user(ADMIN))

    response = client.post(
        reverse("portal:desk-admin-person-invite"),
        {"full_name": "X", "email": "carol@initech.example", "role": "agent"},
    )

    assert response.status_code == 400
    assert "This e-mail address cannot be used." in response.content.decode()
    assert User.objects.get(email="carol@initech.example").tenant_id == demo.bluepeak.pk


def test_people_are_deactivated_not_deleted(client, demo):
    client.force_login(demo.user(ADMIN))
    agent = demo.user("agent@northwind.example")
    url = reverse("portal:desk-admin-person-status", args=[agent.pk])

    refused = client.post(url, {"action": "delete"}, follow=True)
    client.post(url, {"action": "deactivate"})

    assert "never deleted" in refused.content.decode()
    agent.refresh_from_db()
    assert agent.is_active is False


def test_a_conditional_question_is_saved_in_three_languages(client, demo):
    client.force_login(demo.user(ADMIN))
    with tenant_context(demo.northwind):
        internet = ServiceType.objects.get(code="internet")

    response = client.post(
        reverse("portal:desk-admin-question-new", args=[internet.pk]),
        {"name": "router_rebooted", "label_en": "Did you reboot the router?", "label_de": "Router neu gestartet?",
         "label_es": "¿Reinició el router?", "field_type": "yes_no", "position": "9", "required": "",
         "condition_field": "symptom", "condition_values": "slowness, packet_loss"},
    )  # fmt: skip

    assert response.status_code == 302
    with tenant_context(demo.northwind):
        question = QuestionnaireField.objects.get(name="router_rebooted")
    assert question.labels == {"en": "Did you reboot the router?", "de": "Router neu gestartet?",
                               "es": "¿Reinició el router?"}  # fmt: skip
    assert question.shown_when == {"field": "symptom", "in": ["slowness", "packet_loss"]}
    preview = client.get(reverse("portal:desk-admin-questionnaire", args=[internet.pk]), {"lang": "de"})
    assert "Router neu gestartet?" in preview.content.decode()


def test_the_audit_log_is_searchable_and_exported_as_csv(client, demo):
    client.force_login(demo.user(ADMIN))
    policy = _p2(demo.northwind)
    client.post(
        reverse("portal:desk-admin-threshold", args=[policy.pk]),
        {"level_minutes": "=1+2, 120", "calendar": "", "breach_level": "2"},
    )
    client.post(
        reverse("portal:desk-admin-threshold", args=[policy.pk]),
        {"level_minutes": "30, 120", "calendar": "", "breach_level": "2"},
    )

    found = client.get(reverse("portal:desk-admin-audit"), {"q": "thresholds Greta"})
    nothing = client.get(reverse("portal:desk-admin-audit"), {"q": "no-such-thing"})
    exported = client.get(reverse("portal:desk-admin-audit-export"))

    assert "[30, 120]" in found.content.decode()
    assert "Nothing matches the search." in nothing.content.decode()
    lines = exported.content.decode().splitlines()
    assert lines[0] == "when,by,action,object type,object id,object,field,before,after"
    assert len(lines) == 2
    assert ",Greta Hoffmann,update,escalation thresholds," in lines[1]
    assert '"[30, 120]"' in lines[1]


def test_a_changed_sla_policy_moves_the_running_clocks_under_it(
    client, demo, time_machine, eager_tasks, django_capture_on_commit_callbacks
):
    time_machine.move_to("2026-11-18T09:00:00Z", tick=False)
    ticket = incident(demo)  # Acme, premium 24×7: respond within 15 minutes
    with tenant_context(demo.northwind):
        clock = SlaClock.objects.get(ticket_id=ticket.pk, target="respond")
        policy = clock.policy
    assert clock.due_at == at("2026-11-18 09:15")
    client.force_login(demo.user(ADMIN))
    page = client.get(reverse("portal:desk-admin-sla-policy", args=[policy.pk]))
    seen = re.search(r'name="seen" value="([^"]+)"', page.content.decode())[1]

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("portal:desk-admin-sla-policy", args=[policy.pk]),
            {"seen": seen, "name": policy.name, "contract_tier": policy.contract_tier, "ticket_kind": "",
             "calendar": str(policy.calendar_id), "respond_minutes": "30", "callback_minutes": "120",
             "restore_minutes_p1": "240", "restore_minutes_p2": "480", "restore_minutes_p3": "1440",
             "restore_minutes_p4": "4320", "warning_percent": "50", "defer_outside_hours": "on"},
        )  # fmt: skip

    assert response.status_code == 302
    with tenant_context(demo.northwind):
        clock.refresh_from_db()
        entry = AuditEntry.objects.get()
    assert clock.due_at == at("2026-11-18 09:30")
    assert clock.warn_at == at("2026-11-18 09:15")
    assert {c["field"] for c in entry.changes} == {"respond_minutes", "warning_percent"}


def test_a_policy_clocks_count_under_is_not_deleted(client, demo, time_machine):
    time_machine.move_to("2026-11-18T09:00:00Z", tick=False)
    ticket = incident(demo)
    with tenant_context(demo.northwind):
        policy = SlaClock.objects.filter(ticket_id=ticket.pk).first().policy
    client.force_login(demo.user(ADMIN))

    response = client.post(
        reverse("portal:desk-admin-sla-policy-status", args=[policy.pk]), {"action": "delete"}, follow=True
    )

    assert "Not deleted: Tickets&#x27; SLA clocks count under it." in response.content.decode()
    with tenant_context(demo.northwind):
        assert SlaPolicy.objects.filter(pk=policy.pk).exists()


def _matrix_form(page) -> dict[str, str]:
    body = page.content.decode()
    data = {"seen": re.search(r'name="seen" value="([^"]+)"', body)[1]}
    for name, value in re.findall(r'<select name="(\w+__\w+)"[^>]*>.*?<option value="(P\d)"[^>]*selected', body, re.S):
        data[name] = value
    return data


def test_the_priority_matrix_is_changed_cell_by_cell_and_a_stale_save_is_refused(client, demo):
    client.force_login(demo.user(ADMIN))
    url = reverse("portal:desk-admin-service-levels")
    data = _matrix_form(client.get(url))
    assert len(data) == 10  # nine cells and what was seen
    assert data["degradation__low"] == "P3"

    saved = client.post(url, {**data, "degradation__low": "P2"})
    stale = client.post(url, {**data, "outage__low": "P1"})

    assert saved.status_code == 302
    assert stale.status_code == 400
    assert "somebody else changed this" in stale.content.decode()
    with tenant_context(demo.northwind):
        cells = {(r.impact, r.urgency): r.priority for r in PriorityRule.objects.all()}
        entries = list(AuditEntry.objects.values_list("object_name", flat=True))
    assert cells[("degradation", "low")] == "P2"
    assert cells[("outage", "low")] == "P2"
    assert entries == ["degradation × low → P2"]


def test_a_teams_members_are_set_with_the_team_and_audited(client, demo):
    client.force_login(demo.user(ADMIN))
    with tenant_context(demo.northwind):
        team = Team.objects.get(name="Voice desk")
    agent, voice = demo.user("agent@northwind.example"), demo.user("voice.agent@northwind.example")

    response = client.post(
        reverse("portal:desk-admin-team", args=[team.pk]),
        {"name": "Voice desk", "product_area": str(team.product_area_id), "members": [str(agent.pk), str(voice.pk)]},
    )

    assert response.status_code == 302
    with tenant_context(demo.northwind):
        members = set(TeamMembership.objects.filter(team=team).values_list("user__email", flat=True))
        entry = AuditEntry.objects.get()
    assert members == {"agent@northwind.example", "voice.agent@northwind.example"}
    assert entry.changes == [
        {"field": "members", "label": "members", "before": "Jonas Becker", "after": "Jonas Becker, Lena Fischer"}
    ]


def test_another_tenants_people_cannot_join_a_team(client, demo):
    client.force_login(demo.user(ADMIN))
    with tenant_context(demo.northwind):
        team = Team.objects.get(name="Voice desk")
    outsider = demo.user("agent@bluepeak.example")

    response = client.post(
        reverse("portal:desk-admin-team", args=[team.pk]),
        {"name": "Voice desk", "product_area": str(team.product_area_id), "members": [str(outsider.pk)]},
    )

    assert response.status_code == 400
    with tenant_context(demo.northwind):
        assert not TeamMembership.objects.filter(user=outsider).exists()


def test_a_team_with_open_tickets_is_not_deleted(client, demo, time_machine):
    time_machine.move_to("2026-11-18T09:00:00Z", tick=False)
    ticket = incident(demo)
    with tenant_context(demo.northwind):
        team = Ticket.objects.get(pk=ticket.pk).team
    client.force_login(demo.user(ADMIN))

    response = client.post(reverse("portal:desk-admin-team-status", args=[team.pk]), {"action": "delete"}, follow=True)

    assert "1 open ticket is with this team." in response.content.decode()
    with tenant_context(demo.northwind):
        assert Team.objects.filter(pk=team.pk).exists()


def test_a_product_area_in_use_is_not_deleted(client, demo):
    client.force_login(demo.user(ADMIN))
    with tenant_context(demo.northwind):
        voice = ProductArea.objects.get(slug="voice")

    response = client.post(reverse("portal:desk-admin-area-status", args=[voice.pk]), {"action": "delete"}, follow=True)

    assert "1 team belongs to it." in response.content.decode()
    with tenant_context(demo.northwind):
        assert ProductArea.objects.filter(pk=voice.pk).exists()


def test_a_site_is_validated_against_holidays_and_tzdata(client, demo):
    client.force_login(demo.user(ADMIN))
    url = reverse("portal:desk-admin-site-new", args=[demo.globex.pk])
    site = {"name": "Leeds", "city": "Leeds", "country": "GB", "subdivision": "ENG", "time_zone": "Europe/London"}

    bad = client.post(url, {**site, "country": "XZ", "time_zone": "Europe/Leeds"})
    bad_subdivision = client.post(url, {**site, "subdivision": "BAV"})
    good = client.post(url, site)

    assert bad.status_code == 400
    assert "Europe/Leeds" in bad.content.decode()  # what was typed is kept
    assert bad_subdivision.status_code == 400
    assert "no subdivision with this code" in bad_subdivision.content.decode()
    assert good.status_code == 302
    with tenant_context(demo.northwind):
        assert Site.objects.get(name="Leeds").account_id == demo.globex.pk


def test_a_customer_user_is_limited_to_sites_of_their_account_only(client, demo):
    client.force_login(demo.user(ADMIN))
    alice = demo.user("alice@acme.example")
    url = reverse("portal:desk-admin-person-sites", args=[alice.pk])

    foreign = client.post(url, {"restrict-sites": [str(demo.london.pk)]})
    response = client.post(url, {"restrict-sites": [str(demo.frankfurt.pk)]})

    assert foreign.status_code == 400
    assert response.status_code == 302
    with tenant_context(demo.northwind):
        assert list(SiteRestriction.objects.filter(user=alice).values_list("site__name", flat=True)) == ["Frankfurt"]
        assert AuditEntry.objects.get().changes[0]["after"] == "Frankfurt"


def test_an_account_with_sites_is_deactivated_not_deleted(client, demo):
    client.force_login(demo.user(ADMIN))
    url = reverse("portal:desk-admin-account-status", args=[demo.globex.pk])

    refused = client.post(url, {"action": "delete"}, follow=True)
    client.post(url, {"action": "deactivate"})

    assert "It has sites." in refused.content.decode()
    with tenant_context(demo.northwind):
        demo.globex.refresh_from_db()
    assert demo.globex.is_active is False


def test_a_customer_account_gets_its_own_matrix_with_the_default_thresholds(client, demo):
    client.force_login(demo.user(ADMIN))

    response = client.post(
        reverse("portal:desk-admin-matrix-new"), {"name": "Globex escalation", "account": str(demo.globex.pk)}
    )

    assert response.status_code == 302
    with tenant_context(demo.northwind):
        matrix = EscalationMatrix.objects.get(account=demo.globex)
        thresholds = dict(EscalationPolicy.objects.filter(matrix=matrix).values_list("priority", "level_minutes"))
    assert thresholds["P2"] == [60, 120, 240, 480, 960]
    level = client.post(
        reverse("portal:desk-admin-level-new", args=[matrix.pk]), {"number": "1", "title": "Globex duty manager"}
    )
    twice = client.post(
        reverse("portal:desk-admin-level-new", args=[matrix.pk]), {"number": "1", "title": "Second level 1"}
    )
    assert level.status_code == 302
    assert twice.status_code == 400  # one level 1 for all product areas


def test_a_contact_is_a_person_of_the_desk_or_a_named_external_one(client, demo):
    client.force_login(demo.user(ADMIN))
    with tenant_context(demo.northwind):
        matrix = EscalationMatrix.objects.get(account__isnull=True)
        level = EscalationLevel.objects.filter(matrix=matrix, number=3).first()
    url = reverse("portal:desk-admin-contact-new", args=[matrix.pk])
    outsider = demo.user("agent@bluepeak.example")

    nameless = client.post(url, {"level": str(level.pk), "email": "x@northwind.example", "position": "1"})
    foreign = client.post(url, {"level": str(level.pk), "user": str(outsider.pk), "position": "1"})
    external = client.post(
        url, {"level": str(level.pk), "name": "Rita Roth", "phone": "+49 69 5550 2310", "position": "1"}
    )

    assert nameless.status_code == 400
    assert foreign.status_code == 400
    assert external.status_code == 302
    with tenant_context(demo.northwind):
        assert EscalationContact.objects.filter(level=level, name="Rita Roth").exists()
        assert not EscalationContact.objects.filter(user=outsider).exists()


def test_the_desk_settings_are_changed_with_their_audit_entry(client, demo):
    client.force_login(demo.user(ADMIN))
    with tenant_context(demo.northwind):
        office = BusinessCalendar.objects.get(name="Northwind office hours")
    with tenant_context(demo.bluepeak):
        foreign = BusinessCalendar.objects.first()
    url = reverse("portal:desk-admin-settings")
    data = {"name": "Northwind Networks", "default_language": "en", "time_zone": "Europe/Berlin",
            "reopen_window_days": "7", "breaching_soon_minutes": "60", "business_calendar": str(office.pk)}  # fmt: skip

    refused = client.post(url, {**data, "business_calendar": str(foreign.pk)})
    saved = client.post(url, data)

    assert refused.status_code == 400
    assert saved.status_code == 302
    demo.northwind.refresh_from_db()
    assert demo.northwind.default_language == "en"
    assert demo.northwind.business_calendar_id == office.pk
    with tenant_context(demo.northwind):
        entry = AuditEntry.objects.get()
    assert [(c["field"], c["before"], c["after"]) for c in entry.changes] == [("default_language", "German", "English")]


def test_the_breaching_soon_window_is_set_on_the_desk_settings_and_validated(client, demo):
    client.force_login(demo.user(ADMIN))
    url = reverse("portal:desk-admin-settings")
    data = {"name": demo.northwind.name, "default_language": demo.northwind.default_language,
            "time_zone": demo.northwind.time_zone, "reopen_window_days": "7",
            "business_calendar": str(demo.northwind.business_calendar_id or "")}  # fmt: skip

    shown = client.get(url)
    too_long = client.post(url, {**data, "breaching_soon_minutes": "1441"})
    zero = client.post(url, {**data, "breaching_soon_minutes": "0"})
    saved = client.post(url, {**data, "breaching_soon_minutes": "90"})

    assert 'name="breaching_soon_minutes"' in shown.content.decode()
    assert too_long.status_code == 400
    assert "Give between 1 and 1440 minutes" in too_long.content.decode()
    assert zero.status_code == 400
    assert saved.status_code == 302
    demo.northwind.refresh_from_db()
    assert demo.northwind.breaching_soon_minutes == 90
    with tenant_context(demo.northwind):
        entry = AuditEntry.objects.get()
    assert [(c["field"], c["before"], c["after"]) for c in entry.changes] == [("breaching_soon_minutes", "60", "90")]


def test_a_catalogue_item_needs_48_business_hours_and_a_requested_one_is_withdrawn(client, demo):
    client.force_login(demo.user(ADMIN))
    url = reverse("portal:desk-admin-catalogue-item-new")
    item = {"code": "vlan-change", "name": "VLAN change", "price": "120.00", "currency": "EUR",
            "lead_time_hours": "48", "position": "1"}  # fmt: skip

    too_soon = client.post(url, {**item, "lead_time_hours": "24"})
    created = client.post(url, item)

    assert too_soon.status_code == 400
    assert "At least 48 business hours ahead." in too_soon.content.decode()
    assert created.status_code == 302
    with tenant_context(demo.northwind):
        saved = CatalogueItem.objects.get(code="vlan-change")
    withdrawn = client.post(
        reverse("portal:desk-admin-catalogue-item-status", args=[saved.pk]), {"action": "deactivate"}
    )
    assert withdrawn.status_code == 302
    with tenant_context(demo.northwind):
        saved.refresh_from_db()
    assert saved.is_active is False


def test_a_closure_moves_a_globex_respond_target_past_it(
    client, demo, time_machine, eager_tasks, django_capture_on_commit_callbacks
):
    """Globex is on UK business hours: a Friday 16:55 London incident is to be answered on
    Monday at 08:40; with that Monday closed, on Tuesday at 08:40."""
    time_machine.move_to("2026-11-20T16:55:00Z", tick=False)  # London is on UTC in November
    ticket = incident(demo, who="bob@globex.example", service="NW-INET-3001", impact="degradation")
    with tenant_context(demo.northwind):
        clock = SlaClock.objects.get(ticket_id=ticket.pk, target="respond")
    assert clock.due_at == at("2026-11-23 08:40")
    client.force_login(demo.user(ADMIN))

    with django_capture_on_commit_callbacks(execute=True) as sent:
        response = client.post(
            reverse("portal:desk-admin-closure-add", args=[clock.calendar_id]),
            {"closure-date": "2026-11-23", "closure-reason": "Bridge day"},
            follow=True,
        )

    assert response.status_code == 200
    assert "the recompute of the running SLA clocks on it is queued" in response.content.decode()
    assert sent  # the recompute went to a task once the closure committed
    with tenant_context(demo.northwind):
        clock.refresh_from_db()
        entry = AuditEntry.objects.get()
    assert clock.due_at == at("2026-11-24 08:40")
    assert (entry.action, entry.object_type) == ("create", "calendar closure")


def test_a_question_others_depend_on_is_not_removed(client, demo):
    client.force_login(demo.user(ADMIN))
    with tenant_context(demo.northwind):
        symptom = QuestionnaireField.objects.get(service_type__code="internet", name="symptom")
        source = QuestionnaireField.objects.get(service_type__code="internet", name="source_ip")

    refused = client.post(reverse("portal:desk-admin-question-remove", args=[symptom.pk]), follow=True)
    removed = client.post(reverse("portal:desk-admin-question-remove", args=[source.pk]))

    assert "Asked only after an answer to it:" in refused.content.decode()
    assert removed.status_code == 302
    with tenant_context(demo.northwind):
        assert QuestionnaireField.objects.filter(pk=symptom.pk).exists()
        assert not QuestionnaireField.objects.filter(pk=source.pk).exists()
        assert list(AuditEntry.objects.values_list("action", "object_name")) == [("delete", "source_ip")]


def test_an_accent_colour_that_fails_wcag_contrast_is_refused(client, demo):
    client.force_login(demo.user(ADMIN))
    url = reverse("portal:desk-admin-settings")
    data = {"name": "Northwind Networks", "default_language": "de", "time_zone": "Europe/Berlin",
            "reopen_window_days": "7", "breaching_soon_minutes": "60", "business_calendar": ""}  # fmt: skip

    too_light = client.post(url, {**data, "accent_colour": "#7fb3e6"})
    not_a_colour = client.post(url, {**data, "accent_colour": "blue"})
    saved = client.post(url, {**data, "accent_colour": "#8A1C4A"})

    assert too_light.status_code == 400
    assert "WCAG AA needs at least 4.5:1" in too_light.content.decode()
    assert not_a_colour.status_code == 400
    assert saved.status_code == 302
    assert "--accent: #8a1c4a;" in client.get(url).content.decode()


def test_a_condition_names_answers_the_question_can_have(client, demo):
    client.force_login(demo.user(ADMIN))
    with tenant_context(demo.northwind):
        internet = ServiceType.objects.get(code="internet")

    response = client.post(
        reverse("portal:desk-admin-question-new", args=[internet.pk]),
        {"name": "router_rebooted", "label_en": "Rebooted?", "label_de": "Neu gestartet?", "label_es": "¿Reiniciado?",
         "field_type": "yes_no", "position": "9", "condition_field": "symptom", "condition_values": "slow"},
    )  # fmt: skip

    assert response.status_code == 400
    assert "That question&#x27;s answers are: " in response.content.decode()
    with tenant_context(demo.northwind):
        assert not QuestionnaireField.objects.filter(name="router_rebooted").exists()


def test_a_service_is_placed_at_a_site_of_its_own_account_only(client, demo):
    client.force_login(demo.user(ADMIN))
    with tenant_context(demo.northwind):
        internet = ServiceType.objects.get(code="internet")
    url = reverse("portal:desk-admin-service-new", args=[demo.globex.pk])
    data = {"service_id": "NW-INET-3999", "service_type": str(internet.pk), "product": "Business Internet",
            "site": str(demo.london.pk), "status": "in_service"}  # fmt: skip

    elsewhere = client.post(url, {**data, "site": str(demo.frankfurt.pk)})
    taken = client.post(url, {**data, "service_id": "NW-INET-3001"})
    created = client.post(url, data)

    assert elsewhere.status_code == 400
    assert taken.status_code == 400
    assert created.status_code == 302
    with tenant_context(demo.northwind):
        assert Service.objects.get(service_id="NW-INET-3999").account_id == demo.globex.pk


def test_a_new_contract_tier_moves_the_running_clocks_of_the_service(
    client, demo, time_machine, eager_tasks, django_capture_on_commit_callbacks
):
    time_machine.move_to("2026-11-20T16:55:00Z", tick=False)
    ticket = incident(demo, who="bob@globex.example", service="NW-INET-3001", impact="degradation")
    with tenant_context(demo.northwind):
        clock = SlaClock.objects.get(ticket_id=ticket.pk, target="respond")
        contract = Contract.objects.get(service__service_id="NW-INET-3001")
    assert clock.due_at == at("2026-11-23 08:40")  # UK business hours
    client.force_login(demo.user(ADMIN))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("portal:desk-admin-contract", args=[contract.pk]),
            {"kind": contract.kind, "tier": "premium_24x7", "reference": contract.reference,
             "valid_from": contract.valid_from.isoformat(),
             "valid_until": contract.valid_until.isoformat() if contract.valid_until else ""},
        )  # fmt: skip

    assert response.status_code == 302
    with tenant_context(demo.northwind):
        clock.refresh_from_db()
    assert clock.due_at == at("2026-11-20 17:10")  # premium 24×7: 15 minutes at any hour


def _mailbox_form(client, url: str) -> dict[str, str]:
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["form"]
    data = {name: form[name].value() for name in form.fields if name != "imap_password"}
    return {k: ("on" if v is True else "" if v in (None, False) else str(v)) for k, v in data.items()}


def test_the_administrator_sets_the_imap_mailbox_the_password_stays_secret_and_is_audited(client, demo):
    client.force_login(demo.user(ADMIN))
    url = reverse("portal:desk-admin-mailbox")
    data = _mailbox_form(client, url)
    assert data["transport"] == "maildir"
    imap = {**data, "transport": "imap", "desk_address": "Support@Northwind.example", "imap_host": "imap.northwind.example",
            "imap_port": "993", "imap_security": "tls", "imap_username": "desk", "imap_folder": "INBOX"}  # fmt: skip

    refused = client.post(url, imap)  # no password yet
    assert refused.status_code == 400
    assert refused.context["form"].errors["imap_password"] == ["Needed to read the mailbox over IMAP."]
    saved = client.post(url, {**imap, "imap_password": "s3cret pass"})
    assert saved.status_code == 302

    with tenant_context(demo.northwind):
        mailbox = Mailbox.objects.get()
        entry = AuditEntry.objects.get()
    assert (mailbox.transport, mailbox.imap_host, mailbox.imap_username) == ("imap", "imap.northwind.example", "desk")
    assert "s3cret" not in mailbox.imap_password_encrypted
    assert decrypt_secret(mailbox.imap_password_encrypted) == "s3cret pass"
    assert Tenant.objects.get(pk=demo.northwind.pk).desk_address == "support@northwind.example"
    changes = {c["field"]: (c["before"], c["after"]) for c in entry.changes}
    assert changes["imap_password"] == ("not set", "set")
    assert changes["desk_address"] == ("", "support@northwind.example")
    assert changes["transport"] == ("", "IMAP mailbox")  # the desk had no mailbox before
    assert "s3cret" not in str(entry.changes)

    # The page says the password is set and never shows it; an empty field keeps it.
    page = client.get(url)
    assert "s3cret" not in page.content.decode()
    assert page.context["form"].password_is_set
    again = _mailbox_form(client, url)
    assert client.post(url, {**again, "answer_unknown_senders": "on"}).status_code == 302
    with tenant_context(demo.northwind):
        mailbox.refresh_from_db()
    assert decrypt_secret(mailbox.imap_password_encrypted) == "s3cret pass"
    assert mailbox.answer_unknown_senders is True
    # Bluepeak's desk is untouched.
    assert Tenant.objects.get(pk=demo.bluepeak.pk).desk_address == ""
    with tenant_context(demo.bluepeak):
        assert not Mailbox.objects.filter(transport="imap").exists()


def test_mailbox_errors_are_next_to_their_fields(client, demo):
    client.force_login(demo.user(ADMIN))
    url = reverse("portal:desk-admin-mailbox")
    data = _mailbox_form(client, url)
    response = client.post(url, {**data, "transport": "imap", "imap_host": "imap example", "imap_port": "70000",
                                 "imap_username": "", "desk_address": "not-an-address"})  # fmt: skip
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) >= {"imap_host", "imap_port", "imap_username", "imap_password", "desk_address"}
    html = response.content.decode()
    assert 'class="field has-error"' in html
    assert 'href="#id_imap_port"' in html  # the summary leads to the field


def test_a_stale_mailbox_save_is_refused_and_names_the_other_change(client, demo):
    client.force_login(demo.user(ADMIN))
    url = reverse("portal:desk-admin-mailbox")
    with tenant_context(demo.northwind):
        Mailbox.objects.get_or_create(tenant=demo.northwind)
    data = _mailbox_form(client, url)
    Tenant.objects.filter(pk=demo.northwind.pk).update(desk_address="other@northwind.example")

    stale = client.post(url, {**data, "desk_address": "mine@northwind.example"})
    assert stale.status_code == 400
    assert stale.context["stale"] == [{"label": "Desk address", "seen": "", "now": "other@northwind.example"}]
    assert Tenant.objects.get(pk=demo.northwind.pk).desk_address == "other@northwind.example"
    # Saved again knowingly, it replaces the other change.
    again = {
        **data,
        **{k: v for k, v in _form_data(stale).items() if k == "seen"},
        "desk_address": "mine@northwind.example",
    }
    assert client.post(url, again).status_code == 302
    assert Tenant.objects.get(pk=demo.northwind.pk).desk_address == "mine@northwind.example"


def _form_data(response) -> dict[str, str]:
    form = response.context["form"]
    return {"seen": str(form["seen"].value() or "")}


def test_the_mailbox_page_is_in_german_and_spanish(client, demo):
    client.force_login(demo.user(ADMIN))
    url = reverse("portal:desk-admin-mailbox")
    for language, words in (("de", "Postfach"), ("es", "Buzón")):
        User.objects.filter(email=ADMIN).update(language=language)
        page = client.get(url)
        assert words in page.content.decode(), language


def test_a_calendar_change_recomputes_after_commit_not_in_the_request(
    client, demo, time_machine, eager_tasks, django_capture_on_commit_callbacks
):
    """The request only queues the recompute: until its transaction commits, no clock moved."""
    time_machine.move_to("2026-11-20T16:55:00Z", tick=False)
    ticket = incident(demo, who="bob@globex.example", service="NW-INET-3001", impact="degradation")
    with tenant_context(demo.northwind):
        clock = SlaClock.objects.get(ticket_id=ticket.pk, target="respond")
    client.force_login(demo.user(ADMIN))

    with django_capture_on_commit_callbacks(execute=False) as queued:
        client.post(
            reverse("portal:desk-admin-closure-add", args=[clock.calendar_id]),
            {"closure-date": "2026-11-23", "closure-reason": "Bridge day"},
        )
    with tenant_context(demo.northwind):
        clock.refresh_from_db()
    assert clock.due_at == at("2026-11-23 08:40")  # not moved inside the request
    for callback in queued:
        callback()  # the commit: the task runs (eagerly here)

    with tenant_context(demo.northwind):
        clock.refresh_from_db()
    assert clock.due_at == at("2026-11-24 08:40")


def test_the_recompute_task_is_idempotent_and_stays_in_its_tenant(demo, time_machine, eager_tasks):
    time_machine.move_to("2026-11-20T16:55:00Z", tick=False)
    ticket = incident(demo, who="bob@globex.example", service="NW-INET-3001", impact="degradation")
    with tenant_context(demo.northwind):
        clock = SlaClock.objects.get(ticket_id=ticket.pk, target="respond")
        CalendarClosure.objects.create(tenant=demo.northwind, calendar_id=clock.calendar_id, date=dt.date(2026, 11, 23))

    # Sent for Bluepeak with Northwind's calendar: Bluepeak has no such calendar, nothing moves.
    elsewhere = recompute_clocks_task.apply(kwargs={"tenant_id": demo.bluepeak.pk, "calendar_id": clock.calendar_id})
    with tenant_context(demo.northwind):
        clock.refresh_from_db()
    due_elsewhere = clock.due_at
    first = recompute_clocks_task.apply(kwargs={"tenant_id": demo.northwind.pk, "calendar_id": clock.calendar_id})
    with tenant_context(demo.northwind):
        clock.refresh_from_db()
    due_first = clock.due_at
    again = recompute_clocks_task.apply(kwargs={"tenant_id": demo.northwind.pk, "calendar_id": clock.calendar_id})
    with tenant_context(demo.northwind):
        clock.refresh_from_db()

    assert (elsewhere.result, first.result, again.result) == (0, 1, 1)
    assert due_elsewhere == at("2026-11-23 08:40")
    assert due_first == at("2026-11-24 08:40")
    assert clock.due_at == due_first
