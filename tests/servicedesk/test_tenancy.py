"""The tenant manager: the current tenant's rows, or an error; never every tenant's."""

import pytest
from django.db import connections

from servicedesk import cross_tenant
from servicedesk.db.aliases import SYSTEM_DB
from servicedesk.models import CustomerAccount, Site, TenantOwned, tenant_owned_models
from servicedesk.tenancy import TenantManager, TenantNotSet, current_tenant_id, tenant_context
from tests.factories import AccountFactory, SiteFactory, TenantFactory


@pytest.mark.django_db
@pytest.mark.parametrize("model", tenant_owned_models(), ids=lambda m: m.__name__)
def test_query_without_a_tenant_raises(model):
    with pytest.raises(TenantNotSet):
        list(model.objects.all())


@pytest.mark.django_db
def test_counting_or_getting_without_a_tenant_raises_too():
    with pytest.raises(TenantNotSet):
        CustomerAccount.objects.count()
    with pytest.raises(TenantNotSet):
        CustomerAccount.objects.get(pk=1)


@pytest.mark.django_db
def test_writing_without_a_tenant_raises_and_writes_nothing():
    tenant = TenantFactory()
    with pytest.raises(TenantNotSet):
        CustomerAccount.objects.create(tenant=tenant, name="Nowhere")
    with pytest.raises(TenantNotSet):
        CustomerAccount.objects.bulk_create([CustomerAccount(tenant=tenant, name="Nowhere")])
    with tenant_context(tenant):
        assert not CustomerAccount.objects.filter(name="Nowhere").exists()
        # Inside the tenant both write, and the rows are read back through the tenant's filter.
        CustomerAccount.objects.create(tenant=tenant, name="Somewhere")
        CustomerAccount.objects.bulk_create([CustomerAccount(tenant=tenant, name="Elsewhere")])
        assert set(CustomerAccount.objects.values_list("name", flat=True)) >= {"Somewhere", "Elsewhere"}


def test_every_tenant_owned_model_uses_the_tenant_manager():
    models = tenant_owned_models()
    assert {m.__name__ for m in models} >= {
        "CustomerAccount",
        "Site",
        "ProductArea",
        "Team",
        "SiteRestriction",
        "TeamMembership",
    }
    for model in models:
        assert issubclass(model, TenantOwned)
        # The tenant manager or one built on it (customer-owned models: CustomerOwnedManager).
        assert isinstance(model._default_manager, TenantManager), model


@pytest.mark.django_db
def test_the_current_tenant_sees_only_its_own_rows():
    mine, theirs = AccountFactory(name="Mine"), AccountFactory(name="Theirs")
    with tenant_context(mine.tenant):
        assert list(CustomerAccount.objects.values_list("name", flat=True)) == ["Mine"]
        assert CustomerAccount.objects.filter(pk=theirs.pk).first() is None
    with tenant_context(theirs.tenant):
        assert list(CustomerAccount.objects.values_list("name", flat=True)) == ["Theirs"]


@pytest.mark.django_db
def test_tenant_context_restores_the_previous_tenant():
    first, second = TenantFactory(), TenantFactory()
    assert current_tenant_id() is None
    with tenant_context(first):
        with tenant_context(second):
            assert current_tenant_id() == second.pk
        assert current_tenant_id() == first.pk
    assert current_tenant_id() is None


@pytest.mark.django_db
def test_tenant_context_is_restored_when_the_block_raises():
    tenant = TenantFactory()
    with pytest.raises(ZeroDivisionError), tenant_context(tenant):
        1 / 0  # noqa: B018
    assert current_tenant_id() is None


@pytest.mark.django_db(transaction=True, databases=["default", SYSTEM_DB])
def test_across_tenants_reads_every_tenant_through_the_system_connection():
    first, second = SiteFactory(), SiteFactory()
    rows = cross_tenant.across_tenants(Site).filter(pk__in=[first.pk, second.pk])
    assert rows.db == SYSTEM_DB
    assert sorted(rows.values_list("tenant_id", flat=True)) == sorted([first.tenant_id, second.tenant_id])
    # The system connection is a different login from the application's.
    with connections[SYSTEM_DB].cursor() as cursor:
        cursor.execute("SELECT current_user")
        assert cursor.fetchone()[0] != connections["default"].settings_dict["USER"]
