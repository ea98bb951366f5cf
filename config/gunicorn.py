"""gunicorn's settings for the web process: ``gunicorn -c config/gunicorn.py config.wsgi``.

The application is loaded once in the master (``preload_app``) and the workers fork from it,
with what was loaded frozen out of the garbage collector's reach (``tune_garbage_collector``):
Django, DRF, the URL patterns and the models are never garbage, yet every collection of the
oldest generation walked them, and its writes unshared the memory pages the workers inherit.
Measured in process (``bench/request_costs.py --gc``, 150 requests of each kind): the time in
the collector fell from about 1.0 to 0.55 ms per request; a higher threshold for the youngest
generation on top (10,000 or 50,000 instead of 700) changed nothing measurable, so Python's
default thresholds stay.
"""

from __future__ import annotations

import gc
import os
from typing import Any

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
accesslog = "-"
preload_app = True


def tune_garbage_collector() -> None:
    """Collect once, then freeze everything loaded so far out of later collections."""
    gc.collect()
    gc.freeze()


def when_ready(server: Any) -> None:
    # In the master, after the application was loaded and before any worker forks.
    tune_garbage_collector()
