"""A stamp per user in the shared cache that changes whenever the user or one of their API
tokens is saved or deleted: what lets a process keep an API token's look-up (the token, its
user and the tenant) between requests and still see every change from the next request on.

Like the tenants' reference data (``servicedesk.reference_data``), the stamp changes at once
and again when the writing transaction commits: a reader that read the old rows between the
two kept them under a stamp nobody holds any more. The signals are connected in the app's
``ready()`` (every process, web and worker, that could change a user). ``QuerySet.update`` on
users or tokens sends no signal: whoever writes one must call ``identity_changed`` (the
token's ``last_used_at``, which decides nothing, is the only such write today).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.cache import cache
from django.db import connection, transaction


def stamp_key(user_id: int) -> str:
    return f"api-identity:{user_id}"


def _new_stamp(user_id: int) -> None:
    cache.set(stamp_key(user_id), uuid.uuid4().hex, None)


def new_stamp_if_missing(user_id: int) -> str:
    """The user's stamp, made if the cache has none (a first look-up, or the cache emptied)."""
    key = stamp_key(user_id)
    cache.add(key, uuid.uuid4().hex, None)
    return str(cache.get(key))


def changed_in_this_transaction(user_id: int) -> bool:
    if not connection.in_atomic_block:
        return False
    pending = [entry[1] for entry in connection.run_on_commit]  # (savepoint ids, function, robust)
    return any(getattr(func, "identity_user", None) == user_id for func in pending)


def identity_changed(user_id: int | None) -> None:
    """The user, or one of their tokens, changed (call where the change is written)."""
    if user_id is None:
        return
    _new_stamp(user_id)
    if connection.in_atomic_block and not changed_in_this_transaction(user_id):

        def on_commit() -> None:
            _new_stamp(user_id)

        on_commit.identity_user = user_id  # type: ignore[attr-defined]
        transaction.on_commit(on_commit)


def user_saved_or_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    identity_changed(instance.pk)


def token_saved_or_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    identity_changed(instance.user_id)


def connect() -> None:
    from django.db.models.signals import post_delete, post_save  # noqa: PLC0415

    from servicedesk.models import ApiToken, User  # noqa: PLC0415

    for signal in (post_save, post_delete):
        signal.connect(user_saved_or_deleted, sender=User, dispatch_uid=f"identity-user-{signal is post_save}")
        signal.connect(token_saved_or_deleted, sender=ApiToken, dispatch_uid=f"identity-token-{signal is post_save}")
