"""What every administration page shares."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, TypeVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db import models
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _

from portal.forms.desk_admin import AdminForm
from portal.views.access import signed_in_user
from servicedesk import audit
from servicedesk.models import User

R = TypeVar("R", bound=HttpResponseBase)
M = TypeVar("M", bound=models.Model)

PAGE_SIZE = 25


def admin_required(view: Callable[..., R]) -> Callable[..., R]:
    """A page of the tenant administrator. Any other role of a tenant is refused (403: it is
    their own desk's administration, they may know it exists); for a platform operator,
    outside every tenant, it does not exist (404)."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> R:
        user = signed_in_user(request)
        if user.tenant_id is None:
            raise Http404
        if not user.is_tenant_admin:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def page_of(request: HttpRequest, queryset: QuerySet[M] | Sequence[M]) -> Page[M]:
    """One page of the rows (``?page=``; a page out of range is the last)."""
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def searched(request: HttpRequest, queryset: QuerySet[M], fields: Sequence[str]) -> tuple[QuerySet[M], str]:
    query = (request.GET.get("q") or "").strip()[:200]
    return (audit.search(queryset, query, fields) if query else queryset), query


@dataclass
class Outcome:
    """What a submitted form came to: the object saved, or the form to show again (with the
    other change when the save was stale)."""

    form: AdminForm
    saved: Any = None
    stale: list[dict[str, str]] = field(default_factory=list)


def submit(
    request: HttpRequest,
    form: AdminForm,
    *,
    after_save: Callable[[Any], None] | None = None,
    save: Callable[[Any], Any] | None = None,
    object_name: str | None = None,
    extra: Callable[[Any], list[audit.Change]] | None = None,
) -> Outcome:
    """Validate a bound admin form and save it with its audit entry, or refuse a stale save
    (the form comes back with what was typed, and ``seen`` now what is stored, so a second
    submit overrides the other change knowingly)."""
    if not form.is_valid():
        return Outcome(form)
    try:
        saved = audit.save_changes(
            instance=form.instance,
            actor=signed_in_user(request),
            fields=form.audited_fields(),
            seen=form.seen_snapshot(),
            save=save or (lambda _instance: form.save()),
            after_save=after_save,
            object_name=object_name,
            extra=extra,
        )
    except audit.StaleEdit as stale:
        data = request.POST.copy()
        current = type(form.instance)._default_manager.get(pk=form.instance.pk)
        data[form.add_prefix("seen")] = audit.sign_snapshot(audit.snapshot(current, form.audited_fields()))
        again = type(form)(data, instance=current, **form.init_kwargs)
        again.is_valid()
        return Outcome(again, stale=stale.changes)
    return Outcome(form, saved=saved)


def saved_redirect(request: HttpRequest, url: str, text: str) -> HttpResponseRedirect:
    messages.success(request, text)
    return HttpResponseRedirect(url)


def render_form(
    request: HttpRequest, template: str, outcome: Outcome, *, status: int | None = None, **context: Any
) -> HttpResponse:
    """The form page; 400 when a submitted form has errors or was stale."""
    if status is None:
        status = 400 if request.method == "POST" and (outcome.form.errors or outcome.stale) else 200
    return render(request, template, {"form": outcome.form, "stale": outcome.stale, **context}, status=status)


def form_page(
    request: HttpRequest,
    form_class: type[AdminForm],
    instance: Any,
    template: str,
    *,
    done_url: str,
    saved_text: str,
    **context: Any,
) -> HttpResponse:
    """The plain create-or-edit page of one object: the form shown, or submitted and saved
    with its audit entry (then back to ``done_url`` with ``saved_text``), or shown again with
    its errors or the other change."""
    if request.method == "POST":
        outcome = submit(request, form_class(request.POST, instance=instance))
        if outcome.saved is not None:
            return saved_redirect(request, done_url, saved_text)
    else:
        outcome = Outcome(form_class(instance=instance))
    return render_form(request, template, outcome, **context)


def deactivate_or_delete(
    request: HttpRequest,
    instance: models.Model,
    *,
    in_use: str | None,
    back: str,
    deleted: str,
    after_save: Callable[[Any], None] | None = None,
) -> HttpResponse:
    """POST ``action=delete`` deletes what nothing uses (else says why and offers
    deactivation); ``action=deactivate`` / ``activate`` switch it off or on."""
    actor: User = signed_in_user(request)
    action = request.POST.get("action")
    if action in ("deactivate", "activate") and hasattr(instance, "is_active"):
        audit.set_active(instance=instance, actor=actor, active=action == "activate", after_save=after_save)
        text = (
            _("Reactivated.")
            if action == "activate"
            else _("Deactivated: kept with its history, offered for nothing new.")
        )
        return saved_redirect(request, back, text)
    if action == "delete":
        try:
            audit.delete_or_refuse(instance=instance, actor=actor, in_use=in_use)
        except audit.InUse as refusal:
            messages.error(
                request,
                _("Not deleted: %(reason)s Deactivate it instead; it stays with its history.")
                % {"reason": refusal.reason},
            )
            return HttpResponseRedirect(back)
        return saved_redirect(request, deleted, _("Deleted."))
    return HttpResponseRedirect(back)
