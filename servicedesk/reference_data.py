"""A tenant's reference data, cached: what every intake reads and almost nothing writes (the
priority matrix, the questionnaires, SLA policies and their calendars, teams, the inventory's
services and contracts).

Each tenant has a version in the cache (a random token). Cached values are stored under
their tenant's current token, in the shared cache (Redis in production) and in the process
(so a hit costs one cache read and no unpickling). A save or delete of a reference-data row
(a model with ``ReferenceData`` among its bases) gives the tenant a new token, at once and
again when its transaction commits: the next reader misses and reads the database, and a
reader that filled the cache from the old rows between the two did so under a token nobody
asks for any more. A reader inside a transaction that changed the tenant's reference data
reads the database and shares nothing (its rows may still roll back).

Changes that bypass ``save``/``delete`` (``QuerySet.update``, ``bulk_create``) must call
``reference_data_changed`` themselves.

Within one request a tenant's token is read once (the first reader asks the cache, later
readers of the same request reuse it; a change the request itself makes replaces it): a
customer's request reads the deactivated accounts, the site restrictions and the intake's data,
one Redis round trip instead of three. A change another process makes while a request runs is
what that process's next request sees, as it was for a request that read once. Outside a
request (tasks, commands) every reader asks the cache.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import connection, transaction

T = TypeVar("T")

# A day: the token changes on every change anyway; this only bounds what an idle tenant keeps.
_TIMEOUT = 24 * 60 * 60
_local: dict[tuple[int, str], tuple[str, Any]] = {}
# The tokens read during the current request (None outside a request), per thread.
_request = threading.local()


def _request_began(**kwargs: Any) -> None:
    _request.versions = {}


def _request_ended(**kwargs: Any) -> None:
    _request.versions = None


request_started.connect(_request_began, dispatch_uid="reference-data-request-began")
request_finished.connect(_request_ended, dispatch_uid="reference-data-request-ended")


def _request_versions() -> dict[int, str] | None:
    return getattr(_request, "versions", None)


def _version_key(tenant_id: int) -> str:
    return f"reference-data:{tenant_id}"


def _new_version(tenant_id: int) -> None:
    token = uuid.uuid4().hex
    cache.set(_version_key(tenant_id), token, None)
    versions = _request_versions()
    if versions is not None:
        versions[tenant_id] = token


def _version(tenant_id: int) -> str:
    versions = _request_versions()
    if versions is not None and tenant_id in versions:
        return versions[tenant_id]
    key = _version_key(tenant_id)
    token = cache.get(key)
    if token is None:
        cache.add(key, uuid.uuid4().hex, None)
        token = cache.get(key)
    if versions is not None:
        versions[tenant_id] = str(token)
    return str(token)


def current_version(tenant_id: int) -> str:
    """The tenant's token (for a reader that keeps something of its own under it)."""
    return _version(tenant_id)


def version_with(tenant_id: int, key: str) -> tuple[str, Any]:
    """The tenant's token and the cache's value of ``key``, in one round trip when the token
    was not read yet in this request."""
    versions = _request_versions()
    if versions is not None and tenant_id in versions:
        return versions[tenant_id], cache.get(key)
    found = cache.get_many([_version_key(tenant_id), key])
    token = found.get(_version_key(tenant_id))
    if token is None:
        return _version(tenant_id), found.get(key)
    if versions is not None:
        versions[tenant_id] = str(token)
    return str(token), found.get(key)


def _changed_in_this_transaction(tenant_id: int) -> bool:
    if not connection.in_atomic_block:
        return False
    pending = [entry[1] for entry in connection.run_on_commit]  # (savepoint ids, function, robust)
    return any(getattr(func, "reference_data_tenant", None) == tenant_id for func in pending)


def reference_data_changed(tenant_id: int | None) -> None:
    """The tenant's reference data changed (call where the change is written)."""
    if tenant_id is None:
        return
    _new_version(tenant_id)
    if connection.in_atomic_block and not _changed_in_this_transaction(tenant_id):

        def on_commit() -> None:
            _new_version(tenant_id)

        on_commit.reference_data_tenant = tenant_id  # type: ignore[attr-defined]
        transaction.on_commit(on_commit)


def _from_shared_cache(tenant_id: int, name: str, token: str, build: Callable[[], T]) -> T:
    """The shared cache's value of ``name`` under the tenant's token, or ``build()``'s, kept
    there unless it is None (nothing found: the next reader looks again)."""
    key = f"reference-data:{tenant_id}:{name}:{token}"
    value = cache.get(key)
    if value is None:
        value = build()
        if value is not None:
            cache.set(key, value, _TIMEOUT)
    return value


def cached_reference_data(tenant_id: int, name: str, build: Callable[[], T]) -> T:
    """``build()``'s value for the tenant, from the process or the shared cache while the
    tenant's reference data is unchanged. Call inside the tenant."""
    if _changed_in_this_transaction(tenant_id):
        return build()
    token = _version(tenant_id)
    held = _local.get((tenant_id, name))
    if held is not None and held[0] == token:
        return held[1]
    value = _from_shared_cache(tenant_id, name, token, build)
    _local[(tenant_id, name)] = (token, value)
    return value


def shared_reference_data(tenant_id: int, name: str, build: Callable[[], T | None]) -> T | None:
    """``cached_reference_data`` from the shared cache only: for values of which a tenant has
    many (one per service), which the process does not keep (its memory would grow with them);
    each caller gets a copy of its own. Call inside the tenant."""
    if _changed_in_this_transaction(tenant_id):
        return build()
    return _from_shared_cache(tenant_id, name, _version(tenant_id), build)


class ReferenceData:
    """Mixin for models whose rows are a tenant's reference data: saving or deleting one gives
    the tenant's cached reference data a new version. Put it before ``models.Model`` (or the
    tenant-owned base) in the bases."""

    def _reference_tenant_id(self) -> int | None:
        return getattr(self, "tenant_id", None)

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)  # type: ignore[misc]
        reference_data_changed(self._reference_tenant_id())

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        tenant_id = self._reference_tenant_id()
        result = super().delete(*args, **kwargs)  # type: ignore[misc]
        reference_data_changed(tenant_id)
        return result
