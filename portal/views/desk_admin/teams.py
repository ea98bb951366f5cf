"""Teams (with their members) and product areas. Deleting what is in use is refused with the
reason; deactivation keeps it with its history and offers it for nothing new (an inactive
team gets no new tickets routed to it)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from escalation.models import EscalationLevel
from orders.models import Service
from portal.forms.desk_admin import ProductAreaForm, TeamForm
from portal.views.access import signed_in_user
from portal.views.desk_admin.common import (
    Outcome,
    admin_required,
    deactivate_or_delete,
    render_form,
    saved_redirect,
    submit,
)
from servicedesk import audit
from servicedesk.models import ProductArea, Team
from servicedesk.selectors import staff_of_tenant
from servicedesk.services import set_team_members
from servicedesk.tenancy import require_tenant_id
from tickets.models import Ticket


@admin_required
def teams(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "desk_admin/teams.html",
        {
            "teams": Team.objects.select_related("product_area").order_by("-is_active", "name"),
            "areas": ProductArea.objects.order_by("-is_active", "name"),
        },
    )


def _team_page(request: HttpRequest, team: Team) -> HttpResponse:
    staff = staff_of_tenant(actor=signed_in_user(request)).filter(Q(is_active=True) | Q(team_memberships__team=team))
    staff = staff.distinct().order_by("full_name")
    if request.method == "POST":
        form = TeamForm(request.POST, instance=team, staff=staff)
        members: dict[str, Any] = {}

        def save(instance: Team) -> Team:
            saved: Team = form.save()
            members["before"], members["after"] = set_team_members(team=saved, users=form.cleaned_data["members"])
            return saved

        def extra(_saved: Team) -> list[audit.Change]:
            if members["before"] == members["after"]:
                return []
            return [audit.Change("members", _("members"), ", ".join(members["before"]), ", ".join(members["after"]))]

        outcome = submit(request, form, save=save, extra=extra)
        if outcome.saved is not None:
            return saved_redirect(request, reverse("portal:desk-admin-teams"), _("Team saved."))
    else:
        outcome = Outcome(TeamForm(instance=team, staff=staff))
    return render_form(request, "desk_admin/team_form.html", outcome, team=team)


@admin_required
def team_new(request: HttpRequest) -> HttpResponse:
    return _team_page(request, Team(tenant_id=require_tenant_id()))


@admin_required
def team_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _team_page(request, get_object_or_404(Team, pk=pk))


@admin_required
@require_POST
def team_status(request: HttpRequest, pk: int) -> HttpResponse:
    team = get_object_or_404(Team, pk=pk)
    reason = None
    if request.POST.get("action") == "delete":
        open_tickets = Ticket.objects.filter(team=team, status__in=Ticket.OPEN_STATUSES).count()
        if open_tickets:
            reason = ngettext(
                "%(n)d open ticket is with this team.", "%(n)d open tickets are with this team.", open_tickets
            ) % {"n": open_tickets}
        elif Ticket.objects.filter(team=team).exists():
            reason = _("Closed tickets keep this team in their history.")
    back = reverse("portal:desk-admin-team", args=[team.pk])
    return deactivate_or_delete(request, team, in_use=reason, back=back, deleted=reverse("portal:desk-admin-teams"))


def _area_page(request: HttpRequest, area: ProductArea) -> HttpResponse:
    if request.method == "POST":
        outcome = submit(request, ProductAreaForm(request.POST, instance=area))
        if outcome.saved is not None:
            return saved_redirect(request, reverse("portal:desk-admin-teams"), _("Product area saved."))
    else:
        outcome = Outcome(ProductAreaForm(instance=area))
    return render_form(request, "desk_admin/area_form.html", outcome, area=area)


@admin_required
def area_new(request: HttpRequest) -> HttpResponse:
    return _area_page(request, ProductArea(tenant_id=require_tenant_id()))


@admin_required
def area_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _area_page(request, get_object_or_404(ProductArea, pk=pk))


@admin_required
@require_POST
def area_status(request: HttpRequest, pk: int) -> HttpResponse:
    area = get_object_or_404(ProductArea, pk=pk)
    reason = None
    if request.POST.get("action") == "delete":
        uses = []
        teams_count = Team.objects.filter(product_area=area).count()
        services = Service.objects.filter(product_area=area).count()
        if teams_count:
            uses.append(
                ngettext("%(n)d team belongs to it.", "%(n)d teams belong to it.", teams_count) % {"n": teams_count}
            )
        if services:
            uses.append(ngettext("%(n)d service is in it.", "%(n)d services are in it.", services) % {"n": services})
        levels = EscalationLevel.objects.filter(product_area=area).count()
        if levels:
            uses.append(
                ngettext("%(n)d escalation level is for it.", "%(n)d escalation levels are for it.", levels)
                % {"n": levels}
            )
        reason = " ".join(uses) or None
    back = reverse("portal:desk-admin-area", args=[area.pk])
    return deactivate_or_delete(request, area, in_use=reason, back=back, deleted=reverse("portal:desk-admin-teams"))
