"""Settings for the test suite: PostgreSQL and Redis, as in production."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("DEMO_MODE", "1")
os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-8d1f0a7c3b2e4f56")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ.setdefault("DATABASE_URL", "postgres://servicedesk_app@127.0.0.1:5432/servicedesk")
os.environ.setdefault("DATABASE_SYSTEM_URL", "postgres://servicedesk_system@127.0.0.1:5432/servicedesk")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
os.environ.setdefault("CACHE_URL", "redis://127.0.0.1:6379/14")
os.environ.setdefault("CACHE_KEY_PREFIX", f"desk-test-{os.getpid()}")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")

from .base import *  # noqa: E402,F403

# Argon2 stays the production hasher (a test asserts it); the suite hashes thousands of
# passwords and uses a fast one.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Mail stays in memory; a test that runs the desk in processes of their own sends it to a
# mail server of its own instead (tests/servicedesk/test_worker_faults.py).
EMAIL_BACKEND = os.environ.get("TEST_EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
STATIC_ROOT = None  # type: ignore[assignment]  # WhiteNoise serves from the finders in tests
WHITENOISE_USE_FINDERS = True
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
CELERY_TASK_ALWAYS_EAGER = False
# Seeding the demo drops a mail into a Maildir folder: the suite's go to a folder of its own,
# never into the checkout's var/mail/ that `make run` reads.
MAILROOM_MAILDIR_ROOT = Path(tempfile.gettempdir()) / f"desk-test-mail-{os.getpid()}"  # noqa: F405
