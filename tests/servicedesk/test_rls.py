"""Row-level security: the database's own wall, under the tenant manager.

These tests talk to PostgreSQL beneath the ORM (``connection.connection`` is the raw
psycopg2 connection, which skips the backend's tenant statement) to show what the database
itself allows.
"""

import pytest
from django.db import connection, transaction
from django.test import Client

from servicedesk.db.rls import POLICY_NAME
from servicedesk.models import Site, Tenant, tenant_owned_models
from servicedesk.tenancy import tenant_context
from tests.factories.world import build_world


def _raw(sql, params=None):
    """Run SQL on the application's connection without the backend's tenant statement."""
    connection.ensure_connection()
    with connection.connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@pytest.mark.django_db
def test_every_tenant_owned_table_is_behind_a_forced_policy():
    tables = sorted(model._meta.db_table for model in tenant_owned_models())
    rows = _raw(
        """
        SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
               (SELECT count(*) FROM pg_policies p WHERE p.tablename = c.relname AND p.policyname = %s)
        FROM pg_class c WHERE c.relname = ANY(%s)
        """,
        [POLICY_NAME, tables],
    )
    found = {name: (enabled, forced, policies) for name, enabled, forced, policies in rows}
    missing = [t for t in tables if found.get(t) != (True, True, 1)]
    assert tables, "the registry lists no tenant-owned tables"
    assert missing == [], f"tenant-owned tables without an enabled, forced tenant policy: {missing}"


@pytest.mark.django_db
def test_every_table_with_a_tenant_column_is_a_tenant_owned_model():
    """A table that has tenant_id but no policy (e.g. a model that forgot the base class)."""
    with_column = {
        name for (name,) in _raw("SELECT table_name FROM information_schema.columns WHERE column_name = 'tenant_id'")
    }
    identity_tables = {"servicedesk_user"}  # read before a tenant is known; see User's docstring
    owned = {model._meta.db_table for model in tenant_owned_models()}
    assert with_column - identity_tables == owned


@pytest.mark.django_db
def test_the_application_role_is_held_by_row_level_security():
    ((superuser, bypass),) = _raw("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
    assert (superuser, bypass) == (False, False)


@pytest.mark.django_db(transaction=True)
def test_raw_sql_without_the_setting_sees_no_rows():
    build_world()
    northwind = Tenant.objects.get(slug="northwind")
    with tenant_context(northwind):
        assert Site.objects.count() == 3  # the rows exist, and this statement's setting ended with it
    assert _raw("SELECT count(*) FROM servicedesk_site") == [(0,)]


@pytest.mark.django_db
def test_raw_sql_with_another_tenants_setting_sees_none_of_this_tenants_rows(demo):
    _raw("SELECT set_config('app.tenant_id', %s, true)", [str(demo.bluepeak.pk)])
    names = {name for (name,) in _raw("SELECT name FROM servicedesk_site")}
    assert names == {"Barcelona"}


@pytest.mark.django_db
def test_writing_a_row_for_another_tenant_is_refused(demo):
    """WITH CHECK: a row cannot be inserted into, or moved to, a tenant that is not current."""
    from django.db.utils import ProgrammingError

    with (
        tenant_context(demo.bluepeak),
        pytest.raises(ProgrammingError, match="row-level security"),
        transaction.atomic(),
    ):
        Site.objects.create(
            tenant=demo.northwind, account=demo.acme, name="Sneaky", country="DE", time_zone="Europe/Berlin"
        )
    with tenant_context(demo.northwind):
        assert not Site.objects.filter(name="Sneaky").exists()


@pytest.mark.django_db
def test_the_backend_scopes_even_a_query_that_skips_the_manager(demo):
    """_base_manager has no tenant filter; the database still holds it to the current tenant."""
    with tenant_context(demo.bluepeak):
        assert list(Site._base_manager.values_list("name", flat=True)) == ["Barcelona"]
    assert list(Site._base_manager.values_list("name", flat=True)) == []


@pytest.mark.django_db(transaction=True)
def test_the_next_request_on_the_same_connection_sees_nothing_of_the_previous_tenant():
    build_world()
    client = Client()
    client.post("/accounts/login/", {"username": "alice@acme.example", "password": "demo-pass-2026"})
    response = client.get("/portal/")
    assert response.status_code == 200
    assert b"Frankfurt" in response.content  # the request did see its tenant's rows
    ((backend_pid,),) = _raw("SELECT pg_backend_pid()")

    # The same database session (persistent connection), after the request's transaction ended:
    assert _raw("SELECT pg_backend_pid()") == [(backend_pid,)]
    assert _raw("SELECT coalesce(current_setting('app.tenant_id', true), '')") == [("",)]
    assert _raw("SELECT count(*) FROM servicedesk_site") == [(0,)]

    # And a following anonymous request served on that connection sees no tenant either.
    anonymous = Client().get("/accounts/login/")
    assert anonymous.status_code == 200
    assert _raw("SELECT pg_backend_pid()") == [(backend_pid,)]
    assert _raw("SELECT count(*) FROM servicedesk_site") == [(0,)]
