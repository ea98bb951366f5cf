"""The tenant-carrying base task every app's tasks use, and the worker heartbeat."""

from __future__ import annotations

from typing import Any

from celery import Task, shared_task
from django.core.cache import cache
from django.utils import timezone

HEARTBEAT_KEY = "worker-heartbeat"


class TenantTask(Task):
    """A task that runs inside one tenant.

    The tenant travels as the ``tenant_id`` keyword argument: filled in from the current
    tenant when the task is sent, and made current (with a transaction, so row-level
    security sees it) when the task runs.
    """

    abstract = True
    # Celery checks call arguments against run()'s signature when sending; tenant_id is ours.
    typing = False

    def apply_async(self, args: Any = None, kwargs: Any = None, *extra: Any, **options: Any) -> Any:
        from servicedesk.tenancy import require_tenant_id

        kwargs = dict(kwargs or {})
        if "tenant_id" not in kwargs:  # a sender that names the tenant needs none current
            kwargs["tenant_id"] = require_tenant_id()
        return super().apply_async(args, kwargs, *extra, **options)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from django.db import transaction

        from servicedesk.tenancy import tenant_context

        tenant_id = kwargs.pop("tenant_id", None)
        if not isinstance(tenant_id, int):
            raise ValueError(f"{self.name} needs a tenant_id; got {tenant_id!r}")
        with tenant_context(tenant_id), transaction.atomic():
            return super().__call__(*args, **kwargs)


@shared_task(ignore_result=True)
def heartbeat_task() -> None:
    """Record that beat scheduled and a worker ran a task; /healthz reports its age."""
    cache.set(HEARTBEAT_KEY, timezone.now().isoformat(), timeout=None)
