"""People: the desk's users and their roles. A new user is invited by e-mail with a link to
set a password (one use, expiring); a user who leaves is deactivated, never deleted (their
tickets and history keep their name)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.forms.desk_admin import SiteRestrictionForm, UserForm
from portal.views.access import signed_in_user
from portal.views.desk_admin.common import (
    Outcome,
    admin_required,
    deactivate_or_delete,
    page_of,
    render_form,
    saved_redirect,
    searched,
    submit,
)
from servicedesk import audit
from servicedesk.models import AuditEntry, Site, SiteRestriction, User
from servicedesk.services import send_invitation, set_site_restrictions
from servicedesk.tenancy import require_tenant_id


def _users() -> QuerySet[User]:
    """The current tenant's users (the user table is the directory of every tenant)."""
    return User.objects.filter(tenant_id=require_tenant_id()).select_related("customer_account")


def _user(pk: int) -> User:
    found = _users().filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


@admin_required
def people(request: HttpRequest) -> HttpResponse:
    users, query = searched(request, _users().order_by("-is_active", "full_name"), ["full_name", "email"])
    role = request.GET.get("role", "")
    if role in User.Role.values:
        users = users.filter(role=role)
    return render(
        request,
        "desk_admin/people.html",
        {"page": page_of(request, users), "query": query, "role": role, "roles": User.Role.choices},
    )


@admin_required
def person_invite(request: HttpRequest) -> HttpResponse:
    tenant_id = require_tenant_id()
    instance = User(tenant_id=tenant_id)
    actor = signed_in_user(request)
    if request.method == "POST":
        form = UserForm(request.POST, instance=instance, tenant_id=tenant_id)

        def save(user: User) -> User:
            user.set_unusable_password()
            saved: User = form.save()
            return saved

        def invite(user: User) -> None:
            send_invitation(user=user)
            audit.record(actor=actor, action=AuditEntry.Action.INVITE, instance=user)

        with transaction.atomic():
            outcome = submit(request, form, save=save, after_save=invite)
        if outcome.saved is not None:
            return saved_redirect(
                request,
                reverse("portal:desk-admin-people"),
                _("%(email)s is invited: the e-mail with the link to set a password is on its way.")
                % {"email": outcome.saved.email},
            )
    else:
        outcome = Outcome(UserForm(instance=instance, tenant_id=tenant_id))
    return render_form(request, "desk_admin/person_form.html", outcome, person=None)


@admin_required
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = _user(pk)
    tenant_id = require_tenant_id()
    if request.method == "POST":
        outcome = submit(request, UserForm(request.POST, instance=person, tenant_id=tenant_id))
        if outcome.saved is not None:
            return saved_redirect(request, reverse("portal:desk-admin-people"), _("Saved."))
    else:
        outcome = Outcome(UserForm(instance=person, tenant_id=tenant_id))
    return render_form(request, "desk_admin/person_form.html", outcome, person=person, sites_form=_sites_form(person))


def _account_sites(person: User) -> QuerySet[Site]:
    return Site.objects.filter(account_id=person.customer_account_id).order_by("name")


def _sites_form(person: User, data: Any = None) -> SiteRestrictionForm | None:
    if not person.is_customer:
        return None
    initial = {"sites": list(SiteRestriction.objects.filter(user=person).values_list("site_id", flat=True))}
    return SiteRestrictionForm(data, sites=_account_sites(person), initial=initial, prefix="restrict")


@admin_required
@require_POST
def person_sites(request: HttpRequest, pk: int) -> HttpResponse:
    person = _user(pk)
    form = _sites_form(person, request.POST)
    if form is None:
        raise Http404
    if form.is_valid():
        set_site_restrictions(user=person, sites=form.cleaned_data["sites"], actor=signed_in_user(request))
        return saved_redirect(request, reverse("portal:desk-admin-person", args=[person.pk]), _("Sites saved."))
    outcome = Outcome(UserForm(instance=person, tenant_id=require_tenant_id()))
    return render_form(request, "desk_admin/person_form.html", outcome, status=400, person=person, sites_form=form)


@admin_required
@require_POST
def person_status(request: HttpRequest, pk: int) -> HttpResponse:
    person = _user(pk)
    back = reverse("portal:desk-admin-person", args=[person.pk])
    if person.pk == signed_in_user(request).pk:
        messages.error(request, _("You cannot deactivate yourself."))
        return HttpResponseRedirect(back)
    reason = _("People are never deleted: their tickets and history keep their name.")
    return deactivate_or_delete(request, person, in_use=reason, back=back, deleted=back)
