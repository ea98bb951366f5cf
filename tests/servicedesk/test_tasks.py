"""The tenant-carrying Celery base task, through a real worker and the Redis broker."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core.cache import cache

from config.celery import app as celery_app
from servicedesk.models import Site
from servicedesk.tasks import TenantTask
from servicedesk.tenancy import TenantNotSet, current_tenant_id, tenant_context


@celery_app.task(base=TenantTask, name="tests.record_visible_sites")
def record_visible_sites(marker: str) -> None:
    cache.set(marker, {"tenant": current_tenant_id(), "sites": sorted(Site.objects.values_list("name", flat=True))})


@pytest.mark.django_db
def test_sending_a_tenant_task_without_a_tenant_raises():
    with pytest.raises(TenantNotSet):
        record_visible_sites.delay("never")


def test_running_a_tenant_task_without_tenant_id_is_refused():
    with pytest.raises(ValueError, match="tenant_id"):
        record_visible_sites("never")


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_task_inside_the_senders_tenant():
    from servicedesk.models import Tenant
    from tests.factories.world import build_world

    build_world()
    bluepeak = Tenant.objects.get(slug="bluepeak")
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        with tenant_context(bluepeak):
            record_visible_sites.delay("marker-bluepeak")
        assert current_tenant_id() is None
        deadline = time.monotonic() + 20
        while cache.get("marker-bluepeak") is None and time.monotonic() < deadline:
            time.sleep(0.1)
    assert cache.get("marker-bluepeak") == {"tenant": bluepeak.pk, "sites": ["Barcelona"]}
