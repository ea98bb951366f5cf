"""GET /api/v1/admin/audit-entries/: the tenant administrator's read-only audit log. Other
roles are refused, another tenant's entries are not there, and nothing can be written."""

from __future__ import annotations

import pytest

from servicedesk import audit
from servicedesk.models import AuditEntry, Team
from servicedesk.tenancy import tenant_context

pytestmark = pytest.mark.django_db

URL = "/api/v1/admin/audit-entries/"


def _entry(demo, tenant, admin_email: str, name: str) -> AuditEntry:
    with tenant_context(tenant):
        team = Team.objects.create(tenant=tenant, name=name)
        return audit.record(
            actor=demo.user(admin_email),
            action=AuditEntry.Action.CREATE,
            instance=team,
            changes=[audit.Change("name", "name", "", name)],
        )


def test_the_administrator_reads_the_audit_log_newest_first_and_searches_it(demo):
    first = _entry(demo, demo.northwind, "admin@northwind.example", "Fibre crew")
    second = _entry(demo, demo.northwind, "admin@northwind.example", "Voice crew")
    client = demo.api("admin@northwind.example")

    listed = client.get(URL)
    searched = client.get(URL, {"q": "fibre"})
    one = client.get(f"{URL}{first.pk}/")

    assert listed.status_code == 200
    assert [row["id"] for row in listed.json()["results"]] == [second.pk, first.pk]
    assert [row["object_name"] for row in searched.json()["results"]] == ["Fibre crew"]
    assert one.json() == {
        "id": first.pk, "at": one.json()["at"], "actor": {"id": demo.user("admin@northwind.example").pk,
        "name": "Greta Hoffmann"}, "action": "create", "object_type": "team", "object_id": str(first.object_id),
        "object_name": "Fibre crew", "changes": [{"field": "name", "label": "name", "before": "", "after": "Fibre crew"}],
    }  # fmt: skip


def test_a_filter_by_action_and_a_bad_one(demo):
    _entry(demo, demo.northwind, "admin@northwind.example", "Fibre crew")
    client = demo.api("admin@northwind.example")

    deletions = client.get(URL, {"action": "delete"})
    bad = client.get(URL, {"action": "explode"})

    assert deletions.json()["results"] == []
    assert bad.status_code == 400
    assert "action" in bad.json()


def test_another_tenants_entries_are_not_there(demo):
    theirs = _entry(demo, demo.bluepeak, "agent@bluepeak.example", "Equipo de fibra")
    client = demo.api("admin@northwind.example")

    assert client.get(f"{URL}{theirs.pk}/").status_code == 404
    assert theirs.pk not in [row["id"] for row in client.get(URL).json()["results"]]


@pytest.mark.parametrize("email", ["manager@northwind.example", "agent@northwind.example", "alice@acme.example"])
def test_other_roles_are_refused(demo, email):
    entry = _entry(demo, demo.northwind, "admin@northwind.example", "Fibre crew")
    client = demo.api(email)

    assert client.get(URL).status_code == 403
    assert client.get(f"{URL}{entry.pk}/").status_code == 403


def test_the_audit_log_cannot_be_written_through_the_api(demo):
    entry = _entry(demo, demo.northwind, "admin@northwind.example", "Fibre crew")
    client = demo.api("admin@northwind.example")

    created = client.post(URL, {"action": "delete"}, format="json")
    changed = client.patch(f"{URL}{entry.pk}/", {"object_name": "x"}, format="json")
    deleted = client.delete(f"{URL}{entry.pk}/")

    assert (created.status_code, changed.status_code, deleted.status_code) == (405, 405, 405)
    with tenant_context(demo.northwind):
        assert AuditEntry.objects.get(pk=entry.pk).object_name == "Fibre crew"
