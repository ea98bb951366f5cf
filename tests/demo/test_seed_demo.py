"""seed_demo: the demo world of API.md, the same after any number of runs."""

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError

from servicedesk.models import Tenant, User, tenant_owned_models
from servicedesk.tenancy import tenant_context


def _snapshot():
    """Every core row's values (timestamps of sign-ins aside), table by table."""
    rows = {}
    models = [m for label in ("servicedesk", "orders", "tickets") for m in apps.get_app_config(label).get_models()]
    for model in models:
        if model in tenant_owned_models():
            values = []
            for tenant in Tenant.objects.all():
                with tenant_context(tenant):
                    values += list(model.objects.values())
        else:
            values = list(model._base_manager.values())
        for row in values:
            row.pop("last_login", None)
        rows[model.__name__] = sorted(values, key=lambda r: r["id"])
    return rows


@pytest.mark.django_db
def test_seed_demo_twice_gives_the_same_data():
    call_command("seed_demo", quiet_logins=True)
    first = _snapshot()
    call_command("seed_demo", quiet_logins=True)
    assert _snapshot() == first
    assert len(first["User"]) == 10


@pytest.mark.django_db
def test_seed_demo_builds_the_published_demo_world(capsys):
    call_command("seed_demo")
    printed = capsys.readouterr().out
    assert "demo-pass-2026" in printed
    assert "alice@acme.example" in printed

    northwind, bluepeak = Tenant.objects.get(slug="northwind"), Tenant.objects.get(slug="bluepeak")
    assert (northwind.name, northwind.time_zone, bluepeak.name, bluepeak.time_zone) == (
        "Northwind Networks",
        "Europe/Berlin",
        "Bluepeak Hosting",
        "Europe/Madrid",
    )
    roles = dict(User.objects.values_list("email", "role"))
    assert roles == {
        "admin@northwind.example": "admin",
        "manager@northwind.example": "manager",
        "agent@northwind.example": "agent",
        "voice.agent@northwind.example": "agent",
        "alice@acme.example": "customer",
        "dave@acme.example": "customer",
        "bob@globex.example": "customer",
        "agent@bluepeak.example": "agent",
        "carol@initech.example": "customer",
        "operator@desk.example": "",
    }
    with tenant_context(northwind):
        dave = User.objects.get(email="dave@acme.example")
        assert [r.site.name for r in dave.site_restrictions.select_related("site")] == ["Madrid"]
        agent = User.objects.get(email="agent@northwind.example")
        assert [m.team.product_area.name for m in agent.team_memberships.select_related("team__product_area")] == [
            "Data/IP/ICT"
        ]
    assert all(user.check_password("demo-pass-2026") for user in User.objects.all())


@pytest.mark.django_db
def test_seed_demo_keeps_a_changed_password(demo):
    alice = demo.user("alice@acme.example")
    alice.set_password("a-new-secret-2027")
    alice.save()
    call_command("seed_demo", quiet_logins=True)
    alice.refresh_from_db()
    assert alice.check_password("a-new-secret-2027")


@pytest.mark.django_db
def test_seed_demo_refuses_to_run_outside_demo_mode(settings):
    settings.DEMO_MODE = False
    User.objects.filter(email="alice@acme.example").update(full_name="Changed")
    with pytest.raises(CommandError, match="DEMO_MODE"):
        call_command("seed_demo")
    assert User.objects.get(email="alice@acme.example").full_name == "Changed"
