"""Handing work from services to tasks: by the task's name, once the transaction commits.

Services never import an app's tasks module (tasks import services: one way, no import
circle); each app's ``ready()`` imports its tasks, so every process, not only a worker, knows
them by name and ``.delay`` behaves as usual (the base task's tenant, eager mode in tests).
"""

from __future__ import annotations

from typing import Any

from celery import current_app
from django.db import transaction

from servicedesk import cross_tenant


def send_on_commit(task_name: str, *, across_tenants: bool = False, **kwargs: Any) -> None:
    """Send the task ``task_name`` with these keyword arguments once the transaction commits:
    the default connection's, or the system connection's (``across_tenants``: a sweep's batch
    across tenants)."""

    def send() -> None:
        current_app.tasks[task_name].delay(**kwargs)

    if across_tenants:
        cross_tenant.on_commit(send)
    else:
        transaction.on_commit(send)
