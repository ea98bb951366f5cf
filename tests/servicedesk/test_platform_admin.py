"""The platform operators' admin: the one page that crosses tenants, for superusers only."""

import pytest
from django.test import Client

from servicedesk.db.aliases import SYSTEM_DB
from servicedesk.models import User
from tests.factories.world import build_world


@pytest.fixture
def seeded(transactional_db):
    # The admin reads through the system connection, which sees committed rows only.
    build_world()


@pytest.mark.django_db(transaction=True, databases=["default", SYSTEM_DB])
def test_a_platform_operator_sees_every_tenants_sites(seeded):
    client = Client()
    client.force_login(User.objects.get(email="operator@desk.example"))
    page = client.get("/platform-admin/servicedesk/site/").content.decode()
    for name in ("Frankfurt", "Madrid", "London", "Barcelona"):
        assert name in page


@pytest.mark.django_db(transaction=True, databases=["default", SYSTEM_DB])
@pytest.mark.parametrize("email", ["admin@northwind.example", "manager@northwind.example", "alice@acme.example"])
def test_tenant_users_do_not_get_into_the_platform_admin(seeded, email):
    client = Client()
    client.force_login(User.objects.get(email=email))
    response = client.get("/platform-admin/servicedesk/site/")
    assert response.status_code == 302
    assert response["Location"].startswith("/platform-admin/login/")
