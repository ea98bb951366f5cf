"""Wiring: settings, the root URLconf, the Celery application, WSGI/ASGI.

Outside the layer contract: it composes every app, and no app imports it.
"""

from config.celery import app as celery_app

__all__ = ["celery_app"]
