"""Changes made in the desk's administration, each with its audit entry, and the refusals
that keep them honest.

- ``snapshot(instance, fields)``: what an editor saw of an object (each field's stored value
  and the value as words), signed into the edit form so it cannot be forged.
- ``save_changes``: saves an edited or new object under its row lock, refusing a stale save
  (``StaleEdit`` names each field somebody else changed since the editor loaded it, with
  the value it has now), and writes one ``AuditEntry`` with each field before and after.
- ``delete_or_refuse``: deletes an object nothing uses; an object in use is refused with the
  reason (``InUse``), and the page offers deactivation instead.
- ``set_active``: deactivates or reactivates (history kept, never deleted).

Call inside the tenant (the request's). The audit entry is written in the change's own
transaction: a change is never stored without its entry, nor an entry without its change.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.core import signing
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.db.models.deletion import ProtectedError, RestrictedError
from django.utils import formats, translation
from django.utils.translation import gettext as _

from servicedesk.models import AuditEntry, User
from servicedesk.tenancy import require_tenant_id

M = TypeVar("M", bound=models.Model)

_SIGNING_SALT = "desk-admin.seen"

Snapshot = dict[str, tuple[str, str]]  # field name → (stored value, value as words)


class StaleEdit(Exception):
    """Somebody else changed the object since the editor loaded it."""

    def __init__(self, changes: list[dict[str, str]]) -> None:
        super().__init__("stale edit")
        self.changes = changes


class InUse(Exception):
    """The object is in use and cannot be deleted (``reason`` says by what)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Change:
    field: str
    label: str
    before: str
    after: str


def _words(instance: models.Model, field: models.Field[Any, Any]) -> str:
    """A field's value as a person reads it (in the active language)."""
    if isinstance(field, models.ForeignKey):
        related = getattr(instance, field.name)
        return "" if related is None else str(related)
    value = getattr(instance, field.attname)
    if field.choices and value not in (None, ""):
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if value is None:
        return ""
    if isinstance(value, dt.date | dt.datetime):
        return str(formats.date_format(value, "SHORT_DATE_FORMAT"))
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, cls=DjangoJSONEncoder)
    return str(value)


def _stored(instance: models.Model, field: models.Field[Any, Any]) -> str:
    return json.dumps(field.value_from_object(instance), sort_keys=True, cls=DjangoJSONEncoder)


def _fields(model: type[models.Model], names: Iterable[str]) -> list[models.Field[Any, Any]]:
    return [model._meta.get_field(name) for name in names]  # type: ignore[misc]


def snapshot(instance: models.Model, names: Iterable[str]) -> Snapshot:
    """The object's fields as stored and as words."""
    return {f.name: (_stored(instance, f), _words(instance, f)) for f in _fields(type(instance), names)}


def sign_snapshot(seen: Snapshot) -> str:
    return signing.dumps(seen, salt=_SIGNING_SALT, compress=True)


def read_snapshot(token: str) -> Snapshot:
    """Raises ``signing.BadSignature`` for a token this desk did not sign."""
    loaded = signing.loads(token, salt=_SIGNING_SALT)
    return {str(name): (str(pair[0]), str(pair[1])) for name, pair in loaded.items()}


def _label(model: type[models.Model], name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)  # type: ignore[union-attr]
    except Exception:  # noqa: BLE001 - a computed field (e.g. weekly hours) has no model field
        return name


def record(
    *,
    actor: User,
    action: str,
    instance: models.Model,
    changes: Sequence[Change] = (),
    object_type: str | None = None,
    object_name: str | None = None,
) -> AuditEntry:
    """Write the audit entry of one change (call inside the change's transaction)."""
    with translation.override("en"):
        kind = object_type or str(instance._meta.verbose_name)
    return AuditEntry.objects.create(
        tenant_id=require_tenant_id(),
        actor=actor,
        actor_name=actor.full_name or actor.email,
        action=action,
        object_type=kind,
        object_id=str(instance.pk),
        object_name=(object_name or str(instance))[:300],
        changes=[{"field": c.field, "label": c.label, "before": c.before, "after": c.after} for c in changes],
    )


def diff(model: type[models.Model], before: Snapshot, after: Snapshot) -> list[Change]:
    """The fields whose stored value differs, as words."""
    return [
        Change(name, _label(model, name), before.get(name, ("", ""))[1], value[1])
        for name, value in after.items()
        if before.get(name, ("", ""))[0] != value[0]
    ]


def save_changes(
    *,
    instance: M,
    actor: User,
    fields: Sequence[str],
    seen: Snapshot | None,
    save: Callable[[M], M] | None = None,
    extra: Callable[[M], list[Change]] | None = None,
    after_save: Callable[[M], None] | None = None,
    object_name: str | None = None,
) -> M:
    """Save a new or edited object with its audit entry.

    ``instance`` carries the editor's values for ``fields``; ``seen`` is what the editor was
    shown (``None`` for a new object). Under the row's lock, a field whose stored value is no
    longer what the editor saw refuses the save (``StaleEdit``). ``save`` saves (default:
    ``instance.save()``); ``extra`` reports changes outside ``fields`` (rows of a child
    table); ``after_save`` makes the change take effect on the running desk, in the same
    transaction. ``object_name`` names the object in the log when its ``str()`` does not
    say enough."""
    model = type(instance)
    with transaction.atomic():
        is_new = instance.pk is None or instance._state.adding
        before: Snapshot = {}
        if not is_new:
            current = model._default_manager.select_for_update().get(pk=instance.pk)
            before = snapshot(current, fields)
            if seen is not None:
                stale = [
                    {"label": _label(model, name), "seen": seen[name][1], "now": before[name][1]}
                    for name in fields
                    if name in seen and seen[name][0] != before[name][0]
                ]
                if stale:
                    raise StaleEdit(stale)
        saved = save(instance) if save is not None else _save(instance)
        after = snapshot(saved, fields)
        changes = diff(model, before, after) + (extra(saved) if extra is not None else [])
        if changes or is_new:
            action = AuditEntry.Action.CREATE if is_new else AuditEntry.Action.UPDATE
            record(actor=actor, action=action, instance=saved, changes=changes, object_name=object_name)
        if after_save is not None:
            after_save(saved)
        return saved


def _save(instance: M) -> M:
    instance.save()
    return instance


def set_active(*, instance: M, actor: User, active: bool, after_save: Callable[[M], None] | None = None) -> M:
    """Deactivate (or reactivate) an object: it stays, with its history, but is offered for
    nothing new."""
    model = type(instance)
    with transaction.atomic():
        current = model._default_manager.select_for_update().get(pk=instance.pk)
        if current.is_active == active:  # type: ignore[attr-defined]
            return current
        before = snapshot(current, ["is_active"])
        current.is_active = active  # type: ignore[attr-defined]
        current.save(update_fields=["is_active"])
        action = AuditEntry.Action.ACTIVATE if active else AuditEntry.Action.DEACTIVATE
        record(
            actor=actor, action=action, instance=current, changes=diff(model, before, snapshot(current, ["is_active"]))
        )
        if after_save is not None:
            after_save(current)
        return current


def delete_or_refuse(*, instance: models.Model, actor: User, in_use: str | None = None) -> None:
    """Delete an object nothing uses, with its audit entry. ``in_use`` is the reason the
    caller found (e.g. "used by 2 SLA policies"); a row the database still protects is
    refused too."""
    if in_use:
        raise InUse(in_use)
    with transaction.atomic():
        entry_name = str(instance)
        try:
            with transaction.atomic():
                record(
                    actor=actor,
                    action=AuditEntry.Action.DELETE,
                    instance=instance,
                    changes=[Change("", _("name"), entry_name, "")],
                )
                instance.delete()
        except (ProtectedError, RestrictedError) as error:
            raise InUse(_("Other records still refer to it.")) from error


def search(queryset: QuerySet[M], query: str, fields: Sequence[str]) -> QuerySet[M]:
    """Rows with every word of ``query`` in one of ``fields`` (case-insensitive)."""
    for word in query.split()[:8]:
        condition = Q()
        for name in fields:
            condition |= Q(**{f"{name}__icontains": word})
        queryset = queryset.filter(condition)
    return queryset
