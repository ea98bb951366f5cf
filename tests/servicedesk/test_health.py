"""GET /healthz: database, broker and the worker heartbeat."""

import pytest
from django.core.cache import cache

from config.celery import app as celery_app
from servicedesk.tasks import HEARTBEAT_KEY, heartbeat_task


@pytest.mark.django_db
def test_healthz_reports_database_and_broker(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == {"ok": True, "vendor": "postgresql"}
    assert body["broker"] == {"ok": True, "transport": "redis"}
    assert body["worker"] == {"last_heartbeat": None, "age_seconds": None}


@pytest.mark.django_db
def test_healthz_shows_the_heartbeat_age(client, time_machine):
    time_machine.move_to("2026-11-21T10:00:00Z", tick=False)
    heartbeat_task.apply()
    time_machine.move_to("2026-11-21T10:00:42Z", tick=False)
    body = client.get("/healthz").json()
    assert body["worker"] == {"last_heartbeat": cache.get(HEARTBEAT_KEY), "age_seconds": 42.0}


@pytest.mark.django_db
def test_healthz_is_503_when_the_broker_is_down(client, monkeypatch):
    monkeypatch.setattr(celery_app.conf, "broker_url", "redis://127.0.0.1:1/0")
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["broker"]["ok"] is False
    assert body["database"]["ok"] is True
