"""An agent's saved queue views: save (under a new name, or replacing their own of that name)
and delete. Each agent has their own; nobody reads or deletes another's."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from servicedesk.errors import InvalidInput, PermissionRefused
from servicedesk.models import User
from tickets.models import SavedQueueView


@transaction.atomic
def save_queue_view(*, actor: User, name: str, query: str) -> SavedQueueView:
    """Save the queue's ``query`` string under ``name`` for ``actor`` (desk staff); a view of
    theirs with that name is replaced. Raises InvalidInput (no name, too long)."""
    if not actor.is_desk_staff or actor.tenant_id is None:
        raise PermissionRefused(_("Only the desk saves queue views."))
    name = (name or "").strip()
    if not name:
        raise InvalidInput.single("name", _("Give the view a name."))
    if len(name) > SavedQueueView.MAX_NAME:
        raise InvalidInput.single(
            "name", _("Keep the name to %(count)d characters.") % {"count": SavedQueueView.MAX_NAME}
        )
    query = (query or "").lstrip("?")
    if len(query) > SavedQueueView.MAX_QUERY:
        raise InvalidInput.single("name", _("These filters are too long to save."))
    view, _created = SavedQueueView.objects.update_or_create(
        tenant_id=actor.tenant_id, user=actor, name=name, defaults={"query": query}
    )
    return view


@transaction.atomic
def delete_queue_view(*, actor: User, view: SavedQueueView) -> None:
    """Delete one of the actor's views (``view`` comes from ``get_saved_queue_view_for``)."""
    if view.user_id != actor.pk:
        raise PermissionRefused(_("This view is not yours."))
    view.delete()
