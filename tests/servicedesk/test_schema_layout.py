"""Every index and unique constraint on a tenant-owned table starts with tenant_id, so the
tables can be distributed by tenant later without a rewrite (README, "Scaling out")."""

import pytest
from django.db import connection

from servicedesk.models import tenant_owned_models

# The beat sweeps' entrances: one range scan over every tenant's due rows (README, "Timers").
# Not unique, so distributing the table by tenant keeps them as they are, one per shard.
CROSS_TENANT_TIMER_INDEXES = {
    "slaclock_next_check_idx",
    "ticketesc_next_check_idx",
    "escattempt_unnotified_idx",
    "escevent_unnotified_idx",
    "slaalert_unnotified_idx",
}


@pytest.mark.django_db
@pytest.mark.parametrize("model", tenant_owned_models(), ids=lambda m: m.__name__)
def test_indexes_and_unique_constraints_start_with_tenant_id(model):
    table = model._meta.db_table
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    offenders = {
        name: info["columns"]
        for name, info in constraints.items()
        if (info["index"] or info["unique"])
        and not info["primary_key"]
        and info["columns"][:1] != ["tenant_id"]
        and name not in CROSS_TENANT_TIMER_INDEXES
    }
    assert offenders == {}
