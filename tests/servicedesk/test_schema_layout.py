"""Every index and unique constraint on a tenant-owned table starts with tenant_id, so the
tables can be distributed by tenant later without a rewrite (README, "Scaling out")."""

import pytest
from django.db import connection

from servicedesk.tenancy import tenant_owned_models


@pytest.mark.django_db
@pytest.mark.parametrize("model", tenant_owned_models(), ids=lambda m: m.__name__)
def test_indexes_and_unique_constraints_start_with_tenant_id(model):
    table = model._meta.db_table
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    offenders = {
        name: info["columns"]
        for name, info in constraints.items()
        if (info["index"] or info["unique"]) and not info["primary_key"] and info["columns"][:1] != ["tenant_id"]
    }
    assert offenders == {}
