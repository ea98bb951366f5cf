"""Fixtures shared by the whole suite.

``demo`` gives the world of tests/factories/world.py, named like the demo world of API.md
(two tenants, their staff, accounts, sites and customer users), so every test meets its
outsiders: the other tenant (bluepeak), another customer account (Globex) and a
site-restricted user (dave, Madrid only).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from servicedesk.api_auth import issue_token
from servicedesk.models import CustomerAccount, Site, Tenant, User
from servicedesk.tenancy import tenant_context
from tests.factories.world import build_world


def _clear_own_cache_keys() -> None:
    """Delete this run's cache keys only. (cache.clear() is FLUSHDB on Redis: it would wipe
    every other process's keys on that database, a broker's queues included.)"""
    client = cache._cache.get_client(write=True)  # type: ignore[attr-defined]
    keys = list(client.scan_iter(match=f"{cache.key_prefix}:*", count=1000))
    if keys:
        client.delete(*keys)


@pytest.fixture(autouse=True)
def _clean_cache() -> Iterator[None]:
    """Sign-in throttles and heartbeats live in the cache; no test sees another's."""
    _clear_own_cache_keys()
    yield
    _clear_own_cache_keys()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "files")},
        },
    }


@dataclass
class Demo:
    northwind: Tenant
    bluepeak: Tenant
    acme: CustomerAccount
    globex: CustomerAccount
    initech: CustomerAccount
    frankfurt: Site
    madrid: Site
    london: Site
    barcelona: Site

    def user(self, email: str) -> User:
        return User.objects.get(email=email)

    def api(self, email: str) -> APIClient:
        """An API client authenticated by a fresh token of that demo user."""
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {issue_token(user=self.user(email))}")
        return client


def seed_world() -> None:
    """The world without tickets: tenants, users, accounts, sites, inventory, SLA policies, the
    priority matrix, the questionnaires and the escalation matrices (unless it is there)."""
    build_world()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Seed the world once, committed, for every test that runs in a rolled-back transaction.
    (pytest-django runs those before the transactional tests, which flush it.)"""
    with django_db_blocker.unblock():
        seed_world()


@pytest.fixture
def demo(db) -> Demo:
    if not Tenant.objects.filter(slug="northwind").exists():  # flushed by a transactional test
        seed_world()
    northwind = Tenant.objects.get(slug="northwind")
    bluepeak = Tenant.objects.get(slug="bluepeak")
    with tenant_context(northwind):
        acme = CustomerAccount.objects.get(name="Acme Logistics GmbH")
        globex = CustomerAccount.objects.get(name="Globex Retail Ltd")
        frankfurt = Site.objects.get(name="Frankfurt")
        madrid = Site.objects.get(name="Madrid")
        london = Site.objects.get(name="London")
    with tenant_context(bluepeak):
        initech = CustomerAccount.objects.get()
        barcelona = Site.objects.get()
    return Demo(northwind, bluepeak, acme, globex, initech, frankfurt, madrid, london, barcelona)
