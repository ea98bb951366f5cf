from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

HEARTBEAT_KEY = "worker-heartbeat"


@shared_task(ignore_result=True)
def heartbeat_task() -> None:
    """Record that beat scheduled and a worker ran a task; /healthz reports its age."""
    cache.set(HEARTBEAT_KEY, timezone.now().isoformat(), timeout=None)
