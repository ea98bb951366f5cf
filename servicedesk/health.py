"""GET /healthz: the state of the database, the broker and the worker heartbeat."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from servicedesk.tasks import HEARTBEAT_KEY


def _database() -> dict[str, Any]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - reported, not raised: this is the health report
        return {"ok": False, "vendor": connection.vendor, "error": exc.__class__.__name__}
    return {"ok": True, "vendor": connection.vendor}


def _broker() -> dict[str, Any]:
    transport = str(settings.CELERY_BROKER_URL).split(":", 1)[0]
    try:
        with current_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:  # noqa: BLE001 - reported, not raised
        return {"ok": False, "transport": transport, "error": exc.__class__.__name__}
    return {"ok": True, "transport": transport}


def _worker() -> dict[str, Any]:
    try:
        raw = cache.get(HEARTBEAT_KEY)
    except Exception as exc:  # noqa: BLE001 - reported, not raised
        return {"last_heartbeat": None, "error": exc.__class__.__name__}
    if not raw:
        return {"last_heartbeat": None, "age_seconds": None}
    seen = datetime.fromisoformat(raw)
    return {"last_heartbeat": raw, "age_seconds": round((timezone.now() - seen).total_seconds(), 1)}


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    database, broker = _database(), _broker()
    healthy = database["ok"] and broker["ok"]
    body = {"status": "ok" if healthy else "unavailable", "database": database, "broker": broker, "worker": _worker()}
    return JsonResponse(body, status=200 if healthy else 503)
