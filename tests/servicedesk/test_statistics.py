"""Planner statistics a sweep outgrows are refreshed at once (servicedesk.db.statistics)."""

import pytest
from django.db import connection

from servicedesk.db.statistics import analyze_if_behind
from servicedesk.models import Tenant
from tests.factories import TenantFactory


def _planner_rows(table):
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [table])
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_a_table_whose_statistics_count_fewer_rows_than_it_holds_is_analysed():
    TenantFactory.create_batch(3)
    holds = Tenant.objects.count()
    # Whatever an earlier ANALYZE left (statistics outlive a rolled-back test): claim one more.
    claimed = max(int(_planner_rows("servicedesk_tenant")), 0) + 1

    assert analyze_if_behind({Tenant: claimed}) == ["servicedesk_tenant"]
    assert _planner_rows("servicedesk_tenant") == holds


@pytest.mark.django_db
def test_statistics_that_know_the_rows_are_left_alone():
    TenantFactory.create_batch(3)
    holds = Tenant.objects.count()
    analyze_if_behind({Tenant: int(_planner_rows("servicedesk_tenant")) + 1})

    assert analyze_if_behind({Tenant: holds}) == []
    assert analyze_if_behind({Tenant: 0}) == []
