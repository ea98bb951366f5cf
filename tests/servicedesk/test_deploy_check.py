"""`manage.py check --deploy` with production-like environment variables."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.base",
    "DEBUG": "0",
    "SECRET_KEY": "x8Fq2LrT9vWz4mNc7BdE1kYhJ6pSuG3aQoZiXt5RwVnCyMb0-prod-Lk2",
    "ALLOWED_HOSTS": "desk.example.com",
    "DATABASE_URL": "postgres://servicedesk_app@127.0.0.1:5432/servicedesk",
    "DATABASE_SYSTEM_URL": "postgres://servicedesk_system@127.0.0.1:5432/servicedesk",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "PUBLIC_BASE_URL": "https://desk.example.com",
}


def _check(extra_env):
    # Only what a production host would have: none of the test settings' variables leak in.
    env = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "PYTHONPATH"}}
    env.update(PRODUCTION_ENV, **extra_env)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = _check({})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_refuses_demo_mode():
    result = _check({"DEMO_MODE": "1"})
    assert result.returncode != 0
    assert "servicedesk.E001" in result.stderr + result.stdout


def test_production_settings_refuse_to_start_without_a_secret_key():
    result = _check({"SECRET_KEY": ""})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_check_deploy_warns_when_mail_links_have_no_public_address():
    result = _check({"PUBLIC_BASE_URL": ""})
    assert result.returncode != 0
    assert "servicedesk.W001" in result.stderr + result.stdout


def test_a_public_address_that_is_not_one_refuses_to_start():
    result = _check({"PUBLIC_BASE_URL": "desk.example.com"})
    assert result.returncode != 0
    assert "PUBLIC_BASE_URL" in result.stderr
